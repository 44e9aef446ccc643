using System.Globalization;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Documents;
using DocStore.Core.Principals;
using DocStore.Storage.Auditing;
using DocStore.Storage.Mailboxes;

namespace DocStore.Storage.Documents;

public sealed partial class DocumentStore
{
    private const string SelectContent = """
        SELECT COALESCE(v.file_sha256, v.sha256) AS Sha256, COALESCE(v.file_size, v.size) AS Size, v.media_type AS MediaType,
               v.file_name AS FileName, d.title AS Title
          FROM document d JOIN version v ON v.document_id = d.id AND v.number = COALESCE(@version, d.current_version)
         WHERE d.id = @document AND
        """ + Visible;

    private const string SelectTags = "SELECT tag FROM document_tag WHERE document_id = @document";

    // Keywords are the document's tags: every entry holding it shows the change, so each gets a new modseq.
    private const string TouchEntries = """
        WITH touched AS (
            UPDATE entry e SET answered = e.answered WHERE e.document_id = @document RETURNING e.collection_id, e.uid
        )
        INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
        SELECT 'flags', collection_id, @document, uid, @user FROM touched
        """;

    private const string SelectAudit = """
        SELECT id AS Id, at AS At, principal_id AS PrincipalId, principal_name AS PrincipalName, action AS Action,
               collection_id AS CollectionId, document_id AS DocumentId, host(address) AS Address, client AS Client, details::text AS Details
          FROM audit
         WHERE (@all OR principal_id = @user)
           AND (@principal::text IS NULL OR lower(principal_name) = lower(@principal::text))
           AND (@action::text IS NULL OR action = @action::text)
           AND (@document::bigint IS NULL OR document_id = @document::bigint)
           AND (@collection::bigint IS NULL OR collection_id = @collection::bigint)
           AND (@since::timestamptz IS NULL OR at >= @since::timestamptz)
           AND (@until::timestamptz IS NULL OR at < @until::timestamptz)
         ORDER BY id DESC
         LIMIT @limit
        """;

    public async Task<DocumentContent?> ContentAsync(User user, long documentId, int? version, bool preview, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ContentRow>(new CommandDefinition(SelectContent,
            new { document = documentId, version, user = user.Id, admin = user.IsAdmin }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }
        var bytes = await BlobStore.ReadAsync(connection, row.Sha256, row.Size, cancellationToken);
        await AuditLog.RecordAsync(connection, null, new AuditRecord(actor, preview ? DocumentAuditActions.Preview : DocumentAuditActions.Download, null, documentId,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["version"] = version?.ToString(CultureInfo.InvariantCulture) ?? "current" }), cancellationToken);
        var name = row.FileName ?? (row.Title.Length > 0 ? UploadMessage.CleanFileName(row.Title) + ".eml" : "message.eml");
        return new DocumentContent(bytes, row.MediaType, name);
    }

