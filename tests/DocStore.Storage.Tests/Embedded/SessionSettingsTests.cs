using Dapper;
using DocStore.Testing;
using Npgsql;
using Xunit;

namespace DocStore.Storage.Tests.Embedded;

/// <summary>
/// DocStore's sessions run without PostgreSQL's JIT: the recursive tree queries' row estimates
/// would otherwise make every LIST compile machine code for seconds (see DocStoreDatabase.WithoutJit).
/// </summary>
public sealed class SessionSettingsTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task Sessions_run_without_jit()
    {
        await using var connection = new NpgsqlConnection(DocStoreDatabase.WithoutJit(database.ConnectionString));
        await connection.OpenAsync();

        Assert.Equal("off", await connection.ExecuteScalarAsync<string>("SHOW jit"));
    }

    [Fact]
    public async Task Options_the_operator_set_are_kept()
    {
        var configured = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Options = "-c statement_timeout=12345" }.ConnectionString;
        await using var connection = new NpgsqlConnection(DocStoreDatabase.WithoutJit(configured));
        await connection.OpenAsync();

        Assert.Equal("off", await connection.ExecuteScalarAsync<string>("SHOW jit"));
        Assert.Equal("12345ms", await connection.ExecuteScalarAsync<string>("SHOW statement_timeout"));
    }
}
