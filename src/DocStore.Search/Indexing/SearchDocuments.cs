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
    public const string Format = "3";

    public const string KeyField = "key";
    private const string KeyValues = "k";
    private const string BodyField = "body";
    private const string BodyWordsField = "bodywords";
    private const string HeadersField = "headers";
    private const string HeaderNamesField = "hn";
    private const string HeaderPrefix = "h.";
    private const string HeaderWordsField = "headerwords";
    private const string HeaderWordsPrefix = "hw.";

    public static long KeyOf(DocumentVersion version) => (version.DocumentId << 20) | (uint)version.Version;

    public static DocumentVersion VersionOf(long key) => new(key >> 20, (int)(key & 0xFFFFF));

    public static string Id(DocumentVersion version) => KeyOf(version).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static NumericDocValues? Keys(AtomicReader reader) => reader.GetNumericDocValues(KeyValues);

    public static Document Build(DocumentVersion version, ExtractedText text)
    {
        var document = new Document
        {
            new StringField(KeyField, Id(version), Field.Store.NO),
            new NumericDocValuesField(KeyValues, KeyOf(version)),
            new Field(BodyField, new Trigrams.Stream([text.Body]), Trigrams.FieldType),
            new Field(HeadersField, new Trigrams.Stream([text.AllHeaders]), Trigrams.FieldType),
        };
        foreach (var word in Trigrams.Words(Trigrams.Fold(text.Body)))
        {
            document.Add(new StringField(BodyWordsField, word, Field.Store.NO));
        }
        var headerWords = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in text.Headers.GroupBy(h => h.Name.ToLowerInvariant(), StringComparer.Ordinal))
        {
            document.Add(new StringField(HeaderNamesField, group.Key, Field.Store.NO));
            document.Add(new Field(HeaderPrefix + group.Key, new Trigrams.Stream(group.Select(h => h.Value).ToList()), Trigrams.FieldType));
            foreach (var word in Trigrams.Words(Trigrams.Fold(string.Join('\n', group.Select(h => h.Value)))))
            {
                document.Add(new StringField(HeaderWordsPrefix + group.Key, word, Field.Store.NO));
                headerWords.Add(word);
            }
        }
        foreach (var word in headerWords)
        {
            document.Add(new StringField(HeaderWordsField, word, Field.Store.NO));
        }
        return document;
    }

    // RFC 9051 §6.4.4: every text key is a case-insensitive substring; SUBJECT etc. are HEADER.
    public static TextQuery QueryOf(TextCriterion criterion)
    {
        var header = criterion.HeaderName?.ToLowerInvariant() ?? "";
        if (criterion.Value.Length == 0)
        {
            return new([new(criterion.Scope == TextScope.Header ? new TermQuery(new Term(HeaderNamesField, header)) : new MatchAllDocsQuery(), null)]);
        }
        var body = new TextQuery.Part(Trigrams.Contains(BodyField, criterion.Value), BodyWord(criterion.Value));
        return criterion.Scope switch
        {
            TextScope.Header => new([new(Trigrams.Contains(HeaderPrefix + header, criterion.Value), null)]),
            TextScope.Body => new([body]),
            _ => new([new(Trigrams.Contains(HeadersField, criterion.Value), null), body]),
        };
    }

    /// <summary>
    /// The whole-word fields a criterion's words are looked up in for SEARCH=FUZZY
    /// (<see cref="FuzzyQueries"/>): the header field's words, the body's, or both for TEXT.
    /// </summary>
    public static IReadOnlyList<string> WordFieldsOf(TextCriterion criterion) => criterion.Scope switch
    {
        TextScope.Header => [HeaderWordsPrefix + criterion.HeaderName!.ToLowerInvariant()],
        TextScope.Body => [BodyWordsField],
        _ => [HeaderWordsField, BodyWordsField],
    };

    // A body holding the needle as a whole word holds it as a substring: those documents are
    // certain without the (costly, for a common word) phrase check.
    private static TermQuery? BodyWord(string needle)
    {
        var folded = Trigrams.Fold(needle);
        return folded.Length >= 3 && folded.All(char.IsLetterOrDigit) ? new TermQuery(new Term(BodyWordsField, folded)) : null;
    }
}

/// <summary>
/// A text criterion as Lucene queries: it matches where any part matches. A part's
/// <see cref="Part.Exact"/> query decides; its optional <see cref="Part.Certain"/> query finds a
/// subset of those matches cheaply, and the exact query then only judges the rest.
/// </summary>
internal sealed record TextQuery(IReadOnlyList<TextQuery.Part> Parts)
{
    internal sealed record Part(Query Exact, Query? Certain);
}
