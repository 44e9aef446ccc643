using System.Diagnostics;
using System.Globalization;

namespace DocStore.Storage.Embedded;

/// <summary>What a postmaster.pid says: the server's PID, its socket folder and port, its status.</summary>
internal sealed record PostmasterPidFile(int Pid, string? SocketDirectory, int? Port, string? Status)
{
    public const string FileName = "postmaster.pid";

    public bool IsStopping => Status is "stopping";

    /// <summary>Null when there is no file, or it is not (yet) readable as one.</summary>
    public static PostmasterPidFile? Read(string dataDirectory)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(dataDirectory, FileName));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        // The layout (PostgreSQL's pidfile.h): PID, data dir, start time, port, socket dir, listen address, shmem key, status.
        if (lines.Length == 0 || !int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }
        return new PostmasterPidFile(
            pid,
            lines.Length > 4 && lines[4].Length > 0 ? lines[4] : null,
            lines.Length > 3 && int.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null,
            lines.Length > 7 ? lines[7].Trim() : null);
    }

    /// <summary>
    /// Whether the PID is a live postmaster of this data directory. After a kill -9 and some time
    /// the PID may belong to anything, or be a zombie nobody reaped: those are stale.
    /// </summary>
    public bool IsServerFor(string dataDirectory)
    {
        if (!Directory.Exists("/proc/self"))
        {
            return IsPostgresProcess(Pid);
        }

        string[] arguments;
        try
        {
            arguments = File.ReadAllText($"/proc/{Pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // A zombie's cmdline is empty; postmaster children rename themselves "postgres: ...".
        if (arguments.Length == 0 || Path.GetFileName(arguments[0]) is not ("postgres" or "postmaster"))
        {
            return false;
        }
        var option = Array.IndexOf(arguments, "-D");
        if (option >= 0 && option + 1 < arguments.Length && Path.IsPathFullyQualified(arguments[option + 1]))
        {
            return SamePath(arguments[option + 1], dataDirectory);
        }
        try
        {
            // The postmaster works inside its data directory.
            var workingDirectory = new DirectoryInfo($"/proc/{Pid}/cwd").LinkTarget;
            return workingDirectory is not null && SamePath(workingDirectory, dataDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Removes the pid file and the socket lock that names the same dead PID; PostgreSQL would refuse both.</summary>
    public void RemoveStale(string dataDirectory, string defaultSocketDirectory)
    {
        var socketDirectory = SocketDirectory ?? defaultSocketDirectory;
        if (Directory.Exists(socketDirectory))
        {
            var socket = Path.Combine(socketDirectory, $".s.PGSQL.{Port ?? ClusterFiles.Port}");
            File.Delete(socket + ".lock");
            File.Delete(socket);
        }
        File.Delete(Path.Combine(dataDirectory, FileName));
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);

    private static bool IsPostgresProcess(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && process.ProcessName is "postgres" or "postmaster";
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
