using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace DocStore.Search.Indexing;

/// <summary>
/// Exact case-insensitive substring search with a positional trigram index.
/// Text is case-folded the way <see cref="StringComparison.OrdinalIgnoreCase"/> folds it
/// (invariant simple upper-casing) and cut into overlapping trigrams of code points, each at its
/// own position, every value padded with two <see cref="Pad"/> code points so that every
/// position starts a trigram. Then a needle of three or more code points occurs at position p
/// exactly when its trigrams occur at p, p+1, ...: a phrase query with slop 0 over trigrams that
/// cover the needle answers "contains" exactly, with no candidate verification and no stored
/// text. A needle of one or two code points is a prefix of the trigram at each of its
/// occurrences: a prefix query.
/// </summary>
internal static class Trigrams
{
    /// <summary>U+10FFFF, a noncharacter no needle contains: the end of every value.</summary>
    public const string Pad = "\U0010FFFF";

    public static FieldType FieldType { get; } = CreateFieldType(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS);

    /// <summary>Which trigrams occur, nothing more: no frequencies, no positions (see <see cref="DistinctStream"/>).</summary>
    public static FieldType DistinctFieldType { get; } = CreateFieldType(IndexOptions.DOCS_ONLY);

    public static string Fold(string text) => text.ToUpperInvariant();

    /// <summary>The code points of the folded text, each as a string: a surrogate pair stays whole (as in <see cref="Stream"/>).</summary>
    public static List<string> CodePoints(string folded)
    {
        var points = new List<string>(folded.Length);
        for (var i = 0; i < folded.Length; i += char.IsSurrogatePair(folded, i) ? 2 : 1)
        {
            points.Add(folded.Substring(i, char.IsSurrogatePair(folded, i) ? 2 : 1));
        }
        return points;
    }

    /// <summary>The distinct maximal runs of letters and digits of the folded text (3 to 100 chars), in the order first seen.</summary>
    public static List<string> Words(string folded) => WordSet.ForThread().Collect(folded);

    /// <summary>
    /// The query for "some value of <paramref name="field"/> whose trigrams start with
    /// <paramref name="prefix"/> (<see cref="Stream"/>) contains <paramref name="needle"/>"; the needle is not empty.
    /// </summary>
    public static Query Contains(string field, string needle, string prefix = "")
    {
        var points = CodePoints(Fold(needle));
        if (points.Count < 3)
        {
            return new PrefixQuery(new Term(field, prefix + string.Concat(points)));
        }
        var phrase = new PhraseQuery();
        var last = points.Count - 3;
        // Non-overlapping trigrams (and the last one) cover every code point of the needle.
        for (var i = 0; i <= last; i = i == last ? last + 1 : Math.Min(i + 3, last))
        {
            phrase.Add(new Term(field, prefix + points[i] + points[i + 1] + points[i + 2]), i);
        }
        return phrase;
    }

    /// <summary>
    /// The documents that hold every trigram of a needle of three or more code points: a superset
    /// of those containing it (the trigrams may occur apart), exact for three code points.
    /// </summary>
    public static Query AllTrigrams(string field, IReadOnlyList<string> points)
    {
        if (points.Count == 3)
        {
            return new TermQuery(new Term(field, points[0] + points[1] + points[2]));
        }
        var all = new BooleanQuery();
        var terms = new HashSet<string>(StringComparer.Ordinal);
        var last = points.Count - 3;
        // The non-overlapping cover first (it alone guarantees every code point is checked),
        // then the overlapping ones while the query stays small: more terms, fewer candidates.
        for (var i = 0; i <= last; i = i == last ? last + 1 : Math.Min(i + 3, last))
        {
            terms.Add(points[i] + points[i + 1] + points[i + 2]);
        }
        for (var i = 0; i <= last && terms.Count < 64; i++)
        {
            terms.Add(points[i] + points[i + 1] + points[i + 2]);
        }
        foreach (var term in terms.Take(BooleanQuery.MaxClauseCount))
        {
            all.Add(new TermQuery(new Term(field, term)), Occur.MUST);
        }
        return all;
    }

    private static FieldType CreateFieldType(IndexOptions options)
    {
        var type = new FieldType
        {
            IsIndexed = true,
            IsTokenized = true,
            IsStored = false,
            OmitNorms = true,
            IndexOptions = options,
        };
        type.Freeze();
        return type;
    }

    /// <summary>
    /// The trigrams of several values of one field, each value padded, positions running on,
    /// each trigram after its value's prefix (a header's name: <c>subject:BUD</c>), one position
    /// left empty between two values: a phrase's trigrams are at most three positions apart and
    /// none holds the padding, so no phrase runs from one value into the next (two Received
    /// fields, say). Written into the term buffer directly: a body of 50,000 characters makes
    /// 50,000 tokens, and a string per code point would cost more than Lucene's own work.
    /// </summary>
    public sealed class Stream : TokenStream
    {
        private readonly IReadOnlyList<(string Prefix, string Value)> values;
        private readonly ICharTermAttribute term;
        private readonly IPositionIncrementAttribute position;
        private int value;
        private string prefix = "";
        private string text = "";
        // Start offset of each code point (only when the text has surrogate pairs; else offset = index).
        private List<int>? starts;
        private int count;
        private int index;
        private bool gap;

        public Stream(IReadOnlyList<string> values)
            : this(values.Select(v => ("", v)).ToList())
        {
        }

        public Stream(IReadOnlyList<(string Prefix, string Value)> values)
        {
            this.values = values;
            term = AddAttribute<ICharTermAttribute>();
            position = AddAttribute<IPositionIncrementAttribute>();
        }

