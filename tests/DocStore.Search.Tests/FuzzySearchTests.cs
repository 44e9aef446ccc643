using System.Text;
using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Xunit;
using Xunit.Abstractions;

namespace DocStore.Search.Tests;

/// <summary>SEARCH=FUZZY (RFC 6203) on a real Lucene index: typos found, exact matches kept, relevance ordered.</summary>
public sealed class FuzzySearchTests(ITestOutputHelper output)
{
    private static readonly Lazy<(ReferenceCorpus Corpus, TextIndex Index)> Shared = new(() =>
    {
        var corpus = ReferenceCorpus.Generate(400, seed: 6);
        var index = TextIndex.InMemory();
        foreach (var (version, bytes, _) in corpus.Messages)
        {
            index.Add(version, SearchDocuments.Build(version, MessageTextExtractor.Extract(bytes)));
        }
        index.Refresh();
        return (corpus, index);
    });

    [Fact]
    public void A_misspelled_word_finds_the_message_that_has_it_right_and_only_in_the_field_asked()
    {
        using var index = Index(
            "Subject: Quarterly invoice\r\nFrom: Anna Schmidt <anna@example.org>\r\n\r\nPlease find the contract attached.\r\n",
            "Subject: Lunch\r\nFrom: Bob <bob@example.org>\r\n\r\nSee you at noon.\r\n",
            "Subject: Contract renewal\r\nFrom: Carol <carol@example.org>\r\n\r\nNothing to invoice this month.\r\n");

        Assert.Equal([1], Keys(index, new TextCriterion(TextScope.Header, "Subject", "invoce")));
        Assert.Equal([1, 3], Keys(index, new TextCriterion(TextScope.Text, null, "invoce")));
        // "contarct": two letters swapped, one edit with transpositions; 8 letters allow two.
        Assert.Equal([1], Keys(index, new TextCriterion(TextScope.Body, null, "contarct")));
        Assert.Equal([1, 3], Keys(index, new TextCriterion(TextScope.Text, null, "kontrakt")));
        Assert.Equal([1], Keys(index, new TextCriterion(TextScope.Header, "From", "Schmid")));
        // Every word of the needle must be near a word of the field, in any order.
        Assert.Equal([3], Keys(index, new TextCriterion(TextScope.Header, "Subject", "renewel contract")));
        Assert.Empty(Keys(index, new TextCriterion(TextScope.Header, "Subject", "renewel lunch")));
        // Three letters or a digit: exact words only.
        Assert.Empty(Keys(index, new TextCriterion(TextScope.Body, null, "nun")));
    }

    [Fact]
    public void A_very_long_needle_takes_part_with_its_first_sixteen_words_and_still_needs_them_all()
    {
        using var index = Index("Subject: x\r\n\r\nalpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa\r\n");
        var random = new Random(7);
        var noise = string.Join(' ', Enumerable.Range(0, 2000).Select(_ => new string(Enumerable.Range(0, 90).Select(_ => (char)('a' + random.Next(26))).ToArray())));

        Assert.Equal(FuzzyQueries.MaxWords, FuzzyQueries.WordsOf(noise).Count);
        Assert.Empty(Keys(index, new TextCriterion(TextScope.Body, null, noise)));
        // Sixteen near words and then anything: the words past the sixteenth take no part.
        Assert.Equal([1], Keys(index, new TextCriterion(TextScope.Body, null, "alpah bravo charlei delta echo foxtrot golf hotel indai juliet kilo lima mike novembre oscar papa " + noise)));
    }

    [Theory]
    [InlineData("contract", 2)]
    [InlineData("invoice", 1)]
    [InlineData("Zürich", 1)]
    [InlineData("abc", 0)]
    [InlineData("Rechnung", 2)]
    [InlineData("2024", 0)]
    [InlineData("Invoice42", 0)]
    [InlineData("plan", 1)]
    public void Edits_allowed_grow_with_the_word_and_digits_allow_none(string word, int edits)
    {
        Assert.Equal(edits, FuzzyQueries.EditsAllowed(Trigrams.Fold(word)));
    }

    [Theory]
    [InlineData("INVOICE", "INVOICE", 0)]
    [InlineData("INVOCE", "INVOICE", 1)]
    [InlineData("CONTARCT", "CONTRACT", 1)]
    [InlineData("KONTRAKT", "CONTRACT", 2)]
    [InlineData("ZÜRICH", "ZURICH", 1)]
    [InlineData("", "ABC", 3)]
    public void Distance_counts_inserts_deletes_replacements_and_swaps(string a, string b, int distance)
    {
        Assert.Equal(distance, FuzzyQueries.Distance(a, b));
        Assert.Equal(distance, FuzzyQueries.Distance(b, a));
    }

