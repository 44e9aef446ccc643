using System.Buffers;
using System.IO.Compression;
using System.Text;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace DocStore.Search.Indexing;

/// <summary>
/// "The stored text of <see cref="TextField"/> contains the needle": the documents
/// <see cref="Candidates"/> finds (every trigram of the needle occurs somewhere), each confirmed by
/// an ordinal search of the needle's UTF-8 bytes in the document's stored folded UTF-8 text
/// (<see cref="Pack"/>).
/// UTF-8 is self-synchronising, so a byte match of whole encoded code points is a code-point
/// match. Lazy: a document is read only when a scorer reaches it, so a filter that leaps ahead
/// (the scope of a SEARCH, a certain match already found) spares the others.
/// </summary>
internal sealed class VerifiedSubstringQuery : Query
{
    private readonly byte[] needle;

    public VerifiedSubstringQuery(Query candidates, string textField, string foldedNeedle)
        : this(candidates, textField, Encoding.UTF8.GetBytes(foldedNeedle))
    {
    }

    private VerifiedSubstringQuery(Query candidates, string textField, byte[] needle)
    {
        Candidates = candidates;
        TextField = textField;
        this.needle = needle;
    }

    public Query Candidates { get; }

    public string TextField { get; }

    public override Query Rewrite(IndexReader reader)
    {
        var rewritten = Candidates.Rewrite(reader);
        return ReferenceEquals(rewritten, Candidates) ? this : new VerifiedSubstringQuery(rewritten, TextField, needle) { Boost = Boost };
    }

    public override Weight CreateWeight(IndexSearcher searcher) => new VerifiedWeight(this, Candidates.CreateWeight(searcher));

    public override void ExtractTerms(ISet<Term> terms) => Candidates.ExtractTerms(terms);

    public override string ToString(string field) => $"verified({TextField} contains \"{Encoding.UTF8.GetString(needle)}\" of {Candidates.ToString(field)})";

    public override bool Equals(object? obj) =>
        obj is VerifiedSubstringQuery other && other.Boost == Boost && string.Equals(other.TextField, TextField, StringComparison.Ordinal)
        && other.needle.AsSpan().SequenceEqual(needle) && other.Candidates.Equals(Candidates);

    public override int GetHashCode() => HashCode.Combine(Candidates, TextField, Encoding.UTF8.GetString(needle), Boost);

    // Stored forms, told apart by their first byte.
    private const byte Raw = 0;
    private const byte Deflated = 1;

    /// <summary>Texts of fewer UTF-8 bytes are stored as they are: zlib's set-up (tables of a few hundred KiB, allocated and cleared per stream) costs more than deflating a header saves.</summary>
    internal const int DeflateFrom = 2048;

