using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>
/// The body index keeps only which trigrams occur, so a needle whose trigrams all occur apart
/// is a candidate and must be refused by the stored text. Every substring of small bodies, and
/// needles built to have all their trigrams but not their order, against a plain
/// case-insensitive Contains.
/// </summary>
public sealed class VerifiedSubstringTests
{
    private static readonly string[] Bodies =
    [
        "abcd xbcy",
        "the cart is in the shed",
        "Größe STRASSE straße Müller-Lüdenscheid",
        "x\U0001F600y\U0001F600z and \U0001F600\U0001F600",
        "banana bandana ananas",
        new string('a', 60) + "needle" + new string('b', 80) + " tail",
        "a",
        "ab",
        "",
        "punctuation: (hello), [world]; <a@b.example>!",
        "RéSUMÉ résumé naïve Œuvre œuvre",
        "line one\nline two\r\nline three",
    ];

    private static readonly string[] GapNeedles =
    [
        "abcy", "dxb", "cartshed", "theshed", "bananas", "nanab", "andana ", "xbcd", "aneedleb", "cd xbcd",
        "\U0001F600y\U0001F600\U0001F600", "straßee", "müllerl", "ssestr", "hello world", "(hello)]", "one\nline t", "two\nline",
        "RÉSUMÉ", "Naïve", "NAIVE", "œuvre œ", "OEUVRE", new string('A', 61) + "NEEDLE", "NEEDLE" + new string('B', 81),
    ];

    public static TheoryData<bool> Scoped() => [true, false];

    [Theory]
    [MemberData(nameof(Scoped))]
    public void Every_substring_and_every_needle_with_scattered_trigrams_agree_with_a_scan(bool scoped)
    {
        using var index = TextIndex.InMemory();
        var versions = Bodies.Select((_, i) => new DocumentVersion(i + 1, 1)).ToList();
        for (var i = 0; i < Bodies.Length; i++)
        {
            index.Add(versions[i], SearchDocuments.Build(versions[i], new ExtractedText([("Subject", "s")], Bodies[i], 0)));
        }
        index.Refresh();
        var all = versions.Select(SearchDocuments.KeyOf).ToHashSet();

        var needles = new HashSet<string>(GapNeedles, StringComparer.Ordinal);
        foreach (var body in Bodies)
        {
            for (var start = 0; start < body.Length; start++)
            {
                for (var length = 1; length <= 8 && start + length <= body.Length; length++)
                {
                    var needle = body.Substring(start, length);
                    // Half a surrogate pair is no needle an IMAP client can send (UTF-8).
                    if (!char.IsLowSurrogate(needle[0]) && !char.IsHighSurrogate(needle[^1]))
                    {
                        needles.Add(needle);
                        needles.Add(needle.ToUpperInvariant());
                    }
                }
            }
        }

        var refused = 0;
        foreach (var needle in needles)
        {
            var expected = versions.Where((_, i) => Bodies[i].Contains(needle, StringComparison.OrdinalIgnoreCase)).ToHashSet();
            var query = SearchDocuments.QueryOf(new TextCriterion(TextScope.Body, null, needle));
            var actual = (scoped ? index.Match(query, all) : MatchUnscoped(index, query)).Select(SearchDocuments.VersionOf).ToHashSet();
            Assert.True(expected.SetEquals(actual), $"BODY \"{needle}\": the scan finds {string.Join(' ', expected)}, the index {string.Join(' ', actual)}");
            refused += GapNeedles.Contains(needle) && expected.Count == 0 ? 1 : 0;
        }
        Assert.True(refused >= 15, $"only {refused} of the scattered-trigram needles match nothing: they must test the refusal");
    }

    [Fact]
    public void A_needle_whose_trigrams_all_occur_apart_is_a_candidate_that_the_stored_text_refuses()
    {
        using var index = TextIndex.InMemory();
        var version = new DocumentVersion(1, 1);
        index.Add(version, SearchDocuments.Build(version, new ExtractedText([], "abcd xbcy", 0)));
        index.Refresh();
        var part = SearchDocuments.QueryOf(new TextCriterion(TextScope.Body, null, "abcy")).Parts.Single();
        var verified = Assert.IsType<VerifiedSubstringQuery>(part.Exact);

        Assert.Single(MatchUnscoped(index, new TextQuery([new TextQuery.Part(verified.Candidates, null)])));
        Assert.Empty(index.Match(new TextQuery([part]), new HashSet<long> { SearchDocuments.KeyOf(version) }));
    }

    [Fact]
    public void A_needle_is_found_wherever_it_falls_in_a_long_stored_text()
    {
        using var index = TextIndex.InMemory();
        // The stored text is inflated a window at a time: hits on and around window edges, and a miss.
        var offsets = new[] { 0, 1000, 65_530, 65_533, 65_536, 131_069, 200_000 };
        var versions = new List<DocumentVersion>();
        foreach (var offset in offsets)
        {
            var version = new DocumentVersion(versions.Count + 1, 1);
            var body = new string('q', offset) + " Straddle-Me " + new string('q', 210_000 - offset);
            index.Add(version, SearchDocuments.Build(version, new ExtractedText([], body, 0)));
            versions.Add(version);
        }
        var missing = new DocumentVersion(versions.Count + 1, 1);
        index.Add(missing, SearchDocuments.Build(missing, new ExtractedText([], new string('q', 100_000) + " straddle-x qe-me", 0)));
        index.Refresh();
        var all = versions.Append(missing).Select(SearchDocuments.KeyOf).ToHashSet();

        var found = index.Match(SearchDocuments.QueryOf(new TextCriterion(TextScope.Body, null, "straddle-ME")), all).Select(SearchDocuments.VersionOf).ToHashSet();

        Assert.True(found.SetEquals(versions), $"found {string.Join(' ', found)}");
    }

    private static HashSet<long> MatchUnscoped(TextIndex index, TextQuery query) => index.WithSearcher(searcher => TextIndex.Collect(searcher, query, null));
}
