namespace DocStore.Core.Search;

/// <summary>
/// What one SEARCH looks at: versions by position (a mailbox's messages in mailbox order), and
/// what the search implementation keeps from one search of the same mailbox to the next
/// (<see cref="State"/>: for the index, the mapping of the positions to its documents), so a
/// SEARCH does not map all of a large mailbox afresh. The implementation checks the state
/// against <see cref="Versions"/> and its index before each use: a stale state costs a rebuild,
/// never a wrong answer.
/// </summary>
public sealed class SearchScope(IReadOnlyList<DocumentVersion> versions, object? state = null, long? generation = null)
{
    public IReadOnlyList<DocumentVersion> Versions { get; } = versions;

    /// <summary>
    /// Optional: a number the caller changes whenever <see cref="Versions"/> changes (a
    /// mailbox view's count of changes). While it stays, the state is reused without comparing
    /// every version again, which at 200,000 messages is a good part of a SEARCH.
    /// </summary>
    public long? Generation { get; } = generation;

    /// <summary>Owned by the search implementation; the caller only keeps it for the next search of the same mailbox.</summary>
    public object? State { get; set; } = state;
}

/// <summary>A set of positions of a <see cref="SearchScope"/> (0 to Length - 1), one bit each: a probe is a bit test.</summary>
public sealed class PositionSet(int length)
{
    private readonly ulong[] bits = new ulong[(length + 63) / 64];

    public int Length { get; } = length;

    public bool Contains(int position) => (uint)position < (uint)Length && (bits[position >> 6] & (1UL << position)) != 0;

    public void Add(int position) => bits[position >> 6] |= 1UL << position;

    /// <summary>How many positions are in the set.</summary>
    public int Count()
    {
        var count = 0;
        foreach (var word in bits)
        {
            count += System.Numerics.BitOperations.PopCount(word);
        }
        return count;
    }

    /// <summary>The first position from <paramref name="from"/> on that is in the set; -1 when there is none.</summary>
    public int Next(int from)
    {
        if ((uint)from >= (uint)Length)
        {
            return -1;
        }
        var index = from >> 6;
        var word = bits[index] & (ulong.MaxValue << from);
        while (word == 0)
        {
            if (++index == bits.Length)
            {
                return -1;
            }
            word = bits[index];
        }
        return (index << 6) + System.Numerics.BitOperations.TrailingZeroCount(word);
    }

    /// <summary>The last position in the set; -1 when it is empty.</summary>
    public int Last()
    {
        for (var index = bits.Length - 1; index >= 0; index--)
        {
            if (bits[index] != 0)
            {
                return (index << 6) + 63 - System.Numerics.BitOperations.LeadingZeroCount(bits[index]);
            }
        }
        return -1;
    }

    /// <summary>Every position of 0 to <paramref name="length"/> - 1.</summary>
    public static PositionSet All(int length)
    {
        var all = new PositionSet(length);
        Array.Fill(all.bits, ulong.MaxValue);
        all.ClearTail();
        return all;
    }

    /// <summary>A new set: the positions in both.</summary>
    public PositionSet And(PositionSet other) => Combine(other, static (a, b) => a & b);

    /// <summary>A new set: the positions in either.</summary>
    public PositionSet Or(PositionSet other) => Combine(other, static (a, b) => a | b);

    /// <summary>A new set: the positions (of 0 to Length - 1) not in this one.</summary>
    public PositionSet Not()
    {
        var result = new PositionSet(Length);
        for (var i = 0; i < bits.Length; i++)
        {
            result.bits[i] = ~bits[i];
        }
        result.ClearTail();
        return result;
    }

    private PositionSet Combine(PositionSet other, Func<ulong, ulong, ulong> combine)
    {
        if (other.Length != Length)
        {
            throw new ArgumentException("The sets are of different lengths.", nameof(other));
        }
        var result = new PositionSet(Length);
        for (var i = 0; i < bits.Length; i++)
        {
            result.bits[i] = combine(bits[i], other.bits[i]);
        }
        return result;
    }

    // Positions at or past Length are never in the set.
    private void ClearTail()
    {
        if (Length % 64 != 0)
        {
            bits[^1] &= (1UL << (Length % 64)) - 1;
        }
    }
}
