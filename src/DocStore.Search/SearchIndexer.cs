using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DocStore.Search;

/// <summary>
/// Feeds the index from the change feed. <c>change.seq</c> comes from a sequence, so a
/// transaction can commit a lower seq after a higher one is already visible: reading "seq >
/// mark" alone would skip it for ever. The indexer therefore indexes every visible row past the
/// mark at once (searches see it within one poll), but advances the committed mark only through
/// a barrier: it reads the sequence's last allocated value L, then the server's clock T. Every
/// transaction that drew a seq up to L began before T. Once no transaction that began before T
/// is open (pg_stat_activity), every row up to L is committed or never will be; the indexer
/// reads (mark, L] once more for anything it has not seen, and commits the index with mark = L
/// in the same Lucene commit. After a crash it starts again from the committed mark; versions
/// already in the index are skipped, so nothing is lost and nothing is indexed twice. (An xid
/// horizon, pg_snapshot_xmin, would need the xid to be assigned before the seq is drawn, which
/// PostgreSQL does not promise within one INSERT; transaction start times have no such gap.)
/// </summary>
public sealed class SearchIndexer(TextIndex index, ISearchFeed feed, SearchOptions options, ILogger<SearchIndexer> logger) : BackgroundService
{
    private readonly SemaphoreSlim step = new(1, 1);
    private long indexedSinceStart;
    private long failedParts;
    private long lastSeq;

    /// <summary>Versions this process has added to the index.</summary>
    public long IndexedSinceStart => Interlocked.Read(ref indexedSinceStart);

    /// <summary>Attachment or body parts whose text could not be extracted since start.</summary>
    public long FailedParts => Interlocked.Read(ref failedParts);

    /// <summary>The last change sequence the indexer saw allocated (at its last barrier); <see cref="ReadLastSeqAsync"/> for now.</summary>
    public long LastSeq => Interlocked.Read(ref lastSeq);

    /// <summary>
    /// The last change sequence allocated, read from the feed now: with <see cref="TextIndex.Mark"/>,
    /// the lag. <see cref="LastSeq"/> alone is only as new as the indexer's last barrier, and reads
    /// behind by a poll, a batch delay or a whole barrier's wait for open transactions: a lag
    /// from it read 0 right after an acknowledged APPEND the index did not have yet.
    /// </summary>
    public async Task<long> ReadLastSeqAsync(CancellationToken cancellationToken)
    {
        var last = await feed.LastAllocatedSeqAsync(cancellationToken);
        RaiseLastSeq(last);
        return LastSeq;
    }

    private void RaiseLastSeq(long last)
    {
        for (var known = LastSeq; last > known; known = LastSeq)
        {
            if (Interlocked.CompareExchange(ref lastSeq, last, known) == known)
            {
                return;
            }
        }
    }

    public string? LastError { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LastError = ex.Message;
                logger.LogError(ex, "The search indexer failed; it starts again from its last commit in 5 seconds");
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
        if (index.Uncommitted > 0)
        {
            index.Commit(index.Mark);
        }
    }

    /// <summary>
    /// Holds the indexer between two of its steps until the returned handle is disposed: an index
    /// rebuild swaps the content of the index while nothing writes to it (IndexRebuilder).
    /// Searches go on meanwhile; what the indexer has not reached they judge directly.
    /// </summary>
    public async Task<IDisposable> PauseAsync(CancellationToken cancellationToken)
    {
        await step.WaitAsync(cancellationToken);
        return new Resume(step);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var read = index.Mark;
        // Every change up to here is in the index (added, not necessarily committed yet): the
        // mark of the next commit.
        var covered = index.Mark;
        var seen = new HashSet<long>();
        (long Seq, DateTime Clock)? barrier = null;
        var full = false;
        var flushed = DateTime.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            bool busy;
            await step.WaitAsync(cancellationToken);
            try
            {
                busy = await StepAsync();
            }
            finally
            {
                step.Release();
            }
            LastError = null;
            if (!busy)
            {
                await Task.Delay(options.PollInterval, cancellationToken);
            }
            else if (!full)
            {
                // Issue #3: during an APPEND burst a step found a few rows each time, and paid its
                // feed queries and extraction set-up per message on the cores APPEND needs. Less
                // than a full batch waiting: let more arrive, then take them in one step.
                await Task.Delay(options.BatchDelay, cancellationToken);
                await WaitForBurstEndAsync(read, cancellationToken);
            }
        }

