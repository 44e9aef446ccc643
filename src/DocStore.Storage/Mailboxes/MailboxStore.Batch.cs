using System.Globalization;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Storage.Auditing;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

public sealed partial class MailboxStore
{
    // One round trip for the structures of a whole batch, one for the bytes of the single-chunk
    // blobs (nearly every mail) or of the first chunk when the header is all FETCH needs.
    // Each key is looked up by its primary key (LATERAL ... LIMIT 1; the key is unique, so the
    // limit changes no answer): a plain join lets the planner hash the whole table, which it
    // does for a batch of 500 keys once the table is only a few times larger than the batch,
    // and then every batch of a first sync reads every row of every mailbox.
    private const string SelectVersions = """
        SELECT v.document_id AS DocumentId, v.number AS Version, v.sha256 AS Sha256, v.size AS Size, v.structure::text AS Structure
          FROM unnest(@documents, @versions) AS k(document_id, number)
          CROSS JOIN LATERAL (SELECT * FROM version v WHERE v.document_id = k.document_id AND v.number = k.number LIMIT 1) v
        """;

    private const string SelectFirstChunks = """
        SELECT k.sha256 AS Sha256, CASE WHEN k.length < 0 THEN c.data ELSE substring(c.data FROM 1 FOR k.length) END AS Data
          FROM unnest(@hashes, @lengths) AS k(sha256, length)
          CROSS JOIN LATERAL (SELECT c.data FROM blob_chunk c WHERE c.sha256 = k.sha256 AND c.chunk_no = 0 LIMIT 1) c
        """;

    // The header block and the top-level offsets filed beside it (migration 0015), in one round
    // trip: a first sync's header FETCH touches neither the blob nor the stored structure, and
    // after a restart reads about a kilobyte per message from disk instead of the message.
    private const string SelectHeaders = """
        SELECT h.document_id AS DocumentId, h.number AS Version, h.header_offset AS HeaderOffset, h.body_offset AS BodyOffset,
               h.end_offset AS EndOffset, h.header AS Data
          FROM unnest(@documents, @versions) AS k(document_id, number)
          CROSS JOIN LATERAL (SELECT * FROM version_header h WHERE h.document_id = k.document_id AND h.number = k.number LIMIT 1) h
        """;

    // The same rows for a batch of documents whose ids lie close together, as a first sync's
    // batches do (a mailbox's mails are filed in order): one scan of a primary-key range instead
    // of one index descent per key, which cost PostgreSQL about as much CPU as the whole FETCH
    // cost the server. Rows of documents the batch does not name are skipped on reading.
    private const string SelectHeaderRange = """
        SELECT h.document_id AS DocumentId, h.number AS Version, h.header_offset AS HeaderOffset, h.body_offset AS BodyOffset,
               h.end_offset AS EndOffset, h.header AS Data
          FROM version_header h
         WHERE h.document_id BETWEEN @low AND @high
        """;

    // A range read when the range holds at most this many documents per key asked for.
    private const int DenseRangeFactor = 2;

    // All bytes and the top-level offsets, straight from the jsonb, in one round trip: a first
    // sync's FETCH decodes no stored structure. Versions without a structure or larger than the
    // first chunk are left to the general read.
    private const string SelectBytesWithOffsets = """
        SELECT v.document_id AS DocumentId, v.number AS Version,
               (v.structure->'body'->>'headerOffset')::bigint AS HeaderOffset, (v.structure->'body'->>'bodyOffset')::bigint AS BodyOffset,
               (v.structure->'body'->>'endOffset')::bigint AS EndOffset,
               c.data AS Data
          FROM unnest(@documents, @versions) AS k(document_id, number)
          CROSS JOIN LATERAL (SELECT * FROM version v WHERE v.document_id = k.document_id AND v.number = k.number LIMIT 1) v
          CROSS JOIN LATERAL (SELECT c.data FROM blob_chunk c WHERE c.sha256 = v.sha256 AND c.chunk_no = 0 LIMIT 1) c
         WHERE v.structure IS NOT NULL
           AND v.size <= @chunkSize
        """;

