using DocStore.Core.Search;
using Lucene.Net.Search;
using Microsoft.Extensions.Logging;

namespace DocStore.Search.Indexing;

/// <summary>
/// Read your writes for SEARCH and FUZZY: the versions of a search's scope that the index does not
/// show yet (filed after the indexer's last refresh: a bounded set, the indexer's lag) are read
/// from PostgreSQL and indexed into a throw-away in-memory index by the indexer's own code
/// (<see cref="VersionIndexing.Add"/>, which also survives a message MimeKit cannot read), so they
/// are judged by exactly the same queries as the indexed ones: never stale.
/// </summary>
internal static class RecentVersions
{
    /// <summary>The scope's keys the index can answer for, and the versions it cannot yet.</summary>
    public static (HashSet<long> Indexed, List<DocumentVersion> Pending) Split(TextIndex index, IReadOnlyCollection<DocumentVersion> scope)
    {
        var indexed = new HashSet<long>(scope.Count);
        var pending = new List<DocumentVersion>();
        foreach (var version in scope)
        {
            if (index.IsSearchable(version))
            {
                indexed.Add(SearchDocuments.KeyOf(version));
            }
            else
            {
                pending.Add(version);
            }
        }
        return (indexed, pending);
    }

    /// <summary>Indexes <paramref name="pending"/> in memory and hands a searcher over them to <paramref name="use"/>; <paramref name="index"/>, the live index, learns that a search was behind.</summary>
    public static async Task SearchAsync(TextIndex index, ISearchFeed feed, IReadOnlyList<DocumentVersion> pending, ILogger logger, Action<IndexSearcher> use, CancellationToken cancellationToken)
    {
        // Someone searches while the indexer waits for a burst to end: it waits no longer.
        index.SearchedBehind();
        using var recent = TextIndex.InMemory();
        foreach (var version in pending.Distinct())
        {
            if (await feed.ReadAsync(version, cancellationToken) is { } bytes)
            {
                VersionIndexing.Add(recent, version, bytes, logger);
            }
        }
        recent.Refresh();
        recent.WithSearcher(searcher =>
        {
            use(searcher);
            return true;
        });
    }
}
