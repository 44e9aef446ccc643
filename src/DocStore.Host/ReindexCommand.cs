using System.CommandLine;
using System.Diagnostics;
using DocStore.Core.Auditing;
using DocStore.Core.Search;
using DocStore.Search;
using DocStore.Search.Indexing;
using DocStore.Storage.Auditing;
using DocStore.Storage.Maintenance;
using DocStore.Storage.Search;
using Lucene.Net.Index;
using Microsoft.Extensions.Logging;

namespace DocStore.Host;

/// <summary>
/// <c>docstore reindex</c>: rebuilds the full-text index from PostgreSQL with a progress bar. The
/// index is derived (DESIGN.md), so this is always safe. With the server running (it holds the
/// index open) the command asks that server to rebuild while it serves, through a request row in
/// PostgreSQL (<see cref="IIndexRebuildJobs"/>), and draws the progress the server writes there;
/// with the server stopped it builds the index itself into a side folder and puts it in place.
/// </summary>
internal static class ReindexCommand
{
    // A running server looks for requests every second; this long without an answer means it does not take them.
    private static readonly TimeSpan PickUpBound = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var command = new Command("reindex", "Rebuild the full-text index from the database (a running server rebuilds while it serves).");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 1;
            }
            var location = IndexLocation.InDataDirectory(HostSettings.DataDirectoryOf(cli.Configuration));
            return IsOpenInServer(location.Path)
                ? await OnlineAsync(cli, location, cancellationToken)
                : await OfflineAsync(cli, location, cancellationToken);
        });
        return command;
    }

    private static bool IsOpenInServer(string indexPath)
    {
        if (!Directory.Exists(indexPath))
        {
            return false;
        }
        using var current = Lucene.Net.Store.FSDirectory.Open(indexPath);
        return IndexWriter.IsLocked(current);
    }

    private static async Task<int> OnlineAsync(CliDatabase cli, IndexLocation location, CancellationToken cancellationToken)
    {
        var jobs = new IndexRebuildJobs(cli.Database.DataSource);
        var (created, job) = await jobs.RequestAsync(location.Node, $"{Environment.UserName} (docstore reindex)", cancellationToken);
        if (!created)
        {
            await Console.Error.WriteLineAsync($"docstore: a rebuild of this index is already {(job.Started is null ? "queued" : "running")} "
                + $"(requested by {job.RequestedBy} at {job.RequestedAt:u}; {job.Phase}, {job.Done} of {job.Total} versions). "
                + "Wait for it to finish: docstore status shows its progress.");
            return 1;
        }
        await new AuditLog(cli.Database.DataSource).RecordAsync(new AuditRecord(new Actor(null, Environment.UserName, null, "docstore-cli"), AuditActions.IndexRebuildRequested,
            Details: new Dictionary<string, string>(StringComparer.Ordinal) { ["job"] = job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }), cancellationToken);
        Console.WriteLine($"The running server rebuilds its index while it serves (request {job.Id}). Ctrl+C stops watching, not the rebuild.");

        var waiting = Stopwatch.StartNew();
        (long, string)? drawn = null;
        try
        {
            while (true)
            {
                await Task.Delay(250, cancellationToken);
                var current = await jobs.GetAsync(job.Id, cancellationToken) ?? throw new InvalidOperationException($"The rebuild request {job.Id} is gone.");
                if (current.Started is null && current.Finished is null)
                {
                    if (waiting.Elapsed > PickUpBound && await jobs.WithdrawAsync(job.Id, "no server took the request", cancellationToken))
                    {
                        await Console.Error.WriteLineAsync($"docstore: the server that holds {location.Path} did not take the rebuild request within {PickUpBound.TotalSeconds:F0} s. "
                            + "Is it an older DocStore, or stuck? Restart it and run docstore reindex again, or stop it and run docstore reindex to rebuild offline.");
                        return 1;
                    }
                    continue;
                }
                var elapsed = (current.Finished ?? DateTimeOffset.UtcNow) - (current.Started ?? current.RequestedAt);
                if (drawn != (current.Done, current.Phase))
                {
                    Progress(current.Done, current.Total, elapsed, current.Phase);
                    drawn = (current.Done, current.Phase);
                }
                if (current.Finished is null)
                {
                    continue;
                }
                Console.WriteLine();
                if (current.Error is not null)
                {
                    await Console.Error.WriteLineAsync($"docstore: the rebuild failed: {current.Error} The server's log has the details.");
                    return 1;
                }
                Console.WriteLine($"Rebuilt {current.Done} versions in {elapsed.TotalSeconds:F1} s ({current.Rate(DateTimeOffset.UtcNow):F0}/s) while the server kept serving; "
                    + "the rebuilt index is in use.");
                return 0;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.WriteLine();
            Console.WriteLine("Stopped watching; the server goes on rebuilding (docstore status shows it).");
            return 130;
        }
    }

    private static async Task<int> OfflineAsync(CliDatabase cli, IndexLocation location, CancellationToken cancellationToken)
    {
        if (Directory.Exists(location.RebuildPath))
        {
            Directory.Delete(location.RebuildPath, recursive: true);
        }

        using var logging = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error));
        var logger = logging.CreateLogger("reindex");
        var feed = new SearchFeed(cli.Database.DataSource);
        var stopwatch = Stopwatch.StartNew();

        var mark = await IndexBuild.BarrierAsync(feed, cancellationToken);
        var total = await feed.CountVersionsAsync(cancellationToken);
        long done = 0;
        long failed;
        using (var index = TextIndex.Open(location.RebuildPath, rebuild: true))
        {
            using var progress = new Timer(_ => Progress(Interlocked.Read(ref done), total, stopwatch.Elapsed, null), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
            failed = await IndexBuild.AddAllAsync(index, feed, logger, () => Interlocked.Increment(ref done), cancellationToken);
            index.Commit(mark);
            await progress.DisposeAsync();
            Progress(done, total, stopwatch.Elapsed, null);
        }

        var old = location.Path + ".old";
        if (Directory.Exists(location.Path))
        {
            Directory.Move(location.Path, old);
        }
        Directory.Move(location.RebuildPath, location.Path);
        if (Directory.Exists(old))
        {
            Directory.Delete(old, recursive: true);
        }
        Console.WriteLine();
        Console.WriteLine($"Indexed {done} versions in {stopwatch.Elapsed.TotalSeconds:F1} s ({done / Math.Max(stopwatch.Elapsed.TotalSeconds, 0.001):F0}/s); {failed} parts could not be extracted; mark {mark}.");
        return 0;
    }

    private static void Progress(long done, long total, TimeSpan elapsed, string? phase)
    {
        const int width = 30;
        var fraction = total == 0 ? 1 : Math.Min(1, (double)done / total);
        var filled = (int)(fraction * width);
        Console.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {fraction:P0} {done / Math.Max(elapsed.TotalSeconds, 0.001):F0}/s {phase} ");
    }
}
