using System.Security.Cryptography;
using System.Text;
using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

public sealed class MailboxMessageTests : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MigratedDatabase database;
    private readonly MailboxStore store;

    public MailboxMessageTests(MigratedDatabase database)
    {
        this.database = database;
        store = new MailboxStore(database.DataSource);
    }

    public static TheoryData<string> Samples => ["line endings and 8-bit", "3 MiB", "empty"];

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Appended_bytes_read_back_exactly_with_their_structure(string sample)
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Filed");
        var bytes = Sample(sample);

        await using var source = new TrickleStream(bytes);
        var result = await store.AppendAsync(user, mailbox.Id, source, MessageFlags.None, DateTimeOffset.UtcNow, ActorFor(user), None);

        var message = Assert.Single(await store.MessagesAsync(user, mailbox.Id, None));
        Assert.Equal(result.Uid, message.Uid);
        Assert.Equal(bytes.Length, message.Size);
        var stored = await store.ReadAsync(message.DocumentId, message.Version, None);
        Assert.Equal(bytes, stored!.Bytes.ToArray());
        Assert.Equal(MessageStructureJson.Serialize(MessageAnalyzer.Analyze(bytes)), MessageStructureJson.Serialize(stored.Structure));
    }

    [Fact]
    public async Task The_same_bytes_filed_twice_share_one_blob_in_whole_chunks()
    {
        var user = await NewUserAsync(database.DataSource);
        var first = await CreateMailboxAsync(store, user, "First");
        var second = await CreateMailboxAsync(store, user, "Second");
        var bytes = Sample("3 MiB");

        await AppendAsync(store, user, first, bytes);
        await AppendAsync(store, user, second, bytes);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        var sha256 = SHA256.HashData(bytes);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM blob WHERE sha256 = @sha256", new { sha256 }));
        // DESIGN.md: the same mail filed again is the same document, now in two collections.
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM version WHERE sha256 = @sha256", new { sha256 }));
        var chunks = (await connection.QueryAsync<int>(
            "SELECT length(data) FROM blob_chunk WHERE sha256 = @sha256 ORDER BY chunk_no", new { sha256 })).ToList();
        Assert.Equal([BlobStore.ChunkSize, BlobStore.ChunkSize, BlobStore.ChunkSize, bytes.Length - (3 * BlobStore.ChunkSize)], chunks);
        var copy = Assert.Single(await store.MessagesAsync(user, second.Id, None));
        Assert.Equal(Assert.Single(await store.MessagesAsync(user, first.Id, None)).DocumentId, copy.DocumentId);
        Assert.Equal(bytes, (await store.ReadAsync(copy.DocumentId, copy.Version, None))!.Bytes.ToArray());
    }

    [Fact]
    public async Task Uids_increase_under_the_mailboxes_uidvalidity_also_for_concurrent_appends()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Busy");

        var first = await store.AppendAsync(user, mailbox.Id, new MemoryStream(Message()), MessageFlags.None, DateTimeOffset.UtcNow, ActorFor(user), None);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => AppendAsync(store, user, mailbox, Message())));
        var last = await store.AppendAsync(user, mailbox.Id, new MemoryStream(Message()), MessageFlags.None, DateTimeOffset.UtcNow, ActorFor(user), None);

        Assert.Equal(mailbox.UidValidity, first.UidValidity);
        Assert.Equal(1u, first.Uid);
        Assert.Equal(Enumerable.Range(2, 8).Select(u => (uint)u), concurrent.Order());
        Assert.Equal(10u, last.Uid);
        Assert.Equal(Enumerable.Range(1, 10).Select(u => (uint)u), (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => m.Uid));
    }

    [Fact]
    public async Task A_mailbox_whose_rows_a_store_moved_still_reads_in_uid_order()
    {
        // SELECT's read has no ORDER BY (PostgreSQL's sort cost as much as the rest of it): the
        // order is the reader's. A STORE writes a new row version behind the others.
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Moved");
        for (var i = 0; i < 5; i++)
        {
            await AppendAsync(store, user, mailbox, Message());
        }
        await store.StoreFlagsAsync(user, mailbox.Id, new[] { 1u, 3u }, new FlagChange(FlagOperation.Add, [@"\Flagged"]), ActorFor(user), None);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        var physical = (await connection.QueryAsync<long>(
            "SELECT uid FROM entry WHERE collection_id = @id ORDER BY ctid", new { id = mailbox.Id })).ToList();
        Assert.NotEqual(physical.Order(), physical);
        var messages = await store.MessagesAsync(user, mailbox.Id, None);
        Assert.Equal([1u, 2u, 3u, 4u, 5u], messages.Select(m => m.Uid));
        Assert.Equal([true, false, true, false, false], messages.Select(m => m.Flags.Flagged));
    }

    [Fact]
    public async Task Appending_files_a_document_titled_by_the_decoded_subject_with_the_given_flags()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Titles");
        var bytes = Encoding.ASCII.GetBytes("Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= aus\r\n =?iso-8859-1?q?K=F6ln?=\r\nMessage-ID: <title@example.com>\r\n\r\nx\r\n");
        var internalDate = new DateTimeOffset(2024, 3, 1, 9, 30, 15, TimeSpan.FromHours(2));
        var flags = new MessageFlags(true, false, true, false, true, ["$Label1", "Project"]);

        await using (var stream = new MemoryStream(bytes))
        {
            await store.AppendAsync(user, mailbox.Id, stream, flags, internalDate, ActorFor(user), None);
        }

        var message = Assert.Single(await store.MessagesAsync(user, mailbox.Id, None));
        Assert.Equal(flags with { Keywords = [] }, message.Flags with { Keywords = [] });
        Assert.Equal(["$Label1", "Project"], message.Flags.Keywords);
        Assert.Equal(internalDate, message.InternalDate);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var document = await connection.QuerySingleAsync<(string Title, string MessageId, string Kind, Guid ObjectId)>(
            "SELECT title, message_id, kind, object_id FROM document WHERE id = @id", new { id = message.DocumentId });
        var emailId = (await store.EmailIdsAsync([message.DocumentId], None))[message.DocumentId];
        Assert.Equal(("Grüße aus Köln", "<title@example.com>", "mail", emailId), document);
        var version = await connection.QuerySingleAsync<(string MediaType, long AuthorId, long Size)>(
            "SELECT media_type, author_id, size FROM version WHERE document_id = @id AND number = 1", new { id = message.DocumentId });
        Assert.Equal(("message/rfc822", user.Id, (long)bytes.Length), version);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM change WHERE kind = 'append' AND collection_id = @collection AND uid = @uid",
            new { collection = mailbox.Id, uid = (long)message.Uid }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit WHERE action = 'append' AND document_id = @id AND principal_id = @user",
            new { id = message.DocumentId, user = user.Id }));
    }

    [Fact]
    public async Task Email_ids_are_the_documents_object_ids_read_both_ways_and_unknown_ones_are_left_out()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Ids");
        await AppendAsync(store, user, mailbox, Message("first"));
        await AppendAsync(store, user, mailbox, Message("second"));
        var documents = (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => m.DocumentId).ToList();
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var objectIds = (await connection.QueryAsync<(long Id, Guid ObjectId)>(
            "SELECT id, object_id FROM document WHERE id = ANY(@documents)", new { documents })).ToDictionary(d => d.Id, d => d.ObjectId);

        var emailIds = await store.EmailIdsAsync([.. documents, long.MaxValue], None);
        var byEmailId = await store.DocumentsByEmailIdAsync([objectIds[documents[1]], Guid.NewGuid()], None);

        Assert.Equal(objectIds.OrderBy(d => d.Key), emailIds.OrderBy(d => d.Key));
        Assert.NotEqual(emailIds[documents[0]], emailIds[documents[1]]);
        Assert.Equal(documents[1], Assert.Single(byEmailId).Value);
    }

    [Fact]
    public async Task Counts_report_messages_unseen_deleted_and_size()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Counted");
        var empty = await store.CountAsync(user, mailbox.Id, None);
        var seen = Message("seen");
        var deleted = Message("deleted");
        var plain = Message("plain and a bit longer");
        await AppendAsync(store, user, mailbox, seen, new MessageFlags(true, false, false, false, false, []));
        await AppendAsync(store, user, mailbox, deleted, new MessageFlags(false, false, false, true, false, []));
        await AppendAsync(store, user, mailbox, plain);

        var counts = await store.CountAsync(user, mailbox.Id, None);

        Assert.Equal(new MailboxCounts(0, 0, 0, 0, 1, mailbox.UidValidity, empty.HighestModSeq), empty);
        Assert.Equal(3, counts.Messages);
        Assert.Equal(2, counts.Unseen);
        Assert.Equal(1, counts.Deleted);
        Assert.Equal(seen.Length + deleted.Length + plain.Length, counts.Size);
        Assert.Equal(4, counts.UidNext);
        Assert.Equal(mailbox.UidValidity, counts.UidValidity);
        Assert.True(counts.HighestModSeq > empty.HighestModSeq);
    }

    [Fact]
    public async Task A_message_cut_off_while_arriving_files_nothing()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Interrupted");

        await using var source = new TrickleStream(Sample("3 MiB"), failAfter: BlobStore.ChunkSize);
        await Assert.ThrowsAsync<IOException>(() =>
            store.AppendAsync(user, mailbox.Id, source, MessageFlags.None, DateTimeOffset.UtcNow, ActorFor(user), None));

        Assert.Empty(await store.MessagesAsync(user, mailbox.Id, None));
        Assert.Equal(1, (await store.CountAsync(user, mailbox.Id, None)).UidNext);
    }

    [Fact]
    public async Task A_blob_missing_a_chunk_is_reported_rather_than_read_short()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Damaged");
        var bytes = Sample("3 MiB");
        await AppendAsync(store, user, mailbox, bytes);
        var message = Assert.Single(await store.MessagesAsync(user, mailbox.Id, None));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("DELETE FROM blob_chunk WHERE sha256 = @sha256 AND chunk_no = 3", new { sha256 = SHA256.HashData(bytes) });

        await Assert.ThrowsAsync<InvalidDataException>(() => store.ReadAsync(message.DocumentId, message.Version, None));
    }

    [Fact]
    public async Task Reading_a_missing_version_gives_null()
    {
        Assert.Null(await store.ReadAsync(long.MaxValue, 1, None));
    }

    [Fact]
    public async Task A_multiappend_files_every_message_or_none()
    {
        var user = await MailboxTestData.NewUserAsync(database.DataSource);
        var mailbox = await MailboxTestData.CreateMailboxAsync(store, user, "Multi");
        var actor = MailboxTestData.ActorFor(user);
        byte[][] messages = [MailboxTestData.Message("one"), MailboxTestData.Message("two"), MailboxTestData.Message("three")];

        var filed = await store.AppendManyAsync(user, mailbox.Id,
            messages.Select(m => new AppendItem(new MemoryStream(m), MessageFlags.None, DateTimeOffset.UtcNow)).ToList(), actor, CancellationToken.None);
        await Assert.ThrowsAsync<IOException>(() => store.AppendManyAsync(user, mailbox.Id,
        [
            new AppendItem(new MemoryStream(MailboxTestData.Message("kept out 1")), MessageFlags.None, DateTimeOffset.UtcNow),
            new AppendItem(new TrickleStream(MailboxTestData.Message("kept out 2"), failAfter: 10), MessageFlags.None, DateTimeOffset.UtcNow),
        ], actor, CancellationToken.None));

        Assert.Equal(new uint[] { 1, 2, 3 }, filed.Uids);
        var stored = await store.MessagesAsync(user, mailbox.Id, CancellationToken.None);
        Assert.Equal(new uint[] { 1, 2, 3 }, stored.Select(m => m.Uid));
        for (var i = 0; i < messages.Length; i++)
        {
            Assert.Equal(messages[i], (await store.ReadAsync(stored[i].DocumentId, stored[i].Version, CancellationToken.None))!.Bytes.ToArray());
        }
        Assert.Equal(4, (await store.CountAsync(user, mailbox.Id, CancellationToken.None)).UidNext);
    }

    [Fact]
    public async Task Appending_to_an_own_mailbox_by_name_finds_it_while_filing_and_only_among_the_users_own()
    {
        var user = await MailboxTestData.NewUserAsync(database.DataSource);
        var other = await MailboxTestData.NewUserAsync(database.DataSource);
        var nested = await MailboxTestData.CreateMailboxAsync(store, user, "Projects/2026");
        var inbox = (await store.FindAsync(user, "INBOX", None))!;
        await MailboxTestData.CreateMailboxAsync(store, other, "Elsewhere");
        var actor = MailboxTestData.ActorFor(user);
        AppendItem[] Items(params string[] subjects) =>
            subjects.Select(s => new AppendItem(new MemoryStream(MailboxTestData.Message(s)), new MessageFlags(true, false, true, false, false, ["$Work"]), DateTimeOffset.UtcNow)).ToArray();

        var intoNested = await store.AppendToOwnAsync(user, "Projects/2026", Items("one", "two"), actor, None);
        var intoInbox = await store.AppendToOwnAsync(user, "inbox", Items("three"), actor, None);

        Assert.Equal(new uint[] { 1, 2 }, intoNested!.Uids);
        Assert.Equal(nested.UidValidity, intoNested.UidValidity);
        var filed = await store.MessagesAsync(user, nested.Id, None);
        Assert.Equal(new uint[] { 1, 2 }, filed.Select(m => m.Uid));
        Assert.All(filed, m => Assert.True(m.Flags.Seen && m.Flags.Flagged && m.Flags.Keywords.Contains("$Work")));
        Assert.Equal(intoInbox!.Uids, (await store.MessagesAsync(user, inbox.Id, None)).Select(m => m.Uid));
        // Another user's mailbox of that name, a missing one, a parent that is not the path: none is filed into.
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.AppendToOwnAsync(user, "Elsewhere", Items("four"), actor, None));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.AppendToOwnAsync(user, "2026", Items("five"), actor, None));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.AppendToOwnAsync(user, "Projects/2026/Missing", Items("six"), actor, None));
        Assert.Equal(2, (await store.CountAsync(user, nested.Id, None)).Messages);
        // Outside the personal tree the caller finds the mailbox and its rights first.
        Assert.Null(await store.AppendToOwnAsync(user, $"Users/{other.Name}/Elsewhere", Items("seven"), actor, None));
        Assert.Null(await store.AppendToOwnAsync(user, "Shared/Anything", Items("eight"), actor, None));
    }

    /// <summary>A little over three chunks, so that the last one is partial; unique, as every test class shares one database.</summary>

    /// <summary>
    /// An unseekable source that hands out a few hundred bytes per read, as a network literal
    /// would, and breaks off after <paramref name="failAfter"/> bytes like a dropped connection.
    /// </summary>
    private sealed class TrickleStream(byte[] bytes, int failAfter = int.MaxValue) : Stream
    {
        private int position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (position >= failAfter)
            {
                throw new IOException("The connection was lost.");
            }
            var length = Math.Min(Math.Min(count, 777), bytes.Length - position);
            Array.Copy(bytes, position, buffer, offset, length);
            position += length;
            return length;
        }

        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
