using System.Diagnostics;
using System.Globalization;
using DocStore.Storage.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocStore.Testing;

/// <summary>
/// The test run's one throwaway PostgreSQL cluster: started on first use in a fresh temp folder,
/// shut down and deleted when the test process exits.
/// </summary>
public static class TestCluster
{
    private const string Prefix = "docstore-test-";
    private const string OwnerFile = "owner.pid";

    private static readonly Lazy<Task<EmbeddedPostgres>> Cluster = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<EmbeddedPostgres> GetAsync() => Cluster.Value;

    private static async Task<EmbeddedPostgres> StartAsync()
    {
        RemoveLeftovers();
        var directory = new ScratchDirectory(Prefix);
        await File.WriteAllTextAsync(Path.Combine(directory.Path, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Discard(directory.Path);
        return await EmbeddedPostgres.StartAsync(
            new EmbeddedPostgresOptions { DataDirectory = Path.Combine(directory.Path, "postgres") }, NullLogger.Instance, CancellationToken.None);
    }

    /// <summary>
    /// vstest kills the test host about a tenth of a second after the run, too soon for a clean
    /// stop, so the throwaway cluster gets an immediate shutdown (SIGQUIT: no checkpoint, shared
    /// memory released). Whatever a kill leaves behind, the next run's <see cref="RemoveLeftovers"/> removes.
    /// </summary>
    private static void Discard(string root)
    {
        var dataDirectory = Path.Combine(root, "postgres");
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (PostmasterOf(dataDirectory) is { } pid && Signal("-QUIT", pid))
        {
            var waited = Stopwatch.StartNew();
            while (File.Exists(pidFile) && waited.Elapsed < TimeSpan.FromSeconds(5))
            {
                Thread.Sleep(10);
            }
        }
        if (PostmasterOf(dataDirectory) is { } stuck)
        {
            Signal("-KILL", stuck);
        }
        Delete(root);
    }

    /// <summary>Clusters of test processes that are gone (killed before they could clean up).</summary>
    private static void RemoveLeftovers()
    {
        foreach (var root in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var owner = Path.Combine(root, OwnerFile);
            if (File.Exists(owner)
                && int.TryParse(File.ReadAllText(owner), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && !Directory.Exists($"/proc/{pid}"))
            {
                Discard(root);
            }
        }
    }

    /// <summary>The PID in the folder's postmaster.pid, if that process is a server of this folder.</summary>
    private static int? PostmasterOf(string dataDirectory)
    {
        try
        {
            var firstLine = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && File.ReadAllText($"/proc/{pid}/cmdline").Contains(dataDirectory, StringComparison.Ordinal)
                ? pid
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { signal, pid.ToString(CultureInfo.InvariantCulture) } });
        kill?.WaitForExit();
        return kill?.ExitCode == 0;
    }

    /// <summary>By a separate rm, which finishes the job even when the test host is killed meanwhile.</summary>
    private static void Delete(string root)
    {
        using var rm = Process.Start(new ProcessStartInfo("rm") { ArgumentList = { "-rf", "--", root } });
        rm?.WaitForExit();
    }
}
