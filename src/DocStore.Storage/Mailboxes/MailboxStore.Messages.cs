using System.Text;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Core.Principals;
using DocStore.Storage.Auditing;
using MimeKit.Utils;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

public sealed partial class MailboxStore
{
    private const string SelectCounts = """
        SELECT count(e.uid) AS Messages,
               count(e.uid) FILTER (WHERE s.uid IS NULL) AS Unseen,
               count(e.uid) FILTER (WHERE e.deleted) AS Deleted,
               COALESCE(sum(v.size), 0)::bigint AS Size,
               c.uidnext AS UidNext, c.uidvalidity AS UidValidity, c.highestmodseq AS HighestModSeq
          FROM collection c
          LEFT JOIN entry e ON e.collection_id = c.id
          LEFT JOIN version v ON v.document_id = e.document_id AND v.number = e.version_number
          LEFT JOIN entry_seen s ON s.collection_id = e.collection_id AND s.uid = e.uid AND s.principal_id = @owner
         WHERE c.id = @collection AND strpos(collection_rights(@collection, @owner), 'r') > 0
         GROUP BY c.id
        """;

    // RFC 4314 §4: APPEND and COPY need "i" on the target.
    private const string SelectOwnedUidValidity = "SELECT uidvalidity FROM collection WHERE id = @collection AND strpos(collection_rights(@collection, @owner), 'i') > 0";

    private const string InsertDocument = """
        INSERT INTO document (kind, title, message_id, created_by) VALUES ('mail', @title, @messageId, @owner)
        RETURNING id
        """;

    private const string InsertVersion = """
        INSERT INTO version (document_id, number, sha256, size, media_type, author_id, structure, body_sha256)
        VALUES (@document, 1, @sha256, @size, 'message/rfc822', @owner, @structure::jsonb, @bodySha256)
        """;

    // Keywords differing only in case are one tag (document_tag_key): the first spelling wins.
    private const string InsertTags = """
        INSERT INTO document_tag (document_id, tag) SELECT @document, unnest(@tags::text[]) ON CONFLICT DO NOTHING
        """;

    // The trigger on entry assigns the UID and modseq and locks the collection row until commit.
    // APPEND (kind 'append', version 1) and COPY/MOVE (kind 'copy') file entries the same way.
    private const string InsertEntry = """
        WITH filed AS (
            INSERT INTO entry (collection_id, document_id, version_number, answered, flagged, deleted, draft, internal_date, internal_date_offset)
            VALUES (@collection, @document, @version, @answered, @flagged, @deleted, @draft, @internalDate, @internalDateOffset)
            RETURNING collection_id, uid, modseq
        ), seen AS (
            INSERT INTO entry_seen (collection_id, uid, principal_id, modseq)
            SELECT collection_id, uid, @owner, modseq FROM filed WHERE @seen
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
            SELECT @kind, collection_id, @document, uid, @owner FROM filed
        )
        SELECT uid FROM filed
        """;

    private const string SelectMessages = """
        SELECT e.uid AS Uid, e.document_id AS DocumentId, e.version_number AS Version, d.object_id AS EmailId,
               v.size AS Size, e.internal_date AS InternalDate, e.internal_date_offset AS InternalDateOffset, e.modseq AS ModSeq, s.uid IS NOT NULL AS Seen,
               e.answered AS Answered, e.flagged AS Flagged, e.deleted AS Deleted, e.draft AS Draft,
               COALESCE(t.tags, '{}') AS Keywords
          FROM entry e
          JOIN collection c ON c.id = e.collection_id AND strpos(collection_rights(@collection, @owner), 'r') > 0
          JOIN document d ON d.id = e.document_id
          JOIN version v ON v.document_id = e.document_id AND v.number = e.version_number
          LEFT JOIN entry_seen s ON s.collection_id = e.collection_id AND s.uid = e.uid AND s.principal_id = @owner
          LEFT JOIN LATERAL (SELECT array_agg(tag ORDER BY tag COLLATE "C") AS tags FROM document_tag WHERE document_id = e.document_id) t ON true
         WHERE e.collection_id = @collection AND e.modseq > @modSeq
         ORDER BY e.uid
        """;

    private const string SelectVersion = """
        SELECT sha256 AS Sha256, size AS Size, structure::text AS Structure
          FROM version WHERE document_id = @document AND number = @version
        """;

    /// <summary>STATUS counts; <see cref="KeyNotFoundException"/> when the user has no such mailbox.</summary>
    public async Task<MailboxCounts> CountAsync(User user, long mailboxId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MailboxCounts>(new CommandDefinition(
                SelectCounts, new { collection = mailboxId, owner = user.Id }, cancellationToken: cancellationToken))
            ?? throw new KeyNotFoundException($"The user has no mailbox {mailboxId}.");
    }

