using Dapper;
using DocStore.Storage.Embedded;
using DocStore.Storage.Migrations;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DocStore.Storage;

/// <summary>Where DocStore's database is: an external one, or the embedded cluster in the data folder.</summary>
public sealed record StorageOptions
{
    /// <summary>The data folder; the embedded cluster lives in its <c>postgres/</c>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary><c>ConnectionStrings:DocStore</c>: when set, that database is used and nothing is started.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The unprivileged OS user that runs the embedded cluster when DocStore runs as root.</summary>
    public string? RunAsUser { get; init; }

    /// <summary><c>Storage:FlagDurability</c> (<c>durable</c> or <c>fast</c>): see <see cref="Mailboxes.FlagDurability"/>.</summary>
    public Mailboxes.FlagDurability FlagDurability { get; init; }
}

/// <summary>
/// The open database: a pooled data source, and the embedded cluster behind it when there is one.
/// Disposing it stops the embedded cluster if this process is its owner.
/// </summary>
public sealed class DocStoreDatabase : IAsyncDisposable
{
    public const string EmbeddedDatabaseName = "docstore";

    /// <summary>
    /// Connections one node's pool may hold on the embedded cluster: four per core, 8 to 60.
    /// PostgreSQL runs no more statements at once than there are cores, and every backend costs
    /// about 7 MB (PSS of an idle backend that has run the connection warm-up and DocStore's
    /// prepared statements: its catalogue and plan caches). A burst of sign-ins fills the pool to
    /// its maximum, and the surplus stays for <see cref="EmbeddedIdleLifetimeSeconds"/>: with 60,
    /// 32 sign-ins at a time on 2 cores left about 40 backends behind; with 16, 1,000 idle IMAP
    /// connections measured 286-300 MB PSS, with 8, 224-240 MB (issue #3, 2 cores), while APPEND
    /// on 4 connections, the indexer and the change listener together hold at most 6.
    /// </summary>
    public static int EmbeddedPoolSize { get; } = Math.Clamp(Environment.ProcessorCount * 4, 8, 60);

    /// <summary>Seconds a surplus pooled connection may stay idle before it is closed (Npgsql's default is 300).</summary>
    public const int EmbeddedIdleLifetimeSeconds = 60;

    private readonly EmbeddedPostgres? embedded;
    private readonly bool stopEmbedded;
    private readonly ConnectionWarmUp warmUp;