        async Task<bool> StepAsync()
        {
            // A rebuild may have replaced the index (and moved its mark) while the indexer waited;
            // what was covered before is in the replacement too (it replays every visible row).
            covered = Math.Max(covered, index.Mark);
            read = Math.Max(read, covered);
            var rows = await feed.ChangesAsync(read, long.MaxValue, options.BatchSize, cancellationToken);
            var busy = rows.Count > 0;
            full = rows.Count >= options.BatchSize;
            if (busy)
            {
                await ApplyAsync(index, rows, cancellationToken);
                seen.UnionWith(rows.Select(r => r.Seq));
                read = rows[^1].Seq;
            }

            if (barrier is null)
            {
                var last = await feed.LastAllocatedSeqAsync(cancellationToken);
                RaiseLastSeq(last);
                if (last > covered)
                {
                    barrier = (last, await feed.ServerClockAsync(cancellationToken));
                }
            }
            else if (barrier.Value.Seq <= covered)
            {
                barrier = null;
            }
            else if (!await feed.AnyTransactionStartedBeforeAsync(barrier.Value.Clock, cancellationToken))
            {
                var upTo = barrier.Value.Seq;
                for (var after = covered; ;)
                {
                    var late = await feed.ChangesAsync(after, upTo, options.BatchSize, cancellationToken);
                    if (late.Count == 0)
                    {
                        break;
                    }
                    await ApplyAsync(index, late.Where(r => !seen.Contains(r.Seq)).ToList(), cancellationToken);
                    after = late[^1].Seq;
                }
                covered = upTo;
                seen.RemoveWhere(s => s <= upTo);
                read = Math.Max(read, upTo);
                barrier = null;
                busy = true;
            }

            // Issue #3: one refresh (a Lucene segment, merged again later) and one commit per
            // burst, or per RefreshEvery versions of a long one, rather than per step.
            // A merge that ends after a burst's last commit is committed (and searched) at the
            // next idle step, so the segments it replaced leave the disk.
            var waiting = index.Uncommitted > 0 || covered > index.Mark || index.Unrefreshed > 0 || index.HasUncommittedChanges;
            if (!waiting)
            {
                flushed = DateTime.UtcNow;
            }
            else if (!busy || index.Unrefreshed >= options.RefreshEvery || index.Uncommitted >= options.CommitEvery
                     || DateTime.UtcNow - flushed >= options.RefreshInterval)
            {
                index.Commit(covered);
                index.Refresh();
                flushed = DateTime.UtcNow;
            }
            return busy;
        }
    }

    /// <summary>
    /// Waits while changes keep coming (see <see cref="SearchOptions.BurstDeferral"/>): until a
    /// poll interval passes without a new change, a search has judged versions the indexer has not
    /// reached, <see cref="SearchOptions.BurstDeferralLag"/> changes follow <paramref name="read"/>,
    /// or the deferral's time is up.
    /// </summary>
    private async Task WaitForBurstEndAsync(long read, CancellationToken cancellationToken)
    {
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        var last = await ReadLastSeqAsync(cancellationToken);
        while (waiting.Elapsed < options.BurstDeferral && last - read < options.BurstDeferralLag)
        {
            await Task.Delay(options.PollInterval, cancellationToken);
            var now = await ReadLastSeqAsync(cancellationToken);
            if (now == last || index.TakeSearchedBehind())
            {
                return;
            }
            last = now;
        }
    }

    /// <summary>
    /// Brings the versions of the changed documents into <paramref name="target"/> (the live index,
    /// or a rebuild's): the versions it lacks are extracted and added, a purged document's leave.
    /// </summary>
    internal async Task ApplyAsync(TextIndex target, IReadOnlyList<DocumentChange> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var documents = rows.Select(r => r.DocumentId).Distinct().ToList();
        var versions = await feed.VersionsAsync(documents, cancellationToken);
        // A document without versions was purged: its versions leave the index too.
        target.RemoveDocuments(documents.Except(versions.Select(v => v.DocumentId)).ToHashSet());
        // Extraction and Lucene's inversion are CPU work: one worker per core (IndexWriter is thread-safe).
        foreach (var chunk in versions.Where(v => !target.Contains(v)).Chunk(Math.Max(1, options.CommitEvery)))
        {
            var failed = await VersionIndexing.AddAllAsync(target, feed, chunk, logger, target == index ? () => Interlocked.Increment(ref indexedSinceStart) : null, cancellationToken);
            if (target == index)
            {
                Interlocked.Add(ref failedParts, failed);
            }
            if (target.Uncommitted >= options.CommitEvery)
            {
                target.Commit(target.Mark);
            }
        }
        // The live index is refreshed by the indexer's loop when a burst ends (or a search asks).
        if (target != index)
        {
            target.Refresh();
        }
    }

    public override void Dispose()
    {
        step.Dispose();
        base.Dispose();
    }

    private sealed class Resume(SemaphoreSlim step) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                step.Release();
            }
        }
    }
}
