using System.Runtime.Versioning;
using DocStore.Storage.Embedded;
using Xunit;

namespace DocStore.Storage.Tests.Embedded;

/// <summary>
/// The embedded cluster loads pg_prewarm where the installation has it, so a restart reads the
/// buffer cache's blocks back in the background (the cold first sync after a restart, issue #3);
/// an operator's own shared_preload_libraries in postgresql.conf is left alone.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class BufferCachePrewarmTests
{
    [Fact]
    public async Task The_cluster_loads_pg_prewarm_and_records_its_buffer_cache_at_a_clean_stop()
    {
        await using var scratch = new ClusterScratch();
        var cluster = await scratch.StartAsync();
        // This machine's PostgreSQL (Debian's postgresql-NN, which .ci/run installs) has the module:
        // the test checks the setting follows from it rather than assume it.
        var binaries = await PostgresBinaries.LocateAsync(null, PostgresBinaries.SearchDirectories(Environment.GetEnvironmentVariable("PATH")), "", null, CancellationToken.None);
        Assert.True(binaries.HasModule("pg_prewarm"), $"pg_prewarm is not in {binaries.Directory}/../lib");

        Assert.Equal("pg_prewarm", await ClusterScratch.QueryAsync<string>(cluster.ConnectionString, "SHOW shared_preload_libraries"));
        Assert.Equal("on", await ClusterScratch.QueryAsync<string>(cluster.ConnectionString, "SHOW pg_prewarm.autoprewarm"));
        await ClusterScratch.ExecuteAsync(cluster.ConnectionString, "CREATE TABLE warm AS SELECT g AS v FROM generate_series(1, 10000) g");
        await cluster.StopAsync(CancellationToken.None);

        // The autoprewarm worker wrote the list of cached blocks at shutdown; the next start reads it back.
        Assert.True(File.Exists(Path.Combine(scratch.DataDirectory, "autoprewarm.blocks")));
        var again = await scratch.StartAsync();
        Assert.Equal(10000L, await ClusterScratch.QueryAsync<long>(again.ConnectionString, "SELECT count(*) FROM warm"));
    }

    [Fact]
    public async Task An_operators_own_preload_list_in_postgresql_conf_wins()
    {
        await using var scratch = new ClusterScratch();
        var first = await scratch.StartAsync();
        await first.StopAsync(CancellationToken.None);
        // Above DocStore's include line, which comes last and would otherwise override it.
        var configuration = Path.Combine(scratch.DataDirectory, "postgresql.conf");
        File.WriteAllText(configuration, "shared_preload_libraries = ''   # the operator's choice\n" + File.ReadAllText(configuration));

        var second = await scratch.StartAsync();

        Assert.Equal("", await ClusterScratch.QueryAsync<string>(second.ConnectionString, "SHOW shared_preload_libraries"));
    }
}
