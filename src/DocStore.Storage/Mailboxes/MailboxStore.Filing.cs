using System.Security.Cryptography;
using Dapper;
using DocStore.Core.Documents;
using MimeKit;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

/// <summary>
/// Filing rules of a document store rather than a mail store (DESIGN.md principle 4): the same
/// mail filed twice stays one document, a client's "move" by APPEND + EXPUNGE keeps the
/// document with its history, and legal hold refuses what would remove a document.
/// </summary>
public sealed partial class MailboxStore
{
    /// <summary>
    /// How long a document trashed by the last EXPUNGE of its entry is still found by APPEND of
    /// the same mail: Outlook "moves" across folders by APPEND to the target, then \Deleted and
    /// EXPUNGE in the source, in either order.
    /// </summary>
    public static readonly TimeSpan RefilingWindow = TimeSpan.FromMinutes(10);

    // Same bytes, or the same Message-ID with the same body (transport headers may differ).
    private const string SelectFiledHere = """
        SELECT e.uid
          FROM entry e
          JOIN document d ON d.id = e.document_id
          JOIN version v ON v.document_id = e.document_id AND v.number = e.version_number
         WHERE e.collection_id = @collection AND d.kind = 'mail'
           AND (v.sha256 = @sha256 OR (d.message_id = @messageId AND v.body_sha256 = @bodySha256))
         ORDER BY e.uid
         LIMIT 1
        """;

    // The same mail held in another of the user's collections, or trashed by the user moments ago.
    private const string SelectFiledElsewhere = """
        SELECT d.id AS DocumentId, d.current_version AS Version, d.trashed_at IS NOT NULL AS Trashed
          FROM document d
          JOIN version v ON v.document_id = d.id AND v.number = d.current_version
         WHERE d.kind = 'mail' AND d.parent_document_id IS NULL
           AND (v.sha256 = @sha256 OR (d.message_id = @messageId AND v.body_sha256 = @bodySha256))
           AND ((d.trashed_at IS NULL AND EXISTS (
                    SELECT 1 FROM entry e JOIN collection c ON c.id = e.collection_id
                     WHERE e.document_id = d.id AND c.owner_id = @owner))
                OR (d.trashed_by = @owner AND d.trashed_at > now() - @window))
         ORDER BY d.trashed_at NULLS FIRST, d.id
         LIMIT 1
           FOR UPDATE OF d
        """;

    private const string Untrash = """
        WITH restored AS (
            UPDATE document SET trashed_at = NULL, trashed_by = NULL, trashed_from = NULL
             WHERE id = @document AND trashed_at IS NOT NULL
            RETURNING id
        )
        INSERT INTO change (kind, document_id, principal_id) SELECT 'restore', id, @owner FROM restored
        """;

    // The first reason found why entries of the collection may not be removed, or none.
    private const string SelectHoldReason = """
        SELECT reason FROM (
            SELECT 1 AS rank, format('The collection "%s" is on legal hold%s', c.name, COALESCE(': ' || c.legal_hold_reason, '')) AS reason
              FROM collection c WHERE c.id = @collection AND c.legal_hold
            UNION ALL
            SELECT 2, format('Document "%s" (%s) is on legal hold%s', d.title, d.object_id, COALESCE(': ' || d.legal_hold_reason, ''))
              FROM entry e JOIN document d ON d.id = e.document_id
             WHERE e.collection_id = @collection AND (@all OR e.uid = ANY(@uids)) AND d.legal_hold
        ) held
         ORDER BY rank
         LIMIT 1
        """;

    // DESIGN.md: a mail's attachments are child documents, listed and downloaded on their own.
    private const string InsertAttachment = """
        WITH child AS (
            INSERT INTO document (kind, title, parent_document_id, created_by) VALUES ('file', @title, @parent, @owner) RETURNING id
        ), version AS (
            INSERT INTO version (document_id, number, sha256, size, media_type, file_name, author_id, file_sha256, file_size)
            SELECT id, 1, @sha256, @size, @mediaType, @fileName, @owner, @sha256, @size FROM child
        ), logged AS (
            INSERT INTO change (kind, document_id, principal_id, data)
            SELECT 'attachment', id, @owner, jsonb_build_object('parent', @parent) FROM child
        )
        SELECT id FROM child
        """;

    /// <summary>The most attachments of one mail that become child documents.</summary>
    private const int MaxAttachments = 100;

    private sealed record FiledDocument(long DocumentId, int Version, bool Trashed);

