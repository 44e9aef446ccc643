using Dapper;
using DocStore.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DocStore.Storage.Tests;

/// <summary>
/// <see cref="DocStoreDatabase.WarmUpNewConnections"/>: every physical connection opened after it
/// runs the warm-up once before its first use, a pooled one that is opened again does not, and
/// the idle connections opened before it are closed so that none escapes it.
/// </summary>
public sealed class ConnectionWarmUpTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task Each_new_physical_connection_runs_the_warm_up_once()
    {
        await using var docstore = await DocStoreDatabase.OpenAsync(
            new StorageOptions { DataDirectory = "unused", ConnectionString = database.ConnectionString }, NullLoggerFactory.Instance, ownServer: false, CancellationToken.None);
        int coldBackend;
        await using (var cold = await docstore.DataSource.OpenConnectionAsync())
        {
            coldBackend = await cold.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");
        }

        var warmed = new List<int>();
        docstore.WarmUpNewConnections(async connection =>
        {
            var backend = await connection.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");
            lock (warmed)
            {
                warmed.Add(backend);
            }
        });

        await using (var first = await docstore.DataSource.OpenConnectionAsync())
        await using (var second = await docstore.DataSource.OpenConnectionAsync())
        {
            var backends = new[]
            {
                await first.ExecuteScalarAsync<int>("SELECT pg_backend_pid()"),
                await second.ExecuteScalarAsync<int>("SELECT pg_backend_pid()"),
            };
            // The connection opened before the warm-up was set is not handed out again.
            Assert.DoesNotContain(coldBackend, backends);
            Assert.Equal(backends.Order(), warmed.Order());
        }
        await using (var again = await docstore.DataSource.OpenConnectionAsync())
        {
            Assert.Contains(await again.ExecuteScalarAsync<int>("SELECT pg_backend_pid()"), warmed);
        }
        Assert.Equal(2, warmed.Count);
    }
}
