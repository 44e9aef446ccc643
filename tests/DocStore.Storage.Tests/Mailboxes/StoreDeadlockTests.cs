using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// A STORE that PostgreSQL picks as a deadlock's victim is tried again, not refused: an APPEND
/// group filing a revision holds the mailbox's row and then locks entries (FilingGroups), while a
/// STORE locks its entries and then the mailbox's row (migration 0031).
/// </summary>
public sealed class StoreDeadlockTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MailboxStore store = new(database.DataSource);

    [Fact]
    public async Task A_store_that_loses_a_deadlock_is_tried_again()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = (await store.FindAsync(user, "INBOX", None))!;
        var uid = await AppendAsync(store, user, mailbox, Message());

        // The other transaction, in a group's order: the mailbox's row first. It waits far longer
        // than the STORE's backend (1 s) before it looks for a deadlock, so the STORE is the victim.
        await using var group = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await group.BeginTransactionAsync();
        await group.ExecuteAsync("SET LOCAL deadlock_timeout = '60s'", transaction: transaction);
        await group.ExecuteAsync("SELECT 1 FROM collection WHERE id = @id FOR UPDATE", new { id = mailbox.Id }, transaction);

        // The STORE locks its entry, then waits for the mailbox's row ...
        var stored = store.StoreFlagsAsync(user, mailbox.Id, [uid], new FlagChange(FlagOperation.Add, [@"\Flagged"]), ActorFor(user), None);
        // (Watched from a third connection: a transaction sees pg_stat_activity as of its first look.)
        var groupPid = group.ProcessID;
        await using (var watcher = await database.DataSource.OpenConnectionAsync())
        {
            await Conditions.WaitForAsync(async () => await watcher.QuerySingleAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted AND @groupPid = ANY (pg_blocking_pids(pid)))", new { groupPid }));
        }

        // ... and the other transaction wants that entry: a deadlock, which the STORE's backend
        // finds first and ends by rolling the STORE back. Its retry waits for this commit.
        await group.ExecuteAsync("SELECT 1 FROM entry WHERE collection_id = @id AND uid = @uid FOR UPDATE", new { id = mailbox.Id, uid = (long)uid }, transaction);
        await transaction.CommitAsync();

        var result = Assert.Single(await stored);
        Assert.Equal(uid, result.Uid);
        Assert.True(result.Flags.Flagged);
    }
}
