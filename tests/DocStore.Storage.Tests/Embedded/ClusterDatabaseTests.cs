using DocStore.Storage.Embedded;
using DocStore.Testing;
using Xunit;

namespace DocStore.Storage.Tests.Embedded;

public sealed class ClusterDatabaseTests
{
    [Fact]
    public async Task The_test_run_shares_one_cluster()
    {
        var first = await TestCluster.GetAsync();
        var second = await TestCluster.GetAsync();

        Assert.Same(first, second);
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "docstore-test-"), first.DataDirectory, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain_name")]
    [InlineData("Mixed Case \"quoted\"; DROP DATABASE postgres")]
    public async Task A_created_database_is_reachable_by_its_exact_name_and_dropped_again(string name)
    {
        var cluster = await TestCluster.GetAsync();
        var unique = name + Guid.NewGuid().ToString("N")[..8];

        await cluster.CreateDatabaseAsync(unique, CancellationToken.None);
        Assert.Equal(unique, await ClusterScratch.QueryAsync<string>(cluster.ConnectionStringFor(unique), "SELECT current_database()"));
        await cluster.DropDatabaseAsync(unique, CancellationToken.None);

        Assert.Equal(0L, await ClusterScratch.QueryAsync<long>(cluster.ConnectionString, $"SELECT count(*) FROM pg_database WHERE datname = '{unique.Replace("'", "''", StringComparison.Ordinal)}'"));
        Assert.Equal(1, await ClusterScratch.QueryAsync<int>(cluster.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task A_name_postgresql_would_truncate_is_refused()
    {
        var cluster = await TestCluster.GetAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => cluster.CreateDatabaseAsync(new string('n', 64), CancellationToken.None));
    }

    [Fact]
    public async Task A_test_database_is_fresh_and_gone_after_disposal()
    {
        var database = new TestDatabase();
        await database.InitializeAsync();
        Assert.Equal(0L, await ClusterScratch.QueryAsync<long>(database.ConnectionString, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));

        await database.DisposeAsync();

        var cluster = await TestCluster.GetAsync();
        Assert.Equal(0L, await ClusterScratch.QueryAsync<long>(cluster.ConnectionString, $"SELECT count(*) FROM pg_database WHERE datname = '{database.Name}'"));
    }
}
