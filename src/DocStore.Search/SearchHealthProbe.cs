using DocStore.Core.Health;
using DocStore.Search.Indexing;

namespace DocStore.Search;

/// <summary>The index for <c>/health</c>: versions indexed, high-water mark, lag behind the change feed, and a rebuild this node runs.</summary>
public sealed class SearchHealthProbe(TextIndex index, SearchIndexer indexer, IndexRebuilder rebuilder) : IHealthProbe
{
    public async Task<HealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        // The mark before the sequence: an index commit in between makes the lag read high, never low.
        var mark = index.Mark;
        long? lastChange;
        string? unknown = null;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                lastChange = await indexer.ReadLastSeqAsync(timeout.Token);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // The database probe says why; the lag is unknown, never 0 by default.
                lastChange = null;
                unknown = ex.Message;
            }
        }
        long? lag = lastChange is { } last ? Math.Max(0, last - mark) : null;
        var rebuild = rebuilder.Running;
        var data = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["documents"] = index.Count,
            ["mark"] = mark,
            ["lastChange"] = lastChange,
            ["lag"] = lag,
            ["indexedSinceStart"] = indexer.IndexedSinceStart,
            ["uncommitted"] = index.Uncommitted,
            ["failedParts"] = indexer.FailedParts,
            ["rebuild"] = rebuild is null ? null : new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["id"] = rebuild.Id,
                ["phase"] = rebuild.Phase,
                ["done"] = rebuild.Done,
                ["total"] = rebuild.Total,
                ["started"] = rebuild.Started,
            },
        };
        var healthy = indexer.LastError is null && unknown is null;
        var summary = indexer.LastError is { } error ? $"indexer failing: {error}"
            : unknown is not null ? $"{index.Count} versions indexed, lag unknown: {unknown}"
            : $"{index.Count} versions indexed, {lag} changes behind";
        if (rebuild is not null)
        {
            summary += $"; rebuilding ({rebuild.Phase}, {rebuild.Done} of {rebuild.Total} versions)";
        }
        return new HealthResult("search", healthy, summary, data);
    }
}