    public async Task<DocumentInfo?> UpdateAsync(User user, long documentId, MetadataChange change, Actor actor, CancellationToken cancellationToken)
    {
        var wanted = change.Tags is null ? null : ValidTags(change.Tags);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var trashed = await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(LockDocument,
            new { document = documentId, user = user.Id, admin = user.IsAdmin }, transaction, cancellationToken: cancellationToken));
        if (trashed is null)
        {
            return null;
        }

        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        if (change.Title is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition("UPDATE document SET title = @title WHERE id = @document",
                new { title = change.Title, document = documentId }, transaction, cancellationToken: cancellationToken));
            details["title"] = change.Title;
        }
        if (change.PropertiesJson is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition("UPDATE document SET properties = @properties::jsonb WHERE id = @document",
                new { properties = change.PropertiesJson, document = documentId }, transaction, cancellationToken: cancellationToken));
            details["properties"] = change.PropertiesJson;
        }
        if (details.Count > 0)
        {
            await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, DocumentAuditActions.Metadata, null, documentId, details), cancellationToken);
        }

        if (wanted is not null)
        {
            var existing = (await connection.QueryAsync<string>(new CommandDefinition(SelectTags, new { document = documentId }, transaction, cancellationToken: cancellationToken))).ToList();
            var after = KeywordTags.Apply(existing, Core.Mailboxes.FlagOperation.Replace, wanted);
            var added = after.Except(existing, StringComparer.OrdinalIgnoreCase).ToArray();
            var removed = existing.Except(after, StringComparer.OrdinalIgnoreCase).ToArray();
            if (removed.Length > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(MailboxStore.DeleteTags,
                    new { documents = removed.Select(_ => documentId).ToArray(), tags = removed }, transaction, cancellationToken: cancellationToken));
            }
            if (added.Length > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(MailboxStore.AddTags,
                    new { documents = added.Select(_ => documentId).ToArray(), tags = added }, transaction, cancellationToken: cancellationToken));
            }
            if (added.Length > 0 || removed.Length > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(TouchEntries, new { document = documentId, user = user.Id }, transaction, cancellationToken: cancellationToken));
                await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, DocumentAuditActions.Tags, null, documentId,
                    new Dictionary<string, string>(StringComparer.Ordinal) { ["added"] = string.Join(' ', added), ["removed"] = string.Join(' ', removed) }), cancellationToken);
            }
        }
        var info = await ReadDocumentAsync(connection, transaction, user, documentId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public async Task<DocumentInfo?> SetDocumentHoldAsync(User user, long documentId, bool hold, string? reason, Actor actor, CancellationToken cancellationToken)
    {
        if (!user.IsAdmin)
        {
            throw new UnauthorizedAccessException("Only an administrator sets or lifts legal hold.");
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE document SET legal_hold = @hold, legal_hold_reason = @reason WHERE id = @document",
            new { hold, reason = hold ? reason : null, document = documentId }, transaction, cancellationToken: cancellationToken));
        if (changed == 0)
        {
            return null;
        }
        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, DocumentAuditActions.LegalHold, null, documentId,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["hold"] = hold ? "on" : "off", ["reason"] = reason ?? "" }), cancellationToken);
        var info = await ReadDocumentAsync(connection, transaction, user, documentId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return info;
    }

    public async Task<CollectionInfo?> SetCollectionGovernanceAsync(User user, long collectionId, GovernanceChange change, Actor actor, CancellationToken cancellationToken)
    {
        if (change.LegalHold is not null && !user.IsAdmin)
        {
            throw new UnauthorizedAccessException("Only an administrator sets or lifts legal hold.");
        }
        if (change.RetentionDays is < 0 or > 36500)
        {
            throw new DocumentInputException("The retention period is a number of days from 1 to 36500, or 0 for none.");
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<int?>(new CommandDefinition(LockOwnedCollection,
                new { collection = collectionId, user = user.Id, admin = user.IsAdmin }, transaction, cancellationToken: cancellationToken)) is null)
        {
            return null;
        }
        if (change.LegalHold is { } hold)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE collection SET legal_hold = @hold, legal_hold_reason = @reason WHERE id = @collection",
                new { hold, reason = hold ? change.Reason : null, collection = collectionId }, transaction, cancellationToken: cancellationToken));
            await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, DocumentAuditActions.LegalHold, collectionId, null,
                new Dictionary<string, string>(StringComparer.Ordinal) { ["hold"] = hold ? "on" : "off", ["reason"] = change.Reason ?? "" }), cancellationToken);
        }
        if (change.RetentionDays is { } days)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE collection SET retention = CASE WHEN @days = 0 THEN NULL ELSE make_interval(days => @days) END WHERE id = @collection",
                new { days, collection = collectionId }, transaction, cancellationToken: cancellationToken));
            await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, DocumentAuditActions.Retention, collectionId, null,
                new Dictionary<string, string>(StringComparer.Ordinal) { ["days"] = days.ToString(CultureInfo.InvariantCulture) }), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return (await CollectionsAsync(user, cancellationToken)).FirstOrDefault(c => c.Id == collectionId);
    }

    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(User user, AuditQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(SelectAudit, new
        {
            all = user.IsAdmin,
            user = user.Id,
            principal = query.Principal,
            action = query.Action,
            document = query.DocumentId,
            collection = query.CollectionId,
            since = query.Since?.UtcDateTime,
            until = query.Until?.UtcDateTime,
            limit = Math.Clamp(query.Limit, 1, 10_000),
        }, cancellationToken: cancellationToken));
        return rows.Select(r => new AuditEntry(r.Id, Utc(r.At), r.PrincipalId, r.PrincipalName, r.Action, r.CollectionId, r.DocumentId, r.Address, r.Client, r.Details)).ToList();
    }

    private sealed class ContentRow
    {
        public byte[] Sha256 { get; init; } = [];
        public long Size { get; init; }
        public string MediaType { get; init; } = "";
        public string? FileName { get; init; }
        public string Title { get; init; } = "";
    }

    private sealed class AuditRow
    {
        public long Id { get; init; }
        public DateTime At { get; init; }
        public long? PrincipalId { get; init; }
        public string? PrincipalName { get; init; }
        public string Action { get; init; } = "";
        public long? CollectionId { get; init; }
        public long? DocumentId { get; init; }
        public string? Address { get; init; }
        public string? Client { get; init; }
        public string? Details { get; init; }
    }
}
