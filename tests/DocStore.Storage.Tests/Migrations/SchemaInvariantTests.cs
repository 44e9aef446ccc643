using Dapper;
using DocStore.Testing;
using Npgsql;
using Xunit;

namespace DocStore.Storage.Tests.Migrations;

/// <summary>The invariants the schema itself protects, whatever the code above it does.</summary>
public sealed class SchemaInvariantTests : IClassFixture<MigratedDatabase>
{
    private readonly MigratedDatabase database;

    public SchemaInvariantTests(MigratedDatabase database) => this.database = database;

    [Fact]
    public async Task Uids_are_assigned_by_the_database_strictly_increasing_per_collection()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var collection = await NewCollectionAsync(connection);
        var document = await NewDocumentAsync(connection);

        var uids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            // The UID the caller asks for is ignored: the collection's uidnext decides.
            uids.Add(await connection.ExecuteScalarAsync<long>(
                "INSERT INTO entry (collection_id, uid, document_id, version_number) VALUES (@collection, 999, @document, 1) RETURNING uid",
                new { collection, document }));
        }

        Assert.Equal(new long[] { 1, 2, 3 }, uids);
        var (uidnext, modseq) = await connection.QuerySingleAsync<(long, long)>("SELECT uidnext, highestmodseq FROM collection WHERE id = @collection", new { collection });
        Assert.Equal(4, uidnext);
        Assert.Equal(4, modseq);
    }

    [Fact]
    public async Task An_entry_cannot_change_its_uid_and_uidnext_cannot_go_back()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var collection = await NewCollectionAsync(connection);
        var document = await NewDocumentAsync(connection);
        await connection.ExecuteAsync("INSERT INTO entry (collection_id, uid, document_id, version_number) VALUES (@collection, 1, @document, 1)", new { collection, document });

        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("UPDATE entry SET uid = 7 WHERE collection_id = @collection", new { collection }));
        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("UPDATE collection SET uidnext = 1 WHERE id = @collection", new { collection }));
        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("UPDATE collection SET uidvalidity = uidvalidity + 1 WHERE id = @collection", new { collection }));
    }

    [Fact]
    public async Task A_collection_recreated_under_the_same_name_gets_a_larger_uidvalidity()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var name = "Projects-" + Guid.NewGuid().ToString("N")[..8];
        var first = await connection.ExecuteScalarAsync<long>("INSERT INTO collection (name) VALUES (@name) RETURNING uidvalidity", new { name });
        await connection.ExecuteAsync("DELETE FROM collection WHERE name = @name", new { name });
        var second = await connection.ExecuteScalarAsync<long>("INSERT INTO collection (name) VALUES (@name) RETURNING uidvalidity", new { name });

        Assert.True(second > first, $"uidvalidity {second} should be larger than {first}");
    }

    [Fact]
    public async Task Sibling_collections_cannot_share_a_name()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var name = "Dup-" + Guid.NewGuid().ToString("N")[..8];
        await connection.ExecuteAsync("INSERT INTO collection (name) VALUES (@name)", new { name });

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("INSERT INTO collection (name) VALUES (@name)", new { name }));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
    }

    [Fact]
    public async Task An_entry_needs_its_document_and_version()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var collection = await NewCollectionAsync(connection);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO entry (collection_id, uid, document_id, version_number) VALUES (@collection, 1, -1, 1)", new { collection }));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
    }

    [Fact]
    public async Task A_document_without_its_current_version_cannot_commit()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("INSERT INTO document (kind, title) VALUES ('file', 'orphan')"));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
    }

    [Fact]
    public async Task A_blob_is_stored_once_per_sha256()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var hash = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await connection.ExecuteAsync("INSERT INTO blob (sha256, size) VALUES (@hash, 1)", new { hash });

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("INSERT INTO blob (sha256, size) VALUES (@hash, 1)", new { hash }));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("INSERT INTO blob (sha256, size) VALUES (@short, 1)", new { @short = new byte[5] }));
    }

    [Fact]
    public async Task The_audit_trail_cannot_be_changed_or_deleted()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var id = await connection.ExecuteScalarAsync<long>("INSERT INTO audit (action) VALUES ('test') RETURNING id");

        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("UPDATE audit SET action = 'forged' WHERE id = @id", new { id }));
        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("DELETE FROM audit WHERE id = @id", new { id }));
        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("TRUNCATE audit"));
        Assert.Equal("test", await connection.ExecuteScalarAsync<string>("SELECT action FROM audit WHERE id = @id", new { id }));
    }

    [Theory]
    [InlineData("Invoice")]
    [InlineData("$Forwarded")]
    [InlineData("Projekt-2026")]
    public async Task Tags_that_are_imap_atoms_are_accepted(string tag)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var document = await NewDocumentAsync(connection);

        await connection.ExecuteAsync("INSERT INTO document_tag (document_id, tag) VALUES (@document, @tag)", new { document, tag });

        Assert.Equal(tag, await connection.ExecuteScalarAsync<string>("SELECT tag FROM document_tag WHERE document_id = @document", new { document }));
    }

    [Theory]
    [InlineData("two words")]
    [InlineData("paren(")]
    [InlineData("quote\"")]
    [InlineData("back\\slash")]
    [InlineData("Ümlaut")]
    [InlineData("")]
    public async Task Tags_that_are_not_imap_atoms_are_refused(string tag)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var document = await NewDocumentAsync(connection);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("INSERT INTO document_tag (document_id, tag) VALUES (@document, @tag)", new { document, tag }));

        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
    }

    internal static Task<long> NewCollectionAsync(NpgsqlConnection connection) =>
        connection.ExecuteScalarAsync<long>("INSERT INTO collection (name) VALUES (@name) RETURNING id", new { name = "c-" + Guid.NewGuid().ToString("N") });

    internal static async Task<long> NewDocumentAsync(NpgsqlConnection connection)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        var hash = System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray());
        await connection.ExecuteAsync("INSERT INTO blob (sha256, size) VALUES (@hash, 16)", new { hash }, transaction);
        var document = await connection.ExecuteScalarAsync<long>("INSERT INTO document (kind, title) VALUES ('mail', 't') RETURNING id", transaction: transaction);
        await connection.ExecuteAsync("INSERT INTO version (document_id, number, sha256, size, media_type) VALUES (@document, 1, @hash, 16, 'message/rfc822')", new { document, hash }, transaction);
        await transaction.CommitAsync();
        return document;
    }
}
