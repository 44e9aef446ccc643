using System.Buffers;
using System.Security.Cryptography;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace DocStore.Storage.Mailboxes;

/// <summary>
/// Content-addressed bytes in <c>blob</c> and <c>blob_chunk</c>: stored once per SHA-256, in
/// chunks of <see cref="ChunkSize"/>, written from and read into a buffer of one chunk or the
/// caller's result, never a second whole copy.
/// </summary>
internal static class BlobStore
{
    public const int ChunkSize = 1024 * 1024;

    private const string InsertBlob = """
        INSERT INTO blob (sha256, size) VALUES (@sha256, @size)
        ON CONFLICT (sha256) DO NOTHING
        RETURNING true
        """;

    private const string InsertChunk = "INSERT INTO blob_chunk (sha256, chunk_no, data) VALUES ($1, $2, $3)";

    private const string SelectChunks = "SELECT data FROM blob_chunk WHERE sha256 = $1 ORDER BY chunk_no";

    /// <summary>
    /// The largest content kept in memory rather than spooled to a file: it is filed as one chunk
    /// passed with the statement that files it (one round trip; see migration 0012).
    /// </summary>
    public const int InMemoryLimit = 256 * 1024;

    /// <summary>
    /// Hashes <paramref name="source"/> and keeps it: in memory when it is seekable and at most
    /// <see cref="InMemoryLimit"/> bytes are left in it, otherwise in a file under the temp folder
    /// that only this user can read and that disappears when closed.
    /// </summary>
    public static async Task<SpooledBlob> SpoolAsync(Stream source, CancellationToken cancellationToken)
    {
        if (source.CanSeek && source.Length - source.Position <= InMemoryLimit)
        {
            // An APPEND literal the session read into an array of exactly its size is hashed and
            // filed from that array, not a second copy of it (issue #3: one 16 KB copy and
            // allocation less per APPEND). Only the whole array is taken, so Bytes is the content.
            byte[] bytes;
            if (source is MemoryStream { Position: 0 } memory && memory.TryGetBuffer(out var whole)
                && whole.Offset == 0 && whole.Count == whole.Array!.Length)
            {
                bytes = whole.Array;
            }
            else
            {
                bytes = new byte[source.Length - source.Position];
                await source.ReadExactlyAsync(bytes, cancellationToken);
            }
            return new SpooledBlob(new MemoryStream(bytes, writable: false), SHA256.HashData(bytes), bytes);
        }

        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var file = new FileStream(Path.Combine(Path.GetTempPath(), "docstore-append-" + Guid.NewGuid().ToString("N")), options);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            await file.FlushAsync(cancellationToken);
            file.Position = 0;
            return new SpooledBlob(file, hash.GetHashAndReset(), null);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Stores the blob unless a blob with its hash exists; chunks are written only by the insert that made the row.</summary>
    public static async Task StoreAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SpooledBlob blob, CancellationToken cancellationToken)
    {
        var inserted = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            InsertBlob, new { sha256 = blob.Sha256, size = blob.Size }, transaction, cancellationToken: cancellationToken));
        if (inserted)
        {
            await WriteChunksAsync(connection, transaction, blob, cancellationToken);
        }
    }

    /// <summary>Writes the chunks of a blob whose row this transaction has just inserted, one chunk in memory at a time.</summary>
    public static async Task WriteChunksAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SpooledBlob blob, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(InsertChunk, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = blob.Sha256 });
        var number = new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer };
        var data = new NpgsqlParameter<ReadOnlyMemory<byte>> { NpgsqlDbType = NpgsqlDbType.Bytea };
        command.Parameters.Add(number);
        command.Parameters.Add(data);

        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            blob.File.Position = 0;
            for (var chunk = 0; ; chunk++)
            {
                var read = await blob.File.ReadAtLeastAsync(buffer.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false, cancellationToken);
                if (read == 0)
                {
                    break;
                }
                number.TypedValue = chunk;
                data.TypedValue = buffer.AsMemory(0, read);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The blob's bytes, exactly <paramref name="size"/> of them; a blob whose chunks do not add up
    /// is damaged and reported as such rather than returned short.
    /// </summary>
    public static async Task<byte[]> ReadAsync(NpgsqlConnection connection, byte[] sha256, long size, CancellationToken cancellationToken)
    {
        if (size > Array.MaxLength)
        {
            throw new InvalidDataException($"A blob of {size} bytes does not fit one buffer.");
        }

        var bytes = new byte[size];
        var offset = 0;
        await using var command = new NpgsqlCommand(SelectChunks, connection);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = sha256 });
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            await using var chunk = await reader.GetStreamAsync(0, cancellationToken);
            var length = chunk.Length;
            if (length > bytes.Length - offset)
            {
                throw new InvalidDataException($"The chunks of blob {Convert.ToHexString(sha256)} hold more than its {size} bytes.");
            }
            await chunk.ReadExactlyAsync(bytes.AsMemory(offset, (int)length), cancellationToken);
            offset += (int)length;
        }
        if (offset != size)
        {
            throw new InvalidDataException($"The chunks of blob {Convert.ToHexString(sha256)} hold {offset} of its {size} bytes.");
        }
        return bytes;
    }
}

/// <summary>
/// Content spooled to a temporary file, or held in memory when small, with its SHA-256;
/// disposing deletes the file.
/// </summary>
internal sealed class SpooledBlob(Stream file, byte[] sha256, byte[]? bytes) : IAsyncDisposable
{
    /// <summary>The content, seekable: the temporary file, or a stream over <see cref="Bytes"/>.</summary>
    public Stream File { get; } = file;

    public byte[] Sha256 { get; } = sha256;

    /// <summary>The whole content when it is held in memory; null when it is in a file.</summary>
    public byte[]? Bytes { get; } = bytes;

    public long Size => File.Length;

    public ValueTask DisposeAsync() => File.DisposeAsync();
}
