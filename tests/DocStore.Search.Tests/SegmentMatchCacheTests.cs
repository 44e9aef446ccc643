using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Lucene.Net.Util;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>
/// The per-segment answers kept between searches: a search answered from them equals a scan of
/// the texts, first (computed) and again (kept), after a refresh that adds a segment, after a
/// removal, and for a scope too small to judge segments whole; and the cache stays bounded.
/// </summary>
public sealed class SegmentMatchCacheTests
{
    private static readonly string[] Words = ["invoice", "Invoices", "INVOICE-7", "budget", "Straße", "contract", "reinvoiced", "angebot"];

    private static readonly string[] Needles = ["invoice", "nvoic", "INVOICE-", "straße", "STRASSE", "ab", "budget contract", "zzz"];

    private readonly Dictionary<DocumentVersion, string> bodies = [];

    [Fact]
    public void Answers_kept_per_segment_equal_a_scan_first_again_after_a_refresh_and_after_a_removal()
    {
        using var index = TextIndex.InMemory();
        var versions = new List<DocumentVersion>();
        // Three segments: each refresh flushes what was added since.
        for (var batch = 0; batch < 3; batch++)
        {
            versions.AddRange(AddBatch(index, batch * 40, 40));
            index.Refresh();
        }
        var scope = new SearchScope(versions.ToArray());

        AssertAgreesWithScan(index, scope, versions);
        var kept = index.MatchCache.Count;
        Assert.True(kept >= Needles.Length * 3, $"each needle's answer is kept for each of the 3 segments ({kept})");
        var hits = index.MatchCache.Hits;

        AssertAgreesWithScan(index, scope, versions);
        Assert.Equal(kept, index.MatchCache.Count);
        Assert.True(index.MatchCache.Hits >= hits + Needles.Length * 3, "the second round is answered from what was kept");

        // A refresh adds a segment: the earlier segments' answers stand, the new one is judged.
        versions.AddRange(AddBatch(index, 120, 30));
        index.Refresh();
        scope = new SearchScope(versions.ToArray(), scope.State);
        hits = index.MatchCache.Hits;
        AssertAgreesWithScan(index, scope, versions);
        Assert.True(index.MatchCache.Hits >= hits + Needles.Length * 3, "the earlier segments were not judged again");

        // Removed versions are no longer the index's to answer (a search judges them apart).
        var removed = versions.Where((_, i) => i % 7 == 0).ToList();
        index.RemoveDocuments(removed.Select(v => v.DocumentId).ToHashSet());
        index.Refresh();
        AssertAgreesWithScan(index, new SearchScope(versions.ToArray(), scope.State), versions.Except(removed).ToList());
    }

    [Fact]
    public void A_scope_covering_little_of_a_segment_is_judged_alone_and_nothing_is_kept_for_it()
    {
        using var index = TextIndex.InMemory();
        var versions = AddBatch(index, 0, 60);
        index.Refresh();
        var few = versions.Where((_, i) => i % 5 == 0).ToArray();

        AssertAgreesWithScan(index, new SearchScope(few), few);
        Assert.Equal(0, index.MatchCache.Count);
    }

    [Fact]
    public void The_cache_drops_answers_of_retired_segments_and_its_oldest_answers_beyond_its_bound()
    {
        var cache = new SegmentMatchCache(maxBytes: 4 * (1024 / 8 + 64));
        object one = new(), two = new();
        for (var i = 0; i < 4; i++)
        {
            cache.Put(one, $"q{i}", new FixedBitSet(1024));
        }
        Assert.Equal(4, cache.Count);
        Assert.NotNull(cache.Get(one, "q0"));

        // Over the bound: the least recently used half goes (q0 was just used).
        cache.Put(two, "q4", new FixedBitSet(1024));
        Assert.True(cache.Bytes <= 4 * (1024 / 8 + 64));
        Assert.NotNull(cache.Get(one, "q0"));
        Assert.Null(cache.Get(one, "q1"));
        Assert.NotNull(cache.Get(two, "q4"));

        cache.Retain([two]);
        Assert.Null(cache.Get(one, "q0"));
        Assert.NotNull(cache.Get(two, "q4"));
        Assert.Equal(1, cache.Count);
    }

    private List<DocumentVersion> AddBatch(TextIndex index, int first, int count)
    {
        var random = new Random(first + 17);
        var added = new List<DocumentVersion>();
        for (var i = first; i < first + count; i++)
        {
            var version = new DocumentVersion(i + 1, 1);
            // Most bodies hold a common word, some only its parts: the certain and the verified paths both decide.
            var body = string.Join(' ', Enumerable.Range(0, 6).Select(_ => Words[random.Next(Words.Length)])) + (i % 3 == 0 ? " budget contract" : "");
            bodies[version] = body;
            index.Add(version, SearchDocuments.Build(version, new ExtractedText([("Subject", $"mail {i}")], body, 0)));
            added.Add(version);
        }
        return added;
    }

    private void AssertAgreesWithScan(TextIndex index, SearchScope scope, IReadOnlyCollection<DocumentVersion> held)
    {
        foreach (var needle in Needles)
        {
            var query = SearchDocuments.QueryOf(new TextCriterion(TextScope.Body, null, needle));
            var found = index.WithSearcher(searcher =>
            {
                var map = ScopeMap.For(index, searcher, scope);
                return map.Positions(TextIndex.CollectDocs(searcher, query, map.Documents, index.MatchCache));
            });
            var expected = Enumerable.Range(0, scope.Versions.Count)
                .Where(p => held.Contains(scope.Versions[p]) && bodies[scope.Versions[p]].Contains(needle, StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.Equal(expected, Enumerable.Range(0, scope.Versions.Count).Where(found.Contains).ToList());
        }
    }
}
