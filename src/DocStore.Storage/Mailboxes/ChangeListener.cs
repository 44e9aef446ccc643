using System.Globalization;
using DocStore.Core.Mailboxes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

/// <summary>
/// Listens for the change feed's notifications (migration 0002) on one dedicated connection and
/// passes them to the <see cref="MailboxNotifier"/>: IDLE hears of changes made by any node.
/// Reconnects after a lost connection; sessions then catch up on their next command anyway,
/// since every command compares the mailbox's counters.
/// </summary>
public sealed partial class ChangeListener(NpgsqlDataSource dataSource, MailboxNotifier notifier, ILogger<ChangeListener> logger) : BackgroundService
{
    public const string Channel = "docstore_collection";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (long.TryParse(e.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var collection))
                    {
                        notifier.Changed(collection);
                    }
                };
                try
                {
                    await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    {
                        await listen.ExecuteNonQueryAsync(stoppingToken);
                    }
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        await connection.WaitAsync(stoppingToken);
                    }
                }
                finally
                {
                    await UnlistenAsync(connection);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
            {
                LogListenFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>
    /// The connection goes back to the pool, which does not reset connections (DocStoreDatabase):
    /// still listening, it would collect every change's notification for whoever gets it next.
    /// A connection that broke is dropped by the pool instead.
    /// </summary>
    private static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }
        try
        {
            await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection);
            await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            // Broken meanwhile: the pool drops it.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the change-feed listener connection; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
