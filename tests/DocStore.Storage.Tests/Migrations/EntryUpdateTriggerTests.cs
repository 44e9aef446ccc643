using Dapper;
using DocStore.Testing;
using Npgsql;
using Xunit;

namespace DocStore.Storage.Tests.Migrations;

/// <summary>
/// Migration 0037: entry's UPDATE triggers lost the conditions PostgreSQL compiled per statement.
/// The statement trigger tests its condition in its function, the modseq trigger's condition only
/// compares modseq, and moving an entry is refused by a trigger on UPDATE OF collection_id, uid:
/// every move is still refused with the same error, and every writer gets the modseq it got.
/// </summary>
public sealed class EntryUpdateTriggerTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private const string MoveRefused = "an entry keeps its collection and UID; file a new entry instead";

    [Fact]
    public async Task Only_the_modseq_comparison_is_left_for_postgresql_to_compile_per_statement()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();

        var conditions = (await connection.QueryAsync<(string Name, string? Condition)>(
            """
            SELECT t.tgname, substring(pg_get_triggerdef(t.oid) FROM 'WHEN \((.*)\) EXECUTE')
              FROM pg_trigger t
             WHERE t.tgrelid = 'entry'::regclass AND NOT t.tgisinternal AND t.tgqual IS NOT NULL
            """)).ToArray();

        Assert.Equal([("entry_assign_modseq", "(new.modseq = old.modseq)")], conditions);
    }

    [Theory]
    [InlineData("uid = uid + 100")]
    [InlineData("uid = uid + 100, modseq = modseq + 1")]
    [InlineData("uid = uid + 100, modseq = modseq")]
    [InlineData("uid = 0")]
    [InlineData("collection_id = @other")]
    [InlineData("collection_id = @other, modseq = modseq + 1")]
    [InlineData("collection_id = @other, uid = uid + 100, flagged = true, modseq = modseq + 5")]
    [InlineData("(collection_id, uid) = (@other, uid), answered = true")]
    public async Task Moving_an_entry_is_refused_whether_or_not_the_statement_sets_modseq(string assignments)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var (collection, uid) = await NewEntryAsync(connection);
        var other = await SchemaInvariantTests.NewCollectionAsync(connection);
        var modSeqs = await ModSeqsAsync(connection, collection, uid);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            $"UPDATE entry SET {assignments} WHERE collection_id = @collection AND uid = @uid", new { collection, uid, other }));

        Assert.Equal((PostgresErrorCodes.CheckViolation, MoveRefused), (refused.SqlState, refused.MessageText));
        Assert.Equal(modSeqs, await ModSeqsAsync(connection, collection, uid));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM entry WHERE collection_id = @other", new { other }));
    }

    [Fact]
    public async Task Naming_the_key_columns_without_changing_them_is_an_ordinary_update()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var (collection, uid) = await NewEntryAsync(connection);
        var (_, highest) = await ModSeqsAsync(connection, collection, uid);

        await connection.ExecuteAsync(
            "UPDATE entry SET collection_id = collection_id, uid = uid, flagged = true WHERE collection_id = @collection AND uid = @uid",
            new { collection, uid });

        Assert.Equal((highest + 1, highest + 1), await ModSeqsAsync(connection, collection, uid));
    }

    [Fact]
    public async Task A_statement_gets_one_modseq_for_all_its_rows_and_the_next_statement_a_new_one()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var (collection, first) = await NewEntryAsync(connection);
        var document = await SchemaInvariantTests.NewDocumentAsync(connection);
        await connection.ExecuteAsync("INSERT INTO entry (collection_id, document_id, version_number) VALUES (@collection, @document, 1)", new { collection, document });
        var start = await connection.ExecuteScalarAsync<long>("SELECT highestmodseq FROM collection WHERE id = @collection", new { collection });

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("UPDATE entry SET answered = true WHERE collection_id = @collection", new { collection }, transaction);
            await connection.ExecuteAsync("UPDATE entry SET draft = true WHERE collection_id = @collection AND uid = @first", new { collection, first }, transaction);
            // A writer that sets modseq itself (as store_own_flags) takes no reservation and
            // leaves none behind: the next statement reserves its own.
            await connection.ExecuteAsync(
                "UPDATE entry SET deleted = true, modseq = @start + 3 WHERE collection_id = @collection AND uid <> @first", new { collection, first, start }, transaction);
            await connection.ExecuteAsync("UPDATE entry SET flagged = true WHERE collection_id = @collection AND uid = @first", new { collection, first }, transaction);
            await transaction.CommitAsync();
        }

        Assert.Equal(
            [(first, start + 3), (first + 1, start + 3)],
            (await connection.QueryAsync<(long, long)>("SELECT uid, modseq FROM entry WHERE collection_id = @collection ORDER BY uid", new { collection })).ToArray());
        Assert.Equal(start + 3, await connection.ExecuteScalarAsync<long>("SELECT highestmodseq FROM collection WHERE id = @collection", new { collection }));
    }

    private static async Task<(long Collection, long Uid)> NewEntryAsync(NpgsqlConnection connection)
    {
        var collection = await SchemaInvariantTests.NewCollectionAsync(connection);
        var document = await SchemaInvariantTests.NewDocumentAsync(connection);
        var uid = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO entry (collection_id, document_id, version_number) VALUES (@collection, @document, 1) RETURNING uid", new { collection, document });
        return (collection, uid);
    }

    private static Task<(long Entry, long Highest)> ModSeqsAsync(NpgsqlConnection connection, long collection, long uid) =>
        connection.QuerySingleAsync<(long, long)>(
            "SELECT e.modseq, c.highestmodseq FROM entry e JOIN collection c ON c.id = e.collection_id WHERE e.collection_id = @collection AND e.uid = @uid",
            new { collection, uid });
}
