using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// Migration 0032: a change is notified only while some node listens (its listening connection
/// holds <see cref="ChangeListener.ListeningLock"/> shared), and a node that starts listening
/// waits for the commit of every change that was not notified before its sessions read.
/// </summary>
public sealed class ListenedNotifyTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_change_is_notified_only_while_a_listening_node_holds_the_lock()
    {
        // A plain LISTEN without the lock hears what is notified, and nothing else.
        await using var observer = new NpgsqlConnection(database.ConnectionString);
        await observer.OpenAsync();
        var heard = new List<string>();
        observer.Notification += (_, e) => heard.Add(e.Payload);
        await observer.ExecuteAsync($"LISTEN {ChangeListener.Channel}");

        await AddChangeAsync(51);
        // Not pooled: closing it ends its backend, and with it the lock (the other test needs it free).
        await using var listening = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString);
        await listening.OpenAsync();
        await listening.ExecuteAsync($"SELECT pg_advisory_lock_shared({ChangeListener.ListeningLock})");
        await AddChangeAsync(52);

        // Notifications arrive in commit order: had 51 been notified, it would come first.
        Assert.True(await observer.WaitAsync(HangGuard));
        Assert.Equal(["52"], heard);
    }

    [Fact]
    public async Task A_node_that_starts_listening_lets_its_sessions_read_only_after_an_unnotified_change_committed()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var notifier = new MailboxNotifier();
        using var listener = new ChangeListener(dataSource, notifier, NullLogger<ChangeListener>.Instance) { Linger = TimeSpan.Zero };
        await listener.StartAsync(CancellationToken.None);
        try
        {
            await using var writer = new NpgsqlConnection(database.ConnectionString);
            await writer.OpenAsync();
            await using var transaction = await writer.BeginTransactionAsync();
            // Nobody listens: this change is not notified, and its transaction holds the lock.
            await writer.ExecuteAsync("INSERT INTO change (kind, collection_id) VALUES ('flags', 53)", transaction: transaction);

            var watch = notifier.WatchAsync(CancellationToken.None);
            await Conditions.WaitForAsync(async () => await WaitingListenersAsync() == 1);
            // The listener waits for the lock, so it has not listened and the watch is not granted.
            Assert.False(watch.IsCompleted);

            await transaction.CommitAsync();
            using (await watch.WaitAsync(HangGuard))
            {
                Assert.Equal(0, await WaitingListenersAsync());
            }
        }
        finally
        {
            await listener.StopAsync(CancellationToken.None);
        }
    }

    private async Task AddChangeAsync(long collection)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO change (kind, collection_id) VALUES ('flags', @collection)", new { collection });
    }

    private async Task<int> WaitingListenersAsync()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return await connection.QuerySingleAsync<int>(
            $"SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND (classid, objid, objsubid) = ({ChangeListener.ListeningLock}, 2) AND NOT granted");
    }
}
