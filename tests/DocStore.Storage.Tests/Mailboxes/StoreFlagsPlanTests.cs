using Dapper;
using DocStore.Core.Principals;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Npgsql;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// What a STORE of a few UIDs reads on the cached generic plans of <c>store_flags</c> (migration
/// 0027), counted by PostgreSQL for the transaction (<c>pg_stat_xact_user_tables</c>): rows,
/// not time.
/// </summary>
public sealed class StoreFlagsPlanTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MailboxStore store = new(database.DataSource);

    [Fact]
    public async Task A_one_uid_store_of_seen_reads_a_few_rows_however_many_messages_the_user_has_read()
    {
        // Issue #3: store_system_flags (0026) looked \Seen up with EXISTS, which the generic plan
        // ran as one read of all the user's seen rows of the mailbox per STORE (a hashed subplan),
        // so each STORE got slower with every message read (sequential STOREs of \Seen: 317, 228,
        // 157 msg/s in three rounds of 1,000).
        var user = await NewUserAsync(database.DataSource);
        var mailbox = (await store.FindAsync(user, "INBOX", None))!;
        await AppendAsync(store, user, mailbox, Message());
        var document = (await store.MessagesAsync(user, mailbox.Id, None)).Single().DocumentId;
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO entry (collection_id, document_id, version_number) SELECT @id, @document, 1 FROM generate_series(1, 2999)",
            new { id = mailbox.Id, document });
        await connection.ExecuteAsync("ANALYZE entry, entry_seen");
        var uids = (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => (long)m.Uid).ToArray();

        // This connection's plans are made here, while the user has read nothing; then 2,998
        // messages are read without new statistics, so the plans stay.
        Assert.True(await StoreSeenAsync(connection, null, user, mailbox.Id, uids[0]));
        await connection.ExecuteAsync(
            "INSERT INTO entry_seen (collection_id, uid, principal_id) SELECT @id, u, @user FROM unnest(@read) u",
            new { id = mailbox.Id, user = user.Id, read = uids[1..^1] });

        var added = await RowsReadAsync(connection, user, mailbox.Id, uids[^1], "add");
        Assert.Equal((0, true), (added.Scans, added.Seen));
        Assert.True(added.Rows <= 1, $"+FLAGS (\\Seen) on one UID read {added.Rows} rows of entry_seen; the user has read {uids.Length - 1} messages");

        var removed = await RowsReadAsync(connection, user, mailbox.Id, uids[1], "remove");
        Assert.Equal((0, false), (removed.Scans, removed.Seen));
        Assert.True(removed.Rows <= 3, $"-FLAGS (\\Seen) on one UID read {removed.Rows} rows of entry_seen; the user has read {uids.Length} messages");
    }

    /// <summary>
    /// One STORE of \Seen in a transaction of its own, and what it read of entry_seen: the
    /// difference of the backend's counters before and after it. PostgreSQL 15's
    /// pg_stat_xact_* views show what the backend counted since it last flushed its statistics
    /// (at most once a second, when idle), which can include earlier transactions on the same
    /// connection; no flush happens inside a transaction, so the difference is this STORE's alone.
    /// </summary>
    private static async Task<(long Scans, long Rows, bool Seen)> RowsReadAsync(NpgsqlConnection connection, User user, long mailboxId, long uid, string operation)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        var before = await CountersAsync(connection, transaction);
        var seen = await StoreSeenAsync(connection, transaction, user, mailboxId, uid, operation);
        var after = await CountersAsync(connection, transaction);
        await transaction.CommitAsync();
        return (after.Scans - before.Scans, after.Rows - before.Rows, seen);
    }

    private static Task<(long Scans, long Rows)> CountersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction) =>
        connection.QuerySingleAsync<(long, long)>(
            "SELECT seq_scan, seq_tup_read + idx_tup_fetch FROM pg_stat_xact_user_tables WHERE relname = 'entry_seen'", transaction: transaction);

    private static async Task<bool> StoreSeenAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, User user, long mailboxId, long uid, string operation = "add") =>
        await connection.QuerySingleAsync<bool>("""
            SELECT o_seen FROM store_flags(@mailboxId, @owner, @uids, @operation, true, false, false, false, false, '{}',
                                           @uids, '{1}', @owner, 'tester', NULL, 'storage-tests', '\Seen', false)
            """, new { mailboxId, owner = user.Id, uids = new[] { uid }, operation }, transaction);
}
