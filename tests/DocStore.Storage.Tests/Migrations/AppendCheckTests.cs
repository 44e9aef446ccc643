using System.Security.Cryptography;
using Dapper;
using DocStore.Testing;
using Npgsql;
using Xunit;

namespace DocStore.Storage.Tests.Migrations;

/// <summary>
/// Migrations 0033 and 0034: the CHECK constraints of the rows a new mail writes (blob, blob_chunk,
/// document, version, entry) became domains and entry's BEFORE triggers, so no statement parses
/// them again; every value they refused is still refused, on INSERT and on UPDATE, with the same
/// error code, and readers get the columns in their old types.
/// </summary>
public sealed class AppendCheckTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task The_tables_a_new_mail_writes_have_no_check_constraint_left_to_compile_per_statement()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();

        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            """
            SELECT count(*) FROM pg_constraint
             WHERE conrelid IN ('blob'::regclass, 'blob_chunk'::regclass, 'document'::regclass, 'version'::regclass, 'entry'::regclass)
               AND contype = 'c'
            """));
    }

    [Theory]
    [InlineData("INSERT INTO blob (sha256, size) VALUES (substring(@hash FROM 1 FOR 31), 1)", "sha256_digest_check")]
    [InlineData("INSERT INTO blob (sha256, size) VALUES (@hash || '\\x00'::bytea, 1)", "sha256_digest_check")]
    [InlineData("INSERT INTO blob (sha256, size) VALUES (@hash, -1)", "byte_count_check")]
    [InlineData("UPDATE blob SET size = -1 WHERE sha256 = @blob", "byte_count_check")]
    [InlineData("INSERT INTO blob_chunk (sha256, chunk_no, data) VALUES (@blob, -1, '\\x00')", "blob_chunk_chunk_no_check")]
    [InlineData("INSERT INTO blob_chunk (sha256, chunk_no, data) VALUES (@blob, 0, '\\x00'); UPDATE blob_chunk SET chunk_no = -1 WHERE sha256 = @blob", "blob_chunk_chunk_no_check")]
    [InlineData("INSERT INTO document (kind, title) VALUES ('note', 't')", "document_kind_check")]
    [InlineData("UPDATE document SET kind = 'note' WHERE id = @document", "document_kind_check")]
    [InlineData("INSERT INTO version (document_id, number, sha256, size, media_type) VALUES (@document, 0, @blob, 16, 'text/plain')", "version_number_check")]
    [InlineData("INSERT INTO version (document_id, number, sha256, size, media_type) VALUES (@document, 2, @blob, -1, 'text/plain')", "byte_count_check")]
    [InlineData("INSERT INTO version (document_id, number, sha256, size, media_type, file_size) VALUES (@document, 2, @blob, 16, 'text/plain', -1)", "byte_count_check")]
    [InlineData("INSERT INTO version (document_id, number, sha256, size, media_type, body_sha256) VALUES (@document, 2, @blob, 16, 'text/plain', '\\x0102')", "sha256_digest_check")]
    [InlineData("UPDATE version SET size = -1 WHERE document_id = @document", "byte_count_check")]
    [InlineData("UPDATE version SET body_sha256 = '\\x01' WHERE document_id = @document", "sha256_digest_check")]
    [InlineData("INSERT INTO entry (collection_id, document_id, version_number, internal_date_offset) VALUES (@collection, @document, 1, 1440)", "entry_internal_date_offset_check")]
    [InlineData("INSERT INTO entry (collection_id, document_id, version_number, internal_date_offset) VALUES (@collection, @document, 1, -1440)", "entry_internal_date_offset_check")]
    [InlineData("UPDATE entry SET internal_date_offset = 1440 WHERE collection_id = @collection", "entry_internal_date_offset_check")]
    public async Task A_value_a_check_constraint_refused_is_refused_with_its_error_code(string statement, string constraint)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var (collection, document, blob) = await NewFiledDocumentAsync(connection);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(statement,
            new { hash = SHA256.HashData(Guid.NewGuid().ToByteArray()), blob, document, collection }));

        Assert.Equal((PostgresErrorCodes.CheckViolation, constraint), (refused.SqlState, refused.ConstraintName));
    }

    [Fact]
    public async Task An_entry_gets_no_uid_above_the_32_bit_range_and_keeps_the_uid_it_has()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var (collection, document, _) = await NewFiledDocumentAsync(connection);
        await connection.ExecuteAsync("UPDATE collection SET uidnext = 4294967296 WHERE id = @collection", new { collection });

        var full = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO entry (collection_id, document_id, version_number) VALUES (@collection, @document, 1)", new { collection, document }));
        var moved = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "UPDATE entry SET uid = 0 WHERE collection_id = @collection", new { collection }));

        Assert.Equal((PostgresErrorCodes.CheckViolation, PostgresErrorCodes.CheckViolation), (full.SqlState, moved.SqlState));
        Assert.Equal(new long[] { 1 }, await connection.QueryAsync<long>("SELECT uid FROM entry WHERE collection_id = @collection", new { collection }));
    }

    [Fact]
    public async Task Values_at_the_bounds_are_accepted_and_read_back_in_the_columns_old_types()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var (collection, document, blob) = await NewFiledDocumentAsync(connection);
        await connection.ExecuteAsync(
            """
            INSERT INTO blob_chunk (sha256, chunk_no, data) VALUES (@blob, 0, '\x00');
            INSERT INTO version (document_id, number, sha256, size, media_type, file_size, body_sha256) VALUES (@document, 2, @blob, 0, 'text/plain', 0, @blob);
            UPDATE entry SET internal_date_offset = -1439 WHERE collection_id = @collection;
            INSERT INTO entry (collection_id, document_id, version_number, internal_date_offset) VALUES (@collection, @document, 2, 1439);
            """, new { blob, document, collection });

        await using var command = new NpgsqlCommand(
            """
            SELECT b.sha256, b.size, c.chunk_no, d.kind, v.number, v.size, v.file_size, v.body_sha256, e.internal_date_offset
              FROM blob b JOIN blob_chunk c ON c.sha256 = b.sha256 JOIN version v ON v.sha256 = b.sha256
              JOIN document d ON d.id = v.document_id JOIN entry e ON e.document_id = d.id AND e.version_number = v.number
             WHERE b.sha256 = @blob AND v.number = 2
            """, connection);
        command.Parameters.AddWithValue("blob", blob);
        await using var reader = await command.ExecuteReaderAsync();

        Assert.True(await reader.ReadAsync());
        Assert.Equal(
            ["bytea", "bigint", "integer", "text", "integer", "bigint", "bigint", "bytea", "smallint"],
            Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName));
        Assert.Equal(blob, reader.GetFieldValue<byte[]>(0));
        Assert.Equal(blob, reader.GetFieldValue<byte[]>(7));
        Assert.Equal((16L, 0, "mail", 2, 0L, 0L, (short)1439), (reader.GetInt64(1), reader.GetInt32(2), reader.GetString(3),
            reader.GetInt32(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt16(8)));
    }

    // A collection with one entry of a document whose first version is a 16-byte blob.
    private static async Task<(long Collection, long Document, byte[] Blob)> NewFiledDocumentAsync(NpgsqlConnection connection)
    {
        var collection = await SchemaInvariantTests.NewCollectionAsync(connection);
        var document = await SchemaInvariantTests.NewDocumentAsync(connection);
        var blob = await connection.ExecuteScalarAsync<byte[]>("SELECT sha256 FROM version WHERE document_id = @document", new { document });
        await connection.ExecuteAsync("INSERT INTO entry (collection_id, document_id, version_number) VALUES (@collection, @document, 1)", new { collection, document });
        return (collection, document, blob!);
    }
}
