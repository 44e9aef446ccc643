using System.Security.Cryptography;
using System.Text;
using Dapper;
using DocStore.Core.Documents;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Core.Sharing;
using DocStore.Storage.Documents;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Sharing;
using DocStore.Testing;
using Npgsql;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// Filings that meet (migration 0014): the same mail filed twice at once, MULTIAPPENDs sharing
/// mails, and a user's quota under concurrent filings. Another connection holds a lock the
/// filing needs, the test waits until PostgreSQL shows the filings queued behind it, then lets
/// them go at once; nothing depends on timing. Filings of one user into one mailbox through one
/// store are grouped into one transaction while one is in flight (FilingGroups), so the tests of
/// two transactions meeting in PostgreSQL file the second through another store, as another
/// node would.
/// </summary>
public sealed class ConcurrentFilingTests : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MigratedDatabase database;
    private readonly MailboxStore store;
    private readonly MailboxStore otherNode;

    public ConcurrentFilingTests(MigratedDatabase database)
    {
        this.database = database;
        store = new MailboxStore(database.DataSource);
        otherNode = new MailboxStore(database.DataSource);
    }

    [Fact]
    public async Task The_same_mail_appended_on_two_connections_at_once_is_one_document_under_one_uid()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Twice");
        var bytes = Message("twice at once");

        uint[] uids;
        await using (var holder = await HoldFilingLocksAsync([bytes]))
        {
            var appends = new[] { AppendAsync(store, user, mailbox, bytes), AppendAsync(otherNode, user, mailbox, bytes) };
            await WaitForWaitersAsync(holder.Connection, 2, appends);
            await holder.Transaction.CommitAsync();
            uids = await Task.WhenAll(appends);
        }

        Assert.Equal(uids[0], uids[1]);
        var message = Assert.Single(await store.MessagesAsync(user, mailbox.Id, None));
        Assert.Equal(uids[0], message.Uid);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM version WHERE sha256 = @sha256", new { sha256 = SHA256.HashData(bytes) }));
    }

    [Fact]
    public async Task Two_multiappends_of_the_same_mails_in_opposite_order_both_complete_with_the_same_uids()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Crossed");
        var first = Message("crossed one");
        var second = Message("crossed two");

        MultiAppendResult[] results;
        await using (var holder = await HoldFilingLocksAsync([first, second]))
        {
            var appends = new[] { AppendAllAsync(store, user, mailbox, first, second), AppendAllAsync(otherNode, user, mailbox, second, first) };
            await WaitForWaitersAsync(holder.Connection, 2, appends);
            await holder.Transaction.CommitAsync();
            results = await Task.WhenAll(appends);
        }

        Assert.Equal(results[0].Uids, results[1].Uids.Reverse());
        Assert.Equal([1u, 2u], (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => m.Uid));
    }

    [Fact]
    public async Task An_append_files_its_document_before_it_waits_for_the_mailbox_row()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Busy row");

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("SELECT 1 FROM collection WHERE id = @id FOR NO KEY UPDATE", new { id = mailbox.Id }, transaction);
        var append = AppendAsync(store, user, mailbox, Message("waits last"));
        // The waiting filing has written its document and version rows already: only the UID is left.
        var waiter = Assert.Single(await WaitForWaitersAsync(connection, 1, [append]));
        var written = await connection.QueryAsync<string>("""
            SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
             WHERE l.pid = @waiter AND l.granted AND l.mode = 'RowExclusiveLock'
            """, new { waiter }, transaction);
        Assert.Contains("document", written);
        Assert.Contains("version", written);
        Assert.DoesNotContain("entry", written);
        await transaction.CommitAsync();

        Assert.Equal(1u, await append);
    }

    [Fact]
    public async Task A_revision_whose_old_message_is_expunged_meanwhile_gets_a_message_of_its_own()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Revised");
        var id = $"<{Guid.NewGuid():N}@example.com>";
        var first = Encoding.ASCII.GetBytes($"From: a@example.com\r\nSubject: draft\r\nMessage-ID: {id}\r\n\r\nfirst words\r\n");
        var second = Encoding.ASCII.GetBytes($"From: a@example.com\r\nSubject: draft\r\nMessage-ID: {id}\r\n\r\nsecond words\r\n");
        var old = await AppendAsync(store, user, mailbox, first);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // An EXPUNGE of the old message in progress: the revision finds it, then waits for its row.
        await connection.ExecuteAsync("DELETE FROM entry WHERE collection_id = @id AND uid = @old", new { id = mailbox.Id, old = (long)old }, transaction);
        var revision = AppendAsync(store, user, mailbox, second);
        await WaitForWaitersAsync(connection, 1, [revision]);
        await transaction.CommitAsync();

        var uid = await revision;
        Assert.True(uid > old);
        var message = Assert.Single(await store.MessagesAsync(user, mailbox.Id, None));
        Assert.Equal(uid, message.Uid);
        Assert.Equal(2, message.Version);
        Assert.Equal(second, (await store.ReadAsync(message.DocumentId, message.Version, None))!.Bytes.ToArray());
    }

    [Fact]
    public async Task An_upload_waits_for_another_filing_of_the_user_and_sees_its_bytes_against_the_quota()
    {
        var user = await NewUserAsync(database.DataSource);
        var inbox = (await store.FindAsync(user, "INBOX", None))!;
        var content = Encoding.ASCII.GetBytes(new string('q', 1000));
        await new SharingAdminStore(database.DataSource).SetQuotaAsync("#user/" + user.Name, 1500, ActorFor(user), None);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Another filing of this user, not yet committed: its 1,000 bytes and the user's row, as file_mail holds them.
        var sha256 = RandomNumberGenerator.GetBytes(32);
        await connection.ExecuteAsync("""
            SELECT 1 FROM principal WHERE id = @user FOR NO KEY UPDATE;
            INSERT INTO blob (sha256, size) VALUES (@sha256, 1000);
            WITH d AS (INSERT INTO document (kind, title, created_by) VALUES ('file', 'elsewhere', @user) RETURNING id)
            INSERT INTO version (document_id, number, sha256, size, media_type) SELECT id, 1, @sha256, 1000, 'text/plain' FROM d;
            """, new { user = user.Id, sha256 }, transaction);
        var upload = new DocumentStore(database.DataSource).UploadAsync(user, inbox.Id,
            new Upload("q.txt", "text/plain", new MemoryStream(content), null, [], null), ActorFor(user), None);
        await WaitForWaitersAsync(connection, 1, [upload]);
        await transaction.CommitAsync();

        await Assert.ThrowsAsync<QuotaExceededException>(() => upload);
        Assert.Empty(await store.MessagesAsync(user, inbox.Id, None));
    }

    [Fact]
    public async Task Appends_that_arrive_while_one_into_the_mailbox_waits_for_its_row_commit_together_in_one_transaction()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Grouped");

        uint first;
        uint[] grouped;
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync("SELECT 1 FROM collection WHERE id = @id FOR NO KEY UPDATE", new { id = mailbox.Id }, transaction);
            var leader = AppendAsync(store, user, mailbox, Message("first"));
            await WaitForWaitersAsync(connection, 1, [leader]);
            var rest = Enumerable.Range(1, 3).Select(i => AppendAsync(store, user, mailbox, Message($"grouped {i}"))).ToArray();
            await WaitForGroupedAsync(3, rest);
            await transaction.CommitAsync();
            first = await leader;
            grouped = await Task.WhenAll(rest);
        }

        Assert.Equal(1u, first);
        Assert.Equal([2u, 3u, 4u], grouped.Order());
        Assert.Equal([1u, 2u, 3u, 4u], (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => m.Uid));
        await using var check = await database.DataSource.OpenConnectionAsync();
        var transactions = (await check.QueryAsync<(long Uid, string Transaction)>(
            "SELECT uid, xmin::text FROM entry WHERE collection_id = @id ORDER BY uid", new { id = mailbox.Id })).ToList();
        Assert.Equal(2, transactions.Select(t => t.Transaction).Distinct(StringComparer.Ordinal).Count());
        Assert.Single(transactions, t => string.Equals(t.Transaction, transactions[0].Transaction, StringComparison.Ordinal));
        Assert.Equal(4, await check.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit WHERE collection_id = @id AND action = 'append'", new { id = mailbox.Id }));
    }

    [Fact]
    public async Task In_a_group_an_append_over_the_quota_is_refused_alone_and_the_others_are_filed()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Grouped quota");
        // Room for three of these mails, not four.
        await new SharingAdminStore(database.DataSource).SetQuotaAsync("#user/" + user.Name, (3 * Padded("size").Length) + 500, ActorFor(user), None);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("SELECT 1 FROM collection WHERE id = @id FOR NO KEY UPDATE", new { id = mailbox.Id }, transaction);
        var leader = AppendAsync(store, user, mailbox, Padded("first"));
        await WaitForWaitersAsync(connection, 1, [leader]);
        var rest = new[] { AppendAsync(store, user, mailbox, Padded("second")), AppendAsync(store, user, mailbox, Padded("third")), AppendAsync(store, user, mailbox, Padded("fourth")) };
        await WaitForGroupedAsync(3, rest);
        await transaction.CommitAsync();

        Assert.Equal(1u, await leader);
        Assert.Equal(2u, await rest[0]);
        Assert.Equal(3u, await rest[1]);
        await Assert.ThrowsAsync<QuotaExceededException>(() => rest[2]);
        Assert.Equal([1u, 2u, 3u], (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => m.Uid));
    }

    // A mail of about 1,000 bytes, the same size for every subject of up to eight letters.
    private static byte[] Padded(string subject) =>
        Encoding.ASCII.GetBytes($"From: a@example.com\r\nSubject: {subject,-8}\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\n\r\n{new string('x', 900)}\r\n");

    /// <summary>Waits until <paramref name="count"/> APPENDs wait in the store for the filing in flight; fails if one ends first.</summary>
    private async Task WaitForGroupedAsync(int count, IEnumerable<Task> tasks)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (store.FilingsWaiting < count)
        {
            if (tasks.FirstOrDefault(t => t.IsCompleted) is { } ended)
            {
                await ended;
                Assert.Fail("An APPEND completed without waiting for the filing in flight.");
            }
            Assert.True(DateTime.UtcNow < deadline, "The APPENDs never waited for the filing in flight.");
            await Task.Delay(20);
        }
    }

    private static Task<MultiAppendResult> AppendAllAsync(MailboxStore node, Core.Principals.User user, Mailbox mailbox, params byte[][] messages) =>
        node.AppendManyAsync(user, mailbox.Id,
            messages.Select(m => new AppendItem(new MemoryStream(m, writable: false), MessageFlags.None, DateTimeOffset.UtcNow)).ToList(),
            ActorFor(user), None);

    /// <summary>A transaction holding the filing locks of these mails, as a filing of them in progress would.</summary>
    private async Task<Holder> HoldFilingLocksAsync(byte[][] messages)
    {
        var connection = await database.DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("SELECT lock_mail_filings(@ids, @hashes)", new
        {
            ids = messages.Select(m => MessageAnalyzer.Analyze(m).Envelope.MessageId).ToArray(),
            hashes = messages.Select(SHA256.HashData).ToArray(),
        }, transaction);
        return new Holder(connection, transaction);
    }

    /// <summary>
    /// Waits until <paramref name="count"/> sessions wait for a lock <paramref name="holder"/>'s
    /// session holds and returns their process ids; fails if one of the tasks ends first.
    /// </summary>
    private async Task<IReadOnlyList<int>> WaitForWaitersAsync(NpgsqlConnection holder, int count, IEnumerable<Task> tasks)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var waiters = (await connection.QueryAsync<int>(
                "SELECT pid FROM pg_stat_activity WHERE @holder = ANY(pg_blocking_pids(pid))", new { holder = holder.ProcessID })).ToList();
            if (waiters.Count >= count)
            {
                return waiters;
            }
            if (tasks.FirstOrDefault(t => t.IsCompleted) is { } ended)
            {
                await ended;
                Assert.Fail("A filing completed without waiting for the lock held by the test.");
            }
            Assert.True(DateTime.UtcNow < deadline, "The filings never queued behind the lock held by the test.");
            await Task.Delay(20);
        }
    }

    private sealed class Holder(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public NpgsqlConnection Connection { get; } = connection;

        public NpgsqlTransaction Transaction { get; } = transaction;

        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
