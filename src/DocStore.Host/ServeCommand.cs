using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Runtime;
using System.Transactions;
using DocStore.Core.Auditing;
using DocStore.Core.Documents;
using DocStore.Core.Health;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Search;
using DocStore.Core.Security;
using DocStore.Imap;
using DocStore.Imap.Server;
using DocStore.Search;
using DocStore.Search.Indexing;
using DocStore.Storage;
using DocStore.Storage.Auditing;
using DocStore.Storage.Documents;
using DocStore.Storage.Embedded;
using DocStore.Storage.Health;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Maintenance;
using DocStore.Storage.Principals;
using DocStore.Storage.Search;
using DocStore.Web;
using DocStore.Web.Api;
using DocStore.Web.Security;
using Microsoft.AspNetCore.Connections;
using Npgsql;

namespace DocStore.Host;

/// <summary>
/// <c>docstore serve</c>: the database first (embedded or configured, migrated), then one
/// WebApplication with HTTP, IMAP and IMAPS. On Ctrl+C or SIGTERM the host stops its listeners
/// and then the embedded PostgreSQL.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run DocStore: IMAP, IMAPS and the web console (the default verb).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, Console.Out, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(ParseResult parse, TextWriter console, CancellationToken cancellationToken)
    {
        var configuration = HostSettings.Build(parse);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        var imapOptions = builder.Configuration.GetSection("Imap").Get<ImapOptions>() ?? new ImapOptions();
        var dataDirectory = HostSettings.DataDirectoryOf(configuration);

        // The database comes before everything else; the logger factory below is the host's own,
        // built early so start-up problems are logged the same way.
        using var startupLogging = LoggerFactory.Create(l => l.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true));
        var startupLogger = startupLogging.CreateLogger("DocStore");
        DocStoreDatabase database;
        StorageOptions storage;
        try
        {
            storage = HostSettings.StorageOf(configuration);
            database = await DocStoreDatabase.OpenAsync(storage, startupLogging, ownServer: true, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or PostgresNotInstalledException or EmbeddedPostgresException or NpgsqlException)
        {
            await Console.Error.WriteLineAsync($"docstore: {ex.Message}");
            return 1;
        }

        await using (database)
        {
            try
            {
                await database.MigrateAsync(startupLogging, cancellationToken);
                imapOptions.Certificate = TlsCertificates.Load(configuration, dataDirectory, startupLogger);
                await AdminBootstrap.EnsureAdminAsync(new UserStore(database.DataSource), configuration, console, cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException or System.Security.Cryptography.CryptographicException)
            {
                await Console.Error.WriteLineAsync($"docstore: {ex.Message}");
                return 1;
            }

            ConfigureServices(builder.Services, database, imapOptions, storage.FlagDurability);
            builder.Services.AddConsole(dataDirectory);
            builder.Services.AddSingleton<ISearchFeed, SearchFeed>();
            builder.Services.AddSingleton<IIndexRebuildJobs, IndexRebuildJobs>();
            builder.Services.AddDocStoreSearch(Path.Combine(dataDirectory, "index"), configuration.GetSection("Search").Get<SearchOptions>() ?? new SearchOptions());
            var imapAddress = IPAddress.Parse(imapOptions.BindAddress);
            var httpAddress = IPAddress.Parse(configuration["Http:BindAddress"] ?? "127.0.0.1");
            var httpPort = configuration.GetValue("Http:Port", 8080);
            ConfigureTransport(builder.WebHost, configuration);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.Listen(httpAddress, httpPort);
                // The console over TLS, for browsers on other machines (its cookie is Secure).
                if (configuration.GetValue("Http:TlsPort", 0) is > 0 and var httpsPort)
                {
                    kestrel.Listen(httpAddress, httpsPort, listen => listen.UseHttps(imapOptions.Certificate));
                }
                kestrel.Listen(imapAddress, imapOptions.Port, listen => listen.UseConnectionHandler<ImapConnectionHandler>());
                kestrel.Listen(imapAddress, imapOptions.TlsPort, listen =>
                {
                    listen.UseHttps(imapOptions.Certificate);
                    listen.UseConnectionHandler<ImapConnectionHandler>();
                });
            });

            await using var app = builder.Build();
            app.UseDocStoreWebSecurity();
            app.MapHealth();
            app.MapMe();
            app.MapConsole();
            app.MapDocumentApi();
            await WarmUpAsync(app.Services, database, startupLogger, cancellationToken);
            if (await database.HugePagesAdviceAsync(cancellationToken) is { } hugePages)
            {
                startupLogger.LogInformation("{HugePages}", hugePages);
            }
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"docstore: cannot listen: {ex.Message}. Another program (or another DocStore) uses the port; change Imap:Port, Imap:TlsPort or Http:Port.");
                return 1;
            }

            // The host's own start (endpoints, TLS, the console's JSON) made methods hot too; let
            // their optimised compile finish before saying "up" (what the bench and a service
            // manager's readiness check wait for; a client that connects meanwhile is served): it
            // took 0.3-0.4 s of CPU out of the first STOREs after a restart (issue #3).
            await WaitForQuietJitAsync(TimeSpan.FromSeconds(4), app.Lifetime.ApplicationStopping);
            var state = app.Services.GetRequiredService<ImapServerState>();
            state.Listening($"imap://{imapAddress}:{imapOptions.Port}");
            state.Listening($"imaps://{imapAddress}:{imapOptions.TlsPort}");
            if (!app.Lifetime.ApplicationStopping.IsCancellationRequested)
            {
                startupLogger.LogInformation("DocStore is up: IMAP {Imap}:{ImapPort}, IMAPS {Imap}:{TlsPort}, HTTP http://{Http}:{HttpPort}/ ({Database})",
                    imapAddress, imapOptions.Port, imapAddress, imapOptions.TlsPort, httpAddress, httpPort, database.Description);
            }
            await app.WaitForShutdownAsync(CancellationToken.None);
            startupLogger.LogInformation("DocStore is stopping");
        }
        return 0;
    }

    /// <summary>
    /// APPEND's filing path, filed and rolled back (see <see cref="MailboxStore.WarmUpFilingAsync"/>)
    /// on every new pooled connection from now on, and on one at once: the first APPEND after a
    /// restart or a burst of sign-ins (which fills the pool with new PostgreSQL backends), and the
    /// IDLE sessions waiting for its notification, then do not wait for it to be compiled and planned.
    /// </summary>
    private static async Task WarmUpAsync(IServiceProvider services, DocStoreDatabase database, ILogger logger, CancellationToken cancellationToken)
    {
        // The indexer's path too, in a scratch index in memory: it runs right after that first
        // APPEND, on the same cores as the fan-out to the IDLE sessions.
        if (services.GetService<SearchIndexer>() is not null && !IndexingWarmUp.Run(logger))
        {
            logger.LogWarning("The indexing warm-up did not make its mail searchable");
        }
        if (services.GetRequiredService<IMailboxStore>() is not MailboxStore)
        {
            return;
        }
        database.WarmUpNewConnections(connection => WarmUpFilingAsync(connection, logger));
        // One backend at once, and this process's side of the path with it.
        await using (await database.DataSource.OpenConnectionAsync(cancellationToken))
        {
        }
        await WarmUpSessionAsync(services, database, logger, cancellationToken);
    }

    /// <summary>
    /// A client's first session (<see cref="ImapWarmUp"/>: APPEND, SELECT, the FETCHes of a first
    /// sync, SEARCH, STORE, STATUS, NOOP, IDLE) as a scratch user that exists only in a
    /// transaction rolled back at the end (<see cref="SessionWarmUp"/>), on that warmed backend:
    /// the first sync after a restart then runs code that is already compiled. A failure is
    /// logged and start-up goes on.
    /// </summary>
    private static async Task WarmUpSessionAsync(IServiceProvider services, DocStoreDatabase database, ILogger logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var jitted = JitInfo.GetCompiledMethodCount();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            IReadOnlyList<string> failures;
            using (new TransactionScope(TransactionScopeOption.RequiresNew,
                new TransactionOptions { IsolationLevel = IsolationLevel.ReadCommitted, Timeout = TimeSpan.FromSeconds(60) },
                TransactionScopeAsyncFlowOption.Enabled))
            {
                var user = await SessionWarmUp.CreateUserAsync(database.DataSource, timeout.Token);
                // Its own notifier and no full-text index: nothing of it reaches the server's sessions or the index.
                var backend = new ImapBackend(services.GetRequiredService<AuthenticationService>(), services.GetRequiredService<IMailboxStore>(), new MailboxNotifier());
                failures = await ImapWarmUp.RunAsync(services.GetRequiredService<ImapOptions>(), backend, user, logger, timeout.Token);
                // No Complete: the scope's end rolls everything back.
            }
            // What the warm-up made hot is recompiled optimised on the runtime's background
            // thread (with the STORE rounds, about 1,800 more methods than before them); let it finish
            // (up to 4 s) before the first client comes.
            await WaitForQuietJitAsync(TimeSpan.FromSeconds(4), cancellationToken);
            if (failures.Count > 0)
            {
                logger.LogWarning("The session warm-up had commands that failed: {Failures}", string.Join("; ", failures));
            }
            logger.LogInformation("Session warm-up: {Milliseconds:F0} ms, {Methods} methods compiled",
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, JitInfo.GetCompiledMethodCount() - jitted);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "The session warm-up failed; the first client session after start-up compiles its path instead");
        }
    }

    /// <summary>
    /// Waits until no method has been compiled for 300 ms, or <paramref name="limit"/> has passed,
    /// or <paramref name="stop"/> is cancelled (then it returns: the caller goes on to stop).
    /// </summary>
    private static async Task WaitForQuietJitAsync(TimeSpan limit, CancellationToken stop)
    {
        var started = Stopwatch.GetTimestamp();
        var count = JitInfo.GetCompiledMethodCount();
        var quietSince = started;
        while (Stopwatch.GetElapsedTime(started) < limit
            && Stopwatch.GetElapsedTime(quietSince) < TimeSpan.FromMilliseconds(300)
            && !stop.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
            var now = JitInfo.GetCompiledMethodCount();
            if (now != count)
            {
                (count, quietSince) = (now, Stopwatch.GetTimestamp());
            }
        }
    }

    private static async Task WarmUpFilingAsync(NpgsqlConnection connection, ILogger logger)
    {
        try
        {
            if (!await MailboxStore.WarmUpFilingAsync(connection, CancellationToken.None))
            {
                logger.LogWarning("The filing warm-up did not file its mail");
            }
        }
        catch (Exception ex)
        {
            // Whatever fails here must not fail the connection's open for the command that asked
            // for it (a user named as the warm-up's, warm-up-PID, makes it fail): that backend
            // plans at its first APPEND instead.
            logger.LogWarning(ex, "The filing warm-up of a new database connection failed; its first APPEND plans the filing instead");
        }
    }

    /// <summary>
    /// Issue #3, STORE: a one-line command answered after one PostgreSQL round trip spent most of
    /// its server CPU handing itself between threads (perf: futex waits and wakes, thread wake-ups):
    /// the socket's completion, Kestrel's receive queue, the session's read continuation and
    /// Kestrel's send loop were each a thread-pool hop. Inline scheduling runs the session's read
    /// and the send on the thread the socket completion already runs on. That is a thread-pool
    /// thread, not the epoll thread, as long as DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS is
    /// not set, so a slow command holds up only its own connection. Off by default: in the lead's
    /// quiet bench runs of session 11 pipelined STORE fell with it (13,715/s on, 18,380/s off;
    /// sequential 1,601 against 1,654), while the helper's A/B had sequential STORE 6 % faster.
    /// Session 16's 8-round A/B on the quiet machine settled it for now: 1.11x the APPENDs on one
    /// connection (rounds split 4 : 4), 0.91x on four, 0.88x sequential and 0.86x pipelined STOREs.
    /// <c>Imap:InlineScheduling=true</c> turns it on.
    /// </summary>
    internal static void ConfigureTransport(IWebHostBuilder webHost, IConfiguration configuration) =>
        webHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = configuration.GetValue("Imap:InlineScheduling", false));

    private static void ConfigureServices(IServiceCollection services, DocStoreDatabase database, ImapOptions imapOptions, FlagDurability flagDurability)
    {
        services.AddSingleton(database.DataSource);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(imapOptions);
        services.AddSingleton<IUserStore, UserStore>();
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<VerifiedPasswordCache>();
        services.AddSingleton<AuthenticationService>();
        services.AddSingleton<IMailboxStore>(new MailboxStore(database.DataSource, flagDurability));
        services.AddSingleton<MailboxNotifier>();
        services.AddHostedService<ChangeListener>();
        services.AddSingleton<ImapBackend>();
        services.AddSingleton<ImapServerState>();
        services.AddSingleton<IHealthProbe>(sp => sp.GetRequiredService<ImapServerState>());
        services.AddSingleton<IHealthProbe>(new DatabaseHealthProbe(database.DataSource, database.Description));
        services.AddDocStoreWebSecurity();
        services.AddSingleton<IDocumentStore, DocumentStore>();
        services.AddHostedService<RetentionService>();
    }
}
