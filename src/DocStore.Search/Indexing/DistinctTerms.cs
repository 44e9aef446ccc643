namespace DocStore.Search.Indexing;

// The two per-thread tables of distinct terms that building an index document uses (split from
// Trigrams.cs, whose streams and queries read them): open addressing instead of HashSet, emptied
// for each value and kept for the next one on the same thread.

/// <summary>
/// The distinct trigram keys of one value, in the order first seen: open addressing over a
/// power-of-two table (every code point of a body is one lookup, and HashSet's were the
/// largest single cost of indexing a message). One per thread, emptied for each value, whose keys
/// are copied out (<see cref="ToArray"/>) before the next.
/// </summary>
internal sealed class TrigramSet
{
    private const int InitialSlots = 1 << 13;
    // A table grown past this by a huge value is not kept for the next one.
    private const int KeptSlots = 1 << 18;

    [ThreadStatic]
    private static TrigramSet? current;

    // Slot holds key + 1 (keys are below 2^63, so 0 means empty); used lists the filled slots.
    private long[] slots = new long[InitialSlots];
    private int[] used = new int[InitialSlots / 2];
    private long[] keys = new long[InitialSlots / 2];
    private int shift = 64 - 13;

    public int Count { get; private set; }

    public static TrigramSet ForThread()
    {
        var set = current is { } kept && kept.slots.Length <= KeptSlots ? kept : new TrigramSet();
        set.Clear();
        current = set;
        return set;
    }

    /// <summary>The keys in the order first seen, copied out (the table is the thread's, emptied for its next value).</summary>
    public long[] ToArray() => keys.AsSpan(0, Count).ToArray();

    public void Add(long key)
    {
        var stored = key + 1;
        var mask = slots.Length - 1;
        var slot = (int)((ulong)(key * -7046029254386353131L) >> shift);
        while (true)
        {
            var found = slots[slot];
            if (found == stored)
            {
                return;
            }
            if (found == 0)
            {
                break;
            }
            slot = (slot + 1) & mask;
        }
        slots[slot] = stored;
        used[Count] = slot;
        keys[Count++] = key;
        if (Count * 2 >= slots.Length)
        {
            Grow();
        }
    }

    private void Clear()
    {
        for (var i = 0; i < Count; i++)
        {
            slots[used[i]] = 0;
        }
        Count = 0;
    }

    private void Grow()
    {
        var count = Count;
        var old = keys;
        slots = new long[slots.Length * 2];
        used = new int[slots.Length / 2];
        keys = new long[slots.Length / 2];
        shift--;
        Count = 0;
        for (var i = 0; i < count; i++)
        {
            Add(old[i]);
        }
    }
}

/// <summary>
/// The distinct words of a text: each word's hash is computed as it is scanned and looked up
/// in an open-addressing table, so only a word's first occurrence allocates (a body's few
/// thousand words were a large share of building a message's document through HashSet).
/// One table per thread, emptied for each text.
/// </summary>
internal sealed class WordSet
{
    private const int InitialSlots = 1 << 10;
    private const int KeptSlots = 1 << 16;

    [ThreadStatic]
    private static WordSet? current;

    // Slot holds the index of its word + 1 (0: empty); hashes beside it; used lists the filled slots.
    private int[] slots = new int[InitialSlots];
    private uint[] hashes = new uint[InitialSlots];
    private int[] used = new int[InitialSlots / 2];
    private List<string> words = [];

    public static WordSet ForThread()
    {
        var set = current is { } kept && kept.slots.Length <= KeptSlots ? kept : new WordSet();
        current = set;
        return set;
    }

    public List<string> Collect(string folded)
    {
        words = [];
        var start = -1;
        var hash = 0u;
        for (var i = 0; i <= folded.Length; i++)
        {
            var c = i < folded.Length ? folded[i] : ' ';
            if (char.IsLetterOrDigit(c))
            {
                if (start < 0)
                {
                    start = i;
                    hash = 2166136261;
                }
                hash = (hash ^ c) * 16777619;
            }
            else if (start >= 0)
            {
                if (i - start >= 3 && i - start <= 100)
                {
                    Add(folded, start, i - start, hash);
                }
                start = -1;
            }
        }
        for (var i = 0; i < words.Count; i++)
        {
            slots[used[i]] = 0;
        }
        return words;
    }

    private void Add(string text, int start, int length, uint hash)
    {
        var mask = slots.Length - 1;
        var slot = (int)(hash & (uint)mask);
        var word = text.AsSpan(start, length);
        while (slots[slot] != 0)
        {
            if (hashes[slot] == hash && word.SequenceEqual(words[slots[slot] - 1]))
            {
                return;
            }
            slot = (slot + 1) & mask;
        }
        words.Add(text.Substring(start, length));
        slots[slot] = words.Count;
        hashes[slot] = hash;
        used[words.Count - 1] = slot;
        if (words.Count * 2 >= slots.Length)
        {
            Grow();
        }
    }

    private void Grow()
    {
        var oldHashes = hashes;
        var oldUsed = used;
        slots = new int[slots.Length * 2];
        hashes = new uint[slots.Length];
        used = new int[slots.Length / 2];
        var mask = slots.Length - 1;
        for (var i = 0; i < words.Count; i++)
        {
            var hash = oldHashes[oldUsed[i]];
            var slot = (int)(hash & (uint)mask);
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = i + 1;
            hashes[slot] = hash;
            used[i] = slot;
        }
    }
}