    /// <summary>
    /// The stored form of a folded text: a marker byte, then its UTF-8, deflated (native zlib:
    /// several times faster to read back than Lucene's own stored-field compression) when it is
    /// <see cref="DeflateFrom"/> bytes or more.
    /// </summary>
    public static byte[] Pack(string folded)
    {
        var length = Encoding.UTF8.GetByteCount(folded);
        if (length < DeflateFrom)
        {
            var raw = new byte[length + 1];
            raw[0] = Raw;
            Encoding.UTF8.GetBytes(folded, raw.AsSpan(1));
            return raw;
        }
        var utf8 = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Encoding.UTF8.GetBytes(folded, utf8);
            using var packed = new MemoryStream(length / 3 + 64);
            packed.WriteByte(Deflated);
            using (var deflate = new DeflateStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            {
                deflate.Write(utf8, 0, length);
            }
            return packed.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>
    /// The candidates (documents where every trigram of the needle occurs) per segment, not
    /// iterated yet, and an upper bound of their number from the postings.
    /// </summary>
    internal CandidateScorers CandidatesOf(IndexSearcher searcher, IList<AtomicReaderContext> leaves)
    {
        var weight = searcher.CreateNormalizedWeight(Candidates);
        var scorers = new Scorer?[leaves.Count];
        long cost = 0;
        for (var i = 0; i < leaves.Count; i++)
        {
            scorers[i] = weight.GetScorer(leaves[i], leaves[i].AtomicReader.LiveDocs);
            cost += scorers[i]?.GetCost() ?? 0;
        }
        return new CandidateScorers(leaves, scorers, cost);
    }

    /// <summary>
    /// Adds to <paramref name="matches"/> the candidates of each segment's scope
    /// (<paramref name="scopeOf"/> by the segment's place in the candidates; null: every
    /// document) not matched yet whose stored text holds the needle. Each segment is
    /// walked from the smaller side: the candidates, skipping matched documents, or the documents
    /// not matched yet, leaping the candidates to each; so neither a rare needle nor a common one
    /// (whose matches a certain query found) costs work in proportion to the mailbox. Many
    /// candidates are read in parallel (a Lucene reader reads stored fields per thread).
    /// </summary>
    internal void Confirm(CandidateScorers candidates, Func<int, DocScope?> scopeOf, MatchSet matches)
    {
        var open = new List<(int Leaf, AtomicReader Reader, int Doc)>();
        for (var i = 0; i < candidates.Leaves.Count; i++)
        {
            var leaf = candidates.Leaves[i].Ord;
            var reader = candidates.Leaves[i].AtomicReader;
            var keys = SearchDocuments.Keys(reader);
            var scope = scopeOf(i);
            if (candidates.Scorers[i] is not { } scorer || keys is null)
            {
                continue;
            }
            void Consider(int doc)
            {
                if (!matches.Contains(leaf, doc) && (scope is null || scope.Contains(leaf, doc, keys)))
                {
                    open.Add((leaf, reader, doc));
                }
            }
            var unmatched = reader.MaxDoc - matches.CountIn(leaf);
            if (unmatched < scorer.GetCost())
            {
                for (var doc = 0; doc < reader.MaxDoc && scorer.DocID != DocIdSetIterator.NO_MORE_DOCS; doc++)
                {
                    if (matches.Contains(leaf, doc) || (scorer.DocID < doc && scorer.Advance(doc) != doc) || scorer.DocID != doc)
                    {
                        continue;
                    }
                    Consider(doc);
                }
            }
            else
            {
                for (var doc = scorer.NextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = scorer.NextDoc())
                {
                    Consider(doc);
                }
            }
        }
        var held = new bool[open.Count];
        if (open.Count < ParallelFrom || Environment.ProcessorCount == 1)
        {
            for (var i = 0; i < open.Count; i++)
            {
                held[i] = Holds(open[i].Reader, open[i].Doc);
            }
        }
        else
        {
            Parallel.For(0, open.Count, i => held[i] = Holds(open[i].Reader, open[i].Doc));
        }
        for (var i = 0; i < open.Count; i++)
        {
            if (held[i])
            {
                matches.Add(open[i].Leaf, open[i].Doc);
            }
        }
    }

    /// <summary>The candidates' scorer of each segment (null: none there) and a bound of their number.</summary>
    internal sealed record CandidateScorers(IList<AtomicReaderContext> Leaves, Scorer?[] Scorers, long Cost);

    // Below this many candidates, starting threads costs more than it saves.
    private const int ParallelFrom = 16;

    // Inflated a window at a time: a needle near the start of a long text spares inflating the rest.
    private const int WindowBytes = 16 * 1024;

    /// <summary>Whether the stored text of the document holds the needle: inflated a window at a time, stopping at the first hit.</summary>
    private bool Holds(AtomicReader reader, int doc)
    {
        var visitor = new TextVisitor(TextField);
        reader.Document(doc, visitor);
        if (visitor.Text is not { Length: > 0 } packed)
        {
            return false;
        }
        if (packed[0] == Raw)
        {
            return packed.AsSpan(1).IndexOf(needle) >= 0;
        }
        using var inflate = new DeflateStream(new MemoryStream(packed, 1, packed.Length - 1), CompressionMode.Decompress);
        var window = Math.Max(WindowBytes, needle.Length * 2);
        var buffer = ArrayPool<byte>.Shared.Rent(window);
        try
        {
            // The last needle.Length - 1 bytes of a window are kept: a hit may straddle two reads.
            var filled = 0;
            while (true)
            {
                var read = inflate.Read(buffer, filled, window - filled);
                if (read == 0)
                {
                    return false;
                }
                filled += read;
                if (buffer.AsSpan(0, filled).IndexOf(needle) >= 0)
                {
                    return true;
                }
                var keep = Math.Min(filled, needle.Length - 1);
                buffer.AsSpan(filled - keep, keep).CopyTo(buffer);
                filled = keep;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class VerifiedWeight(VerifiedSubstringQuery query, Weight candidates) : Weight
    {
        public override Query Query => query;

        public override float GetValueForNormalization() => candidates.GetValueForNormalization();

        public override void Normalize(float norm, float topLevelBoost) => candidates.Normalize(norm, topLevelBoost);

        public override Explanation Explain(AtomicReaderContext context, int doc)
        {
            var scorer = GetScorer(context, context.AtomicReader.LiveDocs);
            return scorer is not null && scorer.Advance(doc) == doc
                ? new Explanation(1f, "candidate holding the needle in its stored text")
                : new Explanation(0f, "no match");
        }

        public override Scorer? GetScorer(AtomicReaderContext context, IBits? acceptDocs)
        {
            var inner = candidates.GetScorer(context, acceptDocs);
            return inner is null ? null : new VerifiedScorer(this, inner, doc => query.Holds(context.AtomicReader, doc));
        }
    }

    private sealed class VerifiedScorer(Weight weight, Scorer candidates, Func<int, bool> holds) : Scorer(weight)
    {
        private int doc = -1;

        public override int DocID => doc;

        public override int Freq => 1;

        public override float GetScore() => 1f;

        public override long GetCost() => candidates.GetCost();

        public override int NextDoc() => doc = Confirm(candidates.NextDoc());

        public override int Advance(int target) => doc = Confirm(candidates.Advance(target));

        private int Confirm(int candidate)
        {
            while (candidate != NO_MORE_DOCS && !holds(candidate))
            {
                candidate = candidates.NextDoc();
            }
            return candidate;
        }
    }

    private sealed class TextVisitor(string field) : StoredFieldVisitor
    {
        public byte[]? Text { get; private set; }

        public override Status NeedsField(FieldInfo fieldInfo) =>
            Text is not null ? Status.STOP : string.Equals(fieldInfo.Name, field, StringComparison.Ordinal) ? Status.YES : Status.NO;

        public override void BinaryField(FieldInfo fieldInfo, byte[] value) => Text = value;
    }
}
