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
/// SEARCH=FUZZY's text keys from the index (<see cref="FuzzyQueries"/>). Versions the index does
/// not show yet are read from PostgreSQL into a throw-away in-memory index built by the same code
/// and judged by the same queries, as <see cref="FullTextSearch"/> does: read your writes, and
/// because relevance depends on edit distances only, the same score as once they are indexed.
/// </summary>
public sealed class FuzzyTextSearch(TextIndex index, ISearchFeed feed, ILogger<FuzzyTextSearch> logger) : IFuzzyTextSearch
{
    public async Task<IReadOnlyList<IReadOnlyDictionary<DocumentVersion, double>>> MatchFuzzyAsync(IReadOnlyList<TextCriterion> criteria, IReadOnlyCollection<DocumentVersion> scope, CancellationToken cancellationToken)
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

        var results = indexed.Count == 0
            ? criteria.Select(_ => new Dictionary<long, double>()).ToList()
            : index.WithSearcher(searcher => criteria.Select(c => FuzzyQueries.Match(searcher, c, indexed)).ToList());
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
            for (var i = 0; i < criteria.Count; i++)
            {
                foreach (var (key, relevance) in FuzzyQueries.Match(searcher, criteria[i], null))
                {
                    results[i][key] = relevance;
                }
            }
        }
        return results.Select(r => (IReadOnlyDictionary<DocumentVersion, double>)r.ToDictionary(p => SearchDocuments.VersionOf(p.Key), p => p.Value)).ToList();
    }
}