    [Fact]
    public void Whole_word_exact_matches_score_above_substrings_and_substrings_above_typos()
    {
        using var index = Index(
            "Subject: a\r\n\r\nThe invoice is due.\r\n",
            "Subject: b\r\n\r\nAll invoices are due.\r\n",
            "Subject: c\r\n\r\nThe invocie is due.\r\n",
            "Subject: d\r\n\r\nThe invoicing run is due.\r\n",
            "Subject: e\r\n\r\nNothing here.\r\n");

        var scores = Scores(index, new TextCriterion(TextScope.Body, null, "invoice"));
        output.WriteLine(string.Join(", ", scores.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value:F3}")));

        Assert.Equal([1, 2, 3], scores.Keys.Order());
        Assert.All(scores.Values, s => Assert.InRange(s, double.Epsilon, 1));
        Assert.Equal(1, scores[1]);
        Assert.True(scores[1] > scores[2] && scores[2] > scores[3], "whole word, then within a longer word, then one edit away");
        Assert.True(scores[3] <= 0.5, "an approximate match scores below every exact one");
    }

    [Theory]
    [InlineData("TEXT")]
    [InlineData("BODY")]
    [InlineData("SUBJECT")]
    [InlineData("FROM")]
    [InlineData("TO")]
    [InlineData("X-Project")]
    public void Fuzzy_finds_every_message_a_full_scan_finds_exactly_and_more_for_typos(string scope)
    {
        var (corpus, index) = Shared.Value;
        var all = corpus.Messages.Select(m => SearchDocuments.KeyOf(m.Version)).ToHashSet();
        var random = new Random(scope.Length);
        var needles = new List<string> { "", "e", "ß", "@example", "Müller Vertrag", "zzzqqq" };
        foreach (var word in ReferenceCorpus.Words)
        {
            needles.Add(word);
            needles.Add(word[..(word.Length / 2 + 1)]);
            needles.Add(Typo(word, random));
        }

        var widened = 0;
        foreach (var needle in needles.Distinct(StringComparer.Ordinal))
        {
            var criterion = scope switch
            {
                "TEXT" => new TextCriterion(TextScope.Text, null, needle),
                "BODY" => new TextCriterion(TextScope.Body, null, needle),
                _ => new TextCriterion(TextScope.Header, scope, needle),
            };
            var exact = corpus.Matches(criterion);
            var fuzzy = index.WithSearcher(s => FuzzyQueries.Match(s, criterion, all));
            var found = fuzzy.Keys.Select(SearchDocuments.VersionOf).ToHashSet();
            Assert.True(found.IsSupersetOf(exact), $"{scope} \"{needle}\": fuzzy misses {string.Join(' ', exact.Except(found).Take(5))} that the scan finds");
            Assert.All(fuzzy.Values, s => Assert.InRange(s, double.Epsilon, 1));
            Assert.All(exact, v => Assert.True(fuzzy[SearchDocuments.KeyOf(v)] > 0.5, "an exact match scores above every approximate one"));
            widened += found.Count > exact.Count ? 1 : 0;
        }
        output.WriteLine($"{needles.Count} needles, {widened} found more than the exact search");
        Assert.True(widened >= ReferenceCorpus.Words.Length / 3, "typos of the corpus's words must find messages the exact search does not");
    }

    // One edit inside a word of 4 letters or more: a replaced, dropped or doubled letter or two swapped.
    private static string Typo(string word, Random random)
    {
        if (word.Length < 4)
        {
            return word;
        }
        var i = random.Next(1, word.Length - 1);
        return random.Next(4) switch
        {
            0 => word[..i] + "q" + word[(i + 1)..],
            1 => word[..i] + word[(i + 1)..],
            2 => word[..i] + word[i] + word[i..],
            _ => word[..(i - 1)] + word[i] + word[i - 1] + word[(i + 1)..],
        };
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

    private static Dictionary<long, double> Scores(TextIndex index, TextCriterion criterion) =>
        index.WithSearcher(s => FuzzyQueries.Match(s, criterion, null)).ToDictionary(p => SearchDocuments.VersionOf(p.Key).DocumentId, p => p.Value);

    private static List<long> Keys(TextIndex index, TextCriterion criterion) => [.. Scores(index, criterion).Keys.Order()];
}
