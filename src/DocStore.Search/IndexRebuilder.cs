using DocStore.Core.Search;
using DocStore.Search.Indexing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DocStore.Search;

/// <summary>
/// Rebuilds this node's index from PostgreSQL while the server serves. A request (a row of
/// <c>maintenance_job</c>, from the console or <c>docstore reindex</c>) is taken by the node that
/// holds the index. The rebuild writes a fresh index in the side folder (<c>index.rebuild</c>)
/// from every stored version at the indexer's barrier, while the live index answers SEARCH and
/// the indexer keeps feeding it. It then follows the change feed to where the live index is,
/// pauses the indexer, reads the last changes, and replaces the live index's content with the
/// rebuilt one in one Lucene commit (<see cref="TextIndex.ReplaceWith"/>): searches see the old
/// content or the new one, and what neither shows yet they judge directly (read your writes).
/// A crash before that commit leaves the old index in use; the side folder is removed at the
/// next start and the interrupted request is marked failed.
/// </summary>
public sealed class IndexRebuilder(TextIndex index, SearchIndexer indexer, ISearchFeed feed, IIndexRebuildJobs jobs, IndexLocation location,
    SearchOptions options, ILogger<IndexRebuilder> logger) : BackgroundService
{
    private const string Interrupted = "interrupted: the server stopped before the rebuild finished; the old index stayed in use. Start the rebuild again.";
    private const int CatchUpRounds = 10;
    private readonly SemaphoreSlim wake = new(0, 1);
    private readonly Lock gate = new();
    private IndexRebuild? running;
    private long done;
    private long total;

    /// <summary>The node's name in <c>maintenance_job</c>.</summary>
    public string Node => location.Node;

    /// <summary>The rebuild this node runs now, with its latest progress; null when none runs.</summary>
    public IndexRebuild? Running
    {
        get
        {
            lock (gate)
            {
                var indexed = Interlocked.Read(ref done);
                return running is null ? null : running with { Done = indexed, Total = Math.Max(indexed, Interlocked.Read(ref total)) };
            }
        }
    }

    /// <summary>Looks for a request now rather than at the next poll.</summary>
    public void Wake()
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cleaned = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!cleaned)
                {
                    RemoveSideFolder();
                    if (await jobs.AbandonAsync(Node, Interrupted, stoppingToken) is > 0 and var abandoned)
                    {
                        logger.LogWarning("{Count} index rebuild(s) of this node were interrupted by a stop; the old index stayed in use", abandoned);
                    }
                    cleaned = true;
                }
                if (await jobs.StartNextAsync(Node, stoppingToken) is { } job)
                {
                    await RunAsync(job, stoppingToken);
                    continue;
                }
                await wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "The index rebuild service failed; it looks for requests again in 5 seconds");
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }

    private async Task RunAsync(IndexRebuild job, CancellationToken cancellationToken)
    {
        logger.LogInformation("Index rebuild {Id} requested by {By}: started", job.Id, job.RequestedBy);
        Interlocked.Exchange(ref done, 0);
        Interlocked.Exchange(ref total, 0);
        Publish(job);
        using var reporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reporter = ReportAsync(job.Id, reporting.Token);
        string? error = null;
        TextIndex? rebuilt = null;
        try
        {
            RemoveSideFolder();
            rebuilt = TextIndex.Open(location.RebuildPath, rebuild: true);
            var mark = await IndexBuild.BarrierAsync(feed, cancellationToken);
            Interlocked.Exchange(ref total, await feed.CountVersionsAsync(cancellationToken));
            await PhaseAsync(job, IndexRebuildPhases.Indexing, cancellationToken);
            var failed = await IndexBuild.AddAllAsync(rebuilt, feed, logger, () => Interlocked.Increment(ref done), cancellationToken);
            rebuilt.Commit(mark);

            // Follow the feed while the indexer runs, so that the pause below is short.
            await PhaseAsync(job, IndexRebuildPhases.CatchingUp, cancellationToken);
            for (var round = 0; round < CatchUpRounds; round++)
            {
                var upTo = await IndexBuild.BarrierAsync(feed, cancellationToken);
                var read = await ReplayAsync(rebuilt, mark, upTo, cancellationToken);
                rebuilt.Commit(upTo);
                mark = upTo;
                if (read <= options.BatchSize)
                {
                    break;
                }
            }

            await PhaseAsync(job, IndexRebuildPhases.Swapping, cancellationToken);
            var paused = System.Diagnostics.Stopwatch.StartNew();
            using (await indexer.PauseAsync(cancellationToken))
            {
                // Every change up to the live mark is committed (the indexer's barrier passed it),
                // so reading all visible rows past the rebuild's mark brings in everything the
                // live index has, and whatever the indexer has not reached yet.
                await ReplayAsync(rebuilt, mark, long.MaxValue, cancellationToken);
                rebuilt.Commit(Math.Max(mark, index.Mark));
                rebuilt.Dispose();
                rebuilt = null;
                index.ReplaceWith(location.RebuildPath);
            }
            paused.Stop();
            // Versions filed while the listing ran are counted in it too: the whole is what was indexed.
            Interlocked.Exchange(ref total, Interlocked.Read(ref done));
            logger.LogInformation("Index rebuild {Id}: {Done} versions indexed, {Failed} parts could not be extracted; the rebuilt index serves from mark {Mark} (the indexer paused {Pause} ms for the swap)",
                job.Id, Interlocked.Read(ref done), failed, index.Mark, paused.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error = "stopped with the server; the old index stayed in use. Start the rebuild again.";
        }
        catch (Exception ex)
        {
            error = $"{ex.Message} (the old index stayed in use)";
            logger.LogError(ex, "Index rebuild {Id} failed; the old index stays in use", job.Id);
        }
        finally
        {
            rebuilt?.Dispose();
            RemoveSideFolder();
        }

        await reporting.CancelAsync();
        await reporter;
        try
        {
            var last = Running!;
            await jobs.ProgressAsync(job.Id, error is null ? IndexRebuildPhases.Done : IndexRebuildPhases.Failed, last.Done, last.Total, CancellationToken.None);
            await jobs.FinishAsync(job.Id, error, CancellationToken.None);
        }
        finally
        {
            Publish(null);
        }
    }

    // Reads the change rows in (after, upTo] and brings their documents' versions into the rebuild.
    private async Task<long> ReplayAsync(TextIndex target, long after, long upTo, CancellationToken cancellationToken)
    {
        long read = 0;
        while (true)
        {
            var rows = await feed.ChangesAsync(after, upTo, options.BatchSize, cancellationToken);
            if (rows.Count == 0)
            {
                return read;
            }
            await indexer.ApplyAsync(target, rows, cancellationToken);
            read += rows.Count;
            after = rows[^1].Seq;
        }
    }

    private async Task PhaseAsync(IndexRebuild job, string phase, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            running = running! with { Phase = phase };
        }
        await jobs.ProgressAsync(job.Id, phase, Interlocked.Read(ref done), Interlocked.Read(ref total), cancellationToken);
    }

    // Writes the progress to the job's row once a second, for the CLI and the other nodes' consoles.
    private async Task ReportAsync(long id, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                if (Running is { } now)
                {
                    await jobs.ProgressAsync(id, now.Phase, now.Done, now.Total, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The rebuild ended.
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "The progress of index rebuild {Id} could not be stored", id);
        }
    }

    private void Publish(IndexRebuild? job)
    {
        lock (gate)
        {
            running = job;
        }
    }

    private void RemoveSideFolder()
    {
        if (Directory.Exists(location.RebuildPath))
        {
            Directory.Delete(location.RebuildPath, recursive: true);
        }
    }

    public override void Dispose()
    {
        wake.Dispose();
        base.Dispose();
    }
}
