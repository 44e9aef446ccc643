using System.Security.Cryptography;
using Dapper;
using DocStore.Core.Search;
using Npgsql;
using NpgsqlTypes;

namespace DocStore.Storage.Maintenance;

/// <summary>
/// <c>docstore check</c>: the invariants PostgreSQL cannot hold by itself, each found problem one
/// sentence. Every blob is re-hashed, so it reads every stored byte once.
/// </summary>
public static class ConsistencyCheck
{
    // Each query yields one problem per row, already phrased.
    private static readonly string[] Queries =
    [
        """
        SELECT format('entry %s/%s: its version %s of document %s is missing', e.collection_id, e.uid, e.version_number, e.document_id)
          FROM entry e LEFT JOIN version v ON v.document_id = e.document_id AND v.number = e.version_number WHERE v.document_id IS NULL
        """,
        """
        SELECT format('version %s of document %s: its blob %s is missing', v.number, v.document_id, encode(v.sha256, 'hex'))
          FROM version v LEFT JOIN blob b ON b.sha256 = v.sha256 WHERE b.sha256 IS NULL
        """,
        """
        SELECT format('version %s of document %s: the file blob %s is missing', v.number, v.document_id, encode(v.file_sha256, 'hex'))
          FROM version v LEFT JOIN blob b ON b.sha256 = v.file_sha256 WHERE v.file_sha256 IS NOT NULL AND b.sha256 IS NULL
        """,
        """
        SELECT format('document %s: its current version %s is missing', d.id, d.current_version)
          FROM document d LEFT JOIN version v ON v.document_id = d.id AND v.number = d.current_version WHERE v.document_id IS NULL
        """,
        """
        SELECT format('entry %s/%s: UID is not below the collection''s UIDNEXT %s', e.collection_id, e.uid, c.uidnext)
          FROM entry e JOIN collection c ON c.id = e.collection_id WHERE e.uid >= c.uidnext
        """,
        """
        SELECT format('entry %s/%s: modseq %s is above the collection''s HIGHESTMODSEQ %s', e.collection_id, e.uid, e.modseq, c.highestmodseq)
          FROM entry e JOIN collection c ON c.id = e.collection_id WHERE e.modseq > c.highestmodseq
        """,
        """
        SELECT format('tombstone %s/%s: UID is not below the collection''s UIDNEXT %s', x.collection_id, x.uid, c.uidnext)
          FROM expunged_entry x JOIN collection c ON c.id = x.collection_id WHERE x.uid >= c.uidnext
        """,
        """
        SELECT format('collection %s: UID %s is both a message and a tombstone', x.collection_id, x.uid)
          FROM expunged_entry x JOIN entry e ON e.collection_id = x.collection_id AND e.uid = x.uid
        """,
        """
        SELECT format('document %s is in no collection and not in the trash: lost', d.id)
          FROM document d
         WHERE d.trashed_at IS NULL AND d.parent_document_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM entry e WHERE e.document_id = d.id)
        """,
        """
        SELECT format('document %s is in the trash but still in collection %s', d.id, e.collection_id)
          FROM document d JOIN entry e ON e.document_id = d.id WHERE d.trashed_at IS NOT NULL
        """,
        """
        SELECT format('blob %s: its chunks hold %s bytes, not its %s', encode(b.sha256, 'hex'), COALESCE(sum(length(c.data)), 0), b.size)
          FROM blob b LEFT JOIN blob_chunk c ON c.sha256 = b.sha256
         GROUP BY b.sha256, b.size HAVING COALESCE(sum(length(c.data)), 0) <> b.size
        """,
    ];

    /// <summary>Runs every check; <paramref name="progress"/> hears (blobs hashed, blobs in all).</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(NpgsqlDataSource dataSource, IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var query in Queries)
        {
            problems.AddRange(await connection.QueryAsync<string>(new CommandDefinition(query, cancellationToken: cancellationToken)));
        }
        problems.AddRange(await RehashAsync(dataSource, progress, cancellationToken));
        return problems;
    }

    // The versions the index should hold (a mail's attachments are indexed with the mail, not on
    // their own: SearchFeed), and per document the last change the indexer has to read for it.
    private const string SelectIndexable = """
        SELECT v.document_id AS DocumentId, v.number AS Version FROM version v JOIN document d ON d.id = v.document_id
         WHERE d.parent_document_id IS NULL
        """;

    private const string SelectLastChanges = "SELECT document_id AS DocumentId, max(seq) AS Seq FROM change WHERE document_id IS NOT NULL GROUP BY document_id";

    /// <summary>
    /// Compares the committed index (its high-water <paramref name="mark"/> and the versions it
    /// holds, read before this call) with the database. The indexer lags by design: a version or
    /// a purge whose document has a change past the mark is not due yet, and is counted in
    /// <c>Pending</c> rather than reported.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Problems, int Pending)> CheckIndexAsync(NpgsqlDataSource dataSource, long mark,
        IReadOnlySet<DocumentVersion> indexed, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var stored = (await connection.QueryAsync<(long DocumentId, int Version)>(new CommandDefinition(SelectIndexable, cancellationToken: cancellationToken)))
            .Select(r => new DocumentVersion(r.DocumentId, r.Version)).ToHashSet();
        var lastChange = (await connection.QueryAsync<(long DocumentId, long Seq)>(new CommandDefinition(SelectLastChanges, cancellationToken: cancellationToken)))
            .ToDictionary(r => r.DocumentId, r => r.Seq);
        var problems = new List<string>();
        var pending = 0;
        foreach (var version in stored.Where(v => !indexed.Contains(v)).OrderBy(v => v.DocumentId).ThenBy(v => v.Version))
        {
            if (lastChange.GetValueOrDefault(version.DocumentId) > mark)
            {
                pending++;
                continue;
            }
            problems.Add($"version {version.Version} of document {version.DocumentId} is not in the search index (its last change is below the index's mark {mark})");
        }
        foreach (var version in indexed.Where(v => !stored.Contains(v)).OrderBy(v => v.DocumentId).ThenBy(v => v.Version))
        {
            if (lastChange.GetValueOrDefault(version.DocumentId) > mark)
            {
                pending++;
                continue;
            }
            problems.Add($"the search index holds version {version.Version} of document {version.DocumentId}, which does not exist");
        }
        return (problems, pending);
    }

    /// <summary>Every blob hashes to its key: chunks streamed in order, one at a time.</summary>
    private static async Task<List<string>> RehashAsync(NpgsqlDataSource dataSource, IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        await using var list = await dataSource.OpenConnectionAsync(cancellationToken);
        var total = await list.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM blob", cancellationToken: cancellationToken));
        var keys = await list.QueryAsync<byte[]>(new CommandDefinition("SELECT sha256 FROM blob ORDER BY sha256", cancellationToken: cancellationToken));
        await using var read = await dataSource.OpenConnectionAsync(cancellationToken);
        long done = 0;
        foreach (var key in keys)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var command = new NpgsqlCommand("SELECT data FROM blob_chunk WHERE sha256 = $1 ORDER BY chunk_no", read))
            {
                command.Parameters.Add(new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = key });
                await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    hash.AppendData(await reader.GetFieldValueAsync<byte[]>(0, cancellationToken));
                }
            }
            var actual = hash.GetHashAndReset();
            if (!actual.AsSpan().SequenceEqual(key))
            {
                problems.Add($"blob {Convert.ToHexStringLower(key)}: its bytes hash to {Convert.ToHexStringLower(actual)}");
            }
            progress?.Report((++done, total));
        }
        return problems;
    }
}
