using System.Security.Cryptography;
using Dapper;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Npgsql;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Migrations;

/// <summary>
/// Migration 0030 replaced entry's foreign keys to collection and version by the checks of
/// entry's own triggers (insert side) and triggers on collection and version (delete side): an
/// entry still cannot name a collection or version that is not there, and neither can be deleted
/// under an entry, also when the two meet on two connections (each test waits until PostgreSQL
/// shows the second one queued; nothing depends on timing). file_mail still leaves the document
/// -> current version check deferred for what its caller writes afterwards.
/// </summary>
public sealed class EntryReferenceTests : IClassFixture<MigratedDatabase>
{
    private const string InsertEntry = "INSERT INTO entry (collection_id, document_id, version_number) VALUES (@collection, @document, @version)";
    private readonly MigratedDatabase database;

    public EntryReferenceTests(MigratedDatabase database) => this.database = database;

    [Fact]
    public async Task An_entry_needs_its_collection()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var document = await SchemaInvariantTests.NewDocumentAsync(connection);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(InsertEntry, new { collection = -1L, document, version = 1 }));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
    }

    [Fact]
    public async Task An_entry_cannot_move_to_a_version_that_is_not_there()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var collection = await SchemaInvariantTests.NewCollectionAsync(connection);
        var document = await SchemaInvariantTests.NewDocumentAsync(connection);
        await connection.ExecuteAsync(InsertEntry, new { collection, document, version = 1 });

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "UPDATE entry SET version_number = 2 WHERE collection_id = @collection", new { collection }));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
        Assert.Equal(16, await connection.ExecuteScalarAsync<long>("SELECT size FROM entry WHERE collection_id = @collection", new { collection }));
    }

    [Fact]
    public async Task A_collection_with_entries_cannot_be_deleted_and_can_once_they_are_gone()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var collection = await SchemaInvariantTests.NewCollectionAsync(connection);
        var document = await SchemaInvariantTests.NewDocumentAsync(connection);
        await connection.ExecuteAsync(InsertEntry, new { collection, document, version = 1 });

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("DELETE FROM collection WHERE id = @collection", new { collection }));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
        await connection.ExecuteAsync("DELETE FROM entry WHERE collection_id = @collection", new { collection });
        Assert.Equal(1, await connection.ExecuteAsync("DELETE FROM collection WHERE id = @collection", new { collection }));
    }

    [Fact]
    public async Task A_version_with_entries_cannot_be_deleted()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var collection = await SchemaInvariantTests.NewCollectionAsync(connection);
        var document = await SchemaInvariantTests.NewDocumentAsync(connection);
        await connection.ExecuteAsync(InsertEntry, new { collection, document, version = 1 });

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "WITH v AS (DELETE FROM version WHERE document_id = @document) DELETE FROM document WHERE id = @document", new { document }));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
    }

    [Fact]
    public async Task A_collection_deleted_while_an_entry_is_filed_into_it_waits_and_is_refused()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var collection = await SchemaInvariantTests.NewCollectionAsync(connection);
        var document = await SchemaInvariantTests.NewDocumentAsync(connection);
        await using var filer = await database.DataSource.OpenConnectionAsync();
        await using var filing = await filer.BeginTransactionAsync();
        await filer.ExecuteAsync(InsertEntry, new { collection, document, version = 1 }, filing);

        var delete = DeleteAsync("DELETE FROM collection WHERE id = @id", collection);
        await WaitUntilBlockedByAsync(filer, delete);
        await filing.CommitAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => delete);
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM entry WHERE collection_id = @collection", new { collection }));
    }

    [Fact]
    public async Task An_entry_filed_into_a_collection_being_deleted_waits_and_is_refused()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var collection = await SchemaInvariantTests.NewCollectionAsync(connection);
        var document = await SchemaInvariantTests.NewDocumentAsync(connection);
        await using var deleter = await database.DataSource.OpenConnectionAsync();
        await using var deleting = await deleter.BeginTransactionAsync();
        await deleter.ExecuteAsync("DELETE FROM collection WHERE id = @collection", new { collection }, deleting);

        var insert = InsertAsync(collection, document);
        await WaitUntilBlockedByAsync(deleter, insert);
        await deleting.CommitAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => insert);
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
    }

    [Fact]
    public async Task A_version_deleted_while_an_entry_of_it_is_filed_waits_and_is_refused()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var collection = await SchemaInvariantTests.NewCollectionAsync(connection);
        var document = await SchemaInvariantTests.NewDocumentAsync(connection);
        await using var filer = await database.DataSource.OpenConnectionAsync();
        await using var filing = await filer.BeginTransactionAsync();
        await filer.ExecuteAsync(InsertEntry, new { collection, document, version = 1 }, filing);

        var delete = DeleteAsync("WITH v AS (DELETE FROM version WHERE document_id = @id) DELETE FROM document WHERE id = @id", document);
        await WaitUntilBlockedByAsync(filer, delete);
        await filing.CommitAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => delete);
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM version WHERE document_id = @document", new { document }));
    }

    [Fact]
    public async Task File_mail_leaves_the_current_version_check_deferred_for_what_its_caller_writes_after_it()
    {
        var store = new MailboxStore(database.DataSource);
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Deferred");
        var bytes = Message("deferred");
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var uid = await connection.ExecuteScalarAsync<long>("""
            SELECT o_uid FROM file_mail(@collection, @user, @user, 'tester', NULL, 'storage-tests', @sha256, @size, @data,
                   NULL, NULL, 'deferred', '{"body": {"headerOffset": 0, "bodyOffset": 0, "endOffset": 0}}'::jsonb,
                   false, false, false, false, false, '{}'::text[], now(), 0::smallint,
                   '{}'::bytea[], '{}'::bigint[], '{}'::bytea[], '{}'::text[], '{}'::text[], interval '1 day')
            """, new { collection = mailbox.Id, user = user.Id, sha256 = SHA256.HashData(bytes), size = (long)bytes.Length, data = bytes }, transaction);
        // A document without its version: refused at the commit, not here.
        await connection.ExecuteAsync("INSERT INTO document (kind, title) VALUES ('file', 'no version yet')", transaction: transaction);

        Assert.Equal(1, uid);
        var error = await Assert.ThrowsAsync<PostgresException>(() => transaction.CommitAsync());
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
    }

    private async Task DeleteAsync(string sql, long id)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, new { id });
    }

    private async Task InsertAsync(long collection, long document)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(InsertEntry, new { collection, document, version = 1 });
    }

    /// <summary>Until PostgreSQL shows a backend waiting for <paramref name="holder"/>'s locks (or the task ended early).</summary>
    private async Task WaitUntilBlockedByAsync(NpgsqlConnection holder, Task waiter)
    {
        await using var observer = await database.DataSource.OpenConnectionAsync();
        while (!waiter.IsCompleted && await observer.ExecuteScalarAsync<long>(
                   "SELECT count(*) FROM pg_stat_activity WHERE @holder = ANY(pg_blocking_pids(pid))", new { holder = holder.ProcessID }) == 0)
        {
            await Task.Delay(10);
        }
    }
}
