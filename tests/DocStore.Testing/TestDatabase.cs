using Xunit;

namespace DocStore.Testing;

/// <summary>
/// A fresh, uniquely named, empty database on the test run's cluster, dropped afterwards: one
/// per test class (use it as an <c>IClassFixture</c>).
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private bool created;

    public string Name { get; } = "test_" + Guid.NewGuid().ToString("N");

    /// <summary>Set by <see cref="InitializeAsync"/>.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var cluster = await TestCluster.GetAsync();
        await cluster.CreateDatabaseAsync(Name, CancellationToken.None);
        created = true;
        ConnectionString = cluster.ConnectionStringFor(Name);
    }

    public async Task DisposeAsync()
    {
        if (created)
        {
            var cluster = await TestCluster.GetAsync();
            await cluster.DropDatabaseAsync(Name, CancellationToken.None);
        }
    }
}
