using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace DocStore.Imap.Protocol;

/// <summary>
/// One element of a <see cref="SequenceSet"/>: <c>n</c> or <c>a:b</c> in either order, where 0
/// stands for <c>*</c>, the largest number in use (RFC 9051 §9, seq-number).
/// </summary>
public readonly record struct SequenceRange(uint First, uint Last)
{
    /// <summary>The range with <c>*</c> replaced by <paramref name="max"/> and put in order.</summary>
    public (uint Low, uint High) Resolve(uint max)
    {
        var first = First == 0 ? max : First;
        var last = Last == 0 ? max : Last;
        return first <= last ? (first, last) : (last, first);
    }
}

/// <summary>
/// RFC 9051 §9 sequence-set (<c>1,3:5,7:*</c>) of message numbers or UIDs, or RFC 5182's
/// <c>$</c>, the saved result of the last SEARCH.
/// </summary>
public sealed class SequenceSet
{
    private SequenceSet(IReadOnlyList<SequenceRange> ranges, bool isSavedResult)
    {
        Ranges = ranges;
        IsSavedResult = isSavedResult;
    }

    /// <summary>The set <c>$</c> (RFC 5182 §2.1): the caller substitutes the saved result.</summary>
    public static SequenceSet SavedResult { get; } = new([], isSavedResult: true);

    /// <summary>The ranges as sent, in order; empty for <c>$</c>.</summary>
    public IReadOnlyList<SequenceRange> Ranges { get; }

    public bool IsSavedResult { get; }

    /// <summary>True if any range uses <c>*</c>.</summary>
    public bool UsesStar => Ranges.Any(r => r.First == 0 || r.Last == 0);

    public static bool TryParse(string text, [NotNullWhen(true)] out SequenceSet? set)
    {
        set = null;
        if (string.Equals(text, "$", StringComparison.Ordinal))
        {
            set = SavedResult;
            return true;
        }

        var ranges = new List<SequenceRange>();
        foreach (var part in text.Split(','))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                if (!TryParseNumber(part, out var single))
                {
                    return false;
                }

                ranges.Add(new SequenceRange(single, single));
            }
            else if (TryParseNumber(part[..colon], out var first) && TryParseNumber(part[(colon + 1)..], out var last))
            {
                ranges.Add(new SequenceRange(first, last));
            }
            else
            {
                return false;
            }
        }

        set = new SequenceSet(ranges, isSavedResult: false);
        return true;
    }

    /// <summary>Whether <paramref name="n"/> is in the set, <c>*</c> being <paramref name="max"/>.</summary>
    public bool Contains(uint n, uint max)
    {
        foreach (var range in Ranges)
        {
            var (low, high) = range.Resolve(max);
            if (n >= low && n <= high)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The set as sorted, disjoint, non-adjacent intervals within 1..<paramref name="max"/>.
    /// RFC 9051 §6.4.9: <c>n:*</c> with n past the end still means the largest, so <c>*</c> always
    /// resolves to max before clipping.
    /// </summary>
    public IReadOnlyList<(uint Low, uint High)> Resolve(uint max)
    {
        var intervals = new List<(uint Low, uint High)>(Ranges.Count);
        foreach (var range in Ranges)
        {
            var (low, high) = range.Resolve(max);
            if (low <= max && high >= 1)
            {
                intervals.Add((Math.Max(low, 1u), Math.Min(high, max)));
            }
        }

        intervals.Sort();
        var merged = new List<(uint Low, uint High)>(intervals.Count);
        foreach (var (low, high) in intervals)
        {
            if (merged.Count > 0 && (ulong)low <= (ulong)merged[^1].High + 1)
            {
                merged[^1] = (merged[^1].Low, Math.Max(merged[^1].High, high));
            }
            else
            {
                merged.Add((low, high));
            }
        }

        return merged;
    }

    /// <summary>The members within 1..<paramref name="max"/>, ascending, each once.</summary>
    public IEnumerable<uint> Enumerate(uint max)
    {
        foreach (var (low, high) in Resolve(max))
        {
            for (var n = (ulong)low; n <= high; n++)
            {
                yield return (uint)n;
            }
        }
    }

    /// <summary>
    /// The compact form of a set of numbers, ascending (<c>1:3,5</c>), for COPYUID (RFC 4315
    /// §3) and ESEARCH ALL (RFC 4731 §3.1); empty input gives an empty string.
    /// </summary>
    public static string Format(IEnumerable<uint> numbers)
    {
        // ESEARCH's list is already ascending and may hold every UID of a large mailbox: sorting
        // and de-duplicating 200,000 numbers again cost more than the search that found them.
        var sorted = numbers is IReadOnlyList<uint> list && IsStrictlyAscending(list) ? list : numbers.Distinct().Order().ToList();
        var builder = new StringBuilder();
        var i = 0;
        while (i < sorted.Count)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(sorted[i].ToString(CultureInfo.InvariantCulture));
            if (j > i)
            {
                builder.Append(':').Append(sorted[j].ToString(CultureInfo.InvariantCulture));
            }

            i = j + 1;
        }

        return builder.ToString();
    }

    private static bool IsStrictlyAscending(IReadOnlyList<uint> numbers)
    {
        for (var i = 1; i < numbers.Count; i++)
        {
            if (numbers[i] <= numbers[i - 1])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The set as sent, canonical spelling: <c>1:*</c>, <c>$</c>.</summary>
    public override string ToString()
    {
        if (IsSavedResult)
        {
            return "$";
        }

        return string.Join(',', Ranges.Select(r => r.First == r.Last ? Number(r.First) : Number(r.First) + ":" + Number(r.Last)));

        static string Number(uint n) => n == 0 ? "*" : n.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>RFC 9051 §9: nz-number (no leading zero, 1..4294967295) or "*" as 0.</summary>
    private static bool TryParseNumber(string text, out uint value)
    {
        value = 0;
        if (string.Equals(text, "*", StringComparison.Ordinal))
        {
            return true;
        }

        return text.Length is > 0 and <= 10 && text[0] != '0' && text.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0 &&
            uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
