using DocStore.Core.Search;
using Lucene.Net.Search;

namespace DocStore.Search.Indexing;

/// <summary>
/// A SEARCH's scope (a mailbox's versions by position) mapped onto one reader of the index:
/// by global document number, the position of the version (-1: not in the scope); the positions
/// whose version that reader does not hold (filed after its refresh, or taken out since: read
/// your writes judges them apart, <see cref="RecentVersions"/>); and the positions holding a
/// version a lower position holds too. Kept in <see cref="SearchScope.State"/> and reused while
/// the scope's versions, the reader and the index's removals stay the same; so a SEARCH of a
/// large mailbox neither walks nor hashes all its versions again, and a text key's matches
/// become positions by an array lookup per match.
/// </summary>
internal sealed class ScopeMap
{
    private readonly DocumentVersion[] versions;
    private readonly DocKeys keys;
    private readonly int[] positionOfDocument;
    private readonly List<(int Position, int First)> repeated;
    private long? generation;

    private ScopeMap(DocumentVersion[] versions, DocKeys keys, int[] positionOfDocument, List<int> pending, List<(int, int)> repeated)
    {
        this.versions = versions;
        this.keys = keys;
        this.positionOfDocument = positionOfDocument;
        Pending = pending;
        this.repeated = repeated;
        Documents = DocScope.OfPositions(keys.Reader, positionOfDocument);
    }

    /// <summary>The positions whose version the reader does not hold.</summary>
    public List<int> Pending { get; }

    /// <summary>The scope as documents of the reader.</summary>
    public DocScope Documents { get; }

    public int Length => versions.Length;

    public DocumentVersion VersionAt(int position) => versions[position];

    /// <summary>The map of <paramref name="scope"/> on the searcher's reader: the one kept in the scope's state when it still holds, a new one (kept there) otherwise.</summary>
    public static ScopeMap For(TextIndex index, IndexSearcher searcher, SearchScope scope)
    {
        var current = index.KeysOf(searcher);
        if (scope.State is ScopeMap known && ReferenceEquals(known.keys, current))
        {
            if (scope.Generation is { } same && known.generation == same)
            {
                return known;
            }
            if (known.Covers(scope.Versions))
            {
                known.generation = scope.Generation;
                return known;
            }
        }
        // The same versions on a reader that only added segments: the known positions stand,
        // only the pending versions are looked up again.
        if (scope.State is ScopeMap older && older.keys.Removals == current.Removals && TextIndex.Extends(older.keys, current.Reader)
            && ((scope.Generation is { } unchanged && older.generation == unchanged) || older.Covers(scope.Versions)))
        {
            var carried = new int[current.Reader.MaxDoc];
            older.positionOfDocument.CopyTo(carried, 0);
            Array.Fill(carried, -1, older.positionOfDocument.Length, carried.Length - older.positionOfDocument.Length);
            var stillPending = new List<int>();
            var repeatedToo = new List<(int, int)>(older.repeated);
            foreach (var position in older.Pending)
            {
                if (!current.TryGetDocument(SearchDocuments.KeyOf(older.versions[position]), out var document))
                {
                    stillPending.Add(position);
                }
                else if (carried[document] >= 0)
                {
                    repeatedToo.Add((position, carried[document]));
                }
                else
                {
                    carried[document] = position;
                }
            }
            var next = new ScopeMap(older.versions, current, carried, stillPending, repeatedToo) { generation = scope.Generation };
            scope.State = next;
            return next;
        }
        var scoped = scope.Versions.ToArray();
        var positions = new int[current.Reader.MaxDoc];
        Array.Fill(positions, -1);
        var pending = new List<int>();
        var repeats = new List<(int, int)>();
        for (var position = 0; position < scoped.Length; position++)
        {
            if (!current.TryGetDocument(SearchDocuments.KeyOf(scoped[position]), out var document))
            {
                pending.Add(position);
            }
            else if (positions[document] >= 0)
            {
                repeats.Add((position, positions[document]));
            }
            else
            {
                positions[document] = position;
            }
        }
        var map = new ScopeMap(scoped, current, positions, pending, repeats) { generation = scope.Generation };
        scope.State = map;
        return map;
    }

    /// <summary>The positions of the matched documents (those of the reader; pending positions are added apart).</summary>
    public PositionSet Positions(MatchSet matches)
    {
        var positions = new PositionSet(versions.Length);
        // Word by word over each segment's bits: 200,000 matches are as many array reads.
        for (var leaf = 0; leaf < matches.LeafCount; leaf++)
        {
            if (matches.BitsOf(leaf) is not { } bits)
            {
                continue;
            }
            var words = bits.GetBits();
            var docBase = matches.DocBase(leaf);
            for (var w = 0; w < words.Length; w++)
            {
                for (var word = (ulong)words[w]; word != 0; word &= word - 1)
                {
                    var document = docBase + (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(word);
                    if (positionOfDocument[document] is var position and >= 0)
                    {
                        positions.Add(position);
                    }
                }
            }
        }
        foreach (var (position, first) in repeated)
        {
            if (positions.Contains(first))
            {
                positions.Add(position);
            }
        }
        return positions;
    }

    private bool Covers(IReadOnlyList<DocumentVersion> scope)
    {
        if (scope.Count != versions.Length)
        {
            return false;
        }
        for (var i = 0; i < versions.Length; i++)
        {
            if (scope[i] != versions[i])
            {
                return false;
            }
        }
        return true;
    }
}
