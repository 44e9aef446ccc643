using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Npgsql;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// Migration 0031: <c>store_own_flags</c> raises the collection's modseq in its own statement, the
/// entry triggers run only for writers that leave modseq to them, and what CHANGEDSINCE/QRESYNC
/// read (<see cref="MailboxStore.DeltaAsync"/>) is as before.
/// </summary>
public sealed class StoreModSeqTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MailboxStore store = new(database.DataSource);

    [Fact]
    public async Task A_lean_store_takes_its_modseq_without_the_entry_triggers()
    {
        // Before 0031 the row trigger reserved the statement's modseq in docstore.entry_modseq
        // (and ran an UPDATE of the collection through SPI); now nothing is reserved.
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Lean");
        var uid = await AppendAsync(store, user, mailbox, Message());
        var before = (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq;
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var (modSeq, after) = await connection.QuerySingleAsync<(long, long)>("""
            SELECT o_modseq, o_after FROM store_own_flags(@mailbox, @owner, @uids, true, false, false, true, false, false, 1,
                                                        @owner, 'tester', NULL, 'storage-tests', '\Flagged', false)
            """, new { mailbox = mailbox.Id, owner = user.Id, uids = new[] { (long)uid } }, transaction);
        var reserved = await connection.QuerySingleAsync<string?>("SELECT current_setting('docstore.entry_modseq', true)", transaction: transaction);
        await transaction.CommitAsync();

        Assert.True(string.IsNullOrEmpty(reserved), $"the entry row trigger ran: docstore.entry_modseq = '{reserved}'");
        Assert.Equal((before + 1, before + 1), (modSeq, after));
        Assert.Equal(before + 1, (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq);
        Assert.Equal(before + 1, Assert.Single(await store.MessagesAsync(user, mailbox.Id, None)).ModSeq);
    }

    [Fact]
    public async Task Changedsince_returns_exactly_the_entries_each_store_changed()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Delta");
        var uids = new uint[6];
        for (var i = 0; i < uids.Length; i++)
        {
            uids[i] = await AppendAsync(store, user, mailbox, Message($"m{i}"));
        }
        var start = (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq;

        var flagged = await store.StoreFlagsAsync(user, mailbox.Id, new[] { uids[1], uids[3] }, new FlagChange(FlagOperation.Add, [@"\Flagged"]), ActorFor(user), None);
        var afterFlagged = (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq;
        var seen = await store.StoreFlagsAsync(user, mailbox.Id, new[] { uids[3], uids[4] }, new FlagChange(FlagOperation.Add, [@"\Seen"]), ActorFor(user), None);
        var unchanged = await store.StoreFlagsAsync(user, mailbox.Id, new[] { uids[1] }, new FlagChange(FlagOperation.Add, [@"\Flagged"]), ActorFor(user), None);

        Assert.Equal(((long?)start, start + 1), (flagged.ModSeqBefore, flagged.ModSeqAfter));
        Assert.Equal(((long?)(start + 1), start + 2), (seen.ModSeqBefore, seen.ModSeqAfter));
        Assert.Equal(((long?)(start + 2), start + 2), (unchanged.ModSeqBefore, unchanged.ModSeqAfter));
        var sinceStart = await store.DeltaAsync(user, mailbox.Id, start, None);
        Assert.Equal(start + 2, sinceStart.State!.HighestModSeq);
        Assert.Equal(
            [(uids[1], start + 1, true, false), (uids[3], start + 2, true, true), (uids[4], start + 2, false, true)],
            sinceStart.Changed.Select(m => (m.Uid, m.ModSeq, m.Flags.Flagged, m.Flags.Seen)).ToArray());
        var sinceFlagged = await store.DeltaAsync(user, mailbox.Id, afterFlagged, None);
        Assert.Equal([uids[3], uids[4]], sinceFlagged.Changed.Select(m => m.Uid).ToArray());
        Assert.Empty((await store.DeltaAsync(user, mailbox.Id, start + 2, None)).Changed);
    }

    [Fact]
    public async Task A_store_of_only_missing_uids_in_ones_own_mailbox_answers_and_records_nothing()
    {
        // 0031 checks the owner in the statement that locks the entries; when it locks none, the
        // owner is read on its own so that the user's own mailbox is not handed to store_flags.
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Missing");
        await AppendAsync(store, user, mailbox, Message());
        var before = (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq;
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var audited = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit WHERE collection_id = @id", new { id = mailbox.Id });

        var stored = await store.StoreFlagsAsync(user, mailbox.Id, new uint[] { 500, 501 }, new FlagChange(FlagOperation.Add, [@"\Seen"]), ActorFor(user), None);

        Assert.Empty(stored);
        Assert.Equal(before, (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq);
        Assert.Equal(audited, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit WHERE collection_id = @id", new { id = mailbox.Id }));
    }

    [Fact]
    public async Task Every_other_update_of_an_entry_still_gets_its_modseq_from_the_trigger()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Others");
        var uid = await AppendAsync(store, user, mailbox, Message());
        var start = (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq;
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var key = new { id = mailbox.Id, uid = (long)uid };

        // Two statements in one transaction: two modseqs (0018), the second after the statement
        // trigger, now behind its WHEN condition, forgot the first one's reservation.
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("UPDATE entry SET answered = true WHERE collection_id = @id AND uid = @uid", key, transaction);
            await connection.ExecuteAsync("UPDATE entry SET draft = true WHERE collection_id = @id AND uid = @uid", key, transaction);
            await transaction.CommitAsync();
        }
        Assert.Equal(
            (start + 2, start + 2),
            await connection.QuerySingleAsync<(long, long)>(
                "SELECT e.modseq, c.highestmodseq FROM entry e JOIN collection c ON c.id = e.collection_id WHERE e.collection_id = @id AND e.uid = @uid", key));

        var moved = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "UPDATE entry SET uid = uid + 100, modseq = modseq + 1 WHERE collection_id = @id AND uid = @uid", key));
        Assert.Equal(PostgresErrorCodes.CheckViolation, moved.SqlState);
    }
}