        public override bool IncrementToken()
        {
            ClearAttributes();
            // Every code point starts a trigram; the last two end in padding.
            while (index >= count)
            {
                if (value >= values.Count)
                {
                    return false;
                }
                gap |= value > 0;
                (prefix, var next) = values[value++];
                Load(Fold(next));
            }
            var buffer = term.ResizeBuffer(prefix.Length + 12);
            prefix.CopyTo(buffer);
            var length = prefix.Length;
            for (var k = index; k < index + 3; k++)
            {
                if (k >= count)
                {
                    buffer[length++] = Pad[0];
                    buffer[length++] = Pad[1];
                }
                else if (starts is null)
                {
                    buffer[length++] = text[k];
                }
                else
                {
                    var end = k + 1 < count ? starts[k + 1] : text.Length;
                    for (var c = starts[k]; c < end; c++)
                    {
                        buffer[length++] = text[c];
                    }
                }
            }
            term.Length = length;
            if (gap && index == 0)
            {
                position.PositionIncrement = 2;
                gap = false;
            }
            index++;
            return true;
        }

        public override void Reset()
        {
            base.Reset();
            value = 0;
            index = 0;
            count = 0;
            text = "";
            prefix = "";
            gap = false;
        }

        private void Load(string folded)
        {
            text = folded;
            index = 0;
            if (!folded.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
            {
                starts = null;
                count = folded.Length;
                return;
            }
            starts = new List<int>(folded.Length);
            for (var i = 0; i < folded.Length; i += char.IsSurrogatePair(folded, i) ? 2 : 1)
            {
                starts.Add(i);
            }
            count = starts.Count;
        }
    }

    /// <summary>
    /// Given terms as the tokens of one field, each once (the caller passes distinct terms):
    /// indexed with <see cref="DistinctFieldType"/> they make the same postings as one
    /// <see cref="StringField"/> per term (documents only, no norms), through one stream and one
    /// set of attributes instead of one per term; a body of a few hundred distinct words made
    /// a few hundred fields (issue #3: the per-field set-up was a large part of the inversion).
    /// </summary>
    public sealed class TermsStream : TokenStream
    {
        private readonly IReadOnlyCollection<string> terms;
        private readonly ICharTermAttribute term;
        private IEnumerator<string>? next;

        public TermsStream(IReadOnlyCollection<string> terms)
        {
            this.terms = terms;
            term = AddAttribute<ICharTermAttribute>();
        }

        public override bool IncrementToken()
        {
            ClearAttributes();
            if (next is null || !next.MoveNext())
            {
                return false;
            }
            term.SetEmpty().Append(next.Current);
            return true;
        }

        public override void Reset()
        {
            base.Reset();
            next?.Dispose();
            next = terms.GetEnumerator();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                next?.Dispose();
                next = null;
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// The distinct trigrams of one folded value (padded like <see cref="Stream"/>), each once:
    /// a body of 50,000 code points holds a few thousand distinct trigrams, so Lucene inverts
    /// those instead of 50,000 positions. Each trigram is three 21-bit code points in a long.
    /// They are gathered when the stream is made, not when Lucene resets it: with one indexing
    /// thread state (<see cref="TextIndex"/>) the writer inverts one document at a time, and
    /// gathering on the adding thread, before it queues for the writer, keeps that walk over
    /// every code point of the body out of the part no other core can share (issue #4).
    /// </summary>
    public sealed class DistinctStream : TokenStream
    {
        private const int PadPoint = 0x10FFFF;
        private readonly ICharTermAttribute term;
        private readonly long[] distinct;
        private int next;

        public DistinctStream(string folded)
        {
            distinct = Gather(folded);
            term = AddAttribute<ICharTermAttribute>();
        }

        /// <summary>How many distinct trigrams the value has.</summary>
        public int Count => distinct.Length;

        public override bool IncrementToken()
        {
            ClearAttributes();
            if (next >= distinct.Length)
            {
                return false;
            }
            var key = distinct[next++];
            var buffer = term.ResizeBuffer(6);
            var length = 0;
            for (var shift = 42; shift >= 0; shift -= 21)
            {
                var point = (int)((key >> shift) & 0x1FFFFF);
                if (point >= 0x10000 && point <= 0x10FFFF && point is not (>= 0xD800 and <= 0xDFFF))
                {
                    buffer[length++] = (char)(0xD800 + ((point - 0x10000) >> 10));
                    buffer[length++] = (char)(0xDC00 + ((point - 0x10000) & 0x3FF));
                }
                else
                {
                    buffer[length++] = (char)point;
                }
            }
            term.Length = length;
            return true;
        }

        public override void Reset()
        {
            base.Reset();
            next = 0;
        }

        // The value's distinct trigram keys in the order first seen, through the thread's table.
        private static long[] Gather(string folded)
        {
            var set = TrigramSet.ForThread();
            // A sliding window of the last three code points; a lone surrogate counts as one.
            long window = 0;
            var seen = 0;
            for (var i = 0; i < folded.Length; i++)
            {
                int point = folded[i];
                if (char.IsHighSurrogate(folded[i]) && i + 1 < folded.Length && char.IsLowSurrogate(folded[i + 1]))
                {
                    point = char.ConvertToUtf32(folded[i], folded[i + 1]);
                    i++;
                }
                window = ((window << 21) | (uint)point) & long.MaxValue;
                if (++seen >= 3)
                {
                    set.Add(window);
                }
            }
            // The last two code points start trigrams that end in padding (one when the value is a single code point).
            for (var pad = 0; pad < 2 && seen > 0; pad++)
            {
                window = ((window << 21) | PadPoint) & long.MaxValue;
                if (++seen >= 3)
                {
                    set.Add(window);
                }
            }
            return set.ToArray();
        }
    }
}
