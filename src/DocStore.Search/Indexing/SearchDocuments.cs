using System.Collections.Concurrent;
using DocStore.Core.Search;
using DocStore.Search.Extraction;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace DocStore.Search.Indexing;

/// <summary>
/// The Lucene document of one version and the query of one text criterion: the two halves of
/// one mapping, kept together so they cannot drift apart.
/// </summary>
internal static class SearchDocuments
{
    /// <summary>Bump when the fields change: an index of another format is rebuilt.</summary>
    public const string Format = "5";

    public const string KeyField = "key";
    private const string KeyValues = "k";
    private const string BodyField = "body";
    private const string BodyTextField = "bodytext";

    /// <summary>The distinct whole words of the body (maximal runs of letters and digits, folded, 3 to 100 chars), one term each.</summary>
    public const string BodyWordsField = "bodywords";
    private const string HeadersField = "headers";
    private const string HeadersTextField = "headerstext";

    // Every header field in three fields, whatever its name (issue #3: a field per header name,
    // three per name, made about twenty fields per mail, and Lucene's work per field and
    // document, in the inversion, every flush and every merge, outweighed the few tokens of
    // each): the names present; the values' positional trigrams and their distinct words, each
    // term prefixed by the lower-cased name and NameEnd (a name has no colon: RFC 5322 §2.2).
    private const string HeaderNamesField = "hn";
    private const string HeaderTrigramsField = "h";
    private const string HeaderWordsByNameField = "hw";
    private const char NameEnd = ':';
    private const string HeaderWordsField = "headerwords";

    public static long KeyOf(DocumentVersion version) => (version.DocumentId << 20) | (uint)version.Version;

    public static DocumentVersion VersionOf(long key) => new(key >> 20, (int)(key & 0xFFFFF));

    public static string Id(DocumentVersion version) => KeyOf(version).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static NumericDocValues? Keys(AtomicReader reader) => reader.GetNumericDocValues(KeyValues);

