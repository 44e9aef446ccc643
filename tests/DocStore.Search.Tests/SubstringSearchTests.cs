using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Xunit;
using Xunit.Abstractions;

namespace DocStore.Search.Tests;

/// <summary>The index answers every text key exactly as a full scan of the messages does.</summary>
public sealed class SubstringSearchTests(ITestOutputHelper output)
{
    private static readonly Lazy<(ReferenceCorpus Corpus, TextIndex Index)> Shared = new(() =>
    {
        var corpus = ReferenceCorpus.Generate(400, seed: 4);
        var index = TextIndex.InMemory();
        foreach (var (version, bytes, _) in corpus.Messages)
        {
            index.Add(version, SearchDocuments.Build(version, MessageTextExtractor.Extract(bytes)));
        }
        index.Refresh();
        return (corpus, index);
    });

    public static TheoryData<string> Scopes() => ["TEXT", "BODY", "SUBJECT", "FROM", "TO", "CC", "BCC", "X-Project", "Message-ID"];

    [Theory]
    [MemberData(nameof(Scopes))]
    public void Every_needle_finds_exactly_what_a_full_scan_finds(string scope)
    {
        var (corpus, index) = Shared.Value;
        var all = corpus.Messages.Select(m => SearchDocuments.KeyOf(m.Version)).ToHashSet();
        var needles = Needles(scope);
        var nonEmpty = 0;
        foreach (var needle in needles)
        {
            var criterion = scope switch
            {
                "TEXT" => new TextCriterion(TextScope.Text, null, needle),
                "BODY" => new TextCriterion(TextScope.Body, null, needle),
                _ => new TextCriterion(TextScope.Header, scope, needle),
            };
            var expected = corpus.Matches(criterion);
            var actual = index.Match(SearchDocuments.QueryOf(criterion), all).Select(SearchDocuments.VersionOf).ToHashSet();
            Assert.True(expected.SetEquals(actual),
                $"{scope} \"{needle}\": the scan finds {expected.Count}, the index {actual.Count}; only the scan: {string.Join(' ', expected.Except(actual).Take(5))}; only the index: {string.Join(' ', actual.Except(expected).Take(5))}");
            nonEmpty += expected.Count > 0 && expected.Count < corpus.Messages.Count ? 1 : 0;
        }
        output.WriteLine($"{needles.Count} needles, {nonEmpty} of them match some but not all messages");
        Assert.True(nonEmpty > needles.Count / 3, "the corpus must make most needles selective, or the comparison proves little");
    }

    private static List<string> Needles(string scope)
    {
        var random = new Random(scope.Length * 31 + scope[0]);
        if (scope == "Message-ID")
        {
            // Message-IDs are "<n.4@corpus.example>": numbers, dots and the at-sign decide.
            return ["", "<", "CORPUS", "zzz", .. Enumerable.Range(0, 60).Select(i => random.Next(3) switch { 0 => $"<{i}.", 1 => $"{i}.4@", _ => $"{i}" })];
        }
        var needles = new List<string> { "", "zzzqqq", "Müller Vertrag", "LLER", "ße", "SSE", "e", "Ö", "ö", "\u00e9", "@example.org", "example", "corpus.example", "o1@", "ng", "ger Be", "<", ">", "12", "7.4@", "99.", "1", "0.4@CORPUS" };
        foreach (var word in ReferenceCorpus.Words)
        {
            needles.Add(word);
            needles.Add(word.ToUpperInvariant());
            needles.Add(word.ToLowerInvariant());
            var start = random.Next(word.Length);
            var length = random.Next(1, word.Length - start + 1);
            needles.Add(word.Substring(start, length));
        }
        for (var i = 0; i < 20; i++)
        {
            var a = ReferenceCorpus.Words[random.Next(ReferenceCorpus.Words.Length)];
            var b = ReferenceCorpus.Words[random.Next(ReferenceCorpus.Words.Length)];
            needles.Add(a[(a.Length / 2)..] + " " + b[..((b.Length + 1) / 2)]);
        }
        return needles.Distinct(StringComparer.Ordinal).ToList();
    }
}
