using Lucene.Net.Util;

namespace DocStore.Search.Indexing;

/// <summary>
/// The answers of text queries per index segment, as Lucene's and Elasticsearch's filter caches
/// keep them: for a segment's core (its documents, which never change) and a query's key, the
/// segment's documents that match, one bit each. A refresh that adds a segment leaves the other
/// segments' answers standing, and a merge or a rebuild makes new cores, whose answers are
/// computed afresh; deletions need no care, since a search only maps live documents of its scope.
/// Bounded by bytes, least recently used out first; answers of segments the index no longer
/// reads are dropped at each new reader (<see cref="Retain"/>).
/// </summary>
internal sealed class SegmentMatchCache(long maxBytes)
{
    private readonly Lock gate = new();
    private readonly Dictionary<(object Core, string Query), Entry> entries = [];
    private long bytes;
    private long clock;
    private long hits;
    private long misses;

    /// <summary>The default bound: 32 MiB, about 1,300 answers over a whole index of 200,000 documents.</summary>
    public const long DefaultMaxBytes = 32L * 1024 * 1024;

    public int Count
    {
        get
        {
            lock (gate)
            {
                return entries.Count;
            }
        }
    }

    public long Bytes => Interlocked.Read(ref bytes);

    /// <summary>Answers found kept.</summary>
    public long Hits => Interlocked.Read(ref hits);

    /// <summary>Answers looked for and not kept (computed, and kept when the segment was judged whole).</summary>
    public long Misses => Interlocked.Read(ref misses);

    /// <summary>The kept answer of the query on the segment; not to be changed.</summary>
    public FixedBitSet? Get(object core, string query)
    {
        lock (gate)
        {
            if (entries.TryGetValue((core, query), out var entry))
            {
                entry.Used = ++clock;
                hits++;
                return entry.Bits;
            }
            misses++;
            return null;
        }
    }

    /// <summary>Keeps the answer of the query on the segment (every document of it judged); it is not changed afterwards.</summary>
    public void Put(object core, string query, FixedBitSet bits)
    {
        var size = SizeOf(bits);
        if (size > maxBytes)
        {
            return;
        }
        lock (gate)
        {
            if (entries.TryGetValue((core, query), out var known))
            {
                bytes -= SizeOf(known.Bits);
            }
            entries[(core, query)] = new Entry(bits) { Used = ++clock };
            bytes += size;
            if (bytes > maxBytes)
            {
                // Rare (the bound holds hundreds of answers): the older half goes at once.
                foreach (var old in entries.OrderBy(e => e.Value.Used).Take(Math.Max(1, entries.Count / 2)).ToList())
                {
                    entries.Remove(old.Key);
                    bytes -= SizeOf(old.Value.Bits);
                }
            }
        }
    }

    /// <summary>Drops the answers of segments other than <paramref name="cores"/> (those of the current reader).</summary>
    public void Retain(IReadOnlyCollection<object> cores)
    {
        var live = new HashSet<object>(cores, ReferenceEqualityComparer.Instance);
        lock (gate)
        {
            foreach (var gone in entries.Where(e => !live.Contains(e.Key.Core)).ToList())
            {
                entries.Remove(gone.Key);
                bytes -= SizeOf(gone.Value.Bits);
            }
        }
    }

    private static long SizeOf(FixedBitSet bits) => bits.GetBits().Length * 8L + 64;

    private sealed class Entry(FixedBitSet bits)
    {
        public FixedBitSet Bits { get; } = bits;

        public long Used { get; set; }
    }
}