    // The body (large: text of every part and attachment) and the whole header (TEXT) as their
    // distinct trigrams without positions, which only narrow the candidates, and their folded
    // text stored (deflated) to confirm them; each header field (SUBJECT, FROM, ...:
    // small, asked often) as positional trigrams prefixed by its name, exact by themselves.
    public static Document Build(DocumentVersion version, ExtractedText text)
    {
        var body = Trigrams.Fold(text.Body);
        var headers = Trigrams.Fold(text.AllHeaders);
        var document = new Document
        {
            new StringField(KeyField, Id(version), Field.Store.NO),
            new NumericDocValuesField(KeyValues, KeyOf(version)),
            new Field(BodyField, new Trigrams.DistinctStream(body), Trigrams.DistinctFieldType),
            new StoredField(BodyTextField, VerifiedSubstringQuery.Pack(body)),
            new Field(HeadersField, new Trigrams.DistinctStream(headers), Trigrams.DistinctFieldType),
            new StoredField(HeadersTextField, VerifiedSubstringQuery.Pack(headers)),
        };
        // Each word field is one stream of its distinct words: the same postings as a StringField
        // per word (DOCS_ONLY, no norms), so the format stays, at a fraction of the inversion cost.
        AddWords(document, BodyWordsField, Trigrams.Words(body));
        var names = new HashSet<string>(StringComparer.Ordinal);
        var values = new List<(string Prefix, string Value)>(text.Headers.Count);
        var headerWords = new HashSet<string>(StringComparer.Ordinal);
        var wordsByName = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in text.Headers)
        {
            var prefix = PrefixOf(name);
            names.Add(prefix[..^1]);
            values.Add((prefix, value));
            foreach (var word in Trigrams.Words(Trigrams.Fold(value)))
            {
                headerWords.Add(word);
                wordsByName.Add(prefix + word);
            }
        }
        AddWords(document, HeaderNamesField, names);
        if (values.Count > 0)
        {
            document.Add(new Field(HeaderTrigramsField, new Trigrams.Stream(values), Trigrams.FieldType));
        }
        AddWords(document, HeaderWordsByNameField, wordsByName);
        AddWords(document, HeaderWordsField, headerWords);
        return document;
    }

    // What every term of a header field's values starts with: its name, lower-cased, and NameEnd.
    private static string PrefixOf(string name) => string.Concat(name.ToLowerInvariant(), NameEnd.ToString());

    // Built queries by criterion: a common word's whole-word query compiles an automaton, a
    // few milliseconds that a repeated SEARCH need not spend again. Queries are immutable.
    private static readonly ConcurrentDictionary<(TextScope, string, string), TextQuery> Built = new();
    private const int MostBuilt = 256;

    // No field at all without words, as before (a StringField per word).
    private static void AddWords(Document document, string name, IReadOnlyCollection<string> words)
    {
        if (words.Count > 0)
        {
            document.Add(new Field(name, new Trigrams.TermsStream(words), Trigrams.DistinctFieldType));
        }
    }

    // RFC 9051 §6.4.4: every text key is a case-insensitive substring; SUBJECT etc. are HEADER.
    // The key names the query by what decides it (scope, header, folded value), for the per-segment answers.
    public static TextQuery QueryOf(TextCriterion criterion)
    {
        var id = (criterion.Scope, criterion.HeaderName?.ToLowerInvariant() ?? "", Trigrams.Fold(criterion.Value));
        if (Built.TryGetValue(id, out var known))
        {
            return known;
        }
        if (Built.Count >= MostBuilt)
        {
            Built.Clear();
        }
        return Built[id] = Build(criterion) with { Key = $"{id.Item1}\u0001{id.Item2}\u0001{id.Item3}" };
    }

    private static TextQuery Build(TextCriterion criterion)
    {
        var header = criterion.HeaderName?.ToLowerInvariant() ?? "";
        if (criterion.Scope == TextScope.Header && header.Contains(NameEnd, StringComparison.Ordinal))
        {
            // No header field is named so (RFC 5322 §2.2), and its terms would be another's.
            return new([new(new BooleanQuery(), null)]);
        }
        if (criterion.Value.Length == 0)
        {
            return new([new(criterion.Scope == TextScope.Header ? new TermQuery(new Term(HeaderNamesField, header)) : new MatchAllDocsQuery(), null)]);
        }
        var body = Distinct(BodyField, BodyTextField, criterion.Value, BodyWordsField);
        return criterion.Scope switch
        {
            TextScope.Header => new([new(Trigrams.Contains(HeaderTrigramsField, criterion.Value, PrefixOf(header)), null)]),
            TextScope.Body => new([body]),
            _ => new([body, Distinct(HeadersField, HeadersTextField, criterion.Value, null)]),
        };
    }

    /// <summary>
    /// The whole-word fields a criterion's words are looked up in for SEARCH=FUZZY
    /// (<see cref="FuzzyQueries"/>), each with what its terms start with before the word: the
    /// header field's words (prefixed by its name), the body's, or both for TEXT. None for a
    /// header name no field has.
    /// </summary>
    public static IReadOnlyList<(string Field, string Prefix)> WordFieldsOf(TextCriterion criterion) => criterion.Scope switch
    {
        TextScope.Header when criterion.HeaderName!.Contains(NameEnd, StringComparison.Ordinal) => [],
        TextScope.Header => [(HeaderWordsByNameField, PrefixOf(criterion.HeaderName!))],
        TextScope.Body => [(BodyWordsField, "")],
        _ => [(HeaderWordsField, ""), (BodyWordsField, "")],
    };

    // A needle of one or two code points begins some trigram exactly where it occurs (every code
    // point begins one), and one of three is a trigram: the trigram field alone is exact. A longer
    // needle's trigrams may all occur without occurring together: those candidates are confirmed
    // in the stored text. A needle of letters and digits occurs only inside a word, so a body
    // with a word containing it is certain without reading its text (a common word, a substring
    // of one): only a body whose occurrence is in no indexed word (a run over 100 characters)
    // is left to the stored text.
    private static TextQuery.Part Distinct(string trigramField, string textField, string needle, string? wordsField)
    {
        var folded = Trigrams.Fold(needle);
        var points = Trigrams.CodePoints(folded);
        if (points.Count < 3)
        {
            return new(Trigrams.Contains(trigramField, needle), null);
        }
        if (points.Count == 3)
        {
            return new(Trigrams.AllTrigrams(trigramField, points), null);
        }
        var exact = new VerifiedSubstringQuery(Trigrams.AllTrigrams(trigramField, points), textField, folded);
        var certain = wordsField is not null && folded.Length <= 100 && folded.All(char.IsLetterOrDigit) ? new WildcardQuery(new Term(wordsField, "*" + folded + "*")) : null;
        return new(exact, certain);
    }
}

/// <summary>
/// A text criterion as Lucene queries: it matches where any part matches. A part's
/// <see cref="Part.Exact"/> query decides; its optional <see cref="Part.Certain"/> query finds a
/// subset of those matches cheaply, and the exact query then only judges the rest.
/// </summary>
internal sealed record TextQuery(IReadOnlyList<TextQuery.Part> Parts)
{
    /// <summary>What names the query for the per-segment answers kept (<see cref="SegmentMatchCache"/>); null: never kept.</summary>
    public string? Key { get; init; }

    internal sealed record Part(Query Exact, Query? Certain);
}
