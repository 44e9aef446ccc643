using System.Globalization;
using DocStore.Core.Mailboxes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

/// <summary>
/// Listens for the change feed's notifications (migration 0002) on one dedicated connection and
/// passes them to the <see cref="MailboxNotifier"/>: IDLE hears of changes made by any node.
/// It listens only while some session of this node watches (<see cref="MailboxNotifier.WatchAsync"/>),
/// and until <see cref="Linger"/> after the last one stopped: a notification nobody waits for
/// cost each change a wake-up of the listening backend and of this process, and while no node
/// listens, writers notify nothing at all (migration 0032, <see cref="ListeningLock"/>; issue #3:
/// together about 0.06 ms of CPU per sequential flag STORE). Reconnects after a lost connection;
/// sessions then catch up on their next command anyway, since every command compares the
/// mailbox's counters.
/// </summary>
public sealed partial class ChangeListener : BackgroundService
{
    public const string Channel = "docstore_collection";

    /// <summary>
    /// The advisory lock a listening connection holds shared (migration 0032): a change's writer
    /// notifies only when it cannot take it exclusively, and one that took it (nobody listened)
    /// holds it until it commits, so a listener starting meanwhile waits for that commit before
    /// its sessions read what changed.
    /// </summary>
    public const string ListeningLock = "1819506798, 0";

    private readonly NpgsqlDataSource dataSource;
    private readonly MailboxNotifier notifier;
    private readonly ILogger<ChangeListener> logger;

    public ChangeListener(NpgsqlDataSource dataSource, MailboxNotifier notifier, ILogger<ChangeListener> logger)
    {
        this.dataSource = dataSource;
        this.notifier = notifier;
        this.logger = logger;
        // From the listener's creation on (before the host accepts a client), watches wait for it.
        notifier.Listened();
    }

    /// <summary>How long the listener goes on listening after the last watch ended (IDLE clients end and restart IDLE often).</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await notifier.WatchedAsync(stoppingToken);
                await ListenWhileWatchedAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
            {
                notifier.ListenerFailed();
                LogListenFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task ListenWhileWatchedAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        connection.Notification += (_, e) =>
        {
            if (long.TryParse(e.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var collection))
            {
                notifier.Changed(collection);
            }
        };
        using var unwatched = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var ending = Task.CompletedTask;
        try
        {
            // The lock may wait for writers that notified nobody (migration 0032): their changes
            // are committed once it is granted, so the sessions' catch-up reads see them.
            await using (var listen = new NpgsqlCommand($"SELECT pg_advisory_lock_shared({ListeningLock}); LISTEN {Channel}", connection))
            {
                await listen.ExecuteNonQueryAsync(stoppingToken);
            }
            notifier.Listening();
            // Only after the grant above: a stop decided before it would be undone by it.
            ending = EndWhenUnwatchedAsync(unwatched, stoppingToken);
            while (true)
            {
                await connection.WaitAsync(unwatched.Token);
            }
        }
        catch (OperationCanceledException) when (unwatched.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            // Nobody watches any more: UNLISTEN below, then wait for the next watch.
        }
        finally
        {
            await unwatched.CancelAsync();
            await ending;
            await UnlistenAsync(connection);
        }
    }

    /// <summary>Cancels <paramref name="unwatched"/> once no session has watched for <see cref="Linger"/>.</summary>
    private async Task EndWhenUnwatchedAsync(CancellationTokenSource unwatched, CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await notifier.UnwatchedAsync(unwatched.Token);
                if (Linger > TimeSpan.Zero)
                {
                    await Task.Delay(Linger, unwatched.Token);
                }
                if (notifier.TryStopListening())
                {
                    await unwatched.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (unwatched.IsCancellationRequested || stoppingToken.IsCancellationRequested)
        {
            // The listener ends for another reason.
        }
    }

    /// <summary>
    /// The connection goes back to the pool, which does not reset connections (DocStoreDatabase):
    /// still listening, it would collect every change's notification for whoever gets it next,
    /// and with the lock every writer would go on notifying. A connection that broke is dropped
    /// by the pool instead (its backend ends, and with it the LISTEN and the lock).
    /// </summary>
    private static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }
        try
        {
            await using var unlisten = new NpgsqlCommand($"SELECT pg_advisory_unlock_shared({ListeningLock}); UNLISTEN *", connection);
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
