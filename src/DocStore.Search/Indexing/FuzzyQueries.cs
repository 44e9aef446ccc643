using DocStore.Core.Search;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace DocStore.Search.Indexing;

/// <summary>
/// SEARCH=FUZZY (RFC 6203 §3) for one text criterion on one searcher. A version matches when it
/// matches the criterion exactly (a case-insensitive substring, <see cref="SearchDocuments.QueryOf"/>),
/// or when every word of the needle is within a few edits of a whole word of the field
/// (<see cref="EditsAllowed"/>), in any order. Relevance comes from the edit distances alone,
/// never from term statistics, so a version scores the same in the index and in the throw-away
/// index of versions not yet indexed, whatever else either holds.
/// </summary>
internal static class FuzzyQueries
{
    /// <summary>Words of a needle past this many take no part (RFC 6203 §8: very long keys).</summary>
    public const int MaxWords = 16;

    /// <summary>Index terms one word may expand to in one field of one segment.</summary>
    public const int MaxExpansions = 1000;

    /// <summary>An exact substring match scores at least this; an approximate one at most <see cref="ApproximateWeight"/>.</summary>
    private const double ExactFloor = 0.55;
    private const double ApproximateWeight = 0.5;

    /// <summary>
    /// The words of a needle that are matched approximately: its runs of letters and digits of
    /// 3 to 100 characters, case-folded as the index folds them, each once, the first
    /// <see cref="MaxWords"/>. Shorter words count through the exact substring match only.
    /// </summary>
    public static IReadOnlyList<string> WordsOf(string needle) => Trigrams.Words(Trigrams.Fold(needle)).Take(MaxWords).ToList();

    /// <summary>
    /// Edits (insert, delete, replace, swap two neighbours) a word may be away from an indexed
    /// word: none below 4 letters or when it holds a digit (a wrong invoice number is another
    /// invoice), 1 for 4 to 7 letters, 2 from 8.
    /// </summary>
    public static int EditsAllowed(string word)
    {
        var length = CodePointCount(word);
        return word.Any(char.IsDigit) || length < 4 ? 0 : length < 8 ? 1 : 2;
    }

    /// <summary>1 minus the edit distance over the longer length: 1 for the same word.</summary>
    public static double Similarity(string word, string term) =>
        1 - (double)Distance(word, term) / Math.Max(CodePointCount(word), CodePointCount(term));

    /// <summary>
    /// The versions of <paramref name="scope"/> (all when null) that match <paramref name="criterion"/>
    /// fuzzily, with their relevance in (0, 1]: exact matches from 0.55 (no whole word of the
    /// needle in the text) to 1 (every word whole), approximate ones up to 0.5 (every word whole,
    /// but not as the one substring), lower as the edits grow.
    /// </summary>
    public static Dictionary<long, double> Match(IndexSearcher searcher, TextCriterion criterion, IReadOnlySet<long>? scope)
    {
        var exact = TextIndex.Collect(searcher, SearchDocuments.QueryOf(criterion), scope);
        var words = WordsOf(criterion.Value);
        var best = words.Select(_ => new Dictionary<long, double>()).ToList();
        var fields = SearchDocuments.WordFieldsOf(criterion);
        for (var w = 0; w < words.Count; w++)
        {
            // Lucene keeps the word's Levenshtein automata in the attributes: built once, used in
            // every segment and field (as FuzzyQuery shares them across segments).
            var automata = new AttributeSource();
            foreach (var leaf in searcher.IndexReader.Leaves)
            {
                foreach (var (field, prefix) in fields)
                {
                    CollectWord(leaf.AtomicReader, field, prefix, words[w], automata, scope, best[w]);
                }
            }
        }

        double Coverage(long key) => words.Count == 0 ? 1 : best.Sum(b => b.GetValueOrDefault(key)) / words.Count;
        var result = new Dictionary<long, double>(exact.Count);
        foreach (var key in exact)
        {
            result[key] = ExactFloor + (1 - ExactFloor) * Coverage(key);
        }
        if (words.Count > 0)
        {
            // Approximate: every word of the needle has a near word in the text.
            foreach (var key in best.Skip(1).Aggregate(best[0].Keys.ToHashSet(), (all, next) => { all.IntersectWith(next.Keys); return all; }))
            {
                result.TryAdd(key, ApproximateWeight * Coverage(key));
            }
        }
        return result;
    }

    // The best similarity of each version of the scope to the word through the field's terms
    // that start with the prefix (a header's name), the prefix taking no part in the edits.
    private static void CollectWord(AtomicReader reader, string field, string prefix, string word, AttributeSource automata, IReadOnlySet<long>? scope, Dictionary<long, double> best)
    {
        var terms = reader.GetTerms(field);
        var keys = SearchDocuments.Keys(reader);
        if (terms is null || keys is null)
        {
            return;
        }
        var edits = EditsAllowed(word);
        TermsEnum matching;
        if (edits == 0)
        {
            matching = terms.GetEnumerator();
            if (!matching.SeekExact(new BytesRef(prefix + word)))
            {
                return;
            }
            Postings(matching, 1);
            return;
        }
        matching = new FuzzyTermsEnum(terms, automata, new Term(field, prefix + word), edits, CodePointCount(prefix), transpositions: true);
        for (var expanded = 0; expanded < MaxExpansions && matching.MoveNext(); expanded++)
        {
            Postings(matching, Similarity(word, matching.Term.Utf8ToString()[prefix.Length..]));
        }

        void Postings(TermsEnum term, double similarity)
        {
            var docs = term.Docs(reader.LiveDocs, null, DocsFlags.NONE);
            for (var doc = docs.NextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.NextDoc())
            {
                var key = keys.Get(doc);
                if ((scope is null || scope.Contains(key)) && similarity > best.GetValueOrDefault(key))
                {
                    best[key] = similarity;
                }
            }
        }
    }

    /// <summary>
    /// Optimal-string-alignment distance over code points: Lucene's Levenshtein automata with
    /// transpositions count the same edits, so a term the index offers is within the allowance.
    /// </summary>
    internal static int Distance(string a, string b)
    {
        var x = Trigrams.CodePoints(a);
        var y = Trigrams.CodePoints(b);
        var d = new int[x.Count + 1, y.Count + 1];
        for (var i = 0; i <= x.Count; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= y.Count; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= x.Count; i++)
        {
            for (var j = 1; j <= y.Count; j++)
            {
                var cost = string.Equals(x[i - 1], y[j - 1], StringComparison.Ordinal) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && string.Equals(x[i - 1], y[j - 2], StringComparison.Ordinal) && string.Equals(x[i - 2], y[j - 1], StringComparison.Ordinal))
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[x.Count, y.Count];
    }

    private static int CodePointCount(string text) => text.Length - text.Count(char.IsLowSurrogate);
}
