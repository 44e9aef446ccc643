using DocStore.Core.Search;
using DocStore.Search.Indexing;
using Microsoft.Extensions.Logging;

namespace DocStore.Search;

/// <summary>
/// The index as the console shows it, and the two things an administrator starts there. The
/// check reads every stored version from PostgreSQL and extracts and adds each one the index
/// lacks, beside the indexer, through the same <see cref="TextIndex"/> (which never adds a
/// version twice). The rebuild is a request in PostgreSQL that <see cref="IndexRebuilder"/>
/// carries out; the same request comes from <c>docstore reindex</c> beside a running server.
/// </summary>
public sealed class IndexMaintenance(TextIndex index, SearchIndexer indexer, IndexRebuilder rebuilder, IIndexRebuildJobs jobs, ISearchFeed feed,
    TimeProvider time, ILogger<IndexMaintenance> logger)
    : IIndexMaintenance, IDisposable
{
    private const int PageSize = 500;
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stopping = new();
    private IndexCheck? check;
    private long total;
    private long checkedVersions;
    private long added;

    public async Task<IndexState> StateAsync(CancellationToken cancellationToken)
    {
        // This node's running rebuild from memory (fresher than its row), any other from PostgreSQL.
        var rebuild = rebuilder.Running ?? await jobs.LatestAsync(rebuilder.Node, cancellationToken);
        IndexCheck? current;
        lock (gate)
        {
            current = check is { Finished: null } running
                ? running with { Total = Interlocked.Read(ref total), Checked = Interlocked.Read(ref checkedVersions), Added = Interlocked.Read(ref added) }
                : check;
        }
        // As /health: the mark before the sequence, the sequence read now (not the indexer's last barrier's).
        var mark = index.Mark;
        var last = await indexer.ReadLastSeqAsync(cancellationToken);
        return new IndexState(index.Count, mark, last, Math.Max(0, last - mark), indexer.LastError, current,
            rebuild is null ? null : IndexRebuildStatus.Of(rebuild, time.GetUtcNow()));
    }

    public async Task<(bool Started, IndexRebuildStatus Rebuild)> StartRebuildAsync(string requestedBy, CancellationToken cancellationToken)
    {
        var (created, job) = await jobs.RequestAsync(rebuilder.Node, requestedBy, cancellationToken);
        if (created)
        {
            rebuilder.Wake();
        }
        return (created, IndexRebuildStatus.Of(rebuilder.Running is { Id: var id } running && id == job.Id ? running : job, time.GetUtcNow()));
    }

    public bool StartCheck()
    {
        lock (gate)
        {
            if (check is { Finished: null } || rebuilder.Running is not null)
            {
                return false;
            }
            Interlocked.Exchange(ref total, 0);
            Interlocked.Exchange(ref checkedVersions, 0);
            Interlocked.Exchange(ref added, 0);
            check = new IndexCheck(time.GetUtcNow(), null, 0, 0, 0, null);
        }
        _ = Task.Run(() => RunAsync(stopping.Token));
        return true;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            Interlocked.Exchange(ref total, await feed.CountVersionsAsync(cancellationToken));
            DocumentVersion? after = null;
            while (true)
            {
                var page = await feed.AllVersionsAsync(after, PageSize, cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }
                var missing = page.Where(v => !index.Contains(v)).ToList();
                if (missing.Count > 0)
                {
                    // Never beside a rebuild's swap of the index's content; the page's bytes in batched reads.
                    using (await indexer.PauseAsync(cancellationToken))
                    {
                        await VersionIndexing.AddAllAsync(index, feed, missing, logger, () => Interlocked.Increment(ref added), cancellationToken);
                    }
                }
                Interlocked.Add(ref checkedVersions, page.Count);
                after = page[^1];
            }
            using (await indexer.PauseAsync(cancellationToken))
            {
                index.Refresh();
                if (index.Uncommitted > 0)
                {
                    index.Commit(index.Mark);
                }
            }
            logger.LogInformation("Index check: {Checked} versions read, {Added} added to the index", Interlocked.Read(ref checkedVersions), Interlocked.Read(ref added));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error = "stopped with the server";
        }
        catch (Exception ex)
        {
            error = ex.Message;
            logger.LogError(ex, "The index check failed");
        }
        lock (gate)
        {
            check = check! with
            {
                Finished = time.GetUtcNow(),
                Total = Interlocked.Read(ref total),
                Checked = Interlocked.Read(ref checkedVersions),
                Added = Interlocked.Read(ref added),
                Error = error,
            };
        }
    }

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }
}
