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
}
