using DocStore.Core.Search;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace DocStore.Search.Indexing;

/// <summary>Running a <see cref="TextQuery"/> against a searcher: its matches per segment, limited to a scope.</summary>
public sealed partial class TextIndex
{
    internal static HashSet<long> Collect(IndexSearcher searcher, TextQuery query, IReadOnlySet<long>? scope) =>
        CollectDocs(searcher, query, scope is null ? null : DocScope.OfKeys(scope)).Keys();

    /// <summary>
    /// The documents of the searcher matching <paramref name="query"/>, limited to <paramref name="scope"/>
    /// (every document when null), segment by segment. With a <paramref name="cache"/> (and a
    /// query with a key) a segment that the scope mostly covers is judged whole, every document
    /// of it, and its answer is kept for the segment's life: a segment's documents never change,
    /// so the answer stands until a merge retires the segment, and a refresh that adds one
    /// leaves the others' answers as they were. Such a segment's answer may then hold documents
    /// outside the scope: the caller maps documents to the scope's positions anyway.
    /// </summary>
    internal static MatchSet CollectDocs(IndexSearcher searcher, TextQuery query, DocScope? scope, SegmentMatchCache? cache = null)
    {
        var matches = new MatchSet(searcher.IndexReader);
        var leaves = searcher.IndexReader.Leaves;
        var cacheable = cache is not null && query.Key is not null && scope is not null && scope.IsPositional;
        var open = new List<AtomicReaderContext>();
        var whole = new List<bool>();
        foreach (var leaf in leaves)
        {
            if (cacheable && cache!.Get(leaf.AtomicReader.CoreCacheKey, query.Key!) is { } known)
            {
                matches.Share(leaf.Ord, known);
                continue;
            }
            open.Add(leaf);
            whole.Add(cacheable && scope!.CountIn(leaf) * 2 >= leaf.AtomicReader.NumDocs);
        }
        if (open.Count == 0)
        {
            return matches;
        }
        foreach (var part in query.Parts)
        {
            if (part.Exact is not VerifiedSubstringQuery verified)
            {
                if (part.Certain is not null)
                {
                    Search(searcher, part.Certain, open, whole, scope, matches);
                }
                Search(searcher, part.Exact, open, whole, scope, matches);
                continue;
            }
            // Few candidates (a rare word) are read directly; the certain query (which walks the
            // word dictionary) is asked only when there are many (a common word, whose documents
            // it then spares reading).
            var candidates = verified.CandidatesOf(searcher, open);
            if (part.Certain is not null && candidates.Cost > ReadDirectlyUpTo)
            {
                Search(searcher, part.Certain, open, whole, scope, matches);
            }
            verified.Confirm(candidates, i => whole[i] ? null : scope, matches);
        }
        for (var i = 0; i < open.Count; i++)
        {
            if (whole[i])
            {
                cache!.Put(open[i].AtomicReader.CoreCacheKey, query.Key!, matches.Seal(open[i].Ord));
            }
        }
        return matches;
    }

    // Runs the query on each open segment: a segment judged whole is not limited to the scope.
    private static void Search(IndexSearcher searcher, Query query, List<AtomicReaderContext> open, List<bool> whole, DocScope? scope, MatchSet matches)
    {
        var weight = searcher.CreateNormalizedWeight(query);
        for (var i = 0; i < open.Count; i++)
        {
            var collector = new KeyCollector(whole[i] ? null : scope, matches);
            collector.SetNextReader(open[i]);
            weight.GetBulkScorer(open[i], scoreDocsInOrder: false, open[i].AtomicReader.LiveDocs)?.Score(collector);
        }
    }

    // Reading this many stored texts costs about what the certain query does on a large vocabulary.
    private const int ReadDirectlyUpTo = 64;

    private sealed class KeyCollector(DocScope? scope, MatchSet matches) : ICollector
    {
        private NumericDocValues? keys;
        private int leaf;

        public bool AcceptsDocsOutOfOrder => true;

        public void SetScorer(Scorer scorer)
        {
        }

        public void SetNextReader(AtomicReaderContext context)
        {
            keys = SearchDocuments.Keys(context.AtomicReader);
            leaf = context.Ord;
        }

        public void Collect(int doc)
        {
            if (keys is null)
            {
                return;
            }
            if (scope is null || scope.Contains(leaf, doc, keys))
            {
                matches.Add(leaf, doc);
            }
        }
    }
}