    private DocStoreDatabase(NpgsqlDataSource dataSource, ConnectionWarmUp warmUp, EmbeddedPostgres? embedded, bool stopEmbedded, string description)
    {
        DataSource = dataSource;
        this.warmUp = warmUp;
        this.embedded = embedded;
        this.stopEmbedded = stopEmbedded;
        Description = description;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>For status output: "embedded PostgreSQL in ..." or the external host and database.</summary>
    public string Description { get; }

    public bool IsEmbedded => embedded is not null;

    /// <summary>
    /// Opens the configured database, or starts (or adopts) the embedded cluster. With
    /// <paramref name="ownServer"/> the embedded cluster is stopped on dispose even when it was
    /// left running by a previous process (the server takes ownership); otherwise only a cluster
    /// this call started is stopped (a CLI verb next to a running server leaves it running).
    /// </summary>
    public static async Task<DocStoreDatabase> OpenAsync(StorageOptions options, ILoggerFactory loggerFactory, bool ownServer, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            var externalWarmUp = new ConnectionWarmUp();
            var external = Build(options.ConnectionString, externalWarmUp, loggerFactory);
            return new DocStoreDatabase(external, externalWarmUp, null, false, $"external PostgreSQL, host {builder.Host}, database {builder.Database}");
        }

        CreateDataDirectory(options.DataDirectory);
        var postgresDirectory = Path.GetFullPath(Path.Combine(options.DataDirectory, "postgres"));
        var cluster = await EmbeddedPostgres.StartAsync(
            new EmbeddedPostgresOptions { DataDirectory = postgresDirectory, RunAsUser = options.RunAsUser },
            loggerFactory.CreateLogger<EmbeddedPostgres>(),
            cancellationToken);
        try
        {
            await using (var maintenance = new NpgsqlConnection(cluster.ConnectionString))
            {
                await maintenance.OpenAsync(cancellationToken);
                var exists = await maintenance.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @name)", new { name = EmbeddedDatabaseName }, cancellationToken: cancellationToken));
                if (!exists)
                {
                    await cluster.CreateDatabaseAsync(EmbeddedDatabaseName, cancellationToken);
                }
            }

            // The embedded cluster allows PostgreSQL's default 100 connections; keep the pool well
            // below so the change listener, CLI verbs and psql always find a free slot and busy
            // sessions wait for a pooled connection instead of being refused.
            var pooled = new NpgsqlConnectionStringBuilder(cluster.ConnectionStringFor(EmbeddedDatabaseName))
            {
                MaxPoolSize = EmbeddedPoolSize,
                ConnectionIdleLifetime = EmbeddedIdleLifetimeSeconds,
            };
            var embeddedWarmUp = new ConnectionWarmUp();
            var dataSource = Build(pooled.ConnectionString, embeddedWarmUp, loggerFactory);
            return new DocStoreDatabase(dataSource, embeddedWarmUp, cluster, ownServer || cluster.StartedByThisProcess, $"embedded PostgreSQL in {postgresDirectory}");
        }
        catch
        {
            if (cluster.StartedByThisProcess)
            {
                await cluster.StopAsync(CancellationToken.None);
            }
            throw;
        }
    }

    /// <summary>
    /// For the embedded cluster on this machine: what to tell the operator about huge pages
    /// (<see cref="HugePages.Advice"/>), or null. Null for an external server, whose machine's
    /// memory this process cannot see, where PostgreSQL cannot say (before version 15), and when
    /// either cannot be read.
    /// </summary>
    public async Task<string?> HugePagesAdviceAsync(CancellationToken cancellationToken)
    {
        if (embedded is null)
        {
            return null;
        }
        try
        {
            // PostgreSQL is asked only on a machine with none reserved (no /proc: an IOException).
            var meminfo = await File.ReadAllTextAsync("/proc/meminfo", cancellationToken);
            if (HugePages.Reserved(meminfo) != 0)
            {
                return null;
            }
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
            var (setting, pages, size) = await connection.QuerySingleAsync<(string, string, string)>(new CommandDefinition(
                "SELECT current_setting('huge_pages'), current_setting('shared_memory_size_in_huge_pages'), current_setting('shared_memory_size')",
                cancellationToken: cancellationToken));
            return HugePages.Advice(meminfo, setting,
                long.TryParse(pages, System.Globalization.CultureInfo.InvariantCulture, out var needed) ? needed : -1, size);
        }
        catch (Exception e) when (e is NpgsqlException or IOException)
        {
            // Advice only: start-up goes on without it.
            return null;
        }
    }

    /// <summary>Applies pending migrations; a second run does nothing.</summary>
    public Task<MigrationResult> MigrateAsync(ILoggerFactory loggerFactory, CancellationToken cancellationToken) =>
        new MigrationRunner(DataSource, loggerFactory.CreateLogger<MigrationRunner>()).MigrateAsync(cancellationToken);

    /// <summary>
    /// From now on every new physical connection of <see cref="DataSource"/> runs
    /// <paramref name="warmUp"/> before its first use, and the idle connections opened before are
    /// closed, so that every backend a command gets has run it. PostgreSQL plans a plpgsql
    /// function's statements, and fills its catalogue caches, once per backend at their first
    /// execution: <c>docstore serve</c> files a mail in a rolled-back transaction here, so that
    /// the first APPEND on each of the pool's backends (all of them new after a burst of sign-ins)
    /// does not pay for it while sessions wait for its notification. Only after migrating: the
    /// warm-up needs the schema. It must not throw; a connection it broke fails its open.
    /// </summary>
    public void WarmUpNewConnections(Func<NpgsqlConnection, Task> warmUp)
    {
        this.warmUp.Run = warmUp;
        DataSource.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (embedded is not null && stopEmbedded)
        {
            await embedded.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// The data folder is traversable but not listable by others (0711): the cluster's own user
    /// (when DocStore runs as root) must reach <c>postgres/</c> inside it, nobody else needs more.
    /// </summary>
    private static void CreateDataDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    /// <summary>What a new physical connection runs first (<see cref="WarmUpNewConnections"/>); nothing until it is set.</summary>
    private sealed class ConnectionWarmUp
    {
        public volatile Func<NpgsqlConnection, Task>? Run;
    }

    private static NpgsqlDataSource Build(string connectionString, ConnectionWarmUp warmUp, ILoggerFactory loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(WithoutJit(connectionString)).UseLoggerFactory(loggerFactory);
        // DocStore opens its connections asynchronously; a synchronous open (none at the time of
        // writing) skips the warm-up rather than blocking on it. So does an open inside a
        // transaction scope (the session warm-up's): the warm-up's own transaction would wait for
        // the scope's uncommitted rows, and the scope for this open.
        builder.UsePhysicalConnectionInitializer(_ => { },
            connection => System.Transactions.Transaction.Current is null ? warmUp.Run?.Invoke(connection) ?? Task.CompletedTask : Task.CompletedTask);
        ApplyPoolDefaults(builder.ConnectionStringBuilder, connectionString);
        return builder.Build();
    }

    /// <summary>
    /// DocStore's choices for its pooled connections (see each below), applied where the
    /// connection string does not make its own.
    /// </summary>
    internal static void ApplyPoolDefaults(NpgsqlConnectionStringBuilder builder, string connectionString)
    {
        // The statements every IMAP command runs (STORE, FETCH's reads, the update check) are
        // prepared on each pooled connection after their second use, so PostgreSQL stops planning
        // them each time (STORE's statement took longer to plan than to run). A connection string
        // that sets Max Auto Prepare keeps its own choice.
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        // A connection going back to the pool is not reset: Npgsql would otherwise send seven
        // statements (RESET ALL, SET SESSION AUTHORIZATION DEFAULT, pg_advisory_unlock_all(),
        // UNLISTEN *, CLOSE ALL, DISCARD SEQUENCES, DISCARD TEMP) ahead of the next command on it,
        // seven of the eleven statements a one-UID STORE ran (pg_stat_statements). DocStore leaves
        // no session state behind: settings are transaction-local (set_config(..., true), or SET
        // with its RESET in the same implicit transaction, which a failure rolls back), the one
        // advisory lock (migrations) is released in a finally, and there are no temporary tables
        // or cursors. The change listener UNLISTENs before its connection goes back. A
        // connection string that says otherwise keeps its own choice.
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }
        // Issue #3, APPEND: a filing's statement carries the mail's bytes (up to the in-memory
        // limit) and its structure. With Npgsql's default 8 KB buffer a 16 KB mail went out in three
        // writes (strace of the server: 3.9 sendto per APPEND on one connection; 2.1 with 64 KB,
        // the filing and the client's OK). 64 KB a pooled connection: one write for mails up to
        // about 60 KB.
        if (!connectionString.Contains("Write Buffer Size", StringComparison.OrdinalIgnoreCase))
        {
            builder.WriteBufferSize = 65536;
        }
    }

    /// <summary>
    /// Turns PostgreSQL's JIT off for DocStore's sessions. Every query here is short, but the
    /// planner's row estimates for the recursive tree queries (rights, LIST) run into the millions,
    /// above <c>jit_above_cost</c>, and compiling them took 3.3 s of a 3.4 s LIST of 4,000
    /// collections on 2 cores; without JIT the same query runs in about 60 ms. A session option, so
    /// it holds for an external PostgreSQL too; options the operator set are kept (the last wins).
    /// </summary>
    internal static string WithoutJit(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? "-c jit=off" : "-c jit=off " + builder.Options;
        return builder.ConnectionString;
    }
}
