using Dapper;
using DocStore.Core.Documents;
using DocStore.Core.Principals;
using Npgsql;

namespace DocStore.Storage.Documents;

/// <summary>
/// <see cref="IDocumentStore"/> on PostgreSQL. This part reads; uploads and versions are in
/// <c>DocumentStore.Uploads.cs</c>, the trash in <c>DocumentStore.Trash.cs</c>, holds,
/// retention and the audit trail in <c>DocumentStore.Governance.cs</c>.
/// </summary>
public sealed partial class DocumentStore(NpgsqlDataSource dataSource) : IDocumentStore
{
    // Who reaches a document (see the interface): the RFC 4314 "r" right on a collection holding it
    // (sharing, migration 0004); @user and @admin are always parameters.
    private const string Visible = """
        (@admin OR EXISTS (SELECT 1 FROM entry ve JOIN collection vc ON vc.id = ve.collection_id
                            WHERE ve.document_id IN (d.id, d.parent_document_id) AND strpos(collection_rights(vc.id, @user), 'r') > 0)
                OR (d.trashed_at IS NOT NULL AND (d.trashed_by = @user OR d.created_by = @user)))
        """;

    private const string DocumentColumns = """
        d.id AS Id, d.object_id AS ObjectId, d.kind AS Kind, d.title AS Title, d.current_version AS CurrentVersion,
        d.message_id AS MessageId, d.properties::text AS Properties, d.legal_hold AS LegalHold, d.legal_hold_reason AS LegalHoldReason,
        d.parent_document_id AS ParentId, d.created_at AS CreatedAt, d.trashed_at AS TrashedAt, d.trashed_from AS TrashedFrom,
        COALESCE((SELECT array_agg(tag ORDER BY tag COLLATE "C") FROM document_tag WHERE document_id = d.id), '{}') AS Tags,
        cv.media_type AS MediaType, COALESCE(cv.file_size, cv.size) AS Size, cv.file_name AS FileName
        """;

    // The current version, for DocumentColumns' media type, size and file name.
    private const string JoinCurrentVersion = "LEFT JOIN version cv ON cv.document_id = d.id AND cv.number = d.current_version";

    private const string SelectListed = $"SELECT {DocumentColumns}, e.uid AS Uid FROM entry e JOIN document d ON d.id = e.document_id {JoinCurrentVersion} WHERE e.collection_id = @collection ORDER BY e.uid";

    private const string SelectChildren = $"SELECT {DocumentColumns} FROM document d {JoinCurrentVersion} WHERE d.parent_document_id = @document ORDER BY d.id";

    private const string SelectDocument = $"SELECT {DocumentColumns} FROM document d {JoinCurrentVersion} WHERE d.id = @document AND {Visible}";

    // Full mailbox names: the path from the root of each collection's tree.
    private const string SelectPlacements = """
        WITH RECURSIVE held AS (
            SELECT e.collection_id, e.uid FROM entry e JOIN collection c ON c.id = e.collection_id
             WHERE e.document_id = @document AND (@admin OR strpos(collection_rights(c.id, @user), 'r') > 0)
        ), up AS (
            SELECT c.id AS start, c.parent_id, c.name AS path FROM collection c WHERE c.id IN (SELECT collection_id FROM held)
            UNION ALL
            SELECT up.start, p.parent_id, p.name || '/' || up.path FROM up JOIN collection p ON p.id = up.parent_id
        )
        SELECT h.collection_id AS CollectionId, up.path AS Collection, h.uid AS Uid
          FROM held h JOIN up ON up.start = h.collection_id AND up.parent_id IS NULL
         ORDER BY h.collection_id, h.uid
        """;

    private const string SelectCollections = """
        WITH RECURSIVE up AS (
            SELECT c.id AS start, c.parent_id, c.name AS path FROM collection c WHERE @admin OR strpos(collection_rights(c.id, @user), 'r') > 0
            UNION ALL
            SELECT up.start, p.parent_id, p.name || '/' || up.path FROM up JOIN collection p ON p.id = up.parent_id
        )
        SELECT c.id AS Id, c.object_id AS ObjectId, up.path AS Name, (extract(epoch FROM c.retention) / 86400)::int AS RetentionDays,
               c.legal_hold AS LegalHold, c.legal_hold_reason AS LegalHoldReason
          FROM collection c JOIN up ON up.start = c.id AND up.parent_id IS NULL
         ORDER BY c.owner_id NULLS FIRST, up.path COLLATE "C"
        """;

    private const string SelectVersions = """
        SELECT v.number AS Number, COALESCE(v.file_size, v.size) AS Size, v.media_type AS MediaType, v.file_name AS FileName,
               COALESCE(v.file_sha256, v.sha256) AS Sha256, v.created_at AS CreatedAt, p.name AS Author, v.comment AS Comment
          FROM version v LEFT JOIN principal p ON p.id = v.author_id
         WHERE v.document_id = @document
         ORDER BY v.number
        """;

    private const string SelectHistory = """
        SELECT seq AS Seq, at AS At, kind AS Kind, collection_id AS CollectionId, uid AS Uid, principal_id AS PrincipalId
          FROM change WHERE document_id = @document ORDER BY seq
        """;