    public async Task<IReadOnlyDictionary<MessageKey, StoredMessage>> ReadManyAsync(IReadOnlyCollection<MessageKey> keys, ContentNeeded needed, CancellationToken cancellationToken)
    {
        var result = new Dictionary<MessageKey, StoredMessage>(keys.Count);
        if (keys.Count == 0)
        {
            return result;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (needed is ContentNeeded.HeaderBytes or ContentNeeded.MessageBytes)
        {
            var headerOnly = needed == ContentNeeded.HeaderBytes;
            var documents = new long[keys.Count];
            var versions = new int[keys.Count];
            var at = 0;
            long low = long.MaxValue, high = long.MinValue;
            foreach (var key in keys)
            {
                documents[at] = key.DocumentId;
                versions[at++] = key.Version;
                low = Math.Min(low, key.DocumentId);
                high = Math.Max(high, key.DocumentId);
            }
            var range = headerOnly && (ulong)(high - low) < (ulong)keys.Count * DenseRangeFactor;
            var wanted = range ? keys as IReadOnlySet<MessageKey> ?? keys.ToHashSet() : null;
            // Read by hand rather than by Dapper (see ReadSummary): no reader compiled per query
            // text after a restart, and no boxing of each column.
            await using (var command = new NpgsqlCommand(range ? SelectHeaderRange : headerOnly ? SelectHeaders : SelectBytesWithOffsets, connection))
            {
                if (range)
                {
                    command.Parameters.Add(new NpgsqlParameter<long>("low", low));
                    command.Parameters.Add(new NpgsqlParameter<long>("high", high));
                }
                else
                {
                    command.Parameters.Add(new NpgsqlParameter<long[]>("documents", documents));
                    command.Parameters.Add(new NpgsqlParameter<int[]>("versions", versions));
                }
                if (!headerOnly)
                {
                    command.Parameters.Add(new NpgsqlParameter<long>("chunkSize", BlobStore.ChunkSize));
                }
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var key = new MessageKey(reader.GetInt64(0), reader.GetInt32(1));
                    if (wanted is not null && !wanted.Contains(key))
                    {
                        continue;
                    }
                    var top = new BodyPart { Type = "text", Subtype = "plain", HeaderOffset = reader.GetInt64(2), BodyOffset = reader.GetInt64(3), EndOffset = reader.GetInt64(4) };
                    result[key] = new StoredMessage(reader.GetFieldValue<byte[]>(5), new MessageStructure(Envelope.Empty, top));
                }
            }
            if (result.Count == keys.Count)
            {
                return result;
            }
            await connection.CloseAsync();
            var rest = await ReadManyAsync(keys.Where(k => !result.ContainsKey(k)).ToList(), headerOnly ? ContentNeeded.Header : ContentNeeded.Full, cancellationToken);
            foreach (var (key, message) in rest)
            {
                result[key] = message;
            }
            return result;
        }
        var rows = (await connection.QueryAsync<BatchVersionRow>(new CommandDefinition(SelectVersions,
            new { documents = keys.Select(k => k.DocumentId).ToArray(), versions = keys.Select(k => k.Version).ToArray() },
            cancellationToken: cancellationToken))).ToList();

        var analyzed = new Dictionary<MessageKey, (BatchVersionRow Row, MessageStructure? Structure)>(rows.Count);
        foreach (var row in rows)
        {
            analyzed[new MessageKey(row.DocumentId, row.Version)] = (row, row.Structure is null ? null : MessageStructureJson.Deserialize(row.Structure));
        }

        if (needed == ContentNeeded.Structure)
        {
            // A version filed without a structure must be read and analysed: it goes the long way.
            foreach (var (key, (_, structure)) in analyzed.Where(a => a.Value.Structure is not null))
            {
                result[key] = new StoredMessage(ReadOnlyMemory<byte>.Empty, structure!);
            }
        }

        var pending = analyzed.Where(a => !result.ContainsKey(a.Key)).ToList();
        var small = pending.Where(a => a.Value.Structure is { } structure
            && (a.Value.Row.Size <= BlobStore.ChunkSize || (needed == ContentNeeded.Header && structure.BodyOffset <= BlobStore.ChunkSize))).ToList();
        if (small.Count > 0)
        {
            var lengths = small.Select(a => needed == ContentNeeded.Header ? checked((int)a.Value.Structure!.BodyOffset) : -1).ToArray();
            var chunks = await connection.QueryAsync<ChunkRow>(new CommandDefinition(SelectFirstChunks,
                new { hashes = small.Select(a => a.Value.Row.Sha256).ToArray(), lengths }, cancellationToken: cancellationToken));
            var byHash = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var chunk in chunks)
            {
                byHash[Convert.ToHexString(chunk.Sha256)] = chunk.Data;
            }
            foreach (var (key, (row, structure)) in small)
            {
                if (byHash.TryGetValue(Convert.ToHexString(row.Sha256), out var data))
                {
                    result[key] = new StoredMessage(data, structure!);
                }
            }
        }

