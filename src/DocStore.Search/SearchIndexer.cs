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
    private long indexedSinceStart;
    private long failedParts;
    private long lastSeq;

    /// <summary>Versions this process has added to the index.</summary>
    public long IndexedSinceStart => Interlocked.Read(ref indexedSinceStart);

    /// <summary>Attachment or body parts whose text could not be extracted since start.</summary>
    public long FailedParts => Interlocked.Read(ref failedParts);

    /// <summary>The last change sequence seen allocated; with <see cref="TextIndex.Mark"/>, the lag.</summary>
    public long LastSeq => Interlocked.Read(ref lastSeq);

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

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var read = index.Mark;
        var seen = new HashSet<long>();
        (long Seq, DateTime Clock)? barrier = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var rows = await feed.ChangesAsync(read, long.MaxValue, options.BatchSize, cancellationToken);
            var busy = rows.Count > 0;
            if (busy)
            {
                await IndexAsync(rows, cancellationToken);
                seen.UnionWith(rows.Select(r => r.Seq));
                read = rows[^1].Seq;
            }

            if (barrier is null)
            {
                var last = await feed.LastAllocatedSeqAsync(cancellationToken);
                Interlocked.Exchange(ref lastSeq, last);
                if (last > index.Mark)
                {
                    barrier = (last, await feed.ServerClockAsync(cancellationToken));
                }
            }
            else if (!await feed.AnyTransactionStartedBeforeAsync(barrier.Value.Clock, cancellationToken))
            {
                var upTo = barrier.Value.Seq;
                for (var after = index.Mark; ;)
                {
                    var late = await feed.ChangesAsync(after, upTo, options.BatchSize, cancellationToken);
                    if (late.Count == 0)
                    {
                        break;
                    }
                    await IndexAsync(late.Where(r => !seen.Contains(r.Seq)).ToList(), cancellationToken);
                    after = late[^1].Seq;
                }
                index.Commit(upTo);
                seen.RemoveWhere(s => s <= upTo);
                read = Math.Max(read, upTo);
                barrier = null;
                busy = true;
            }

            if (index.Uncommitted >= options.CommitEvery || (!busy && index.Uncommitted > 0))
            {
                index.Commit(index.Mark);
            }
            LastError = null;
            if (!busy)
            {
                await Task.Delay(options.PollInterval, cancellationToken);
            }
        }
    }

    private async Task IndexAsync(IReadOnlyList<DocumentChange> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var documents = rows.Select(r => r.DocumentId).Distinct().ToList();
        var versions = await feed.VersionsAsync(documents, cancellationToken);
        // A document without versions was purged: its versions leave the index too.
        index.RemoveDocuments(documents.Except(versions.Select(v => v.DocumentId)).ToHashSet());
        // Extraction and Lucene's inversion are CPU work: one worker per core (IndexWriter is thread-safe).
        foreach (var chunk in versions.Where(v => !index.Contains(v)).Chunk(Math.Max(1, options.CommitEvery)))
        {
            Interlocked.Add(ref failedParts, await VersionIndexing.AddAllAsync(index, feed, chunk, logger, () => Interlocked.Increment(ref indexedSinceStart), cancellationToken));
            if (index.Uncommitted >= options.CommitEvery)
            {
                index.Commit(index.Mark);
            }
        }
        index.Refresh();
    }

    /// <summary>Reads, extracts and adds one version; a message MimeKit cannot read at all is indexed empty (found by nothing but its presence).</summary>
    public static async Task<int> IndexOneAsync(TextIndex index, ISearchFeed feed, DocumentVersion version, ILogger logger, CancellationToken cancellationToken)
    {
        return await feed.ReadAsync(version, cancellationToken) is { } bytes ? VersionIndexing.Add(index, version, bytes, logger) : 0;
    }
}