/// <summary>
/// The matches of one text criterion so far, per segment as document numbers, so a later query
/// of the criterion skips them without looking their keys up, and a SEARCH maps them to its
/// mailbox's positions without hashing.
/// </summary>
internal sealed class MatchSet(IndexReader reader)
{
    private readonly FixedBitSet?[] docs = new FixedBitSet?[reader.Leaves.Count];

    public void Add(int leaf, int doc) => (docs[leaf] ??= new FixedBitSet(reader.Leaves[leaf].AtomicReader.MaxDoc)).Set(doc);

    /// <summary>Takes a segment's answer as it is (shared, never changed: nothing is added to that segment afterwards).</summary>
    public void Share(int leaf, FixedBitSet bits) => docs[leaf] = bits;

    /// <summary>The segment's matches, to be shared from now on (an empty set when there are none).</summary>
    public FixedBitSet Seal(int leaf) => docs[leaf] ??= new FixedBitSet(reader.Leaves[leaf].AtomicReader.MaxDoc);

    /// <summary>The segment's matches (null: none); not to be changed.</summary>
    public FixedBitSet? BitsOf(int leaf) => docs[leaf];

    public int LeafCount => docs.Length;

    public int DocBase(int leaf) => reader.Leaves[leaf].DocBase;

    public bool Contains(int leaf, int doc) => docs[leaf] is { } bits && bits.Get(doc);

    /// <summary>How many documents of the segment are matched.</summary>
    public int CountIn(int leaf) => docs[leaf]?.Cardinality ?? 0;

    private static IEnumerable<int> SetBits(FixedBitSet bits)
    {
        for (var doc = bits.NextSetBit(0); doc >= 0; doc = doc + 1 < bits.Length ? bits.NextSetBit(doc + 1) : -1)
        {
            yield return doc;
        }
    }

    /// <summary>The matched documents' version keys.</summary>
    public HashSet<long> Keys()
    {
        var keys = new HashSet<long>();
        for (var leaf = 0; leaf < docs.Length; leaf++)
        {
            if (docs[leaf] is not { } bits || SearchDocuments.Keys(reader.Leaves[leaf].AtomicReader) is not { } values)
            {
                continue;
            }
            foreach (var doc in SetBits(bits))
            {
                keys.Add(values.Get(doc));
            }
        }
        return keys;
    }
}

/// <summary>
/// The documents a search may match: those whose version key is in a set, or (a SEARCH's
/// mailbox mapped by <see cref="ScopeMap"/>) those with a position in the mailbox, which is an
/// array lookup by document number instead of reading and hashing each document's key.
/// </summary>
internal sealed class DocScope
{
    private readonly IReadOnlySet<long>? keys;
    private readonly int[]? positionOfDocument;
    private readonly int[]? docBases;

    private DocScope(IReadOnlySet<long>? keys, int[]? positionOfDocument, int[]? docBases)
    {
        this.keys = keys;
        this.positionOfDocument = positionOfDocument;
        this.docBases = docBases;
    }

    public static DocScope OfKeys(IReadOnlySet<long> keys) => new(keys, null, null);

    /// <summary><paramref name="positionOfDocument"/>: by global document number, a position (0 or more) or -1 (not in scope).</summary>
    public static DocScope OfPositions(IndexReader reader, int[] positionOfDocument) =>
        new(null, positionOfDocument, reader.Leaves.Select(l => l.DocBase).ToArray());

    /// <summary>Whether the scope is a mapped mailbox (its documents by number) rather than a set of keys.</summary>
    public bool IsPositional => positionOfDocument is not null;

    private int[]? counts;

    /// <summary>How many documents of the segment are in the (positional) scope; counted once per scope.</summary>
    public int CountIn(AtomicReaderContext leaf)
    {
        var known = Volatile.Read(ref counts);
        if (known is null)
        {
            known = new int[docBases!.Length];
            for (var i = 0; i < docBases.Length; i++)
            {
                var end = i + 1 < docBases.Length ? docBases[i + 1] : positionOfDocument!.Length;
                known[i] = end - docBases[i] - positionOfDocument.AsSpan(docBases[i], end - docBases[i]).Count(-1);
            }
            Volatile.Write(ref counts, known);
        }
        return known[leaf.Ord];
    }

    public bool Contains(int leaf, int doc, NumericDocValues keys) =>
        positionOfDocument is not null ? positionOfDocument[docBases![leaf] + doc] >= 0 : this.keys!.Contains(keys.Get(doc));
}