        // Large blobs and versions without a stored structure: whole, one by one, as ReadAsync does.
        foreach (var (key, (row, structure)) in pending.Where(a => !result.ContainsKey(a.Key)))
        {
            var bytes = await BlobStore.ReadAsync(connection, row.Sha256, row.Size, cancellationToken);
            result[key] = new StoredMessage(bytes, structure ?? MessageAnalyzer.Analyze(bytes));
        }
        return result;
    }

    private const string SelectEmailIds = "SELECT id, object_id FROM document WHERE id = ANY(@documents)";

    private const string SelectDocumentsByEmailId = "SELECT object_id, id FROM document WHERE object_id = ANY(@emailIds)";

    public async Task<IReadOnlyDictionary<long, Guid>> EmailIdsAsync(IReadOnlyCollection<long> documentIds, CancellationToken cancellationToken) =>
        await ReadPairsAsync<long, long, Guid>(SelectEmailIds, "documents", documentIds, cancellationToken);

    public async Task<IReadOnlyDictionary<Guid, long>> DocumentsByEmailIdAsync(IReadOnlyCollection<Guid> emailIds, CancellationToken cancellationToken) =>
        await ReadPairsAsync<Guid, Guid, long>(SelectDocumentsByEmailId, "emailIds", emailIds, cancellationToken);

    /// <summary>The two columns of <paramref name="sql"/>'s rows as a map, for an array parameter of the given values (no round trip for none).</summary>
    private async Task<Dictionary<TKey, TValue>> ReadPairsAsync<TParameter, TKey, TValue>(string sql, string parameter, IReadOnlyCollection<TParameter> values, CancellationToken cancellationToken)
        where TKey : notnull
    {
        var result = new Dictionary<TKey, TValue>(values.Count);
        if (values.Count == 0)
        {
            return result;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<TParameter[]>(parameter, [.. values]));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[reader.GetFieldValue<TKey>(0)] = reader.GetFieldValue<TValue>(1);
        }
        return result;
    }

    public async Task RecordDownloadAsync(long mailboxId, IReadOnlyCollection<long> documentIds, Actor actor, CancellationToken cancellationToken)
    {
        if (documentIds.Count == 0)
        {
            return;
        }
        var listed = documentIds.Take(IMailboxStore.MaxAuditedDownloadIds).Select(d => d.ToString(CultureInfo.InvariantCulture));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await AuditLog.RecordAsync(connection, null, new AuditRecord(actor, MailboxAuditActions.Download, mailboxId, documentIds.Count == 1 ? documentIds.First() : null,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["via"] = "imap-fetch",
                ["messages"] = documentIds.Count.ToString(CultureInfo.InvariantCulture),
                ["documents"] = string.Join(',', listed),
                ["complete"] = documentIds.Count <= IMailboxStore.MaxAuditedDownloadIds ? "true" : "false",
            }), cancellationToken);
    }

    private sealed record BatchVersionRow(long DocumentId, int Version, byte[] Sha256, long Size, string? Structure);

    private sealed record ChunkRow(byte[] Sha256, byte[] Data);
}
