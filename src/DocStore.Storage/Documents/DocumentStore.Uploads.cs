using System.Globalization;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Documents;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Core.Principals;
using DocStore.Storage.Auditing;
using DocStore.Storage.Mailboxes;
using Npgsql;

namespace DocStore.Storage.Documents;

public sealed partial class DocumentStore
{
    private const string LockOwnedCollection = "SELECT 1 FROM collection WHERE id = @collection AND (@admin OR strpos(collection_rights(id, @user), 'i') > 0) FOR NO KEY UPDATE";

    private const string InsertFileDocument = """
        INSERT INTO document (object_id, kind, title, message_id, created_by) VALUES (@objectId, 'file', @title, @messageId, @user)
        RETURNING id
        """;

    private const string InsertFileVersion = """
        INSERT INTO version (document_id, number, sha256, size, media_type, file_name, author_id, comment, structure, file_sha256, file_size)
        VALUES (@document, @number, @sha256, @size, @mediaType, @fileName, @user, @comment, @structure::jsonb, @fileSha256, @fileSize)
        """;

    private const string SelectForVersion = """
        SELECT d.object_id AS ObjectId, d.title AS Title, d.current_version AS CurrentVersion, d.trashed_at IS NOT NULL AS Trashed,
               COALESCE((SELECT array_agg(tag ORDER BY tag COLLATE "C") FROM document_tag WHERE document_id = d.id), '{}') AS Tags
          FROM document d WHERE d.id = @document AND d.kind = 'file' AND
        """ + Visible;

    // Entries of the document, locked in (collection, UID) order.
    private const string SelectEntriesOf = """
        SELECT collection_id AS CollectionId, uid AS Uid FROM entry WHERE document_id = @document ORDER BY collection_id, uid FOR UPDATE
        """;

    // A version's new entry keeps the old one's flags, internal date and everyone's \Seen.
    private const string ReenterVersion = """
        WITH filed AS (
            INSERT INTO entry (collection_id, document_id, version_number, answered, flagged, deleted, draft, internal_date, internal_date_offset)
            SELECT collection_id, document_id, @version, answered, flagged, deleted, draft, internal_date, internal_date_offset
              FROM entry WHERE collection_id = @collection AND uid = @uid
            RETURNING collection_id, uid, modseq
        ), seen AS (
            INSERT INTO entry_seen (collection_id, uid, principal_id, modseq)
            SELECT f.collection_id, f.uid, s.principal_id, f.modseq FROM filed f
              JOIN entry_seen s ON s.collection_id = @collection AND s.uid = @uid
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id, data)
            SELECT 'version', collection_id, @document, uid, @user, jsonb_build_object('version', @version, 'replaces', @uid) FROM filed
        )
        SELECT uid FROM filed
        """;

