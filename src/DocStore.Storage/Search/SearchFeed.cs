using Dapper;
using DocStore.Core.Search;
using DocStore.Storage.Mailboxes;
using Npgsql;

namespace DocStore.Storage.Search;

/// <summary>
/// The indexer's view of PostgreSQL: change rows, versions, bytes and the transaction horizon.
/// What the indexer reads after every change is read without Dapper, which compiles a reader
/// for each query at its first row after a restart: that was the first mail's indexing step,
/// run on the cores the IDLE sessions it woke were answering on (issue #3).
/// </summary>
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
        await using var command = new NpgsqlCommand(SelectChanges, connection);
        command.Parameters.Add(new NpgsqlParameter<long>("after", after));
        command.Parameters.Add(new NpgsqlParameter<long>("upTo", upTo));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var changes = new List<DocumentChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(new DocumentChange(reader.GetInt64(0), reader.GetInt64(1)));
        }
        return changes;
    }

    public Task<long> LastAllocatedSeqAsync(CancellationToken cancellationToken) => ScalarAsync(SelectLastSeq, cancellationToken);

    public async Task<DateTime> ServerClockAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT clock_timestamp()", connection);
        return (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<bool> AnyTransactionStartedBeforeAsync(DateTime instant, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SelectOpenTransactions, connection);
        command.Parameters.Add(new NpgsqlParameter<DateTime>("instant", instant));
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<DocumentVersion>> VersionsAsync(IReadOnlyCollection<long> documentIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SelectVersions, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("documents", documentIds.ToArray()));
        var versions = new List<DocumentVersion>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(new DocumentVersion(reader.GetInt64(0), reader.GetInt32(1)));
        }
        return versions;
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
            await using var command = new NpgsqlCommand(SelectSingleChunks, connection);
            command.Parameters.Add(new NpgsqlParameter<long[]>("documents", versions.Select(v => v.DocumentId).ToArray()));
            command.Parameters.Add(new NpgsqlParameter<int[]>("versions", versions.Select(v => v.Version).ToArray()));
            command.Parameters.Add(new NpgsqlParameter<long>("chunkSize", BlobStore.ChunkSize));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (documentId, number, size, data) = (reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetFieldValue<byte[]>(3));
                if (data.Length != size)
                {
                    throw new InvalidDataException($"The first chunk of document {documentId} version {number} holds {data.Length} of its {size} bytes.");
                }
                result[new DocumentVersion(documentId, number)] = data;
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