    /// <summary>
    /// Files one message (see the interface). <see cref="KeyNotFoundException"/> when the user
    /// has no such mailbox, also when it is deleted while the message is being filed. Keywords
    /// the schema cannot hold as tags (not an IMAP atom) are left out.
    /// </summary>
    public async Task<AppendResult> AppendAsync(User user, long mailboxId, Stream message, MessageFlags flags, DateTimeOffset internalDate, Actor actor, CancellationToken cancellationToken)
    {
        var result = await AppendManyAsync(user, mailboxId, [new AppendItem(message, flags, internalDate)], actor, cancellationToken);
        return new AppendResult(result.UidValidity, result.Uids[0]);
    }

    public async Task<MultiAppendResult> AppendManyAsync(User user, long mailboxId, IReadOnlyList<AppendItem> messages, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var uidValidity = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                SelectOwnedUidValidity, new { collection = mailboxId, owner = user.Id }, cancellationToken: cancellationToken))
            ?? throw new KeyNotFoundException($"The user has no mailbox {mailboxId}.");

        // Spooled and analysed before the transaction: it holds the collection lock only for the inserts.
        var spooled = new List<(SpooledBlob Blob, MessageStructure Structure, AppendItem Item, byte[] BodySha256, List<SpooledAttachment> Attachments)>(messages.Count);
        try
        {
            foreach (var item in messages)
            {
                var blob = await BlobStore.SpoolAsync(item.Message, cancellationToken);
                var structure = await MessageAnalyzer.AnalyzeAsync(blob.File, cancellationToken);
                spooled.Add((blob, structure, item, await HashBodyAsync(blob, structure.BodyOffset, cancellationToken), await SpoolAttachmentsAsync(blob, cancellationToken)));
            }

            // RFC 3502: all messages are filed, or none.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var uids = new List<uint>(spooled.Count);
            foreach (var (blob, structure, item, bodySha256, attachments) in spooled)
            {
                uids.Add(await FileAsync(connection, transaction, user, mailboxId, blob, structure, bodySha256, attachments, item, actor, cancellationToken));
            }
            await EnsureQuotaAsync(connection, transaction, user.Id, mailboxId, checkUser: true, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new MultiAppendResult(uidValidity, uids);
        }
        finally
        {
            foreach (var (blob, _, _, _, attachments) in spooled)
            {
                await blob.DisposeAsync();
                foreach (var attachment in attachments)
                {
                    await attachment.Blob.DisposeAsync();
                }
            }
        }
    }

    private static async Task<uint> FileAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, User user, long mailboxId,
        SpooledBlob blob, MessageStructure structure, byte[] bodySha256, IReadOnlyList<SpooledAttachment> attachments, AppendItem item, Actor actor, CancellationToken cancellationToken)
    {
        var flags = item.Flags;
        var messageId = structure.Envelope.MessageId;
        // The collection row first: two APPENDs of the same mail to one collection queue here, so the second finds the first.
        await connection.ExecuteAsync(new CommandDefinition("SELECT 1 FROM collection WHERE id = @collection FOR NO KEY UPDATE",
            new { collection = mailboxId }, transaction, cancellationToken: cancellationToken));
        if (await FindFiledHereAsync(connection, transaction, mailboxId, blob, bodySha256, messageId, cancellationToken) is { } existing)
        {
            // DESIGN.md: filing the same mail twice does not make two documents; APPENDUID names the one there is.
            await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, MailboxAuditActions.AppendDuplicate, mailboxId, null,
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["uid"] = existing.ToString(),
                    ["sha256"] = Convert.ToHexStringLower(blob.Sha256),
                }), cancellationToken);
            return existing;
        }

        var adopted = await AdoptFiledElsewhereAsync(connection, transaction, user.Id, blob, bodySha256, messageId, cancellationToken);
        long document;
        var version = 1;
        if (adopted is not null)
        {
            document = adopted.DocumentId;
            version = adopted.Version;
        }
        else
        {
            await BlobStore.StoreAsync(connection, transaction, blob, cancellationToken);
            document = await connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertDocument,
                new { title = Title(structure.Envelope.Subject), messageId, owner = user.Id },
                transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(InsertVersion,
                new { document, sha256 = blob.Sha256, size = blob.Size, owner = user.Id, structure = MessageStructureJson.Serialize(structure), bodySha256 },
                transaction, cancellationToken: cancellationToken));
            await FileAttachmentsAsync(connection, transaction, user.Id, document, attachments, cancellationToken);
        }
        var tags = flags.Keywords.Where(KeywordTags.IsValid).ToArray();
        if (tags.Length > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertTags, new { document, tags }, transaction, cancellationToken: cancellationToken));
        }

        long uid;
        try
        {
            uid = await InsertEntryAsync(connection, transaction, mailboxId, document, version, "append", flags, item.InternalDate, user.Id, cancellationToken);
        }
        catch (PostgresException e) when (string.Equals(e.SqlState, PostgresErrorCodes.ForeignKeyViolation, StringComparison.Ordinal))
        {
            throw new KeyNotFoundException($"Mailbox {mailboxId} was deleted while a message was filed into it.", e);
        }

        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, MailboxAuditActions.Append, mailboxId, document,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["uid"] = uid.ToString(),
                ["size"] = blob.Size.ToString(),
                ["sha256"] = Convert.ToHexStringLower(blob.Sha256),
                ["document"] = adopted is null ? "new" : adopted.Trashed ? "restored from the trash" : "already filed elsewhere",
            }), cancellationToken);
        return checked((uint)uid);
    }

    public Task<IReadOnlyList<MessageSummary>> MessagesAsync(User user, long mailboxId, CancellationToken cancellationToken) =>
        ChangedSinceAsync(user, mailboxId, 0, cancellationToken);

    /// <summary>
    /// Entries whose modseq is above <paramref name="modSeq"/>. A change of this user's \Seen or
    /// of a keyword (a document tag) rewrites the entry row too, so its modseq covers them.
    /// </summary>
    public async Task<IReadOnlyList<MessageSummary>> ChangedSinceAsync(User user, long mailboxId, long modSeq, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MessageRow>(new CommandDefinition(
            SelectMessages, new { collection = mailboxId, owner = user.Id, modSeq }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToSummary()).ToList();
    }

    /// <summary>
    /// The stored bytes and structure of a version, whoever's it is: the caller has already
    /// resolved it from an entry the user may see.
    /// </summary>
    public async Task<StoredMessage?> ReadAsync(long documentId, int version, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(
            SelectVersion, new { document = documentId, version }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var bytes = await BlobStore.ReadAsync(connection, row.Sha256, row.Size, cancellationToken);
        // A version filed without a structure (not through APPEND) is analyzed on reading instead.
        var structure = row.Structure is null ? MessageAnalyzer.Analyze(bytes) : MessageStructureJson.Deserialize(row.Structure);
        return new StoredMessage(bytes, structure);
    }

    /// <summary>The document title: the Subject with its RFC 2047 encoded-words decoded.</summary>
    private static string Title(string? subject)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            return "";
        }
        // PostgreSQL text cannot hold NUL, which an encoded-word can carry.
        return Rfc2047.DecodeText(Encoding.UTF8.GetBytes(subject)).Replace('\0', '\uFFFD').Trim();
    }

    /// <summary>
    /// Files one entry of a document version with these flags and internal date (UID and modseq
    /// by trigger, a change row of <paramref name="kind"/>, \Seen for <paramref name="owner"/>);
    /// returns its UID. APPEND, REPLACE, uploads and restores all file through here.
    /// </summary>
    internal static Task<long> InsertEntryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long collection, long document, int version,
        string kind, MessageFlags flags, DateTimeOffset internalDate, long owner, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertEntry, new
        {
            collection,
            document,
            version,
            kind,
            flags.Answered,
            flags.Flagged,
            flags.Deleted,
            flags.Draft,
            internalDate = internalDate.UtcDateTime,
            internalDateOffset = (short)internalDate.Offset.TotalMinutes,
            owner,
            flags.Seen,
        }, transaction, cancellationToken: cancellationToken));

    private sealed record VersionRow(byte[] Sha256, long Size, string? Structure);

    // A class rather than a positional record: Npgsql reports text[] as System.Array, which
    // Dapper's constructor matching refuses.
    private sealed class MessageRow
    {
        public long Uid { get; init; }
        public long DocumentId { get; init; }
        public int Version { get; init; }
        public Guid EmailId { get; init; }
        public long Size { get; init; }
        public DateTime InternalDate { get; init; }
        public short InternalDateOffset { get; init; }
        public long ModSeq { get; init; }
        public bool Seen { get; init; }
        public bool Answered { get; init; }
        public bool Flagged { get; init; }
        public bool Deleted { get; init; }
        public bool Draft { get; init; }
        public string[] Keywords { get; init; } = [];

        public MessageSummary ToSummary() => new(checked((uint)Uid), DocumentId, Version, EmailId, Size,
            new DateTimeOffset(DateTime.SpecifyKind(InternalDate, DateTimeKind.Utc)).ToOffset(TimeSpan.FromMinutes(InternalDateOffset)), ModSeq,
            new MessageFlags(Seen, Answered, Flagged, Deleted, Draft, Keywords));
    }
}
