using Dapper;
using DocStore.Core.Search;
using DocStore.Storage.Mailboxes;
using Npgsql;

namespace DocStore.Storage.Search;

/// <summary>The indexer's view of PostgreSQL: change rows, versions, bytes and the transaction horizon.</summary>
public sealed class SearchFeed(NpgsqlDataSource dataSource) : ISearchFeed
{
    // Attachments filed as child documents are not indexed on their own: their text is already in
    // their mail's index entry, and SEARCH only ever answers with mailbox entries. (The mark still
    // moves past their change rows: it follows the transaction barrier, not the rows read.)
    // A flag change never changes what is indexed: STOREs do not wake the indexer's version lookups.
    private const string SelectChanges = """
        SELECT ch.seq AS Seq, ch.document_id AS DocumentId FROM change ch
         WHERE ch.seq > @after AND ch.seq <= @upTo AND ch.document_id IS NOT NULL AND ch.kind <> 'flags'
           AND NOT EXISTS (SELECT 1 FROM document d WHERE d.id = ch.document_id AND d.parent_document_id IS NOT NULL)
         ORDER BY ch.seq LIMIT @limit
        """;

    // The identity sequence is not transactional: its last value counts rows not yet committed.
    private const string SelectLastSeq = "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('change', 'seq')::regclass), 0)";

    // Client sessions only: autovacuum and other databases on the cluster do not hold change rows.
    private const string SelectOpenTransactions = """
        SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                        WHERE datname = current_database() AND backend_type = 'client backend'
                          AND pid <> pg_backend_pid() AND xact_start < @instant)
        """;

    private const string SelectVersions = """
        SELECT document_id AS DocumentId, number AS Version FROM version WHERE document_id = ANY(@documents) ORDER BY document_id, number
        """;

    private const string SelectAllVersions = """
        SELECT v.document_id AS DocumentId, v.number AS Version FROM version v JOIN document d ON d.id = v.document_id
         WHERE (v.document_id, v.number) > (@document, @version) AND d.parent_document_id IS NULL
         ORDER BY v.document_id, v.number LIMIT @limit
        """;

    // A version whose blob is one chunk (nearly every mail) comes with its bytes; the rest are read chunk by chunk.
    private const string SelectSingleChunks = """
        SELECT v.document_id AS DocumentId, v.number AS Version, v.size AS Size, c.data AS Data
          FROM unnest(@documents, @versions) AS k(document_id, number)
          JOIN version v ON v.document_id = k.document_id AND v.number = k.number
          JOIN blob_chunk c ON c.sha256 = v.sha256 AND c.chunk_no = 0
         WHERE v.size <= @chunkSize
        """;

    private const string SelectVersion = "SELECT sha256 AS Sha256, size AS Size FROM version WHERE document_id = @document AND number = @version";

    public async Task<IReadOnlyList<DocumentChange>> ChangesAsync(long after, long upTo, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Seq, long DocumentId)>(new CommandDefinition(SelectChanges, new { after, upTo, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new DocumentChange(r.Seq, r.DocumentId)).ToList();
    }

    public Task<long> LastAllocatedSeqAsync(CancellationToken cancellationToken) => ScalarAsync(SelectLastSeq, cancellationToken);

    public async Task<DateTime> ServerClockAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition("SELECT clock_timestamp()", cancellationToken: cancellationToken));
    }

    public async Task<bool> AnyTransactionStartedBeforeAsync(DateTime instant, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(SelectOpenTransactions, new { instant }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<DocumentVersion>> VersionsAsync(IReadOnlyCollection<long> documentIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long DocumentId, int Version)>(new CommandDefinition(SelectVersions, new { documents = documentIds.ToArray() }, cancellationToken: cancellationToken));
        return rows.Select(r => new DocumentVersion(r.DocumentId, r.Version)).ToList();
    }

    public async Task<IReadOnlyList<DocumentVersion>> AllVersionsAsync(DocumentVersion? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long DocumentId, int Version)>(new CommandDefinition(SelectAllVersions,
            new { document = after?.DocumentId ?? 0, version = after?.Version ?? 0, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new DocumentVersion(r.DocumentId, r.Version)).ToList();
    }

    public Task<long> CountVersionsAsync(CancellationToken cancellationToken) => ScalarAsync("SELECT count(*) FROM version v JOIN document d ON d.id = v.document_id WHERE d.parent_document_id IS NULL", cancellationToken);

    public async Task<ReadOnlyMemory<byte>?> ReadAsync(DocumentVersion version, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(byte[] Sha256, long Size)?>(new CommandDefinition(SelectVersion,
            new { document = version.DocumentId, version = version.Version }, cancellationToken: cancellationToken));
        if (row is not { } found)
        {
            return null;
        }
        return await BlobStore.ReadAsync(connection, found.Sha256, found.Size, cancellationToken);
    }

    public async Task<IReadOnlyDictionary<DocumentVersion, ReadOnlyMemory<byte>>> ReadManyAsync(IReadOnlyCollection<DocumentVersion> versions, CancellationToken cancellationToken)
    {
        var result = new Dictionary<DocumentVersion, ReadOnlyMemory<byte>>(versions.Count);
        if (versions.Count == 0)
        {
            return result;
        }
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var rows = await connection.QueryAsync<(long DocumentId, int Version, long Size, byte[] Data)>(new CommandDefinition(SelectSingleChunks,
                new { documents = versions.Select(v => v.DocumentId).ToArray(), versions = versions.Select(v => v.Version).ToArray(), chunkSize = (long)BlobStore.ChunkSize },
                cancellationToken: cancellationToken));
            foreach (var row in rows)
            {
                if (row.Data.Length != row.Size)
                {
                    throw new InvalidDataException($"The first chunk of document {row.DocumentId} version {row.Version} holds {row.Data.Length} of its {row.Size} bytes.");
                }
                result[new DocumentVersion(row.DocumentId, row.Version)] = row.Data;
            }
        }
        foreach (var version in versions.Where(v => !result.ContainsKey(v)).ToList())
        {
            if (await ReadAsync(version, cancellationToken) is { } bytes)
            {
                result[version] = bytes;
            }
        }
        return result;
    }

    private async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }
}
