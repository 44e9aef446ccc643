using System.Diagnostics;
using DocStore.Storage.Embedded;
using DocStore.Testing;
using Xunit;

namespace DocStore.Storage.Tests.Embedded;

public sealed class PostmasterPidFileTests
{
    [Fact]
    public async Task The_running_test_cluster_is_recognised_as_the_server_of_its_own_data_directory_only()
    {
        var cluster = await TestCluster.GetAsync();

        var pidFile = PostmasterPidFile.Read(cluster.DataDirectory);

        Assert.NotNull(pidFile);
        Assert.Equal(cluster.SocketDirectory, pidFile.SocketDirectory);
        Assert.Equal(cluster.Port, pidFile.Port);
        Assert.Equal("ready", pidFile.Status);
        Assert.True(pidFile.IsServerFor(cluster.DataDirectory));
        Assert.False(pidFile.IsServerFor(cluster.DataDirectory + "-other"));
    }

    [Fact]
    public void A_live_process_that_is_not_postgres_is_not_a_server()
    {
        using var sleeper = Process.Start("sleep", "30");
        try
        {
            Assert.False(new PostmasterPidFile(sleeper.Id, null, null, null).IsServerFor("/tmp"));
            Assert.False(new PostmasterPidFile(Environment.ProcessId, null, null, null).IsServerFor("/tmp"));
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public void A_missing_or_half_written_pid_file_reads_as_none()
    {
        using var scratch = new ScratchDirectory("docstore-pidfile-");

        Assert.Null(PostmasterPidFile.Read(scratch.Path));
        File.WriteAllText(Path.Combine(scratch.Path, PostmasterPidFile.FileName), "");
        Assert.Null(PostmasterPidFile.Read(scratch.Path));
    }
}
