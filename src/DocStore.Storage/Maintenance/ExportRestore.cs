using Dapper;
using DocStore.Core.Auditing;
using DocStore.Storage.Auditing;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Principals;
using Npgsql;

namespace DocStore.Storage.Maintenance;

/// <summary>What importing an export did.</summary>
public sealed record ExportRestoreResult(int Collections, int Documents, int Versions, int Entries, int SkippedDocuments, IReadOnlyList<string> CreatedUsers);

/// <summary>
/// Imports a <c>docstore export</c>: users and groups by name (missing ones are created,
/// users disabled), collections by owner and path (missing ones created), documents by
/// object id (EMAILID) with every version in order, tags, entries in UID order with their flags
/// and each user's \Seen, and the trash. A document whose object id is already here is left as
/// it is, so importing the same export twice adds nothing. Principals come first; everything
/// else is one transaction: a failed import leaves no half.
/// </summary>
public static class ExportRestore
{
    public const string AuditAction = "import";

    private const string InsertGroup = "INSERT INTO principal (kind, name, display_name) VALUES ('group', @name, @displayName) ON CONFLICT DO NOTHING";

    private const string InsertMember = """
        INSERT INTO group_member (group_id, member_id)
        SELECT g.id, m.id FROM principal g, principal m WHERE lower(g.name) = lower(@group) AND lower(m.name) = lower(@member) AND g.kind = 'group'
        ON CONFLICT DO NOTHING
        """;

    private const string SelectPrincipals = "SELECT lower(name) AS Name, id AS Id FROM principal";

    private const string SelectCollection = "SELECT id FROM collection WHERE owner_id IS NOT DISTINCT FROM @owner AND parent_id IS NOT DISTINCT FROM @parent AND name = @name";

    private const string InsertCollection = """
        INSERT INTO collection (owner_id, parent_id, name, special_use) VALUES (@owner, @parent, @name, @specialUse) RETURNING id
        """;

    private const string UpdateGovernance = """
        UPDATE collection SET retention = CASE WHEN @seconds::bigint IS NULL THEN NULL ELSE make_interval(secs => @seconds::bigint) END,
               legal_hold = @hold, legal_hold_reason = @reason
         WHERE id = @collection
        """;

    private const string InsertAcl = """
        INSERT INTO acl (collection_id, principal_id, negative, rights, inherit) VALUES (@collection, @principal, @negative, @rights, @inherit)
        ON CONFLICT DO NOTHING
        """;

    private const string SelectByObjectId = "SELECT id FROM document WHERE object_id = @objectId";

    private const string InsertDocument = """
        INSERT INTO document (object_id, kind, title, parent_document_id, current_version, message_id, properties, legal_hold, legal_hold_reason,
                              created_by, created_at, trashed_at, trashed_by, trashed_from)
        VALUES (@objectId, @kind, @title, @parent, @currentVersion, @messageId, @properties::jsonb, @hold, @reason,
                @createdBy, @createdAt, @trashedAt, @trashedBy, @trashedFrom)
        RETURNING id
        """;

    private const string InsertVersion = """
        INSERT INTO version (document_id, number, sha256, size, media_type, file_name, author_id, created_at, comment, structure, body_sha256, file_sha256, file_size)
        VALUES (@document, @number, @sha256, @size, @mediaType, @fileName, @author, @createdAt, @comment, @structure::jsonb, @bodySha256, @fileSha256, @fileSize)
        """;

    private const string InsertTags = "INSERT INTO document_tag (document_id, tag) SELECT @document, unnest(@tags::text[]) ON CONFLICT DO NOTHING";

    // The indexer reads documents from the change feed.
    private const string LogDocument = "INSERT INTO change (kind, document_id) VALUES ('import', @document)";

    // As APPEND files an entry: the trigger assigns the UID, in the order entries come.
    private const string InsertEntry = """
        WITH filed AS (
            INSERT INTO entry (collection_id, document_id, version_number, answered, flagged, deleted, draft, internal_date, internal_date_offset, save_date)
            VALUES (@collection, @document, @version, @answered, @flagged, @deleted, @draft, @internalDate, @internalDateOffset, @saveDate)
            RETURNING collection_id, uid, modseq
        ), seen AS (
            INSERT INTO entry_seen (collection_id, uid, principal_id, modseq)
            SELECT f.collection_id, f.uid, p, f.modseq FROM filed f, unnest(@seenBy::bigint[]) p
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, uid)
            SELECT 'import', collection_id, @document, uid FROM filed
        )
        SELECT uid FROM filed
        """;

