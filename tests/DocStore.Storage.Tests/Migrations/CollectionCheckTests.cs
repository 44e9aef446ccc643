using Dapper;
using DocStore.Testing;
using Npgsql;
using Xunit;

namespace DocStore.Storage.Tests.Migrations;

/// <summary>
/// Migration 0031: the collection row's CHECK constraints became the <c>collection_check</c>
/// trigger (and uidnext's bound a condition of <c>collection_counters_only_grow</c>), so an update
/// of the counters alone compiles no constraint; every value the constraints refused is still
/// refused, with the same error code and constraint name.
/// </summary>
public sealed class CollectionCheckTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task The_collection_has_no_check_constraint_left_to_compile_per_statement()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();

        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'collection'::regclass AND contype = 'c'"));
    }

    [Theory]
    [InlineData("name = ''", "collection_name_check")]
    [InlineData("name = 'a/b'", "collection_name_check")]
    [InlineData("special_use = '\\Important'", "collection_special_use_check")]
    [InlineData("uidvalidity = 0", "collection_uidvalidity_check")]
    [InlineData("uidvalidity = 4294967296", "collection_uidvalidity_check")]
    [InlineData("uidnext = 0", "collection_uidnext_check")]
    [InlineData("uidnext = 4294967297", "collection_uidnext_check")]
    [InlineData("highestmodseq = 0", "collection_highestmodseq_check")]
    [InlineData("quota_bytes = -1", "collection_quota_bytes_check")]
    public async Task A_new_collection_with_a_value_out_of_range_is_refused(string assignment, string constraint)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var column = assignment[..assignment.IndexOf(' ', StringComparison.Ordinal)];
        var value = assignment[(assignment.IndexOf('=', StringComparison.Ordinal) + 2)..];
        var columns = column == "name" ? "name" : $"name, {column}";
        var values = column == "name" ? value : $"'c-{Guid.NewGuid():N}', {value}";

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync($"INSERT INTO collection ({columns}) VALUES ({values})"));

        Assert.Equal((PostgresErrorCodes.CheckViolation, constraint), (refused.SqlState, refused.ConstraintName));
    }

    [Theory]
    [InlineData("name = ''", "collection_name_check")]
    [InlineData("name = 'x/y'", "collection_name_check")]
    [InlineData("special_use = '\\Important'", "collection_special_use_check")]
    [InlineData("quota_bytes = -1", "collection_quota_bytes_check")]
    [InlineData("uidnext = 4294967297", "collection_uidnext_check")]
    public async Task An_update_to_a_value_out_of_range_is_refused(string assignment, string constraint)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var id = await connection.ExecuteScalarAsync<long>("INSERT INTO collection (name) VALUES (@name) RETURNING id", new { name = $"c-{Guid.NewGuid():N}" });

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync($"UPDATE collection SET {assignment} WHERE id = @id", new { id }));

        Assert.Equal((PostgresErrorCodes.CheckViolation, constraint), (refused.SqlState, refused.ConstraintName));
    }

    [Fact]
    public async Task Valid_values_and_the_counters_growing_are_accepted()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var id = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO collection (name, special_use, quota_bytes, uidnext) VALUES (@name, '\\Sent', 0, 4294967295) RETURNING id",
            new { name = $"c-{Guid.NewGuid():N}" });

        Assert.Equal(1, await connection.ExecuteAsync(
            "UPDATE collection SET name = @name, special_use = NULL, quota_bytes = NULL, uidnext = 4294967296, highestmodseq = highestmodseq + 1 WHERE id = @id",
            new { id, name = $"d-{Guid.NewGuid():N}" }));
    }
}
