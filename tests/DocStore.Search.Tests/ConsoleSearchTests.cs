using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>The console's Lucene syntax combines the same substring criteria IMAP SEARCH uses, judged against a full scan.</summary>
public sealed class ConsoleSearchTests
{
    private static readonly Lazy<(ReferenceCorpus Corpus, ConsoleSearch Search, TextIndex Index)> Shared = new(() =>
    {
        var corpus = ReferenceCorpus.Generate(200, seed: 7);
        var index = TextIndex.InMemory();
        foreach (var (version, bytes, _) in corpus.Messages)
        {
            index.Add(version, SearchDocuments.Build(version, MessageTextExtractor.Extract(bytes)));
        }
        index.Refresh();
        return (corpus, new ConsoleSearch(index, new CorpusFeed(corpus), NullLogger<ConsoleSearch>.Instance), index);
    });

    [Theory]
    [InlineData("invoice contract", "and")]
    [InlineData("invoice AND contract", "and")]
    [InlineData("invoice OR contract", "or")]
    [InlineData("invoice -contract", "not")]
    [InlineData("invoice NOT contract", "not")]
    public void Two_words_combine_as_the_scans_of_each_word_do(string query, string how)
    {
        var (corpus, search, _) = Shared.Value;
        var first = corpus.Matches(new TextCriterion(TextScope.Text, null, "invoice"));
        var second = corpus.Matches(new TextCriterion(TextScope.Text, null, "contract"));
        var expected = how switch
        {
            "and" => first.Intersect(second),
            "or" => first.Union(second),
            _ => first.Except(second),
        };

        var result = search.Search(query, corpus.Messages.Select(m => m.Version).ToList());

        Assert.Null(result.Error);
        Assert.Equal(0, result.NotIndexed);
        Assert.True(expected.ToHashSet().SetEquals(result.Matches), $"{query}: expected {expected.Count()}, got {result.Matches.Count}");
    }

    [Fact]
    public void A_field_a_phrase_and_a_lone_negation_mean_what_imap_search_means()
    {
        var (corpus, search, _) = Shared.Value;
        var all = corpus.Messages.Select(m => m.Version).ToList();

        Assert.True(corpus.Matches(new TextCriterion(TextScope.Header, "subject", "Rechnung")).SetEquals(search.Search("subject:Rechnung", all).Matches));
        Assert.True(corpus.Matches(new TextCriterion(TextScope.Body, null, "alpha Beta")).SetEquals(search.Search("body:\"alpha Beta\"", all).Matches));
        var without = all.ToHashSet();
        without.ExceptWith(corpus.Matches(new TextCriterion(TextScope.Text, null, "plan")));
        Assert.True(without.SetEquals(search.Search("-plan", all).Matches));
    }

    [Fact]
    public void Only_the_scope_is_searched_and_what_the_index_lacks_is_counted_and_ends_the_indexers_wait_for_a_burst()
    {
        var (corpus, search, index) = Shared.Value;
        var scope = corpus.Messages.Take(50).Select(m => m.Version).Append(new DocumentVersion(999_999, 1)).ToList();
        index.TakeSearchedBehind();

        var result = search.Search("invoice OR contract OR Vertrag", scope);

        Assert.Equal(1, result.NotIndexed);
        Assert.All(result.Matches, m => Assert.Contains(m, scope));
        Assert.True(index.TakeSearchedBehind(), "the indexer was told that a search found it behind");
    }

    [Fact]
    public async Task A_snippet_marks_every_hit_of_the_query_near_the_first()
    {
        var (corpus, search, _) = Shared.Value;
        var hits = search.Search("invoice", corpus.Messages.Select(m => m.Version).ToList()).Matches.Take(5).ToList();
        Assert.NotEmpty(hits);

        var snippets = await search.SnippetsAsync("invoice", hits, CancellationToken.None);

        foreach (var version in hits)
        {
            var marked = snippets[version].Where(p => p.Hit).Select(p => p.Text).ToList();
            Assert.NotEmpty(marked);
            Assert.All(marked, m => Assert.Equal("invoice", m, ignoreCase: true));
        }
    }

    private sealed class CorpusFeed(ReferenceCorpus corpus) : ISearchFeed
    {
        public Task<ReadOnlyMemory<byte>?> ReadAsync(DocumentVersion version, CancellationToken cancellationToken) =>
            Task.FromResult<ReadOnlyMemory<byte>?>(corpus.Messages.First(m => m.Version == version).Bytes);

        public Task<IReadOnlyList<DocumentChange>> ChangesAsync(long after, long upTo, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> LastAllocatedSeqAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<DateTime> ServerClockAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> AnyTransactionStartedBeforeAsync(DateTime instant, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<DocumentVersion>> VersionsAsync(IReadOnlyCollection<long> documentIds, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<DocumentVersion>> AllVersionsAsync(DocumentVersion? after, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> CountVersionsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
