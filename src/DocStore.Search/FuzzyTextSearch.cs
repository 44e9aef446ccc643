using DocStore.Core.Search;
using DocStore.Search.Indexing;
using Microsoft.Extensions.Logging;

namespace DocStore.Search;

/// <summary>
/// SEARCH=FUZZY's text keys from the index (<see cref="FuzzyQueries"/>). Versions the index does
/// not show yet are read from PostgreSQL into a throw-away in-memory index built by the same code
/// and judged by the same queries, as <see cref="FullTextSearch"/> does: read your writes, and
/// because relevance depends on edit distances only, the same score as once they are indexed.
/// </summary>
public sealed class FuzzyTextSearch(TextIndex index, ISearchFeed feed, ILogger<FuzzyTextSearch> logger) : IFuzzyTextSearch
{
    public async Task<IReadOnlyList<IReadOnlyDictionary<DocumentVersion, double>>> MatchFuzzyAsync(IReadOnlyList<TextCriterion> criteria, IReadOnlyCollection<DocumentVersion> scope, CancellationToken cancellationToken)
    {
        var (indexed, pending) = RecentVersions.Split(index, scope);
        // As FullTextSearch: what the indexer added but has not refreshed yet, by one refresh.
        if (index.RefreshIfAdded(pending))
        {
            (indexed, pending) = RecentVersions.Split(index, scope);
        }
        var results = indexed.Count == 0
            ? criteria.Select(_ => new Dictionary<long, double>()).ToList()
            : index.WithSearcher(searcher => criteria.Select(c => FuzzyQueries.Match(searcher, c, indexed)).ToList());
        if (pending.Count > 0)
        {
            await RecentVersions.SearchAsync(index, feed, pending, logger, searcher =>
            {
                for (var i = 0; i < criteria.Count; i++)
                {
                    foreach (var (key, relevance) in FuzzyQueries.Match(searcher, criteria[i], null))
                    {
                        results[i][key] = relevance;
                    }
                }
            }, cancellationToken);
        }
        return results.Select(r => (IReadOnlyDictionary<DocumentVersion, double>)r.ToDictionary(p => SearchDocuments.VersionOf(p.Key), p => p.Value)).ToList();
    }
}
