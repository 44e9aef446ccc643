using System.CommandLine;
using System.Diagnostics;
using DocStore.Core.Search;
using DocStore.Search;
using DocStore.Search.Indexing;
using DocStore.Storage.Search;
using Lucene.Net.Index;
using Microsoft.Extensions.Logging;

namespace DocStore.Host;

/// <summary>
/// <c>docstore reindex</c>: rebuilds the full-text index from PostgreSQL into a new folder with a
/// progress line, then puts it in place of the old one. The index is derived (DESIGN.md), so this
/// is always safe. The running server holds the index open, so the rebuild needs it stopped.
/// </summary>
internal static class ReindexCommand
{
    public static Command Create()
    {
        var command = new Command("reindex", "Rebuild the full-text index from the database (stop the server first).");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 1;
            }
            var data = HostSettings.DataDirectoryOf(cli.Configuration);
            var indexPath = Path.Combine(data, "index");
            var rebuildPath = Path.Combine(data, "index.rebuild");
            if (Directory.Exists(indexPath))
            {
                using var current = Lucene.Net.Store.FSDirectory.Open(indexPath);
                if (IndexWriter.IsLocked(current))
                {
                    await Console.Error.WriteLineAsync($"docstore: the index in {indexPath} is open in a running DocStore. Stop the server, run docstore reindex, and start it again. (A running server keeps its index current by itself; reindex is for a lost or damaged index.)");
                    return 1;
                }
            }
            if (Directory.Exists(rebuildPath))
            {
                Directory.Delete(rebuildPath, recursive: true);
            }

            using var logging = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error));
            var logger = logging.CreateLogger("reindex");
            var feed = new SearchFeed(cli.Database.DataSource);
            var stopwatch = Stopwatch.StartNew();

            // The same barrier as the indexer's (SearchIndexer): every change up to `mark` is
            // committed (or never will be) before the versions are listed.
            var mark = await feed.LastAllocatedSeqAsync(cancellationToken);
            var clock = await feed.ServerClockAsync(cancellationToken);
            while (await feed.AnyTransactionStartedBeforeAsync(clock, cancellationToken))
            {
                await Task.Delay(100, cancellationToken);
            }

            var total = await feed.CountVersionsAsync(cancellationToken);
            long done = 0;
            long failed = 0;
            using (var index = TextIndex.Open(rebuildPath, rebuild: true))
            {
                using var progress = new Timer(_ => Progress(Interlocked.Read(ref done), total, stopwatch.Elapsed), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
                DocumentVersion? after = null;
                while (true)
                {
                    var page = await feed.AllVersionsAsync(after, 1000, cancellationToken);
                    if (page.Count == 0)
                    {
                        break;
                    }
                    failed += await VersionIndexing.AddAllAsync(index, feed, page, logger, () => Interlocked.Increment(ref done), cancellationToken);
                    after = page[^1];
                }
                index.Commit(mark);
                await progress.DisposeAsync();
                Progress(done, total, stopwatch.Elapsed);
            }

            var old = indexPath + ".old";
            if (Directory.Exists(indexPath))
            {
                Directory.Move(indexPath, old);
            }
            Directory.Move(rebuildPath, indexPath);
            if (Directory.Exists(old))
            {
                Directory.Delete(old, recursive: true);
            }
            Console.WriteLine();
            Console.WriteLine($"Indexed {done} versions in {stopwatch.Elapsed.TotalSeconds:F1} s ({done / Math.Max(stopwatch.Elapsed.TotalSeconds, 0.001):F0}/s); {failed} parts could not be extracted; mark {mark}.");
            return 0;
        });
        return command;
    }

    private static void Progress(long done, long total, TimeSpan elapsed)
    {
        const int width = 30;
        var fraction = total == 0 ? 1 : Math.Min(1, (double)done / total);
        var filled = (int)(fraction * width);
        Console.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {fraction:P0} {done / Math.Max(elapsed.TotalSeconds, 0.001):F0}/s ");
    }
}