    /// <summary>An attachment decoded and spooled before the transaction.</summary>
    private sealed record SpooledAttachment(SpooledBlob Blob, string FileName, string MediaType);

    /// <summary>
    /// The mail's attachments, decoded. A mail MimeKit cannot read has none here and is filed
    /// all the same: its bytes are what counts.
    /// </summary>
    private static async Task<List<SpooledAttachment>> SpoolAttachmentsAsync(SpooledBlob blob, CancellationToken cancellationToken)
    {
        var attachments = new List<SpooledAttachment>();
        try
        {
            blob.File.Position = 0;
            using var message = await MimeMessage.LoadAsync(blob.File, cancellationToken);
            var number = 0;
            foreach (var part in message.Attachments.OfType<MimePart>().Where(p => p.Content is not null).Take(MaxAttachments))
            {
                number++;
                await using var decoded = new MemoryStream();
                await part.Content!.DecodeToAsync(decoded, cancellationToken);
                decoded.Position = 0;
                var name = UploadMessage.CleanFileName(part.FileName ?? $"attachment-{number}");
                attachments.Add(new SpooledAttachment(await BlobStore.SpoolAsync(decoded, cancellationToken), name, part.ContentType.MimeType));
            }
        }
        catch (Exception ex) when (ex is FormatException or ParseException or InvalidOperationException or NotSupportedException)
        {
            // Note: malformed mail is common; the message itself is still filed byte for byte.
        }
        finally
        {
            blob.File.Position = 0;
        }
        return attachments;
    }

    private static async Task FileAttachmentsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long owner, long parent,
        IReadOnlyList<SpooledAttachment> attachments, CancellationToken cancellationToken)
    {
        foreach (var attachment in attachments)
        {
            await BlobStore.StoreAsync(connection, transaction, attachment.Blob, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(InsertAttachment, new
            {
                title = attachment.FileName,
                parent,
                owner,
                sha256 = attachment.Blob.Sha256,
                size = attachment.Blob.Size,
                mediaType = attachment.MediaType,
                fileName = attachment.FileName,
            }, transaction, cancellationToken: cancellationToken));
        }
    }

    /// <summary>The UID under which the same mail is already in the collection, or null.</summary>
    private static async Task<uint?> FindFiledHereAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long collection,
        SpooledBlob blob, byte[] bodySha256, string? messageId, CancellationToken cancellationToken)
    {
        var uid = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectFiledHere,
            new { collection, sha256 = blob.Sha256, messageId, bodySha256 }, transaction, cancellationToken: cancellationToken));
        return uid is null ? null : checked((uint)uid.Value);
    }

    /// <summary>The same mail as a document of this user elsewhere (restored from the trash if it was there), or null.</summary>
    private static async Task<FiledDocument?> AdoptFiledElsewhereAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long owner,
        SpooledBlob blob, byte[] bodySha256, string? messageId, CancellationToken cancellationToken)
    {
        var found = await connection.QuerySingleOrDefaultAsync<FiledDocument>(new CommandDefinition(SelectFiledElsewhere,
            new { owner, sha256 = blob.Sha256, messageId, bodySha256, window = RefilingWindow }, transaction, cancellationToken: cancellationToken));
        if (found is { Trashed: true })
        {
            await connection.ExecuteAsync(new CommandDefinition(Untrash, new { document = found.DocumentId, owner }, transaction, cancellationToken: cancellationToken));
        }
        return found;
    }

    /// <summary>Throws <see cref="LegalHoldException"/> when a hold forbids removing these entries (all when <paramref name="uids"/> is null).</summary>
    internal static async Task EnsureNotHeldAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long collection, long[]? uids,
        string refused, CancellationToken cancellationToken)
    {
        var reason = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(SelectHoldReason,
            new { collection, all = uids is null, uids = uids ?? [] }, transaction, cancellationToken: cancellationToken));
        if (reason is not null)
        {
            throw new LegalHoldException($"{reason}; {refused}");
        }
    }

    /// <summary>The SHA-256 of the message's body: the bytes after its header.</summary>
    private static async Task<byte[]> HashBodyAsync(SpooledBlob blob, long bodyOffset, CancellationToken cancellationToken)
    {
        blob.File.Position = Math.Min(bodyOffset, blob.File.Length);
        var hash = await SHA256.HashDataAsync(blob.File, cancellationToken);
        blob.File.Position = 0;
        return hash;
    }
}
