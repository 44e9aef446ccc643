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
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the change-feed listener connection; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
