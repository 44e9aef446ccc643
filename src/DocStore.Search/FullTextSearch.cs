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
        var versions = scope.ToList();
        var positions = await MatchPositionsAsync(criteria, new SearchScope(versions), cancellationToken);
        return positions.Select(p => (IReadOnlySet<DocumentVersion>)Enumerable.Range(0, versions.Count).Where(p.Contains).Select(i => versions[i]).ToHashSet()).ToList();
    }

    /// <summary>
    /// The index answers for the versions its current reader holds, mapped to the scope's
    /// positions by a <see cref="ScopeMap"/> kept between searches of the same scope; the rest
    /// (that reader's lag, never more) are indexed in memory and judged by the same queries.
    /// </summary>
    public async Task<IReadOnlyList<PositionSet>> MatchPositionsAsync(IReadOnlyList<TextCriterion> criteria, SearchScope scope, CancellationToken cancellationToken)
    {
        var queries = criteria.Select(SearchDocuments.QueryOf).ToList();
        // Versions the indexer has added but not yet refreshed (it refreshes once per burst) are
        // made searchable by one refresh instead of being extracted again below.
        var added = index.WithSearcher(searcher =>
        {
            var mapped = ScopeMap.For(index, searcher, scope);
            return mapped.Pending.Select(mapped.VersionAt).ToList();
        });
        index.RefreshIfAdded(added);
        var (results, map) = index.WithSearcher(searcher =>
        {
            var mapped = ScopeMap.For(index, searcher, scope);
            return (queries.Select(q => mapped.Positions(TextIndex.CollectDocs(searcher, q, mapped.Documents, index.MatchCache))).ToList(), mapped);
        });
        if (map.Pending.Count > 0)
        {
            var positionsOf = new Dictionary<long, List<int>>();
            foreach (var position in map.Pending)
            {
                var key = SearchDocuments.KeyOf(map.VersionAt(position));
                if (!positionsOf.TryGetValue(key, out var list))
                {
                    positionsOf[key] = list = [];
                }
                list.Add(position);
            }
            await RecentVersions.SearchAsync(index, feed, map.Pending.Select(map.VersionAt).ToList(), logger, searcher =>
            {
                for (var i = 0; i < queries.Count; i++)
                {
                    foreach (var key in TextIndex.Collect(searcher, queries[i], null))
                    {
                        foreach (var position in positionsOf.GetValueOrDefault(key) ?? [])
                        {
                            results[i].Add(position);
                        }
                    }
                }
            }, cancellationToken);
        }
        return results;
    }
}
