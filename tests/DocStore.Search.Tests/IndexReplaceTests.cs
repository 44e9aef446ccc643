using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using DocStore.Storage.Search;
using DocStore.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>The swap at the end of an online rebuild: the live index takes the rebuilt content and mark in one commit.</summary>
public sealed class IndexReplaceTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    // Ids no test files in PostgreSQL: a version the index does not show is not found at all.
    private static readonly DocumentVersion Alpha = new(9_000_001, 1);
    private static readonly DocumentVersion Beta = new(9_000_002, 1);
    private static readonly DocumentVersion Gamma = new(9_000_003, 1);

    [Fact]
    public async Task The_live_index_takes_the_rebuilt_versions_and_mark_and_searches_see_exactly_them()
    {
        using var live = new ScratchDirectory("index");
        using var side = new ScratchDirectory("index-rebuild");
        using (var rebuilt = TextIndex.Open(side.Path, rebuild: true))
        {
            Add(rebuilt, Beta, "betaword");
            Add(rebuilt, Gamma, "gammaword");
            rebuilt.Commit(7);
        }

        using (var index = TextIndex.Open(live.Path))
        {
            Add(index, Alpha, "alphaword");
            Add(index, Beta, "betaword");
            index.Commit(5);
            index.Refresh();

            index.ReplaceWith(side.Path);

            var search = new FullTextSearch(index, new SearchFeed(database.DataSource), NullLogger<FullTextSearch>.Instance);
            var found = await search.MatchAsync(
                [new TextCriterion(TextScope.Body, null, "GAMMAWORD"), new TextCriterion(TextScope.Body, null, "alphaword"), new TextCriterion(TextScope.Body, null, "betaword")],
                [Alpha, Beta, Gamma], CancellationToken.None);
            Assert.Equal(7, index.Mark);
            Assert.Equal(0, index.Uncommitted);
            Assert.False(index.IsSearchable(Alpha));
            Assert.True(index.IsSearchable(Gamma));
            Assert.True(index.Contains(Beta));
            Assert.Equal([Gamma], found[0]);
            Assert.Empty(found[1]);
            Assert.Equal([Beta], found[2]);
        }

        Assert.Equal((7L, 2), TextIndex.Peek(live.Path));
    }

    private static void Add(TextIndex index, DocumentVersion version, string word) =>
        index.Add(version, SearchDocuments.Build(version, new ExtractedText([("Subject", "filed")], word, 0)));
}
