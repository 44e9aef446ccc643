using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// The change listener's connection is pooled, and DocStore's pool does not reset connections
/// (DocStoreDatabase): when the listener stops, its connection must go back without its LISTEN.
/// </summary>
public sealed class ChangeListenerTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task A_stopped_listener_leaves_its_connection_listening_to_nothing()
    {
        // One connection in the pool, not reset on close, as DocStore's own pool.
        var pooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1, NoResetOnClose = true };
        await using var dataSource = NpgsqlDataSource.Create(pooled.ConnectionString);
        var notifier = new MailboxNotifier();
        using var listener = new ChangeListener(dataSource, notifier, NullLogger<ChangeListener>.Instance);
        await listener.StartAsync(CancellationToken.None);

        // Listening: a change notification for mailbox 42 wakes its watchers.
        var signal = notifier.Signal(42);
        await using (var other = new NpgsqlConnection(database.ConnectionString))
        {
            await other.OpenAsync();
            for (var i = 0; i < 100 && !signal.IsCompleted; i++)
            {
                await other.ExecuteAsync($"NOTIFY {ChangeListener.Channel}, '42'");
                await Task.WhenAny(signal, Task.Delay(100));
            }
        }
        Assert.True(signal.IsCompleted);
        var listening = await ListeningBackendAsync();

        await listener.StopAsync(CancellationToken.None);

        await using var reused = await dataSource.OpenConnectionAsync();
        Assert.Equal(listening, reused.ProcessID);
        Assert.Empty(await reused.QueryAsync<string>("SELECT pg_listening_channels()"));
    }

    private async Task<int> ListeningBackendAsync()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return await connection.QuerySingleAsync<int>(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = @listen",
            new { listen = $"LISTEN {ChangeListener.Channel}" });
    }
}
