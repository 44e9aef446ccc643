using System.Globalization;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Documents;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Storage.Auditing;
using DocStore.Storage.Mailboxes;
using Npgsql;

namespace DocStore.Storage.Documents;

public sealed partial class DocumentStore
{
    private const string LockDocument = $"SELECT d.trashed_at IS NOT NULL FROM document d WHERE d.id = @document AND {Visible} FOR UPDATE OF d";

    private const string SelectTrash = $"""
        SELECT {DocumentColumns} FROM document d {JoinCurrentVersion}
         WHERE d.trashed_at IS NOT NULL AND d.parent_document_id IS NULL
           AND (@admin OR d.trashed_by = @user OR d.created_by = @user)
         ORDER BY d.trashed_at DESC, d.id
        """;

    // Why the document may not leave its collections, or null.
    private const string SelectDocumentHold = """
        SELECT reason FROM (
            SELECT 1 AS rank, format('Document "%s" (%s) is on legal hold%s', d.title, d.object_id, COALESCE(': ' || d.legal_hold_reason, '')) AS reason
              FROM document d WHERE d.id = @document AND d.legal_hold
            UNION ALL
            SELECT 2, format('The collection "%s" is on legal hold%s', c.name, COALESCE(': ' || c.legal_hold_reason, ''))
              FROM entry e JOIN collection c ON c.id = e.collection_id WHERE e.document_id = @document AND c.legal_hold
            UNION ALL
            SELECT 3, format('The collection "%s" it was trashed from is on legal hold%s', c.name, COALESCE(': ' || c.legal_hold_reason, ''))
              FROM document d JOIN collection c ON c.id = d.trashed_from WHERE d.id = @document AND c.legal_hold
        ) held ORDER BY rank LIMIT 1
        """;

    private const string MarkTrashed = """
        WITH trashed AS (
            UPDATE document SET trashed_at = now(), trashed_by = @user, trashed_from = @from WHERE id = @document RETURNING id
        )
        INSERT INTO change (kind, collection_id, document_id, principal_id) SELECT 'trash', @from, id, @user FROM trashed
        """;

    // Back where it was if that collection still exists, else into the INBOX of whoever trashed it.
    private const string SelectRestoreTarget = """
        SELECT COALESCE(
            (SELECT c.id FROM collection c WHERE c.id = d.trashed_from),
            (SELECT c.id FROM collection c WHERE c.owner_id = COALESCE(d.trashed_by, d.created_by, @user) AND c.parent_id IS NULL AND upper(c.name) = 'INBOX'))
          FROM document d WHERE d.id = @document
        """;

    private const string MarkRestored = """
        WITH restored AS (
            UPDATE document SET trashed_at = NULL, trashed_by = NULL, trashed_from = NULL WHERE id = @document RETURNING id
        )
        INSERT INTO change (kind, collection_id, document_id, principal_id) SELECT 'restore', @collection, id, @user FROM restored
        """;

    // Trashed documents whose collection's retention has run out, and nothing on hold.
    private const string SelectExpired = """
        SELECT d.id FROM document d JOIN collection c ON c.id = d.trashed_from
         WHERE d.trashed_at IS NOT NULL AND c.retention IS NOT NULL AND d.trashed_at < now() - c.retention
           AND NOT d.legal_hold AND NOT c.legal_hold
         ORDER BY d.id
         FOR UPDATE OF d SKIP LOCKED
        """;

    // A mail's attachments go with it.
    private const string PurgeDocuments = """
        WITH tags AS (
            DELETE FROM document_tag WHERE document_id = ANY(@documents)
        ), versions AS (
            DELETE FROM version WHERE document_id = ANY(@documents) RETURNING sha256, file_sha256
        ), documents AS (
            DELETE FROM document WHERE id = ANY(@documents) RETURNING id
        ), logged AS (
            INSERT INTO change (kind, document_id, principal_id) SELECT 'purge', id, @user FROM documents
        )
        SELECT sha256 FROM versions UNION SELECT file_sha256 FROM versions WHERE file_sha256 IS NOT NULL
        """;

    // Bytes stay while any version still refers to them.
    private const string PurgeBlobs = """
        DELETE FROM blob b WHERE b.sha256 = ANY(@blobs)
           AND NOT EXISTS (SELECT 1 FROM version v WHERE v.sha256 = b.sha256 OR v.file_sha256 = b.sha256)
        """;

