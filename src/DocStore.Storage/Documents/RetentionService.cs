using DocStore.Core.Auditing;
using DocStore.Core.Documents;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DocStore.Storage.Documents;

/// <summary>
/// Purges trashed documents whose collection's retention period has run out, never one on legal
/// hold (DESIGN.md: only the retention policy or an administrator purges). Runs at start and
/// every <see cref="Interval"/>; on many nodes the row locks (SKIP LOCKED) keep them apart.
/// </summary>
public sealed partial class RetentionService(IDocumentStore documents, ILogger<RetentionService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>The audit trail's name for the retention job.</summary>
    public static readonly Actor Actor = new(null, "retention", null, "docstore retention");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                var purged = await documents.PurgeExpiredAsync(Actor, stoppingToken);
                if (purged > 0)
                {
                    LogPurged(purged);
                }
            }
            catch (NpgsqlException ex)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention purged {Count} documents from the trash")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention purge failed; it runs again within the hour")]
    private partial void LogFailed(Exception ex);
}