    /// <summary>
    /// Imports <paramref name="manifest"/>; <paramref name="openBlob"/> opens the bytes of a
    /// SHA-256 (hex), which are hashed again on the way in. <paramref name="newPasswordHash"/>
    /// makes the (unusable, never shown) password of a user created disabled.
    /// </summary>
    public static async Task<ExportRestoreResult> RunAsync(NpgsqlDataSource dataSource, ExportManifest manifest, Func<string, Stream> openBlob,
        Func<string> newPasswordHash, Actor actor, IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        if (!string.Equals(manifest.Format, ExportManifest.FormatName, StringComparison.Ordinal) || manifest.Version != ExportManifest.CurrentVersion)
        {
            throw new InvalidDataException($"This is not a DocStore export of format version {ExportManifest.CurrentVersion}.");
        }
        var createdUsers = await EnsurePrincipalsAsync(dataSource, manifest, newPasswordHash, cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var principals = (await connection.QueryAsync<(string Name, long Id)>(new CommandDefinition(SelectPrincipals, transaction: transaction, cancellationToken: cancellationToken)))
            .ToDictionary(p => p.Name, p => p.Id, StringComparer.Ordinal);
        long? PrincipalOf(string? name) => name is not null && principals.TryGetValue(name.ToLowerInvariant(), out var id) ? id : null;

        var collections = new Dictionary<long, long>();
        var createdCollections = 0;
        foreach (var collection in manifest.Collections)
        {
            var owner = PrincipalOf(collection.Owner);
            long? parent = collection.ParentId is { } p ? collections[p] : null;
            var args = new { owner, parent, name = collection.Name, specialUse = collection.SpecialUse };
            var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectCollection, args, transaction, cancellationToken: cancellationToken));
            if (id is null)
            {
                id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertCollection, args, transaction, cancellationToken: cancellationToken));
                createdCollections++;
            }
            collections[collection.Id] = id.Value;
            foreach (var acl in collection.Acl.Where(a => a.Principal is null || PrincipalOf(a.Principal) is not null))
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertAcl, new { collection = id, principal = PrincipalOf(acl.Principal), acl.Negative, acl.Rights, acl.Inherit },
                    transaction, cancellationToken: cancellationToken));
            }
        }

        var documents = new Dictionary<long, long>();
        var skipped = new HashSet<long>();
        var storedBlobs = new HashSet<string>(StringComparer.Ordinal);
        var versions = 0;
        var total = manifest.Documents.Count + manifest.Entries.Count;
        long done = 0;
        foreach (var document in manifest.Documents)
        {
            var existing = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectByObjectId, new { objectId = document.ObjectId }, transaction, cancellationToken: cancellationToken));
            if (existing is { } here)
            {
                documents[document.Id] = here;
                skipped.Add(document.Id);
                progress?.Report((++done, total));
                continue;
            }
            var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertDocument, new
            {
                objectId = document.ObjectId,
                kind = document.Kind,
                title = document.Title,
                parent = document.ParentId is { } p ? documents[p] : (long?)null,
                currentVersion = document.CurrentVersion,
                messageId = document.MessageId,
                properties = document.Properties.GetRawText(),
                hold = document.LegalHold,
                reason = document.LegalHoldReason,
                createdBy = PrincipalOf(document.CreatedBy),
                createdAt = document.CreatedAt,
                trashedAt = document.TrashedAt,
                trashedBy = PrincipalOf(document.TrashedBy),
                trashedFrom = document.TrashedFrom is { } from && collections.TryGetValue(from, out var fromId) ? fromId : (long?)null,
            }, transaction, cancellationToken: cancellationToken));
            documents[document.Id] = id;
            foreach (var version in document.Versions)
            {
                await StoreBlobAsync(connection, transaction, version.Sha256, openBlob, storedBlobs, cancellationToken);
                if (version.FileSha256 is { } file)
                {
                    await StoreBlobAsync(connection, transaction, file, openBlob, storedBlobs, cancellationToken);
                }
                await connection.ExecuteAsync(new CommandDefinition(InsertVersion, new
                {
                    document = id,
                    number = version.Number,
                    sha256 = Convert.FromHexString(version.Sha256),
                    size = version.Size,
                    mediaType = version.MediaType,
                    fileName = version.FileName,
                    author = PrincipalOf(version.Author),
                    createdAt = version.CreatedAt,
                    comment = version.Comment,
                    structure = version.Structure?.GetRawText(),
                    bodySha256 = version.BodySha256 is { } body ? Convert.FromHexString(body) : null,
                    fileSha256 = version.FileSha256 is { } fileHash ? Convert.FromHexString(fileHash) : null,
                    fileSize = version.FileSize,
                }, transaction, cancellationToken: cancellationToken));
                versions++;
            }
            await connection.ExecuteAsync(new CommandDefinition(InsertTags, new { document = id, tags = document.Tags.ToArray() }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(LogDocument, new { document = id }, transaction, cancellationToken: cancellationToken));
            progress?.Report((++done, total));
        }

        var entries = 0;
        foreach (var entry in manifest.Entries.OrderBy(e => e.CollectionId).ThenBy(e => e.Uid))
        {
            if (!skipped.Contains(entry.DocumentId))
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertEntry, new
                {
                    collection = collections[entry.CollectionId],
                    document = documents[entry.DocumentId],
                    version = entry.Version,
                    answered = entry.Answered,
                    flagged = entry.Flagged,
                    deleted = entry.Deleted,
                    draft = entry.Draft,
                    internalDate = entry.InternalDate,
                    internalDateOffset = (short)entry.InternalDateOffset,
                    saveDate = entry.SaveDate,
                    seenBy = entry.SeenBy.Select(PrincipalOf).OfType<long>().ToArray(),
                }, transaction, cancellationToken: cancellationToken));
                entries++;
            }
            progress?.Report((++done, total));
        }

        // Holds last: they refuse removals, never the filing above.
        foreach (var collection in manifest.Collections)
        {
            await connection.ExecuteAsync(new CommandDefinition(UpdateGovernance, new
            {
                collection = collections[collection.Id],
                seconds = collection.RetentionSeconds,
                hold = collection.LegalHold,
                reason = collection.LegalHoldReason,
            }, transaction, cancellationToken: cancellationToken));
        }

        var result = new ExportRestoreResult(createdCollections, documents.Count - skipped.Count, versions, entries, skipped.Count, createdUsers);
        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, AuditAction, Details: new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["exportedAt"] = manifest.ExportedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["documents"] = result.Documents.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["entries"] = result.Entries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["skipped"] = result.SkippedDocuments.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Users and groups missing here are created: users disabled (with their default collections), groups with the members that exist.</summary>
    private static async Task<IReadOnlyList<string>> EnsurePrincipalsAsync(NpgsqlDataSource dataSource, ExportManifest manifest, Func<string> newPasswordHash,
        CancellationToken cancellationToken)
    {
        var users = new UserStore(dataSource);
        var created = new List<string>();
        foreach (var user in manifest.Principals.Where(p => string.Equals(p.Kind, "user", StringComparison.Ordinal)))
        {
            if (await users.FindAsync(user.Name, cancellationToken) is not null)
            {
                continue;
            }
            var (result, _) = await users.AddAsync(user.Name, newPasswordHash(), user.IsAdmin, user.DisplayName, cancellationToken);
            if (result == Core.Principals.UserChange.Done)
            {
                await users.SetDisabledAsync(user.Name, disabled: true, cancellationToken);
                created.Add(user.Name);
            }
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var group in manifest.Principals.Where(p => string.Equals(p.Kind, "group", StringComparison.Ordinal)))
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertGroup, new { name = group.Name, displayName = group.DisplayName }, cancellationToken: cancellationToken));
            foreach (var member in group.Members)
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertMember, new { group = group.Name, member }, cancellationToken: cancellationToken));
            }
        }
        return created;
    }

    /// <summary>Stores a blob of the export once, after checking that its bytes hash to its name.</summary>
    private static async Task StoreBlobAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sha256, Func<string, Stream> openBlob,
        HashSet<string> stored, CancellationToken cancellationToken)
    {
        if (!stored.Add(sha256))
        {
            return;
        }
        await using var source = openBlob(sha256);
        await using var blob = await BlobStore.SpoolAsync(source, cancellationToken);
        if (!string.Equals(Convert.ToHexStringLower(blob.Sha256), sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"The export's blob {sha256} hashes to {Convert.ToHexStringLower(blob.Sha256)}: the export is damaged.");
        }
        await BlobStore.StoreAsync(connection, transaction, blob, cancellationToken);
    }
}
