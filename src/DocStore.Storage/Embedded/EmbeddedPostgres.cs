using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DocStore.Storage.Embedded;

/// <summary>
/// A PostgreSQL cluster in DocStore's data folder, reachable only through an owner-only Unix
/// socket: initialised on first start, started, or adopted when an earlier DocStore that died
/// left it running.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    public const string SuperUser = "docstore";

    private const string MaintenanceDatabase = "postgres";
    private const string StopTimeoutSeconds = "120";
    private const int MaxDatabaseNameBytes = 63;

    private readonly ClusterFiles files;
    private readonly PostgresBinaries binaries;
    private readonly ServerAccount account;
    private readonly ILogger logger;
    private readonly int serverPid;
    private readonly Lock stopLock = new();
    private Task? stopping;

    private EmbeddedPostgres(ClusterFiles files, PostgresBinaries binaries, ServerAccount account, ILogger logger, PostmasterPidFile server, bool startedByThisProcess)
    {
        this.files = files;
        this.binaries = binaries;
        this.account = account;
        this.logger = logger;
        serverPid = server.Pid;
        SocketDirectory = server.SocketDirectory!;
        Port = server.Port ?? ClusterFiles.Port;
        StartedByThisProcess = startedByThisProcess;
        ConnectionString = ConnectionStringFor(MaintenanceDatabase);
    }

    public string DataDirectory => files.DataDirectory;

    public string SocketDirectory { get; }

    public int Port { get; }

    /// <summary>The server's own log (pg_ctl -l), for status output and diagnosis.</summary>
    public string LogFile => files.LogFile;

    /// <summary>The maintenance database, as the cluster's superuser, over the Unix socket.</summary>
    public string ConnectionString { get; }

    public bool StartedByThisProcess { get; }

    /// <summary>The server was already running on this data directory (an earlier DocStore died without stopping it).</summary>
    public bool AdoptedRunningServer => !StartedByThisProcess;

    public string ConnectionStringFor(string database) => Build(database, pooling: true);

    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The embedded PostgreSQL needs Linux or macOS; on Windows set ConnectionStrings:DocStore.");
        }

        var clusterFiles = new ClusterFiles(Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.DataDirectory)));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartTimeout);
        try
        {
            var found = await PostgresBinaries.LocateAsync(
                options.BinDirectory,
                PostgresBinaries.SearchDirectories(Environment.GetEnvironmentVariable("PATH")),
                PostgresBinaries.DefaultPlaces,
                clusterFiles.ClusterVersion,
                cancellationToken);
            var serverAccount = await ServerAccount.ResolveAsync(options.RunAsUser, cancellationToken);
            await serverAccount.EnsureCanReachAsync(clusterFiles.DataDirectory, cancellationToken);
            var launch = new Launch(clusterFiles, found, serverAccount, logger, options.StartTimeout, timeout.Token);
            return await launch.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new EmbeddedPostgresException(
                $"The embedded PostgreSQL in {clusterFiles.DataDirectory} did not accept connections within {options.StartTimeout.TotalSeconds:0} s. " +
                $"Server log ({clusterFiles.LogFile}), last lines:\n{clusterFiles.LogTail(0)}",
                ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EmbeddedPostgresException($"Could not prepare the embedded PostgreSQL in {clusterFiles.DataDirectory}: {ex.Message}", ex);
        }
    }

    /// <summary>Stops the server (fast: sessions are ended, committed work is kept); again, or when already stopped, does nothing.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (stopLock)
        {
            if (stopping is null || stopping.IsFaulted || stopping.IsCanceled)
            {
                stopping = StopServerAsync(cancellationToken);
            }
            return stopping;
        }
    }

    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenMaintenanceAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE {QuoteDatabaseName(name)}", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Drops a database, ending its sessions; a missing one is fine.</summary>
    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using (var connection = await OpenMaintenanceAsync(cancellationToken))
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {QuoteDatabaseName(name)} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var pooled = new NpgsqlConnection(ConnectionStringFor(name));
        NpgsqlConnection.ClearPool(pooled);
    }

    /// <summary>Stops the server only when this process started it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (StartedByThisProcess)
        {
            await StopAsync(CancellationToken.None);
        }
    }

    private async Task StopServerAsync(CancellationToken cancellationToken)
    {
        // A server someone else started here after ours went away is not ours to stop.
        if (PostmasterPidFile.Read(DataDirectory) is { } server && server.Pid == serverPid && server.IsServerFor(DataDirectory))
        {
            await PgCtlStopAsync(binaries, account, DataDirectory, cancellationToken);
            logger.LogInformation("Stopped the embedded PostgreSQL in {DataDirectory}", DataDirectory);
        }

        await using var pooled = new NpgsqlConnection(ConnectionString);
        NpgsqlConnection.ClearPool(pooled);
        ClusterFiles.RemoveTemporarySocketDirectory(SocketDirectory);
    }

    private static async Task PgCtlStopAsync(PostgresBinaries binaries, ServerAccount account, string dataDirectory, CancellationToken cancellationToken)
    {
        var result = await account.RunAsync(binaries.PgCtl, ["-D", dataDirectory, "-m", "fast", "-w", "-t", StopTimeoutSeconds, "-s", "stop"], cancellationToken);
        if (!result.Succeeded && PostmasterPidFile.Read(dataDirectory) is { } still && still.IsServerFor(dataDirectory))
        {
            throw new EmbeddedPostgresException($"Could not stop the embedded PostgreSQL in {dataDirectory}: {result.Output}");
        }
    }

    private async Task<NpgsqlConnection> OpenMaintenanceAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(Build(MaintenanceDatabase, pooling: false));
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private string Build(string database, bool pooling) => new NpgsqlConnectionStringBuilder
    {
        Host = SocketDirectory,
        Port = Port,
        Username = SuperUser,
        Database = database,
        Pooling = pooling,
    }.ConnectionString;

    private static string QuoteDatabaseName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Encoding.UTF8.GetByteCount(name) > MaxDatabaseNameBytes || name.Contains('\0', StringComparison.Ordinal))
        {
            // PostgreSQL would silently truncate a longer name, and the database would not be found by it.
            throw new ArgumentException($"A database name has at most {MaxDatabaseNameBytes} bytes and no NUL: '{name}'.", nameof(name));
        }
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>One attempt at StartAsync: adopt, clear a stale pid file, init, start, verify.</summary>
    private sealed class Launch(ClusterFiles files, PostgresBinaries binaries, ServerAccount account, ILogger logger, TimeSpan startTimeout, CancellationToken timeout)
    {
        private readonly Stopwatch elapsed = Stopwatch.StartNew();

        public async Task<EmbeddedPostgres> RunAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                if (PostmasterPidFile.Read(files.DataDirectory) is { } existing)
                {
                    if (existing.IsServerFor(files.DataDirectory))
                    {
                        if (await TryAdoptAsync(existing) is { } adopted)
                        {
                            return adopted;
                        }
                        continue;
                    }
                    logger.LogWarning("Removing the stale postmaster.pid in {DataDirectory}: PID {Pid} is not its server any more", files.DataDirectory, existing.Pid);
                    existing.RemoveStale(files.DataDirectory, files.DefaultSocketDirectory);
                    ClusterFiles.RemoveTemporarySocketDirectory(existing.SocketDirectory);
                }

                if (files.ClusterVersion is null)
                {
                    await InitAsync(cancellationToken);
                }
                if (await TryStartAsync(cancellationToken) is { } started)
                {
                    return started;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), timeout);
            }
        }

        /// <summary>Null when the server went away while being adopted (it was stopping, or died): then start it.</summary>
        private async Task<EmbeddedPostgres?> TryAdoptAsync(PostmasterPidFile found)
        {
            while (PostmasterPidFile.Read(files.DataDirectory) is { } current && current.Pid == found.Pid && current.IsServerFor(files.DataDirectory))
            {
                if (!current.IsStopping && current.SocketDirectory is not null)
                {
                    var instance = new EmbeddedPostgres(files, binaries, account, logger, current, startedByThisProcess: false);
                    if (await instance.TryVerifyAsync(timeout))
                    {
                        logger.LogInformation(
                            "Adopted the embedded PostgreSQL already running in {DataDirectory} (PID {Pid}), left by an earlier DocStore",
                            files.DataDirectory, current.Pid);
                        return instance;
                    }
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100), timeout);
            }
            return null;
        }

        private async Task InitAsync(CancellationToken cancellationToken)
        {
            files.PrepareForInit();
            await account.TakeOwnershipAsync([files.DataDirectory], cancellationToken);
            // Local trust is safe only with the owner-only socket (ClusterFiles.WriteSettings); TCP is refused
            // outright even if someone turns listen_addresses on. Checksums catch corruption on disk.
            var result = await account.RunAsync(binaries.InitDb, [
                "-D", files.DataDirectory, "--username", SuperUser, "--auth-local=trust", "--auth-host=reject",
                "--encoding=UTF8", "--locale=C", "--data-checksums",
            ], cancellationToken);
            if (!result.Succeeded)
            {
                throw new EmbeddedPostgresException($"initdb failed for {files.DataDirectory}: {result.Output}");
            }
            logger.LogInformation("Initialised a PostgreSQL {Version} cluster in {DataDirectory}", files.ClusterVersion, files.DataDirectory);
        }

        /// <summary>Null when another start is in the way for a moment (a concurrent start, old backends still exiting).</summary>
        private async Task<EmbeddedPostgres?> TryStartAsync(CancellationToken cancellationToken)
        {
            var socketDirectory = files.CreateSocketDirectory(logger);
            await account.TakeOwnershipAsync([.. files.WriteSettings(socketDirectory, binaries.HasModule("pg_prewarm")), socketDirectory], cancellationToken);
            files.RotateLog();
            var logStart = files.LogLength();
            var seconds = Math.Max(1, (int)Math.Ceiling((startTimeout - elapsed.Elapsed).TotalSeconds)).ToString(CultureInfo.InvariantCulture);

            // pg_ctl gets the caller's token only: it has its own -t, and killing it on our timeout would kill the postmaster it forked.
            var result = await account.RunAsync(binaries.PgCtl, ["-D", files.DataDirectory, "-l", files.LogFile, "-w", "-t", seconds, "-s", "start"], cancellationToken);
            var server = PostmasterPidFile.Read(files.DataDirectory);
            if (!result.Succeeded)
            {
                var log = files.LogTail(logStart);
                var momentary = IsMomentary(log);
                if (!momentary && server is not null && server.IsServerFor(files.DataDirectory))
                {
                    // pg_ctl gave up waiting (-t) on a server still coming up: do not leave it behind.
                    await PgCtlStopAsync(binaries, account, files.DataDirectory, CancellationToken.None);
                }
                ClusterFiles.RemoveTemporarySocketDirectory(socketDirectory);
                if (momentary)
                {
                    return null;
                }
                throw new EmbeddedPostgresException(
                    $"PostgreSQL did not start in {files.DataDirectory}: {result.Output}\nServer log ({files.LogFile}), last lines:\n{log}");
            }

            var instance = new EmbeddedPostgres(files, binaries, account, logger,
                server ?? throw new EmbeddedPostgresException($"pg_ctl started PostgreSQL in {files.DataDirectory} but left no postmaster.pid."),
                startedByThisProcess: true);
            // Pooled connections of this process to an earlier server on this folder are dead.
            await using (var pooled = new NpgsqlConnection(instance.ConnectionString))
            {
                NpgsqlConnection.ClearPool(pooled);
            }
            try
            {
                while (!await instance.TryVerifyAsync(timeout))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), timeout);
                }
            }
            catch
            {
                await instance.StopAsync(CancellationToken.None);
                throw;
            }
            logger.LogInformation(
                "Started the embedded PostgreSQL in {DataDirectory} (PID {Pid}, socket in {SocketDirectory}) in {Elapsed} ms",
                files.DataDirectory, instance.serverPid, socketDirectory, elapsed.ElapsedMilliseconds);
            return instance;
        }

        private static bool IsMomentary(string log) =>
            log.Contains("pre-existing shared memory block", StringComparison.Ordinal)
            || log.Contains("lock file \"postmaster.pid\" already exists", StringComparison.Ordinal);
    }

    /// <summary>False while the server does not accept connections yet; throws when its settings are refused.</summary>
    private async Task<bool> TryVerifyAsync(CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await OpenMaintenanceAsync(cancellationToken);
        }
        catch (NpgsqlException)
        {
            return false;
        }
        await using (connection)
        {
            await ServerSettingsCheck.VerifyAsync(connection, DataDirectory, cancellationToken);
            return true;
        }
    }
}
