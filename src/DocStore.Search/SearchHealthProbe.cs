using DocStore.Core.Health;
using DocStore.Search.Indexing;

namespace DocStore.Search;

/// <summary>The index for <c>/health</c>: versions indexed, high-water mark, lag behind the change feed.</summary>
public sealed class SearchHealthProbe(TextIndex index, SearchIndexer indexer) : IHealthProbe
{
    public Task<HealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        var lag = Math.Max(0, indexer.LastSeq - index.Mark);
        var data = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["documents"] = index.Count,
            ["mark"] = index.Mark,
            ["lastChange"] = indexer.LastSeq,
            ["lag"] = lag,
            ["indexedSinceStart"] = indexer.IndexedSinceStart,
            ["uncommitted"] = index.Uncommitted,
            ["failedParts"] = indexer.FailedParts,
        };
        var healthy = indexer.LastError is null;
        var summary = healthy ? $"{index.Count} versions indexed, {lag} changes behind" : $"indexer failing: {indexer.LastError}";
        return Task.FromResult(new HealthResult("search", healthy, summary, data));
    }
}
