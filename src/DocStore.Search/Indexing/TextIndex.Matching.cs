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

    /// <summary>The documents of the searcher matching <paramref name="query"/>, limited to <paramref name="scope"/> (every document when null).</summary>
    internal static MatchSet CollectDocs(IndexSearcher searcher, TextQuery query, DocScope? scope)
    {
        var matches = new MatchSet(searcher.IndexReader);
        foreach (var part in query.Parts)
        {
            if (part.Exact is not VerifiedSubstringQuery verified)
            {
                if (part.Certain is not null)
                {
                    searcher.Search(part.Certain, new KeyCollector(scope, matches));
                }
                searcher.Search(part.Exact, new KeyCollector(scope, matches));
                continue;
            }
            // Few candidates (a rare word) are read directly; the certain query (which walks the
            // word dictionary) is asked only when there are many (a common word, whose documents
            // it then spares reading).
            var candidates = verified.CandidatesOf(searcher);
            if (part.Certain is not null && candidates.Cost > ReadDirectlyUpTo)
            {
                searcher.Search(part.Certain, new KeyCollector(scope, matches));
            }
            verified.Confirm(candidates, scope, matches);
        }
        return matches;
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

    public bool Contains(int leaf, int doc) => docs[leaf] is { } bits && bits.Get(doc);

    /// <summary>How many documents of the segment are matched.</summary>
    public int CountIn(int leaf) => docs[leaf]?.Cardinality ?? 0;

    /// <summary>The matched documents' global numbers, ascending.</summary>
    public IEnumerable<int> Documents()
    {
        for (var leaf = 0; leaf < docs.Length; leaf++)
        {
            if (docs[leaf] is not { } bits)
            {
                continue;
            }
            var docBase = reader.Leaves[leaf].DocBase;
            foreach (var doc in SetBits(bits))
            {
                yield return docBase + doc;
            }
        }
    }

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

    public bool Contains(int leaf, int doc, NumericDocValues keys) =>
        positionOfDocument is not null ? positionOfDocument[docBases![leaf] + doc] >= 0 : this.keys!.Contains(keys.Get(doc));
}
