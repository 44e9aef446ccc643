using System.Text;
using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>
/// Every header field's values share one trigram field, each term prefixed by the field's name:
/// a name never answers for another (even one it begins), a needle never runs from one value
/// into the next value of the same field, and SEARCH=FUZZY looks at the named field's words only.
/// </summary>
public sealed class HeaderFieldTests
{
    private static readonly Lazy<TextIndex> Shared = new(() => Index(
        "X-Tag: alpha ABC\r\nX-Tag: DEF omega\r\nSubject: one\r\n\r\nbody\r\n",
        "X-Tagged: needle here\r\nSubject: two\r\n\r\nbody\r\n",
        "X-Tag: needle there\r\nX-Empty:\r\nSubject: three\r\n\r\nbody\r\n",
        "X-Tag: abcdef together\r\nSubject: four\r\n\r\nbody\r\n"));

    [Theory]
    [InlineData("X-Tag", "abc", new long[] { 1, 4 })]
    [InlineData("X-Tag", "def omega", new long[] { 1 })]
    // Two values of one field: the end of the first and the start of the second are no substring.
    [InlineData("X-Tag", "abcdef", new long[] { 4 })]
    [InlineData("X-Tag", "bc de", new long[] { })]
    [InlineData("X-Tag", "c d", new long[] { })]
    // A name that another name begins with, and the other way round.
    [InlineData("X-Tag", "needle", new long[] { 3 })]
    [InlineData("X-Tagged", "needle", new long[] { 2 })]
    [InlineData("X-Tagged", "ne", new long[] { 2 })]
    [InlineData("x-tagged", "E", new long[] { 2 })]
    [InlineData("X-Ta", "needle", new long[] { })]
    // Presence of the field, even with an empty value.
    [InlineData("X-Empty", "", new long[] { 3 })]
    [InlineData("X-Tag", "", new long[] { 1, 3, 4 })]
    // No field has a colon in its name (RFC 5322 §2.2): such a name finds nothing, not another field's terms.
    [InlineData("X-Tag:NEE", "DLE", new long[] { })]
    [InlineData("X-Tag:", "", new long[] { })]
    [InlineData("Subject", "o", new long[] { 1, 2, 4 })]
    public void A_header_key_finds_its_own_field_only(string name, string needle, long[] expected)
    {
        var index = Shared.Value;
        var all = Enumerable.Range(1, 4).Select(i => SearchDocuments.KeyOf(new DocumentVersion(i, 1))).ToHashSet();

        var found = index.Match(SearchDocuments.QueryOf(new TextCriterion(TextScope.Header, name, needle)), all)
            .Select(k => SearchDocuments.VersionOf(k).DocumentId).Order().ToList();

        Assert.Equal(expected, found);
    }

    [Fact]
    public void Fuzzy_header_words_are_those_of_the_named_field()
    {
        var index = Shared.Value;
        List<long> Fuzzy(string name, string needle) =>
            [.. index.WithSearcher(s => FuzzyQueries.Match(s, new TextCriterion(TextScope.Header, name, needle), null)).Keys.Select(k => SearchDocuments.VersionOf(k).DocumentId).Order()];

        Assert.Equal([3], Fuzzy("X-Tag", "neddle"));
        Assert.Equal([2], Fuzzy("X-Tagged", "neddle"));
        Assert.Equal([1], Fuzzy("X-Tag", "omegga"));
        Assert.Empty(Fuzzy("X-Ta", "neddle"));
        Assert.Empty(Fuzzy("X-Tag:", "neddle"));
        Assert.Equal([2, 3], [.. index.WithSearcher(s => FuzzyQueries.Match(s, new TextCriterion(TextScope.Text, null, "neddle"), null)).Keys.Select(k => SearchDocuments.VersionOf(k).DocumentId).Order()]);
    }

    private static TextIndex Index(params string[] messages)
    {
        var index = TextIndex.InMemory();
        for (var i = 0; i < messages.Length; i++)
        {
            var version = new DocumentVersion(i + 1, 1);
            index.Add(version, SearchDocuments.Build(version, MessageTextExtractor.Extract(Encoding.UTF8.GetBytes(messages[i]))));
        }
        index.Refresh();
        return index;
    }
}
