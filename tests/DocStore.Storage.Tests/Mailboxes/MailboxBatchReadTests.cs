using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>FETCH's batch read gives exactly what one-by-one reading gives, cut to what is needed.</summary>
public sealed class MailboxBatchReadTests : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MigratedDatabase database;
    private readonly MailboxStore store;

    public MailboxBatchReadTests(MigratedDatabase database)
    {
        this.database = database;
        store = new MailboxStore(database.DataSource);
    }

    [Theory]
    [InlineData(ContentNeeded.Full)]
    [InlineData(ContentNeeded.Header)]
    [InlineData(ContentNeeded.Structure)]
    public async Task A_batch_matches_single_reads_cut_to_what_is_needed(ContentNeeded needed)
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Batch");
        // Small mails, one spanning several chunks, and an empty one.
        foreach (var sample in new[] { Message(), Sample("line endings and 8-bit"), Sample("3 MiB"), Sample("empty"), Message() })
        {
            await AppendAsync(store, user, mailbox, sample);
        }
        var messages = await store.MessagesAsync(user, mailbox.Id, None);
        var keys = messages.Select(m => new MessageKey(m.DocumentId, m.Version)).ToList();

        var batch = await store.ReadManyAsync(keys.Append(new MessageKey(long.MaxValue, 1)).ToList(), needed, None);

        Assert.Equal(keys.Count, batch.Count);
        foreach (var key in keys)
        {
            var single = (await store.ReadAsync(key.DocumentId, key.Version, None))!;
            var expected = needed switch
            {
                ContentNeeded.Full => single.Bytes.ToArray(),
                ContentNeeded.Header => single.Bytes[..(int)single.Structure.BodyOffset].ToArray(),
                _ => [],
            };
            Assert.Equal(expected, batch[key].Bytes.ToArray());
            Assert.Equal(MessageStructureJson.Serialize(single.Structure), MessageStructureJson.Serialize(batch[key].Structure));
            if (needed != ContentNeeded.Structure)
            {
                Assert.Equal(
                    MessageSections.GetBody(single.Bytes, single.Structure, "HEADER.FIELDS (Subject From)").Data.ToArray(),
                    MessageSections.GetBody(batch[key].Bytes, batch[key].Structure, "HEADER.FIELDS (Subject From)").Data.ToArray());
            }
        }
    }

    [Theory]
    [InlineData(ContentNeeded.HeaderBytes)]
    [InlineData(ContentNeeded.MessageBytes)]
    public async Task A_bytes_batch_has_the_header_or_message_and_its_offsets_and_nothing_past_them(ContentNeeded needed)
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "HeaderBytes");
        foreach (var sample in new[] { Message(), Sample("line endings and 8-bit"), Sample("3 MiB"), Sample("empty") })
        {
            await AppendAsync(store, user, mailbox, sample);
        }
        var keys = (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => new MessageKey(m.DocumentId, m.Version)).ToList();

        var batch = await store.ReadManyAsync(keys, needed, None);

        Assert.Equal(keys.Count, batch.Count);
        foreach (var key in keys)
        {
            var single = (await store.ReadAsync(key.DocumentId, key.Version, None))!;
            var expected = needed == ContentNeeded.HeaderBytes ? single.Bytes[..(int)single.Structure.BodyOffset] : single.Bytes;
            Assert.Equal(expected.ToArray(), batch[key].Bytes.ToArray());
            Assert.Equal((single.Structure.HeaderOffset, single.Structure.BodyOffset, single.Structure.EndOffset),
                (batch[key].Structure.HeaderOffset, batch[key].Structure.BodyOffset, batch[key].Structure.EndOffset));
            var sections = needed == ContentNeeded.HeaderBytes ? new[] { "HEADER", "HEADER.FIELDS (Subject From)", "HEADER.FIELDS.NOT (Subject)" } : ["HEADER", "TEXT", ""];
            foreach (var section in sections)
            {
                Assert.Equal(MessageSections.GetBody(single.Bytes, single.Structure, section).Data.ToArray(),
                    MessageSections.GetBody(batch[key].Bytes, batch[key].Structure, section).Data.ToArray());
            }
        }
    }

    [Fact]
    public async Task A_header_batch_has_exactly_the_versions_asked_for_whether_their_documents_lie_close_together_or_far_apart()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "HeaderRange");
        for (var i = 0; i < 6; i++)
        {
            await AppendAsync(store, user, mailbox, Message($"range {i}"));
        }
        var all = (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => new MessageKey(m.DocumentId, m.Version)).ToList();
        // Close together (read as one range of documents): some documents between them are not
        // asked for, and one key names a version its document does not have.
        List<MessageKey> close = [all[0], all[2], all[3], all[5], all[1] with { Version = 2 }];
        // Far apart (read key by key).
        List<MessageKey> apart = [all[1], all[4], new MessageKey(long.MaxValue, 1)];

        var closeBatch = await store.ReadManyAsync(close, ContentNeeded.HeaderBytes, None);
        var apartBatch = await store.ReadManyAsync(apart, ContentNeeded.HeaderBytes, None);

        Assert.Equal(new[] { all[0], all[2], all[3], all[5] }, closeBatch.Keys.OrderBy(k => k.DocumentId));
        Assert.Equal(new[] { all[1], all[4] }, apartBatch.Keys.OrderBy(k => k.DocumentId));
        foreach (var (key, message) in closeBatch.Concat(apartBatch))
        {
            var single = (await store.ReadAsync(key.DocumentId, key.Version, None))!;
            Assert.Equal(single.Bytes[..(int)single.Structure.BodyOffset].ToArray(), message.Bytes.ToArray());
        }
    }

    [Fact]
    public async Task Every_filed_mail_keeps_its_header_block_beside_it_and_one_without_is_read_from_the_blob()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "HeaderBlocks");
        // A small mail (its chunk written before its version row) and one past the in-memory
        // limit (its chunks streamed after the version row): both orders fill the header block.
        foreach (var sample in new[] { Message(), Sample("3 MiB"), Message() })
        {
            await AppendAsync(store, user, mailbox, sample);
        }
        var keys = (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => new MessageKey(m.DocumentId, m.Version)).ToList();
        await using var connection = await database.DataSource.OpenConnectionAsync();
        foreach (var key in keys)
        {
            var single = (await store.ReadAsync(key.DocumentId, key.Version, None))!;
            var header = await connection.QuerySingleOrDefaultAsync<byte[]>(
                "SELECT header FROM version_header WHERE document_id = @DocumentId AND number = @Version", key);
            Assert.Equal(single.Bytes[..(int)single.Structure.BodyOffset].ToArray(), header);
        }

        await connection.ExecuteAsync("DELETE FROM version_header WHERE document_id = @DocumentId AND number = @Version", keys[0]);
        var batch = await store.ReadManyAsync(keys, ContentNeeded.HeaderBytes, None);

        Assert.Equal(keys.Count, batch.Count);
        foreach (var key in keys)
        {
            var single = (await store.ReadAsync(key.DocumentId, key.Version, None))!;
            Assert.Equal(MessageSections.GetBody(single.Bytes, single.Structure, "HEADER.FIELDS (Subject From)").Data.ToArray(),
                MessageSections.GetBody(batch[key].Bytes, batch[key].Structure, "HEADER.FIELDS (Subject From)").Data.ToArray());
        }
    }

    [Fact]
    public async Task Every_entry_carries_its_versions_size_whether_appended_or_copied()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Sizes");
        var copies = await CreateMailboxAsync(store, user, "SizeCopies");
        foreach (var sample in new[] { Message(), Sample("3 MiB"), Sample("empty") })
        {
            await AppendAsync(store, user, mailbox, sample);
        }
        var uids = (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => m.Uid).ToList();
        await store.CopyAsync(user, mailbox.Id, uids, copies.Id, move: false, ActorFor(user), None);

        foreach (var box in new[] { mailbox, copies })
        {
            var messages = await store.MessagesAsync(user, box.Id, None);
            Assert.Equal(3, messages.Count);
            foreach (var message in messages)
            {
                var single = (await store.ReadAsync(message.DocumentId, message.Version, None))!;
                Assert.Equal(single.Bytes.Length, message.Size);
            }
            Assert.Equal(messages.Sum(m => m.Size), (await store.CountAsync(user, box.Id, None)).Size);
        }
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM entry e JOIN version v ON v.document_id = e.document_id AND v.number = e.version_number
             WHERE e.size IS DISTINCT FROM v.size
            """));
    }
}
