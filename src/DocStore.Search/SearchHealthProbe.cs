using DocStore.Core.Health;
using DocStore.Search.Indexing;

namespace DocStore.Search;

/// <summary>The index for <c>/health</c>: versions indexed, high-water mark, lag behind the change feed, and a rebuild this node runs.</summary>
public sealed class SearchHealthProbe(TextIndex index, SearchIndexer indexer, IndexRebuilder rebuilder) : IHealthProbe
{
    public Task<HealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        var lag = Math.Max(0, indexer.LastSeq - index.Mark);
        var rebuild = rebuilder.Running;
        var data = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["documents"] = index.Count,
            ["mark"] = index.Mark,
            ["lastChange"] = indexer.LastSeq,
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
        var healthy = indexer.LastError is null;
        var summary = healthy ? $"{index.Count} versions indexed, {lag} changes behind" : $"indexer failing: {indexer.LastError}";
        if (rebuild is not null)
        {
            summary += $"; rebuilding ({rebuild.Phase}, {rebuild.Done} of {rebuild.Total} versions)";
        }
        return Task.FromResult(new HealthResult("search", healthy, summary, data));
    }
}
