using System.Data;
using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace DocStore.Storage.Maintenance;

/// <summary>
/// <c>docstore export</c>'s view of the database: one read-only repeatable-read transaction, so
/// the manifest and the bytes copied after it are one consistent moment, however long it takes.
/// </summary>
public sealed class ExportSnapshot : IAsyncDisposable
{
    private const string SelectPrincipals = """
        SELECT p.id AS Id, p.kind AS Kind, p.name AS Name, p.display_name AS DisplayName, p.is_admin AS IsAdmin, p.disabled AS Disabled,
               COALESCE((SELECT array_agg(m.name ORDER BY m.name) FROM group_member g JOIN principal m ON m.id = g.member_id WHERE g.group_id = p.id), '{}') AS Members
          FROM principal p ORDER BY p.id
        """;

    private const string SelectCollections = """
        SELECT id AS Id, parent_id AS ParentId, owner_id AS OwnerId, name AS Name, special_use AS SpecialUse,
               extract(epoch FROM retention)::bigint AS RetentionSeconds, legal_hold AS LegalHold, legal_hold_reason AS LegalHoldReason
          FROM collection ORDER BY id
        """;

    private const string SelectAcl = """
        SELECT collection_id AS CollectionId, principal_id AS PrincipalId, negative AS Negative, rights AS Rights, inherit AS Inherit
          FROM acl ORDER BY collection_id, principal_id NULLS FIRST, negative
        """;

    private const string SelectDocuments = """
        SELECT d.id AS Id, d.object_id AS ObjectId, d.kind AS Kind, d.title AS Title, d.parent_document_id AS ParentId, d.message_id AS MessageId,
               d.properties::text AS Properties, d.legal_hold AS LegalHold, d.legal_hold_reason AS LegalHoldReason, d.created_by AS CreatedBy,
               d.created_at AS CreatedAt, d.trashed_at AS TrashedAt, d.trashed_by AS TrashedBy, d.trashed_from AS TrashedFrom, d.current_version AS CurrentVersion,
               COALESCE((SELECT array_agg(tag ORDER BY tag COLLATE "C") FROM document_tag WHERE document_id = d.id), '{}') AS Tags
          FROM document d ORDER BY d.id
        """;

    private const string SelectVersions = """
        SELECT document_id AS DocumentId, number AS Number, sha256 AS Sha256, size AS Size, media_type AS MediaType, file_name AS FileName,
               author_id AS AuthorId, created_at AS CreatedAt, comment AS Comment, structure::text AS Structure, body_sha256 AS BodySha256,
               file_sha256 AS FileSha256, file_size AS FileSize
          FROM version ORDER BY document_id, number
        """;

    private const string SelectEntries = """
        SELECT e.collection_id AS CollectionId, e.uid AS Uid, e.document_id AS DocumentId, e.version_number AS Version, e.answered AS Answered,
               e.flagged AS Flagged, e.deleted AS Deleted, e.draft AS Draft, e.internal_date AS InternalDate, e.internal_date_offset AS InternalDateOffset,
               e.save_date AS SaveDate,
               COALESCE((SELECT array_agg(p.name ORDER BY p.name) FROM entry_seen s JOIN principal p ON p.id = s.principal_id
                          WHERE s.collection_id = e.collection_id AND s.uid = e.uid), '{}') AS SeenBy
          FROM entry e ORDER BY e.collection_id, e.uid
        """;

    private const string SelectChunks = "SELECT data FROM blob_chunk WHERE sha256 = $1 ORDER BY chunk_no";

    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;

    private ExportSnapshot(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        this.connection = connection;
        this.transaction = transaction;
    }

