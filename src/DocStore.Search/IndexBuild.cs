using DocStore.Core.Search;
using DocStore.Search.Indexing;
using Microsoft.Extensions.Logging;

namespace DocStore.Search;

/// <summary>The steps of a full rebuild from PostgreSQL, shared by <c>docstore reindex</c> offline and the server's online rebuild.</summary>
public static class IndexBuild
{
    /// <summary>
    /// The indexer's barrier (SearchIndexer): the last allocated change sequence, once every
    /// transaction that could still commit a change up to it has ended. Everything listed after
    /// this returns includes every change up to the answer.
    /// </summary>
    public static async Task<long> BarrierAsync(ISearchFeed feed, CancellationToken cancellationToken)
    {
        var mark = await feed.LastAllocatedSeqAsync(cancellationToken);
        var clock = await feed.ServerClockAsync(cancellationToken);
        while (await feed.AnyTransactionStartedBeforeAsync(clock, cancellationToken))
        {
            await Task.Delay(100, cancellationToken);
        }
        return mark;
    }

    /// <summary>Reads, extracts and adds every stored version to <paramref name="target"/>; <paramref name="indexed"/> is told of each. Returns the parts that could not be extracted.</summary>
    public static async Task<long> AddAllAsync(TextIndex target, ISearchFeed feed, ILogger logger, Action indexed, CancellationToken cancellationToken)
    {
        long failed = 0;
        DocumentVersion? after = null;
        while (true)
        {
            var page = await feed.AllVersionsAsync(after, 1000, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }
            failed += await VersionIndexing.AddAllAsync(target, feed, page, logger, indexed, cancellationToken);
            after = page[^1];
        }
        return failed;
    }
}
