using DocStore.Core.Search;
using DocStore.Search.Indexing;
using Microsoft.Extensions.Logging;

namespace DocStore.Search;

/// <summary>
/// SEARCH's text keys from the index. Versions of the scope that the index does not show yet
/// (filed after the indexer's last refresh: a bounded set, the indexer's lag) are read from
/// PostgreSQL, extracted and put into a throw-away in-memory index built by the same code, so
/// they are judged by exactly the same rules: read your writes, never stale.
/// </summary>
public sealed class FullTextSearch(TextIndex index, ISearchFeed feed, ILogger<FullTextSearch> logger) : IFullTextSearch
{
    public async Task<IReadOnlyList<IReadOnlySet<DocumentVersion>>> MatchAsync(IReadOnlyList<TextCriterion> criteria, IReadOnlyCollection<DocumentVersion> scope, CancellationToken cancellationToken)
    {
        var (indexed, pending) = RecentVersions.Split(index, scope);
        var queries = criteria.Select(SearchDocuments.QueryOf).ToList();
        var results = queries.Select(q => index.Match(q, indexed)).ToList();
        if (pending.Count > 0)
        {
            await RecentVersions.SearchAsync(feed, pending, logger, searcher =>
            {
                for (var i = 0; i < queries.Count; i++)
                {
                    results[i].UnionWith(TextIndex.Collect(searcher, queries[i], null));
                }
            }, cancellationToken);
        }
        return results.Select(r => (IReadOnlySet<DocumentVersion>)r.Select(SearchDocuments.VersionOf).ToHashSet()).ToList();
    }
}