    public async Task<IReadOnlyList<CollectionInfo>> CollectionsAsync(User user, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CollectionRow>(new CommandDefinition(SelectCollections,
            new { user = user.Id, admin = user.IsAdmin }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToInfo()).ToList();
    }

    public async Task<DocumentInfo?> GetAsync(User user, long documentId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadDocumentAsync(connection, null, user, documentId, cancellationToken);
    }

    public async Task<IReadOnlyList<DocumentInfo>?> ListAsync(User user, long collectionId, CancellationToken cancellationToken)
    {
        var collection = (await CollectionsAsync(user, cancellationToken)).FirstOrDefault(c => c.Id == collectionId);
        if (collection is null)
        {
            return null;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ListedRow>(new CommandDefinition(SelectListed, new { collection = collectionId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToInfo([new Placement(collectionId, collection.Name, checked((uint)r.Uid))])).ToList();
    }

    public async Task<IReadOnlyList<DocumentInfo>?> ChildrenAsync(User user, long documentId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await IsVisibleAsync(connection, null, user, documentId, cancellationToken))
        {
            return null;
        }
        var rows = await connection.QueryAsync<DocumentRow>(new CommandDefinition(SelectChildren, new { document = documentId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToInfo([])).ToList();
    }

    public async Task<IReadOnlyList<VersionInfo>?> VersionsAsync(User user, long documentId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await IsVisibleAsync(connection, null, user, documentId, cancellationToken))
        {
            return null;
        }
        var rows = await connection.QueryAsync<VersionRow>(new CommandDefinition(SelectVersions, new { document = documentId }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToInfo()).ToList();
    }

    public async Task<IReadOnlyList<HistoryItem>?> HistoryAsync(User user, long documentId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await IsVisibleAsync(connection, null, user, documentId, cancellationToken))
        {
            return null;
        }
        var rows = await connection.QueryAsync<HistoryRow>(new CommandDefinition(SelectHistory, new { document = documentId }, cancellationToken: cancellationToken));
        return rows.Select(r => new HistoryItem(r.Seq, Utc(r.At), r.Kind, r.CollectionId, r.Uid is null ? null : checked((uint)r.Uid.Value), r.PrincipalId)).ToList();
    }

    private static async Task<bool> IsVisibleAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, User user, long documentId, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<bool>(new CommandDefinition($"SELECT EXISTS (SELECT 1 FROM document d WHERE d.id = @document AND {Visible})",
            new { document = documentId, user = user.Id, admin = user.IsAdmin }, transaction, cancellationToken: cancellationToken));

    private static async Task<DocumentInfo?> ReadDocumentAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, User user, long documentId, CancellationToken cancellationToken)
    {
        var parameters = new { document = documentId, user = user.Id, admin = user.IsAdmin };
        var row = await connection.QuerySingleOrDefaultAsync<DocumentRow>(new CommandDefinition(SelectDocument, parameters, transaction, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }
        var placements = await connection.QueryAsync<PlacementRow>(new CommandDefinition(SelectPlacements, parameters, transaction, cancellationToken: cancellationToken));
        return row.ToInfo(placements.Select(p => new Placement(p.CollectionId, p.Collection, checked((uint)p.Uid))).ToList());
    }

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    // Classes rather than positional records: Npgsql reports text[] as System.Array, which Dapper's constructor matching refuses.
    private class DocumentRow
    {
        public long Id { get; init; }
        public Guid ObjectId { get; init; }
        public string Kind { get; init; } = "";
        public string Title { get; init; } = "";
        public int CurrentVersion { get; init; }
        public string? MessageId { get; init; }
        public string Properties { get; init; } = "{}";
        public bool LegalHold { get; init; }
        public string? LegalHoldReason { get; init; }
        public long? ParentId { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime? TrashedAt { get; init; }
        public long? TrashedFrom { get; init; }
        public string[] Tags { get; init; } = [];
        public string MediaType { get; init; } = "";
        public long Size { get; init; }
        public string? FileName { get; init; }

        public DocumentInfo ToInfo(IReadOnlyList<Placement> entries) => new(Id, ObjectId.ToString("N"), Kind, Title, CurrentVersion, MessageId, Properties,
            Tags, LegalHold, LegalHoldReason, ParentId, Utc(CreatedAt), TrashedAt is { } trashed ? Utc(trashed) : null, TrashedFrom, entries)
        {
            MediaType = MediaType,
            Size = Size,
            FileName = FileName,
        };
    }

    private sealed class ListedRow : DocumentRow
    {
        public long Uid { get; init; }
    }

    private sealed class PlacementRow
    {
        public long CollectionId { get; init; }
        public string Collection { get; init; } = "";
        public long Uid { get; init; }
    }

    private sealed class CollectionRow
    {
        public long Id { get; init; }
        public Guid ObjectId { get; init; }
        public string Name { get; init; } = "";
        public int? RetentionDays { get; init; }
        public bool LegalHold { get; init; }
        public string? LegalHoldReason { get; init; }

        public CollectionInfo ToInfo() => new(Id, ObjectId.ToString("N"), Name, RetentionDays, LegalHold, LegalHoldReason);
    }

    private sealed class VersionRow
    {
        public int Number { get; init; }
        public long Size { get; init; }
        public string MediaType { get; init; } = "";
        public string? FileName { get; init; }
        public byte[] Sha256 { get; init; } = [];
        public DateTime CreatedAt { get; init; }
        public string? Author { get; init; }
        public string? Comment { get; init; }

        public VersionInfo ToInfo() => new(Number, Size, MediaType, FileName, Convert.ToHexStringLower(Sha256), Utc(CreatedAt), Author, Comment);
    }

    private sealed class HistoryRow
    {
        public long Seq { get; init; }
        public DateTime At { get; init; }
        public string Kind { get; init; } = "";
        public long? CollectionId { get; init; }
        public long? Uid { get; init; }
        public long? PrincipalId { get; init; }
    }
}
