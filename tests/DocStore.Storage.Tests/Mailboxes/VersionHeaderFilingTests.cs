using System.Text;
using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Npgsql;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// The header block filed beside each mail version (migration 0015) is the mail's own header
/// bytes, whichever way the version was filed: APPEND of a mail in memory writes it from the bytes
/// of the call (migration 0028), everything else gets it at commit from the stored blob.
/// </summary>
public sealed class VersionHeaderFilingTests : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MigratedDatabase database;
    private readonly MailboxStore store;

    public VersionHeaderFilingTests(MigratedDatabase database)
    {
        this.database = database;
        store = new MailboxStore(database.DataSource);
    }

    // Each mail gets a unique token, so no two runs or cases file the same bytes (dedup).
    public static TheoryData<string> AwkwardMails() =>
    [
        "crlf",
        "lf only",
        "mixed line endings and 8-bit",
        "utf-8 header",
        "header without body",
        "header without final line break",
        "empty body",
        "no header",
        "folded header, nul byte",
        "3 MiB",
    ];

    private static byte[] Awkward(string name)
    {
        var id = $"<{Guid.NewGuid():N}@example.com>";
        return name switch
        {
            "crlf" => Ascii($"From: a@example.com\r\nSubject: crlf\r\nMessage-ID: {id}\r\n\r\nBody\r\n"),
            "lf only" => Ascii($"From: a@example.com\nSubject: lf\nMessage-ID: {id}\n\nBody\nsecond line\n"),
            "mixed line endings and 8-bit" =>
            [
                .. Ascii($"From: a@example.com\r\nSubject: mixed \xE9\nMessage-ID: {id}\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"),
                .. Ascii("crlf line\r\nbare lf line\nbare cr\rlatin-1: "),
                0xE9, 0xFC, 0xFF, 0x00, 0x80, (byte)'\n',
            ],
            "utf-8 header" => [.. Encoding.UTF8.GetBytes($"From: Zoë <z@example.com>\r\nSubject: größe ✓\r\nMessage-ID: {id}\r\n\r\nbody ✓\r\n")],
            "header without body" => Ascii($"From: a@example.com\r\nSubject: no body\r\nMessage-ID: {id}\r\n"),
            "header without final line break" => Ascii($"From: a@example.com\r\nMessage-ID: {id}\r\nSubject: cut"),
            "empty body" => Ascii($"From: a@example.com\r\nSubject: empty body\r\nMessage-ID: {id}\r\n\r\n"),
            "no header" => Ascii($"\r\nonly a body {id}\r\n"),
            "folded header, nul byte" => [.. Ascii($"From: a@example.com\r\nSubject: folded\r\n\tacross lines\r\nX-Nul: a"), 0x00, .. Ascii($"b\r\nMessage-ID: {id}\r\n\r\nBody\r\n")],
            "3 MiB" => Sample("3 MiB"),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    private static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);

    [Theory]
    [MemberData(nameof(AwkwardMails))]
    public async Task The_header_block_of_an_appended_mail_is_its_header_bytes(string name)
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Headers");
        var mail = Awkward(name);

        await AppendAsync(store, user, mailbox, mail);

        var message = (await store.MessagesAsync(user, mailbox.Id, None)).Single();
        await AssertHeaderBlockAsync(message.DocumentId, message.Version, mail);
    }

    [Fact]
    public async Task A_newer_revision_gets_the_header_block_of_its_own_bytes()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Revisions");
        var id = $"<{Guid.NewGuid():N}@example.com>";
        var first = Ascii($"From: a@example.com\r\nSubject: draft\r\nMessage-ID: {id}\r\n\r\nfirst\r\n");
        var second = Ascii($"From: a@example.com\r\nSubject: final, with a longer header\r\nX-Revision: 2\r\nMessage-ID: {id}\r\n\r\nsecond\r\n");

        await AppendAsync(store, user, mailbox, first);
        await AppendAsync(store, user, mailbox, second);

        var message = (await store.MessagesAsync(user, mailbox.Id, None)).Single();
        Assert.Equal(2, message.Version);
        await AssertHeaderBlockAsync(message.DocumentId, 1, first);
        await AssertHeaderBlockAsync(message.DocumentId, 2, second);
    }

    [Fact]
    public async Task A_replaced_message_gets_the_header_block_of_its_new_bytes_at_commit()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Replaced");
        var uid = await AppendAsync(store, user, mailbox, Awkward("crlf"));
        var replacement = Awkward("mixed line endings and 8-bit");

        using var stream = new MemoryStream(replacement, writable: false);
        var replaced = await store.ReplaceAsync(user, mailbox.Id, uid, mailbox.Id, new AppendItem(stream, MessageFlags.None, DateTimeOffset.UtcNow), ActorFor(user), None);

        Assert.NotNull(replaced);
        var message = (await store.MessagesAsync(user, mailbox.Id, None)).Single();
        Assert.Equal(replaced.Uid, message.Uid);
        await AssertHeaderBlockAsync(message.DocumentId, message.Version, replacement);
    }

    [Fact]
    public async Task A_multiappend_files_each_mails_own_header_block()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Multi");
        var mails = new[] { Awkward("crlf"), Awkward("lf only"), Awkward("empty body") };

        var streams = mails.Select(m => new MemoryStream(m, writable: false)).ToList();
        await store.AppendManyAsync(user, mailbox.Id, streams.Select(s => new AppendItem(s, MessageFlags.None, DateTimeOffset.UtcNow)).ToList(), ActorFor(user), None);

        var messages = (await store.MessagesAsync(user, mailbox.Id, None)).OrderBy(m => m.Uid).ToList();
        Assert.Equal(3, messages.Count);
        for (var i = 0; i < mails.Length; i++)
        {
            await AssertHeaderBlockAsync(messages[i].DocumentId, messages[i].Version, mails[i]);
        }
    }

    [Fact]
    public async Task A_version_filed_before_its_chunk_in_one_transaction_gets_its_header_block_at_commit()
    {
        // The order of a streamed mail, REPLACE or a restore: the version row first, the chunk
        // later in the same transaction; nothing is filled before the chunk is there.
        var user = await NewUserAsync(database.DataSource);
        var mail = Awkward("crlf");
        var structure = MessageAnalyzer.Analyze(mail);
        var sha256 = System.Security.Cryptography.SHA256.HashData(mail);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        long document;
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("INSERT INTO blob (sha256, size) VALUES (@sha256, @size)", new { sha256, size = mail.Length }, transaction);
            document = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO document (kind, title, created_by) VALUES ('mail', 'at commit', @user) RETURNING id", new { user = user.Id }, transaction);
            await connection.ExecuteAsync("""
                INSERT INTO version (document_id, number, sha256, size, media_type, author_id, structure)
                VALUES (@document, 1, @sha256, @size, 'message/rfc822', @user, @structure::jsonb)
                """, new { document, sha256, size = mail.Length, user = user.Id, structure = MessageStructureJson.Serialize(structure) }, transaction);
            await connection.ExecuteAsync("INSERT INTO blob_chunk (sha256, chunk_no, data) VALUES (@sha256, 0, @mail)", new { sha256, mail }, transaction);
            await transaction.CommitAsync();
        }

        await AssertHeaderBlockAsync(document, 1, mail);
    }

    [Fact]
    public async Task An_empty_mail_has_no_header_block_and_is_read_from_its_blob()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Empty");

        await AppendAsync(store, user, mailbox, Sample("empty"));

        var message = (await store.MessagesAsync(user, mailbox.Id, None)).Single();
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM version_header WHERE document_id = @DocumentId AND number = @Version", new { message.DocumentId, message.Version }));
        var read = await store.ReadManyAsync([new MessageKey(message.DocumentId, message.Version)], ContentNeeded.HeaderBytes, None);
        Assert.Empty(read.Single().Value.Bytes.ToArray());
    }

    [Fact]
    public async Task No_counter_of_a_collection_may_go_back()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Counters");
        await AppendAsync(store, user, mailbox, Awkward("crlf"));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var collection = mailbox.Id;

        await connection.ExecuteAsync("UPDATE collection SET uidnext = uidnext + 1, highestmodseq = highestmodseq + 1 WHERE id = @collection", new { collection });
        foreach (var update in new[]
        {
            "UPDATE collection SET uidnext = uidnext - 1 WHERE id = @collection",
            "UPDATE collection SET highestmodseq = highestmodseq - 1 WHERE id = @collection",
            "UPDATE collection SET uidvalidity = uidvalidity + 1 WHERE id = @collection",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(update, new { collection }));
            Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
        }
    }

    /// <summary>The block is the first BodyOffset bytes of the mail, beside the stored structure's offsets, and FETCH's header read gives them.</summary>
    private async Task AssertHeaderBlockAsync(long document, int version, byte[] mail)
    {
        var structure = MessageAnalyzer.Analyze(mail);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var row = await connection.QuerySingleOrDefaultAsync<(long HeaderOffset, long BodyOffset, long EndOffset, byte[] Header)>(
            "SELECT header_offset, body_offset, end_offset, header FROM version_header WHERE document_id = @document AND number = @version",
            new { document, version });
        Assert.NotNull(row.Header);
        Assert.Equal(mail[..(int)structure.BodyOffset], row.Header);
        Assert.Equal((structure.HeaderOffset, structure.BodyOffset, structure.Body.EndOffset), (row.HeaderOffset, row.BodyOffset, row.EndOffset));

        var read = await store.ReadManyAsync([new MessageKey(document, version)], ContentNeeded.HeaderBytes, None);
        Assert.Equal(mail[..(int)structure.BodyOffset], read.Single().Value.Bytes.ToArray());
        Assert.Equal(mail, (await store.ReadAsync(document, version, None))!.Bytes.ToArray());
    }
}
