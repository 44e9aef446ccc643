using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// The change listener listens only while a session of the node watches (IDLE), and its
/// connection is pooled without a reset (DocStoreDatabase): it must go back without its LISTEN.
/// Every wait here is for something that must happen; none decides an outcome by a clock.
/// </summary>
public sealed class ChangeListenerTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_stopped_listener_leaves_its_connection_listening_to_nothing()
    {
        // One connection in the pool, not reset on close, as DocStore's own pool.
        var pooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1, NoResetOnClose = true };
        await using var dataSource = NpgsqlDataSource.Create(pooled.ConnectionString);
        var notifier = new MailboxNotifier();
        using var listener = new ChangeListener(dataSource, notifier, NullLogger<ChangeListener>.Instance);
        await listener.StartAsync(CancellationToken.None);

        // Watched, so listening: a change notification for mailbox 42 wakes its watchers.
        using (await notifier.WatchAsync(CancellationToken.None).WaitAsync(HangGuard))
        {
            var signal = notifier.Signal(42);
            await NotifyAsync(42);
            await signal.WaitAsync(HangGuard);
            var listening = await ListeningBackendAsync("LISTEN");

            await listener.StopAsync(CancellationToken.None);

            await using var reused = await dataSource.OpenConnectionAsync();
            Assert.Equal(listening, reused.ProcessID);
            Assert.Empty(await reused.QueryAsync<string>("SELECT pg_listening_channels()"));
            // Nor holding the listening lock (migration 0032): writers would go on notifying.
            Assert.Equal(0, await reused.QuerySingleAsync<int>("SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"));
        }
    }

    [Fact]
    public async Task Changes_are_heard_only_while_a_session_watches_and_a_watch_is_granted_once_they_are()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var notifier = new MailboxNotifier();
        using var listener = new ChangeListener(dataSource, notifier, NullLogger<ChangeListener>.Instance) { Linger = TimeSpan.Zero };
        await listener.StartAsync(CancellationToken.None);
        try
        {
            // A watch is granted once the listener listens: a change committed after the grant is heard.
            var first = notifier.Signal(43);
            using (await notifier.WatchAsync(CancellationToken.None).WaitAsync(HangGuard))
            {
                await NotifyAsync(43);
                await first.WaitAsync(HangGuard);
            }

            // The last watch ended: the listener stops listening (UNLISTEN on its connection) ...
            await Conditions.WaitForAsync(async () => await ListeningBackendAsync("UNLISTEN *") is not null);
            // ... so a change now reaches nobody on this node: nobody waits for it, and the
            // listener's backend and this process are not woken for it.
            var unheard = notifier.Signal(44);
            await NotifyAsync(44);

            // The next watch listens again; notifications come in commit order, so once the one
            // after the watch arrived, the one before would have too had anyone listened.
            var second = notifier.Signal(45);
            using (await notifier.WatchAsync(CancellationToken.None).WaitAsync(HangGuard))
            {
                await NotifyAsync(45);
                await second.WaitAsync(HangGuard);
            }
            Assert.False(unheard.IsCompleted);
        }
        finally
        {
            await listener.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_session_waiting_when_the_listener_lost_its_connection_is_woken_when_it_listens_again()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var notifier = new MailboxNotifier();
        using var listener = new ChangeListener(dataSource, notifier, NullLogger<ChangeListener>.Instance);
        await listener.StartAsync(CancellationToken.None);
        try
        {
            using (await notifier.WatchAsync(CancellationToken.None).WaitAsync(HangGuard))
            {
                var waiting = notifier.Signal(47);
                var lost = await ListeningBackendAsync("LISTEN");
                Assert.NotNull(lost);

                // The listener's backend ends (a PostgreSQL restart, an administrator, a network
                // drop). While it is gone, no node holds the listening lock, so a writer notifies
                // nobody (migration 0032): nothing will say that mailbox 47 changed meanwhile.
                await using (var admin = new NpgsqlConnection(database.ConnectionString))
                {
                    await admin.OpenAsync();
                    await admin.ExecuteAsync("SELECT pg_terminate_backend(@lost)", new { lost });
                }

                // The listener reconnects and listens again; the session that waited is woken to
                // read what changed while it was down.
                await Conditions.WaitForAsync(async () => await ListeningBackendAsync("LISTEN") is { } pid && pid != lost);
                await waiting.WaitAsync(HangGuard);
            }
        }
        finally
        {
            await listener.StopAsync(CancellationToken.None);
        }
    }

    private async Task NotifyAsync(long mailbox)
    {
        await using var other = new NpgsqlConnection(database.ConnectionString);
        await other.OpenAsync();
        await other.ExecuteAsync($"NOTIFY {ChangeListener.Channel}, '{mailbox}'");
    }

    /// <summary>The backend whose last statement, finished, was <paramref name="query"/>: the listener's.</summary>
    private async Task<int?> ListeningBackendAsync(string query)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<int?>(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = @query AND state = 'idle'",
            new { query = query.StartsWith("LISTEN", StringComparison.Ordinal) ? $"LISTEN {ChangeListener.Channel}" : query });
    }
}
