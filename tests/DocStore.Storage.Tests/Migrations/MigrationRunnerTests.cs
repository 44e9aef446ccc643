using Dapper;
using DocStore.Storage.Migrations;
using DocStore.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace DocStore.Storage.Tests.Migrations;

public sealed class MigrationRunnerTests : IClassFixture<TestDatabase>
{
    private readonly TestDatabase database;

    public MigrationRunnerTests(TestDatabase database) => this.database = database;

    [Fact]
    public async Task The_first_run_applies_every_migration_and_the_second_applies_none()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);

        var first = await runner.MigrateAsync(CancellationToken.None);
        var second = await runner.MigrateAsync(CancellationToken.None);

        Assert.Equal(MigrationRunner.Embedded.Select(m => m.Version), first.Applied.Select(m => m.Version));
        Assert.NotEmpty(first.Applied);
        Assert.Empty(second.Applied);
        Assert.Equal(first.CurrentVersion, second.CurrentVersion);
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(MigrationRunner.Embedded.Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_migration"));
        Assert.True(await connection.ExecuteScalarAsync<bool>("SELECT to_regclass('entry') IS NOT NULL"));
    }

    [Fact]
    public async Task Nodes_starting_together_migrate_exactly_once()
    {
        var name = "concurrent_" + Guid.NewGuid().ToString("N")[..12];
        var cluster = await TestCluster.GetAsync();
        await cluster.CreateDatabaseAsync(name, CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionStringFor(name));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None)));

        Assert.Equal(MigrationRunner.Embedded.Count, results.Sum(r => r.Applied.Count));
    }

    [Fact]
    public async Task A_migration_edited_after_it_was_applied_is_refused()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);
        await runner.MigrateAsync(CancellationToken.None);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE schema_migration SET checksum = 'edited' WHERE version = 1");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.MigrateAsync(CancellationToken.None));

        Assert.Contains("changed after it was applied", error.Message, StringComparison.Ordinal);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            var original = MigrationRunner.Embedded[0].Checksum;
            await connection.ExecuteAsync("UPDATE schema_migration SET checksum = @original WHERE version = 1", new { original });
        }
    }

    [Theory]
    [InlineData("0001_initial.sql", 1, "initial")]
    [InlineData("0012_add_index.sql", 12, "add_index")]
    public void File_names_give_version_and_name(string file, int version, string name)
    {
        var migration = MigrationRunner.Parse(file, "SELECT 1");

        Assert.Equal(version, migration.Version);
        Assert.Equal(name, migration.Name);
    }

    [Theory]
    [InlineData("initial.sql")]
    [InlineData("x1_initial.sql")]
    [InlineData("_initial.sql")]
    public void Badly_named_files_are_refused(string file) =>
        Assert.Throws<InvalidOperationException>(() => MigrationRunner.Parse(file, "SELECT 1"));
}