    public async Task<DocumentInfo?> TrashAsync(User user, long documentId, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var trashed = await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(LockDocument,
            new { document = documentId, user = user.Id, admin = user.IsAdmin }, transaction, cancellationToken: cancellationToken));
        if (trashed is null)
        {
            return null;
        }
        if (trashed == false)
        {
            await EnsureDocumentNotHeldAsync(connection, transaction, documentId, "it was not moved to the trash.", cancellationToken);
            var entries = (await connection.QueryAsync<(long CollectionId, long Uid)>(new CommandDefinition(SelectEntriesOf,
                new { document = documentId }, transaction, cancellationToken: cancellationToken))).ToList();
            foreach (var group in entries.GroupBy(e => e.CollectionId))
            {
                await connection.ExecuteAsync(new CommandDefinition(MailboxStore.ExpungeEntries,
                    new { collection = group.Key, owner = user.Id, uids = group.Select(e => e.Uid).ToArray() }, transaction, cancellationToken: cancellationToken));
            }
            long? from = entries.Count > 0 ? entries[0].CollectionId : null;
            await connection.ExecuteAsync(new CommandDefinition(MarkTrashed, new { document = documentId, user = user.Id, from }, transaction, cancellationToken: cancellationToken));
            await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, DocumentAuditActions.Trash, from, documentId,
                new Dictionary<string, string>(StringComparer.Ordinal) { ["entries"] = entries.Count.ToString(CultureInfo.InvariantCulture) }), cancellationToken);
        }
        var info = await ReadDocumentAsync(connection, transaction, user, documentId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public async Task<IReadOnlyList<DocumentInfo>> TrashListAsync(User user, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DocumentRow>(new CommandDefinition(SelectTrash,
            new { user = user.Id, admin = user.IsAdmin }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToInfo([])).ToList();
    }

    public async Task<DocumentInfo?> RestoreAsync(User user, long documentId, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var trashed = await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(LockDocument,
            new { document = documentId, user = user.Id, admin = user.IsAdmin }, transaction, cancellationToken: cancellationToken));
        if (trashed is null)
        {
            return null;
        }
        if (trashed == false)
        {
            throw new InvalidOperationException("The document is not in the trash.");
        }

        var collection = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectRestoreTarget,
            new { document = documentId, user = user.Id }, transaction, cancellationToken: cancellationToken))
            ?? throw new InvalidOperationException("The document's collection is gone and its owner has no INBOX to restore it into.");
        var version = await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT current_version FROM document WHERE id = @document",
            new { document = documentId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(MarkRestored, new { document = documentId, collection, user = user.Id }, transaction, cancellationToken: cancellationToken));
        var uid = await MailboxStore.InsertEntryAsync(connection, transaction, collection, documentId, version, "restore", MessageFlags.None, DateTimeOffset.UtcNow, user.Id, cancellationToken);
        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, DocumentAuditActions.Restore, collection, documentId,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["uid"] = uid.ToString(CultureInfo.InvariantCulture) }), cancellationToken);
        var info = await ReadDocumentAsync(connection, transaction, user, documentId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public async Task<bool> PurgeAsync(User user, long documentId, Actor actor, CancellationToken cancellationToken)
    {
        if (!user.IsAdmin)
        {
            throw new UnauthorizedAccessException("Only an administrator purges documents from the trash.");
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var trashed = await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(LockDocument,
            new { document = documentId, user = user.Id, admin = true }, transaction, cancellationToken: cancellationToken));
        if (trashed is null)
        {
            return false;
        }
        if (trashed == false)
        {
            throw new InvalidOperationException("Only documents in the trash are purged; delete it first.");
        }
        await EnsureDocumentNotHeldAsync(connection, transaction, documentId, "it was not purged.", cancellationToken);
        await PurgeAsync(connection, transaction, actor, [documentId], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<int> PurgeExpiredAsync(Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var expired = (await connection.QueryAsync<long>(new CommandDefinition(SelectExpired, transaction: transaction, cancellationToken: cancellationToken))).ToArray();
        if (expired.Length > 0)
        {
            await PurgeAsync(connection, transaction, actor, expired, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return expired.Length;
    }

    private static async Task PurgeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Actor actor, long[] documents, CancellationToken cancellationToken)
    {
        var children = (await connection.QueryAsync<long>(new CommandDefinition("SELECT id FROM document WHERE parent_document_id = ANY(@documents)",
            new { documents }, transaction, cancellationToken: cancellationToken))).ToArray();
        documents = [.. documents, .. children];
        var blobs = (await connection.QueryAsync<byte[]>(new CommandDefinition(PurgeDocuments,
            new { documents, user = actor.PrincipalId }, transaction, cancellationToken: cancellationToken))).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(PurgeBlobs, new { blobs }, transaction, cancellationToken: cancellationToken));
        foreach (var document in documents)
        {
            await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, DocumentAuditActions.Purge, null, document), cancellationToken);
        }
    }

    private static async Task EnsureDocumentNotHeldAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long document, string refused, CancellationToken cancellationToken)
    {
        var reason = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(SelectDocumentHold,
            new { document }, transaction, cancellationToken: cancellationToken));
        if (reason is not null)
        {
            throw new LegalHoldException($"{reason}; {refused}");
        }
    }
}
