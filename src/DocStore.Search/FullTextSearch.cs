using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
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

        var queries = criteria.Select(SearchDocuments.QueryOf).ToList();
        var results = queries.Select(q => index.Match(q, indexed)).ToList();
        if (pending.Count > 0)
        {
            using var recent = new RAMDirectory();
            using (var writer = new IndexWriter(recent, new IndexWriterConfig(LuceneVersion.LUCENE_48, new KeywordAnalyzer())))
            {
                foreach (var version in pending.Distinct())
                {
                    if (await feed.ReadAsync(version, cancellationToken) is { } bytes)
                    {
                        writer.AddDocument(SearchDocuments.Build(version, MessageTextExtractor.Extract(bytes, logger)));
                    }
                }
                writer.Commit();
            }
            using var reader = DirectoryReader.Open(recent);
            var searcher = new IndexSearcher(reader);
            for (var i = 0; i < queries.Count; i++)
            {
                results[i].UnionWith(TextIndex.Collect(searcher, queries[i], null));
            }
        }
        return results.Select(r => (IReadOnlySet<DocumentVersion>)r.Select(SearchDocuments.VersionOf).ToHashSet()).ToList();
    }
}
