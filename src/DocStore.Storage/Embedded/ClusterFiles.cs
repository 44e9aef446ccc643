using System.Text;
using Microsoft.Extensions.Logging;

namespace DocStore.Storage.Embedded;

/// <summary>The files DocStore keeps in and for a cluster's data directory.</summary>
internal sealed class ClusterFiles
{
    public const int Port = 5432;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const string SettingsFile = "docstore.conf";
    private const string TemporarySocketPrefix = "docstore-pg-";
    private const long MaxLogBytes = 10 * 1024 * 1024;

    // sun_path holds 108 bytes including the terminating NUL.
    private const int MaxSocketPathBytes = 107;

    public ClusterFiles(string dataDirectory) => DataDirectory = dataDirectory;

    public string DataDirectory { get; }

    public string LogFile => Path.Combine(DataDirectory, "server.log");

    public string DefaultSocketDirectory => Path.Combine(DataDirectory, "socket");

    public string? ClusterVersion
    {
        get
        {
            var file = Path.Combine(DataDirectory, "PG_VERSION");
            return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        }
    }

    public static bool SocketPathFits(string directory) =>
        Encoding.UTF8.GetByteCount(Path.Combine(directory, $".s.PGSQL.{Port}")) <= MaxSocketPathBytes;

    /// <summary>An empty data directory for initdb, owner-only; anything else in the way is refused.</summary>
    public void PrepareForInit()
    {
        if (Directory.Exists(DataDirectory))
        {
            if (Directory.EnumerateFileSystemEntries(DataDirectory).Any())
            {
                throw new EmbeddedPostgresException(
                    $"{DataDirectory} is not empty but holds no PostgreSQL cluster (no PG_VERSION). Empty it or choose another data folder.");
            }
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(DataDirectory)!);
            Directory.CreateDirectory(DataDirectory);
        }
        SetMode(DataDirectory, OwnerOnly);
    }

    /// <summary>
    /// The socket goes inside the data directory; when that path is too long for a socket, into
    /// a fresh owner-only folder under the temp folder (a random name, so nobody can squat it).
    /// </summary>
    public string CreateSocketDirectory(ILogger logger)
    {
        if (SocketPathFits(DefaultSocketDirectory))
        {
            Directory.CreateDirectory(DefaultSocketDirectory);
            SetMode(DefaultSocketDirectory, OwnerOnly);
            return DefaultSocketDirectory;
        }

        var temporary = Directory.CreateTempSubdirectory(TemporarySocketPrefix).FullName;
        if (!SocketPathFits(temporary))
        {
            Directory.Delete(temporary);
            throw new EmbeddedPostgresException(
                $"The path of {DataDirectory} is too long for a Unix socket inside it, and so is the temp folder {Path.GetTempPath()}. Use a shorter data folder path.");
        }
        logger.LogInformation("The data directory's path is too long for a Unix socket inside it; the embedded PostgreSQL listens in {SocketDirectory}", temporary);
        return temporary;
    }

    public static void RemoveTemporarySocketDirectory(string? directory)
    {
        if (directory is null
            || !Path.GetFileName(directory).StartsWith(TemporarySocketPrefix, StringComparison.Ordinal)
            || !string.Equals(Path.GetDirectoryName(directory), Path.TrimEndingDirectorySeparator(Path.GetTempPath()), StringComparison.Ordinal))
        {
            return;
        }
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>
    /// Writes the settings that make trust authentication safe and includes them from
    /// postgresql.conf, which otherwise stays the cluster's own. Returns the files written.
    /// </summary>
    /// <remarks>
    /// With <paramref name="prewarm"/> (the installation has pg_prewarm) the server also loads
    /// pg_prewarm, whose autoprewarm worker records which blocks the buffer cache holds (at
    /// shutdown and every 5 minutes) and reads them back in the background after a start, so the
    /// first client sync after a restart finds the mailboxes' rows in memory instead of waiting on
    /// the disk for each (issue #3, cold first sync). Not when postgresql.conf names its own
    /// shared_preload_libraries: the operator's list is theirs, and this file would replace it.
    /// </remarks>
    public IReadOnlyList<string> WriteSettings(string socketDirectory, bool prewarm)
    {
        var settings = Path.Combine(DataDirectory, SettingsFile);
        var configuration = Path.Combine(DataDirectory, "postgresql.conf");
        // unix_socket_directories is a comma-separated list whose elements may be double-quoted.
        var socketList = "\"" + socketDirectory.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var preload = prewarm && !SetsPreloadLibraries(configuration)
            ? "# Reloads the buffer cache a restart emptied (autoprewarm).\nshared_preload_libraries = 'pg_prewarm'\n"
            : "";
        File.WriteAllText(settings, $"""
            # Written by DocStore at every start of its embedded cluster: edits here are lost.
            # Trust authentication is safe only because the sole way in is this owner-only socket.
            listen_addresses = ''
            port = {Port}
            unix_socket_directories = {Quote(socketList)}
            unix_socket_permissions = 0700
            {preload}
            """);
        SetMode(settings, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var include = $"include_if_exists = {Quote(SettingsFile)}";
        if (!File.ReadLines(configuration).Any(line => string.Equals(line.Trim(), include, StringComparison.Ordinal)))
        {
            File.AppendAllText(configuration, $"\n# DocStore's socket-only settings (last, so they win over the lines above).\n{include}\n");
        }
        return [settings];
    }

    // An uncommented "shared_preload_libraries = ..." line of the cluster's own postgresql.conf.
    private static bool SetsPreloadLibraries(string configuration) =>
        File.Exists(configuration) && File.ReadLines(configuration)
            .Select(line => line.TrimStart())
            .Any(line => line.StartsWith("shared_preload_libraries", StringComparison.OrdinalIgnoreCase)
                && line["shared_preload_libraries".Length..].TrimStart().StartsWith('='));

    public void RotateLog()
    {
        var log = new FileInfo(LogFile);
        if (log.Exists && log.Length > MaxLogBytes)
        {
            log.MoveTo(LogFile + ".1", overwrite: true);
        }
    }

    public long LogLength()
    {
        var log = new FileInfo(LogFile);
        return log.Exists ? log.Length : 0;
    }

    /// <summary>The last lines the server logged since <paramref name="from"/>, for error messages.</summary>
    public string LogTail(long from, int lines = 20)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Min(from, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            return string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"(could not read {LogFile}: {ex.Message})";
        }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    // postgresql.conf string syntax: single quotes, with quotes doubled and backslashes escaped.
    private static string Quote(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
}