    public static async Task<ExportSnapshot> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var opened = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var snapshot = await opened.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await opened.ExecuteAsync(new CommandDefinition("SET TRANSACTION READ ONLY", transaction: snapshot, cancellationToken: cancellationToken));
            return new ExportSnapshot(opened, snapshot);
        }
        catch
        {
            await opened.DisposeAsync();
            throw;
        }
    }

    /// <summary>Everything but the bytes; <see cref="ExportCollection.Maildir"/> and <see cref="ExportEntry.MaildirFile"/> are left for the writer.</summary>
    public async Task<ExportManifest> ReadManifestAsync(CancellationToken cancellationToken)
    {
        var principals = (await QueryAsync<PrincipalRow>(SelectPrincipals, cancellationToken)).ToList();
        var names = principals.ToDictionary(p => p.Id, p => p.Name);
        string? NameOf(long? id) => id is { } known && names.TryGetValue(known, out var name) ? name : null;

        var collectionRows = (await QueryAsync<CollectionRow>(SelectCollections, cancellationToken)).ToDictionary(c => c.Id);
        var acl = (await QueryAsync<AclRow>(SelectAcl, cancellationToken)).ToLookup(a => a.CollectionId);
        string PathOf(CollectionRow row) => row.ParentId is { } parent && collectionRows.TryGetValue(parent, out var up) ? PathOf(up) + "/" + row.Name : row.Name;
        // Parents before children, so an import can create them in this order.
        var collections = collectionRows.Values
            .Select(c => new ExportCollection(c.Id, c.ParentId, NameOf(c.OwnerId), PathOf(c), c.Name, c.SpecialUse, c.RetentionSeconds, c.LegalHold, c.LegalHoldReason,
                acl[c.Id].Select(a => new ExportAcl(NameOf(a.PrincipalId), a.Negative, a.Rights, a.Inherit)).ToList(), null))
            .OrderBy(c => c.Path.Count(ch => ch == '/')).ThenBy(c => c.Id)
            .ToList();

        var versions = (await QueryAsync<VersionRow>(SelectVersions, cancellationToken)).ToLookup(v => v.DocumentId);
        var documents = (await QueryAsync<DocumentRow>(SelectDocuments, cancellationToken))
            .Select(d => new ExportDocument(d.Id, d.ObjectId, d.Kind, d.Title, d.ParentId, d.MessageId, Parse(d.Properties)!.Value, d.LegalHold, d.LegalHoldReason,
                NameOf(d.CreatedBy), Utc(d.CreatedAt), d.TrashedAt is { } trashed ? Utc(trashed) : null, NameOf(d.TrashedBy),
                d.TrashedFrom is { } from && collectionRows.ContainsKey(from) ? from : null, d.CurrentVersion, d.Tags,
                versions[d.Id].Select(v => new ExportVersion(v.Number, Hex(v.Sha256)!, v.Size, v.MediaType, v.FileName, NameOf(v.AuthorId), Utc(v.CreatedAt),
                    v.Comment, Parse(v.Structure), Hex(v.BodySha256), Hex(v.FileSha256), v.FileSize)).ToList()))
            .ToList();

        var entries = (await QueryAsync<EntryRow>(SelectEntries, cancellationToken))
            .Select(e => new ExportEntry(e.CollectionId, e.Uid, e.DocumentId, e.Version, e.Answered, e.Flagged, e.Deleted, e.Draft,
                Utc(e.InternalDate), e.InternalDateOffset, Utc(e.SaveDate), e.SeenBy, null))
            .ToList();

        var exported = principals.Select(p => new ExportPrincipal(p.Name, p.Kind, p.DisplayName, p.IsAdmin, p.Disabled, p.Members)).ToList();
        return new ExportManifest(ExportManifest.FormatName, ExportManifest.CurrentVersion, DateTimeOffset.UtcNow, exported, collections, documents, entries);
    }

    /// <summary>Writes the blob's bytes to <paramref name="destination"/>, one chunk at a time.</summary>
    public async Task CopyBlobAsync(string sha256, Stream destination, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SelectChunks, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = Convert.FromHexString(sha256) });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            await using var chunk = await reader.GetStreamAsync(0, cancellationToken);
            await chunk.CopyToAsync(destination, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    private Task<IEnumerable<T>> QueryAsync<T>(string sql, CancellationToken cancellationToken) =>
        connection.QueryAsync<T>(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static string? Hex(byte[]? value) => value is null ? null : Convert.ToHexStringLower(value);

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private sealed class PrincipalRow
    {
        public long Id { get; set; }
        public string Kind { get; set; } = "";
        public string Name { get; set; } = "";
        public string? DisplayName { get; set; }
        public bool IsAdmin { get; set; }
        public bool Disabled { get; set; }
        public string[] Members { get; set; } = [];
    }

    private sealed class CollectionRow
    {
        public long Id { get; set; }
        public long? ParentId { get; set; }
        public long? OwnerId { get; set; }
        public string Name { get; set; } = "";
        public string? SpecialUse { get; set; }
        public long? RetentionSeconds { get; set; }
        public bool LegalHold { get; set; }
        public string? LegalHoldReason { get; set; }
    }

    private sealed class AclRow
    {
        public long CollectionId { get; set; }
        public long? PrincipalId { get; set; }
        public bool Negative { get; set; }
        public string Rights { get; set; } = "";
        public bool Inherit { get; set; }
    }

    private sealed class DocumentRow
    {
        public long Id { get; set; }
        public Guid ObjectId { get; set; }
        public string Kind { get; set; } = "";
        public string Title { get; set; } = "";
        public long? ParentId { get; set; }
        public string? MessageId { get; set; }
        public string Properties { get; set; } = "{}";
        public bool LegalHold { get; set; }
        public string? LegalHoldReason { get; set; }
        public long? CreatedBy { get; set; }
        public DateTime CreatedAt { get; set; }
        public DateTime? TrashedAt { get; set; }
        public long? TrashedBy { get; set; }
        public long? TrashedFrom { get; set; }
        public int CurrentVersion { get; set; }
        public string[] Tags { get; set; } = [];
    }

    private sealed class VersionRow
    {
        public long DocumentId { get; set; }
        public int Number { get; set; }
        public byte[] Sha256 { get; set; } = [];
        public long Size { get; set; }
        public string MediaType { get; set; } = "";
        public string? FileName { get; set; }
        public long? AuthorId { get; set; }
        public DateTime CreatedAt { get; set; }
        public string? Comment { get; set; }
        public string? Structure { get; set; }
        public byte[]? BodySha256 { get; set; }
        public byte[]? FileSha256 { get; set; }
        public long? FileSize { get; set; }
    }

    private sealed class EntryRow
    {
        public long CollectionId { get; set; }
        public long Uid { get; set; }
        public long DocumentId { get; set; }
        public int Version { get; set; }
        public bool Answered { get; set; }
        public bool Flagged { get; set; }
        public bool Deleted { get; set; }
        public bool Draft { get; set; }
        public DateTime InternalDate { get; set; }
        public int InternalDateOffset { get; set; }
        public DateTime SaveDate { get; set; }
        public string[] SeenBy { get; set; } = [];
    }
}
