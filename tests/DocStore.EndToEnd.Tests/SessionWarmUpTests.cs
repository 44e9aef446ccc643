using System.Reflection;
using System.Transactions;
using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Security;
using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Imap;
using DocStore.Imap.Server;
using DocStore.Storage.Auditing;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Principals;
using DocStore.Testing;
using MailKit;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>
/// <c>docstore serve</c> runs a client's first session (APPEND, SELECT, FETCH, SEARCH, STORE,
/// IDLE) as a scratch user before it says it is up (issue #3): every command of it answers OK,
/// and nothing of it stays (no principal, mailbox, document, entry, audit or change row, no
/// notification); when it fails, the server starts all the same.
/// </summary>
public sealed class SessionWarmUpTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private const string Footprint = """
        SELECT concat_ws(' | ',
               'principals ' || (SELECT count(*) FROM principal), 'collections ' || (SELECT count(*) FROM collection),
               'documents ' || (SELECT count(*) FROM document), 'versions ' || (SELECT count(*) FROM version),
               'entries ' || (SELECT count(*) FROM entry), 'seen ' || (SELECT count(*) FROM entry_seen),
               'audit ' || (SELECT count(*) FROM audit), 'changes ' || (SELECT count(*) FROM change),
               'tags ' || (SELECT count(*) FROM document_tag), 'blobs ' || (SELECT count(*) FROM blob),
               'chunks ' || (SELECT count(*) FROM blob_chunk), 'headers ' || (SELECT count(*) FROM version_header),
               (SELECT string_agg(sequencename || '=' || COALESCE(last_value, 0), ',' ORDER BY sequencename) FROM pg_sequences
                 WHERE sequencename IN ('principal_id_seq', 'collection_id_seq', 'collection_uidvalidity_seq')),
               (SELECT string_agg(id || ':' || uidnext || ':' || highestmodseq, ',' ORDER BY id) FROM collection))
        """;

    private Dictionary<string, string> Settings => new(StringComparer.Ordinal) { ["ConnectionStrings:DocStore"] = database.ConnectionString };

    [Fact]
    public async Task The_session_warm_up_answers_every_command_and_leaves_nothing_behind()
    {
        using var directory = new ScratchDirectory("docstore-e2e-");
        // The first start creates the administrator; the footprint is taken after it.
        await using (var first = await DocStoreProcess.StartAsync(directory.Path, Settings))
        {
            await first.TerminateAsync();
        }
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"LISTEN {ChangeListener.Channel}");
        var notified = 0;
        connection.Notification += (_, _) => notified++;
        var before = await connection.QuerySingleAsync<string>(Footprint);

        await using var server = await DocStoreProcess.StartAsync(directory.Path, Settings);

        Assert.Contains("Session warm-up:", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("session warm-up failed", server.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("had commands that failed", server.Output, StringComparison.Ordinal);
        Assert.Equal(before, await connection.QuerySingleAsync<string>(Footprint));
        // A notification would have arrived with the query's answer.
        await connection.ExecuteAsync("SELECT 1");
        Assert.Equal(0, notified);
    }

    /// <summary>
    /// Issue #3's STOREs after a restart: the warm-up sends one-UID STOREs one at a time and in
    /// bursts the session runs as one group, each more often than the runtime's tier-1 threshold
    /// (30 calls), so neither path is recompiled during a client's first STOREs. Counted by the
    /// audit rows the warm-up writes in its transaction (a group's row says how many commands it held).
    /// </summary>
    [Fact]
    public async Task The_session_warm_up_runs_single_and_grouped_stores_past_the_tier_one_threshold()
    {
        await WarmUpInScopeAsync(new MailboxStore(database.DataSource), async user =>
        {
            await using var connection = await database.DataSource.OpenConnectionAsync();
            var (single, grouped) = await connection.QuerySingleAsync<(long, long)>("""
                SELECT count(*) FILTER (WHERE details->>'uids' = '1' AND details->>'commands' IS NULL),
                       count(*) FILTER (WHERE details->>'commands' = @burst)
                  FROM audit WHERE action = 'flags' AND collection_id = @inbox
                """, new { burst = ImapWarmUp.BurstSize.ToString(System.Globalization.CultureInfo.InvariantCulture), inbox = user.Id });
            Assert.True(single >= ImapWarmUp.StoreRounds, $"{single} one-UID STOREs run alone");
            Assert.True(grouped >= ImapWarmUp.StoreRounds, $"{grouped} groups of {ImapWarmUp.BurstSize} STOREs");
        });
    }

    /// <summary>
    /// Issue #3's cold first sync: the warm-up runs a first sync's SELECT (the whole mailbox read)
    /// and header FETCH (the batch read) more often than the runtime's tier-1 threshold (30 calls),
    /// so a client's first sync after a restart does not run them unoptimised while the runtime
    /// recompiles them (cold sync on 20,000 messages 87,000 → 91,500 msg/s, medians of 4).
    /// </summary>
    [Fact]
    public async Task The_session_warm_up_runs_a_first_sync_past_the_tier_one_threshold()
    {
        var (store, probe) = OneCallAtATime.Wrap(new MailboxStore(database.DataSource));

        await WarmUpInScopeAsync(store, _ => Task.CompletedTask);

        Assert.True(probe.Calls(nameof(IMailboxStore.MessagesAsync)) > 30, $"{probe.Calls(nameof(IMailboxStore.MessagesAsync))} whole-mailbox reads");
        Assert.True(probe.Calls(nameof(IMailboxStore.ReadManyAsync)) > 30, $"{probe.Calls(nameof(IMailboxStore.ReadManyAsync))} batch reads");
    }

    /// <summary>
    /// The warm-up runs in one transaction, on one connection: two store calls at once would open
    /// a second connection, whose filing warm-up waits for the first one's uncommitted rows while
    /// the first waits for that open (session 13's IDLE step did this on a busy machine: 30 s of
    /// start-up, then no warm-up). Each read of changes is slowed here, so an overlap shows.
    /// </summary>
    [Fact]
    public async Task The_session_warm_up_never_runs_two_store_calls_at_once()
    {
        var (store, probe) = OneCallAtATime.Wrap(new MailboxStore(database.DataSource), slow: nameof(IMailboxStore.DeltaAsync));

        await WarmUpInScopeAsync(store, _ => Task.CompletedTask);

        Assert.True(probe.SlowCalls > 0, "no read of changes was slowed");
        Assert.Equal(1, probe.MostAtOnce);
    }

    /// <summary>
    /// Runs the warm-up on <paramref name="store"/> as <c>docstore serve</c> does: as a scratch user
    /// in a transaction scope that is never completed (the scope's end rolls everything back), and
    /// bounded, so that a warm-up waiting for ever fails the test instead of holding up the run
    /// (session 13's CI: an IDLE step waiting for a FETCH that never came). Every command must
    /// answer OK; <paramref name="check"/> then looks inside the scope.
    /// </summary>
    private async Task WarmUpInScopeAsync(IMailboxStore store, Func<User, Task> check)
    {
        var dataSource = database.DataSource;
        var backend = new ImapBackend(
            new AuthenticationService(new UserStore(dataSource), new AuditLog(dataSource), new LoginThrottle(TimeProvider.System), new VerifiedPasswordCache(TimeProvider.System), TimeProvider.System),
            store, new MailboxNotifier());
        // The transaction outlives the run's bound, as in docstore serve (60 s against 30 s).
        using var scope = new TransactionScope(TransactionScopeOption.RequiresNew,
            new TransactionOptions { IsolationLevel = IsolationLevel.ReadCommitted, Timeout = TimeSpan.FromSeconds(120) }, TransactionScopeAsyncFlowOption.Enabled);
        var user = await SessionWarmUp.CreateUserAsync(dataSource, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var failures = await ImapWarmUp.RunAsync(new ImapOptions(), backend, user, NullLogger.Instance, timeout.Token);

        Assert.Empty(failures);
        await check(user);
    }

    [Fact]
    public async Task A_failing_session_warm_up_does_not_stop_the_server()
    {
        // A database of its own: the user below would make the other test's warm-up fail too.
        var own = new MigratedDatabase();
        await own.InitializeAsync();
        try
        {
            // A real user with the scratch user's name: the warm-up cannot create its user.
            var added = await DocStoreProcess.RunAsync("warm-up-password\n",
                "user", "add", SessionWarmUp.UserName, "--connection-string", own.ConnectionString);
            Assert.True(added.ExitCode == 0, added.Output);
            using var directory = new ScratchDirectory("docstore-e2e-");

            await using var server = await DocStoreProcess.StartAsync(directory.Path,
                new Dictionary<string, string>(StringComparer.Ordinal) { ["ConnectionStrings:DocStore"] = own.ConnectionString });

            Assert.Contains("The session warm-up failed", server.Output, StringComparison.Ordinal);
            using var client = await ImapClients.ConnectAsync(server.TlsPort, SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync(SessionWarmUp.UserName, "warm-up-password");
            Assert.Equal(FolderAccess.ReadWrite, await client.Inbox.OpenAsync(FolderAccess.ReadWrite));
            Assert.Equal(0, client.Inbox.Count);
            await client.DisconnectAsync(true);
        }
        finally
        {
            await own.DisposeAsync();
        }
    }
}

/// <summary>
/// A store that counts its calls by method and how many run at once, and holds each call of one method
/// (<c>slow</c>) for a moment first, so that a call made meanwhile overlaps it.
/// </summary>
public class OneCallAtATime : DispatchProxy
{
    private static readonly MethodInfo RunTyped = typeof(OneCallAtATime).GetMethod(nameof(RunAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;
    private IMailboxStore target = null!;
    private string? slow;
    private int atOnce;
    private int mostAtOnce;
    private int slowCalls;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> calls = new(StringComparer.Ordinal);

    public int MostAtOnce => Volatile.Read(ref mostAtOnce);

    public int SlowCalls => Volatile.Read(ref slowCalls);

    /// <summary>How often the store's method of this name was called.</summary>
    public int Calls(string method) => calls.GetValueOrDefault(method);

    public static (IMailboxStore Store, OneCallAtATime Probe) Wrap(IMailboxStore target, string? slow = null)
    {
        var store = Create<IMailboxStore, OneCallAtATime>();
        var probe = (OneCallAtATime)(object)store;
        (probe.target, probe.slow) = (target, slow);
        return (store, probe);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var returns = targetMethod.ReturnType;
        if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
        {
            return RunTyped.MakeGenericMethod(returns.GetGenericArguments()[0]).Invoke(this, [targetMethod, args]);
        }
        if (returns == typeof(Task))
        {
            return RunAsync<bool>(targetMethod, args);
        }
        return targetMethod.Invoke(target, args);
    }

    private async Task<T> RunAsync<T>(MethodInfo method, object?[]? args)
    {
        var now = Interlocked.Increment(ref atOnce);
        for (var most = MostAtOnce; now > most && Interlocked.CompareExchange(ref mostAtOnce, now, most) != most; most = MostAtOnce)
        {
        }
        calls.AddOrUpdate(method.Name, 1, (_, n) => n + 1);
        try
        {
            if (string.Equals(method.Name, slow, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref slowCalls);
                await Task.Delay(100);
            }
            var task = (Task)method.Invoke(target, args)!;
            await task;
            return task is Task<T> typed ? typed.Result : default!;
        }
        finally
        {
            Interlocked.Decrement(ref atOnce);
        }
    }
}
