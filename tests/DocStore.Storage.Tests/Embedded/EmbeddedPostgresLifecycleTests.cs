using System.Diagnostics;
using System.Runtime.Versioning;
using DocStore.Storage.Embedded;
using Xunit;
using Xunit.Abstractions;

namespace DocStore.Storage.Tests.Embedded;

/// <summary>Start, restart, crash, adopt: each test with its own cluster.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class EmbeddedPostgresLifecycleTests(ITestOutputHelper output)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task The_first_start_initialises_a_cluster_reachable_only_through_an_owner_only_socket()
    {
        await using var scratch = new ClusterScratch();
        var watch = Stopwatch.StartNew();

        var cluster = await scratch.StartAsync();

        output.WriteLine($"first start (initdb + start): {watch.ElapsedMilliseconds} ms");
        Assert.True(cluster.StartedByThisProcess);
        Assert.False(cluster.AdoptedRunningServer);
        Assert.True(File.Exists(Path.Combine(scratch.DataDirectory, "PG_VERSION")));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(scratch.DataDirectory));
        Assert.StartsWith(scratch.DataDirectory + "/", cluster.SocketDirectory, StringComparison.Ordinal);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(cluster.SocketDirectory));
        Assert.Equal(1, await ClusterScratch.QueryAsync<int>(cluster.ConnectionString, "SELECT 1"));
        Assert.Equal("", await ClusterScratch.QueryAsync<string>(cluster.ConnectionString, "SHOW listen_addresses"));
        Assert.Equal("0700", await ClusterScratch.QueryAsync<string>(cluster.ConnectionString, "SHOW unix_socket_permissions"));
        Assert.Equal("UTF8", await ClusterScratch.QueryAsync<string>(cluster.ConnectionString, "SHOW server_encoding"));
        Assert.Equal(EmbeddedPostgres.SuperUser, await ClusterScratch.QueryAsync<string>(cluster.ConnectionString, "SELECT current_user"));
        Assert.Collection(
            scratch.Log.Information,
            line => Assert.StartsWith("Initialised a PostgreSQL", line, StringComparison.Ordinal),
            line => Assert.StartsWith("Started the embedded PostgreSQL", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Data_survives_a_stop_and_a_restart_and_stopping_twice_is_harmless()
    {
        await using var scratch = new ClusterScratch();
        var first = await scratch.StartAsync();
        await ClusterScratch.ExecuteAsync(first.ConnectionString, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");

        await first.StopAsync(CancellationToken.None);
        await first.StopAsync(CancellationToken.None);
        Assert.False(File.Exists(scratch.PidFile));
        var watch = Stopwatch.StartNew();
        var second = await scratch.StartAsync();
        output.WriteLine($"restart: {watch.ElapsedMilliseconds} ms");

        Assert.True(second.StartedByThisProcess);
        Assert.Equal("still here", await ClusterScratch.QueryAsync<string>(second.ConnectionString, "SELECT v FROM kept"));
        await second.DisposeAsync();
        Assert.False(File.Exists(scratch.PidFile));
    }

    [Fact]
    public async Task After_kill_9_of_the_postmaster_the_next_start_recovers_committed_data()
    {
        await using var scratch = new ClusterScratch();
        var first = await scratch.StartAsync();
        await ClusterScratch.ExecuteAsync(first.ConnectionString, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('committed')");
        var pid = int.Parse(File.ReadLines(scratch.PidFile).First());

        using (var postmaster = Process.GetProcessById(pid))
        {
            postmaster.Kill();
        }
        var second = await scratch.StartAsync();

        Assert.True(second.StartedByThisProcess);
        Assert.NotEqual(pid, int.Parse(File.ReadLines(scratch.PidFile).First()));
        Assert.Equal("committed", await ClusterScratch.QueryAsync<string>(second.ConnectionString, "SELECT v FROM kept"));
    }

    [Fact]
    public async Task A_server_left_running_by_a_dead_docstore_is_adopted_and_outlives_the_adopting_handle()
    {
        await using var scratch = new ClusterScratch();
        var abandoned = await scratch.StartAsync();
        await ClusterScratch.ExecuteAsync(abandoned.ConnectionString, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before')");
        var pid = int.Parse(File.ReadLines(scratch.PidFile).First());

        var adopted = await scratch.StartAsync();

        Assert.True(adopted.AdoptedRunningServer);
        Assert.StartsWith("Adopted the embedded PostgreSQL", scratch.Log.Information[^1], StringComparison.Ordinal);
        Assert.False(adopted.StartedByThisProcess);
        Assert.Equal(pid, int.Parse(File.ReadLines(scratch.PidFile).First()));
        Assert.Equal("before", await ClusterScratch.QueryAsync<string>(adopted.ConnectionString, "SELECT v FROM kept"));
        await adopted.DisposeAsync();
        Assert.Equal(1, await ClusterScratch.QueryAsync<int>(abandoned.ConnectionString, "SELECT 1"));
        await adopted.StopAsync(CancellationToken.None);
        Assert.False(File.Exists(scratch.PidFile));
        Assert.StartsWith("Stopped the embedded PostgreSQL", scratch.Log.Information[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pid_file_naming_a_live_process_that_is_not_its_server_is_stale()
    {
        await using var scratch = new ClusterScratch();
        var first = await scratch.StartAsync();
        var socketLock = Path.Combine(first.SocketDirectory, $".s.PGSQL.{first.Port}.lock");
        var pidFileLines = File.ReadAllLines(scratch.PidFile);
        var socketLockLines = File.ReadAllLines(socketLock);
        await first.StopAsync(CancellationToken.None);

        // As if PostgreSQL died and its PID went to another process: this test process.
        pidFileLines[0] = socketLockLines[0] = Environment.ProcessId.ToString();
        await File.WriteAllLinesAsync(scratch.PidFile, pidFileLines);
        await File.WriteAllLinesAsync(socketLock, socketLockLines);
        var second = await scratch.StartAsync();

        Assert.True(second.StartedByThisProcess);
        Assert.NotEqual(Environment.ProcessId, int.Parse(File.ReadLines(scratch.PidFile).First()));
        Assert.Equal(1, await ClusterScratch.QueryAsync<int>(second.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task A_data_directory_too_deep_for_a_socket_path_gets_its_socket_in_a_private_temp_folder()
    {
        await using var scratch = new ClusterScratch(new string('d', 100));
        Assert.True(scratch.DataDirectory.Length > 107);

        var cluster = await scratch.StartAsync();

        Assert.StartsWith(Path.GetTempPath(), cluster.SocketDirectory, StringComparison.Ordinal);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(cluster.SocketDirectory));
        Assert.Equal(1, await ClusterScratch.QueryAsync<int>(cluster.ConnectionString, "SELECT 1"));
        await cluster.StopAsync(CancellationToken.None);
        Assert.False(Directory.Exists(cluster.SocketDirectory));
    }
}