    public async Task<DocumentInfo?> UploadAsync(User user, long collectionId, Upload upload, Actor actor, CancellationToken cancellationToken)
    {
        var tags = ValidTags(upload.Tags);
        var objectId = Guid.NewGuid();
        var title = TitleOf(upload);
        await using var prepared = await PrepareAsync(user, objectId, 1, title, upload, tags, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await MailboxStore.QueueOnUserQuotaAsync(connection, transaction, user.Id, cancellationToken);
        if (await connection.ExecuteScalarAsync<int?>(new CommandDefinition(LockOwnedCollection,
                new { collection = collectionId, user = user.Id, admin = user.IsAdmin }, transaction, cancellationToken: cancellationToken)) is null)
        {
            return null;
        }

        await BlobStore.StoreAsync(connection, transaction, prepared.File, cancellationToken);
        await BlobStore.StoreAsync(connection, transaction, prepared.Message, cancellationToken);
        var document = await connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertFileDocument,
            new { objectId, title, messageId = UploadMessage.MessageIdOf(objectId, 1), user = user.Id }, transaction, cancellationToken: cancellationToken));
        await InsertVersionAsync(connection, transaction, user, document, 1, upload, prepared, cancellationToken);
        if (tags.Length > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(MailboxStore.AddTags,
                new { documents = tags.Select(_ => document).ToArray(), tags }, transaction, cancellationToken: cancellationToken));
        }
        var uid = await MailboxStore.InsertEntryAsync(connection, transaction, collectionId, document, 1, "append", MessageFlags.None, DateTimeOffset.UtcNow, user.Id, cancellationToken);
        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, DocumentAuditActions.Upload, collectionId, document,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["uid"] = uid.ToString(CultureInfo.InvariantCulture),
                ["file"] = upload.FileName,
                ["size"] = prepared.File.Size.ToString(CultureInfo.InvariantCulture),
                ["sha256"] = Convert.ToHexStringLower(prepared.File.Sha256),
            }), cancellationToken);
        // The same quotas as an IMAP APPEND (sharing): over either, nothing is filed.
        await MailboxStore.EnsureQuotaAsync(connection, transaction, user.Id, collectionId, checkUser: true, cancellationToken);
        var info = await ReadDocumentAsync(connection, transaction, user, document, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public async Task<DocumentInfo?> AddVersionAsync(User user, long documentId, Upload upload, Actor actor, CancellationToken cancellationToken)
    {
        var parameters = new { document = documentId, user = user.Id, admin = user.IsAdmin };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var current = await connection.QuerySingleOrDefaultAsync<VersionTarget>(new CommandDefinition(SelectForVersion, parameters, cancellationToken: cancellationToken));
        if (current is null)
        {
            return null;
        }
        if (current.Trashed)
        {
            throw new InvalidOperationException("The document is in the trash; restore it before adding a version.");
        }

        var number = current.CurrentVersion + 1;
        var title = upload.Title is { Length: > 0 } given ? given : current.Title;
        await using var prepared = await PrepareAsync(user, current.ObjectId, number, title, upload, current.Tags, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var locked = await connection.QuerySingleOrDefaultAsync<VersionTarget>(new CommandDefinition(SelectForVersion + " FOR UPDATE OF d", parameters, transaction, cancellationToken: cancellationToken));
        if (locked is null || locked.CurrentVersion != current.CurrentVersion || locked.Trashed)
        {
            throw new InvalidOperationException("The document changed while the new version was being made; send it again.");
        }

        await BlobStore.StoreAsync(connection, transaction, prepared.File, cancellationToken);
        await BlobStore.StoreAsync(connection, transaction, prepared.Message, cancellationToken);
        await InsertVersionAsync(connection, transaction, user, documentId, number, upload, prepared, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE document SET current_version = @number, title = @title, message_id = @messageId WHERE id = @document",
            new { number, title, messageId = UploadMessage.MessageIdOf(current.ObjectId, number), document = documentId }, transaction, cancellationToken: cancellationToken));
        var replaced = await ReenterAsync(connection, transaction, user, documentId, number, cancellationToken);
        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, DocumentAuditActions.Version, null, documentId,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["version"] = number.ToString(CultureInfo.InvariantCulture),
                ["file"] = upload.FileName,
                ["size"] = prepared.File.Size.ToString(CultureInfo.InvariantCulture),
                ["sha256"] = Convert.ToHexStringLower(prepared.File.Sha256),
                ["entries"] = replaced.Count.ToString(CultureInfo.InvariantCulture),
            }), cancellationToken);
        var info = await ReadDocumentAsync(connection, transaction, user, documentId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    /// <summary>
    /// RFC 8508 semantics for a new version: in every collection holding the document the old
    /// UID is expunged (a tombstone) and the new version appears under a new UID.
    /// </summary>
    internal static async Task<IReadOnlyList<(long CollectionId, long Uid)>> ReenterAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, User user,
        long document, int version, CancellationToken cancellationToken)
    {
        var entries = (await connection.QueryAsync<(long CollectionId, long Uid)>(new CommandDefinition(SelectEntriesOf,
            new { document }, transaction, cancellationToken: cancellationToken))).ToList();
        var reentered = new List<(long CollectionId, long Uid)>(entries.Count);
        foreach (var (collection, uid) in entries)
        {
            var newUid = await connection.ExecuteScalarAsync<long>(new CommandDefinition(ReenterVersion,
                new { collection, uid, version, document, user = user.Id }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(MailboxStore.ExpungeEntries,
                new { collection, owner = user.Id, uids = new[] { uid } }, transaction, cancellationToken: cancellationToken));
            reentered.Add((collection, newUid));
        }
        return reentered;
    }

    private static Task<int> InsertVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, User user, long document, int number,
        Upload upload, PreparedUpload prepared, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(InsertFileVersion, new
        {
            document,
            number,
            sha256 = prepared.Message.Sha256,
            size = prepared.Message.Size,
            mediaType = upload.MediaType,
            fileName = upload.FileName,
            user = user.Id,
            comment = upload.Comment,
            structure = MessageStructureJson.Serialize(prepared.Structure),
            fileSha256 = prepared.File.Sha256,
            fileSize = prepared.File.Size,
        }, transaction, cancellationToken: cancellationToken));

    /// <summary>The file spooled and hashed, and the message that carries it built, spooled and analysed: all before the transaction.</summary>
    private static async Task<PreparedUpload> PrepareAsync(User user, Guid objectId, int version, string title, Upload upload, IReadOnlyList<string> tags,
        CancellationToken cancellationToken)
    {
        var file = await BlobStore.SpoolAsync(upload.Content, cancellationToken);
        try
        {
            await using var built = new MemoryStream();
            await UploadMessage.WriteAsync(built, user, objectId, version, title, upload, file.File, tags, DateTimeOffset.UtcNow, cancellationToken);
            file.File.Position = 0;
            built.Position = 0;
            var message = await BlobStore.SpoolAsync(built, cancellationToken);
            var structure = await MessageAnalyzer.AnalyzeAsync(message.File, cancellationToken);
            message.File.Position = 0;
            return new PreparedUpload(file, message, structure);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    private static string TitleOf(Upload upload) => upload.Title is { Length: > 0 } title ? title : upload.FileName;

    private static string[] ValidTags(IReadOnlyList<string> tags)
    {
        if (tags.FirstOrDefault(t => !KeywordTags.IsValid(t)) is { } bad)
        {
            throw new DocumentInputException($"The tag '{bad}' is not an IMAP keyword: use printable ASCII without spaces or any of ( ) {{ }} [ ] % * \" \\.");
        }
        return tags.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    private sealed class VersionTarget
    {
        public Guid ObjectId { get; init; }
        public string Title { get; init; } = "";
        public int CurrentVersion { get; init; }
        public bool Trashed { get; init; }
        public string[] Tags { get; init; } = [];
    }

    private sealed class PreparedUpload(SpooledBlob file, SpooledBlob message, MessageStructure structure) : IAsyncDisposable
    {
        public SpooledBlob File { get; } = file;

        public SpooledBlob Message { get; } = message;

        public MessageStructure Structure { get; } = structure;

        public async ValueTask DisposeAsync()
        {
            await File.DisposeAsync();
            await Message.DisposeAsync();
        }
    }
}
