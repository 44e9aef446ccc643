using System.Runtime.Versioning;
using DocStore.Storage.Embedded;
using DocStore.Testing;
using Xunit;

namespace DocStore.Storage.Tests.Embedded;

/// <summary>What the launcher refuses, and that it says how to fix it.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class EmbeddedPostgresRefusalTests
{
    [Fact]
    public async Task Missing_binaries_name_what_to_install_in_one_line_and_touch_nothing()
    {
        await using var scratch = new ClusterScratch();
        var emptyBin = Directory.CreateDirectory(Path.Combine(scratch.Root, "bin")).FullName;

        var error = await Assert.ThrowsAsync<PostgresNotInstalledException>(() => scratch.StartAsync(scratch.Options with { BinDirectory = emptyBin }));

        Assert.Contains("apt-get install postgresql", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:DocStore", error.Message, StringComparison.Ordinal);
        Assert.Contains(emptyBin, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(Directory.Exists(scratch.DataDirectory));
    }

    [Fact]
    public async Task A_cluster_with_fsync_off_is_refused_and_not_left_running()
    {
        await using var scratch = new ClusterScratch();
        var first = await scratch.StartAsync();
        await ClusterScratch.ExecuteAsync(first.ConnectionString, "ALTER SYSTEM SET fsync = off");
        await first.StopAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => scratch.StartAsync());

        Assert.Contains("fsync is off", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(scratch.PidFile));
    }

    [Fact]
    public async Task A_non_empty_folder_that_is_not_a_cluster_is_not_initialised_over()
    {
        await using var scratch = new ClusterScratch();
        Directory.CreateDirectory(scratch.DataDirectory);
        await File.WriteAllTextAsync(Path.Combine(scratch.DataDirectory, "precious.txt"), "keep me");

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() => scratch.StartAsync());

        Assert.Contains("not empty", error.Message, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(Path.Combine(scratch.DataDirectory, "precious.txt")));
    }

    [RootFact]
    public async Task As_root_a_data_folder_the_server_user_cannot_reach_is_named_in_the_error()
    {
        await using var scratch = new ClusterScratch();
        var locked = Directory.CreateDirectory(Path.Combine(scratch.Root, "locked")).FullName;
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() =>
            scratch.StartAsync(scratch.Options with { DataDirectory = Path.Combine(locked, "postgres") }));

        Assert.Contains($"cannot enter {locked} ", error.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task As_root_a_missing_run_as_user_is_named_in_the_error()
    {
        await using var scratch = new ClusterScratch();

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() =>
            scratch.StartAsync(scratch.Options with { RunAsUser = "docstore-no-such-user" }));

        Assert.Contains("'docstore-no-such-user' does not exist", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs only as root, where PostgreSQL must be switched to an unprivileged user.</summary>
    private sealed class RootFactAttribute : FactAttribute
    {
        public RootFactAttribute()
        {
            if (!Environment.IsPrivilegedProcess)
            {
                Skip = "only meaningful as root";
            }
        }
    }
}
