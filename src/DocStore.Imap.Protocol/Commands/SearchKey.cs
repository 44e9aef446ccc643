namespace DocStore.Imap.Protocol.Commands;

/// <summary>Which text a <see cref="TextKey"/> searches (RFC 9051 §6.4.4).</summary>
public enum SearchTextField
{
    Bcc,
    Body,
    Cc,
    From,
    Subject,

    /// <summary>The header and the body.</summary>
    Text,
    To,

    /// <summary><c>HEADER name value</c>: the named field.</summary>
    Header,
}

/// <summary>Which date a <see cref="DateKey"/> compares.</summary>
public enum SearchDateField
{
    /// <summary>The internal date: BEFORE, ON, SINCE.</summary>
    Internal,

    /// <summary>The Date: header: SENTBEFORE, SENTON, SENTSINCE.</summary>
    Sent,

    /// <summary>RFC 8514 save date: SAVEDBEFORE, SAVEDON, SAVEDSINCE.</summary>
    Saved,
}

public enum SearchDateComparison
{
    Before,
    On,
    Since,
}

public enum SearchSizeComparison
{
    Larger,
    Smaller,
}

/// <summary>RFC 5032: OLDER and YOUNGER, in seconds relative to now.</summary>
public enum SearchWithinComparison
{
    Older,
    Younger,
}

/// <summary>RFC 7162 §3.1.5 entry-type-req: which metadata of the flag's mod-sequence.</summary>
public enum ModSeqEntryType
{
    Private,
    Shared,
    All,
}

/// <summary>RFC 8474 §6: which object id an <see cref="IdKey"/> names.</summary>
public enum SearchIdField
{
    Email,
    Thread,
}

/// <summary>
/// A node of the storage-neutral SEARCH tree (RFC 9051 §6.4.4). NEW and OLD arrive expanded
/// (RFC 3501 §6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT); RECENT is a <see cref="FlagKey"/>
/// of <c>\Recent</c>. <see cref="object.ToString"/> renders the canonical IMAP form.
/// </summary>
public abstract record SearchKey
{
    private protected SearchKey()
    {
    }

    /// <summary>Whether the tree holds a key of type <typeparamref name="TKey"/>.</summary>
    public bool Contains<TKey>()
        where TKey : SearchKey => this switch
        {
            TKey => true,
            AndKey and => and.Keys.Any(k => k.Contains<TKey>()),
            OrKey or => or.Left.Contains<TKey>() || or.Right.Contains<TKey>(),
            NotKey not => not.Key.Contains<TKey>(),
            FuzzyKey fuzzy => fuzzy.Key.Contains<TKey>(),
            _ => false,
        };

    /// <summary>
    /// The tree's leaves (every key that is not AND, OR, NOT or FUZZY), in order, each with
    /// whether a FUZZY above it applies (RFC 6203).
    /// </summary>
    public IEnumerable<(SearchKey Key, bool UnderFuzzy)> Leaves(bool underFuzzy = false) => this switch
        {
            AndKey and => and.Keys.SelectMany(k => k.Leaves(underFuzzy)),
            OrKey or => or.Left.Leaves(underFuzzy).Concat(or.Right.Leaves(underFuzzy)),
            NotKey not => not.Key.Leaves(underFuzzy),
            FuzzyKey fuzzy => fuzzy.Key.Leaves(underFuzzy: true),
            _ => [(this, underFuzzy)],
        };

    /// <summary>A quoted string for the canonical rendering.</summary>
    private protected static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

/// <summary><c>ALL</c>: every message.</summary>
public sealed record AllKey : SearchKey
{
    public static AllKey Instance { get; } = new();

    public override string ToString() => "ALL";
}

/// <summary>A parenthesised group, or the program's top-level keys: all must match.</summary>
public sealed record AndKey(IReadOnlyList<SearchKey> Keys) : SearchKey
{
    public bool Equals(AndKey? other) => other is not null && Keys.SequenceEqual(other.Keys);

    public override int GetHashCode() => Keys.Aggregate(17, (hash, key) => HashCode.Combine(hash, key));

    public override string ToString() => "(" + string.Join(' ', Keys) + ")";
}

/// <summary><c>OR a b</c>.</summary>
public sealed record OrKey(SearchKey Left, SearchKey Right) : SearchKey
{
    public override string ToString() => $"OR {Left} {Right}";
}

/// <summary><c>NOT k</c>.</summary>
public sealed record NotKey(SearchKey Key) : SearchKey
{
    public override string ToString() => $"NOT {Key}";
}

/// <summary>A bare sequence set, <c>UID set</c>, or <c>$</c> (RFC 5182).</summary>
public sealed record SequenceKey(SequenceSet Set, bool IsUid) : SearchKey
{
    public bool Equals(SequenceKey? other) =>
        other is not null && IsUid == other.IsUid && string.Equals(Set.ToString(), other.Set.ToString(), StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(IsUid, Set.ToString());

    public override string ToString() => IsUid ? $"UID {Set}" : Set.ToString();
}

/// <summary>
/// A flag present (<paramref name="IsSet"/>) or absent: ANSWERED/UNANSWERED and the other
/// system flags, RECENT, KEYWORD/UNKEYWORD. Flags compare without regard to case (RFC 9051 §2.3.2).
/// </summary>
public sealed record FlagKey(string Flag, bool IsSet) : SearchKey
{
    public bool Equals(FlagKey? other) => other is not null && IsSet == other.IsSet && Flag.Equals(other.Flag, StringComparison.OrdinalIgnoreCase);

    public override int GetHashCode() => HashCode.Combine(IsSet, StringComparer.OrdinalIgnoreCase.GetHashCode(Flag));

    public override string ToString() => Flag.ToUpperInvariant() switch
    {
        "\\RECENT" => IsSet ? "RECENT" : "NOT RECENT",
        var system when system.StartsWith('\\') => (IsSet ? "" : "UN") + system[1..],
        _ => (IsSet ? "KEYWORD " : "UNKEYWORD ") + Flag,
    };
}

/// <summary>A substring match in a header field or the body (RFC 9051 §6.4.4).</summary>
/// <param name="Field">What to search.</param>
/// <param name="HeaderName">For <see cref="SearchTextField.Header"/>: the field name as sent.</param>
/// <param name="Value">The string sought; empty matches every message that has the field.</param>
public sealed record TextKey(SearchTextField Field, string? HeaderName, string Value) : SearchKey
{
    public override string ToString() => Field == SearchTextField.Header
        ? $"HEADER {Quote(HeaderName!)} {Quote(Value)}"
        : $"{Field.ToString().ToUpperInvariant()} {Quote(Value)}";
}

/// <summary>A date comparison, disregarding time and time zone (RFC 9051 §6.4.4).</summary>
public sealed record DateKey(SearchDateField Field, SearchDateComparison Comparison, DateOnly Date) : SearchKey
{
    public override string ToString() =>
        Field switch { SearchDateField.Sent => "SENT", SearchDateField.Saved => "SAVED", _ => "" } +
        Comparison.ToString().ToUpperInvariant() + " " + ImapDates.FormatDate(Date);
}

/// <summary><c>LARGER n</c> / <c>SMALLER n</c>: the RFC 822 size in octets.</summary>
public sealed record SizeKey(SearchSizeComparison Comparison, ulong Size) : SearchKey
{
    public override string ToString() => $"{Comparison.ToString().ToUpperInvariant()} {Size}";
}

/// <summary>RFC 5032: <c>OLDER n</c> / <c>YOUNGER n</c>, the internal date against now.</summary>
public sealed record WithinKey(SearchWithinComparison Comparison, uint Seconds) : SearchKey
{
    public override string ToString() => $"{Comparison.ToString().ToUpperInvariant()} {Seconds}";
}

/// <summary>
/// RFC 7162 §3.1.5: <c>MODSEQ ["/flags/flag" type] n</c>, messages whose mod-sequence (or that
/// of the flag's metadata) is at least <paramref name="ModSeq"/>.
/// </summary>
public sealed record ModSeqKey(ulong ModSeq, string? Flag, ModSeqEntryType? EntryType) : SearchKey
{
    public override string ToString() => Flag is null
        ? $"MODSEQ {ModSeq}"
        : $"MODSEQ {Quote("/flags/" + Flag)} {EntryType switch { ModSeqEntryType.Private => "priv", ModSeqEntryType.Shared => "shared", _ => "all" }} {ModSeq}";
}

/// <summary>RFC 8474 §6: <c>EMAILID id</c> / <c>THREADID id</c>.</summary>
public sealed record IdKey(SearchIdField Field, string Id) : SearchKey
{
    public override string ToString() => $"{Field.ToString().ToUpperInvariant()}ID {Id}";
}

/// <summary>RFC 6203 §3: <c>FUZZY k</c>, the inner key matched approximately.</summary>
public sealed record FuzzyKey(SearchKey Key) : SearchKey
{
    public override string ToString() => $"FUZZY {Key}";
}

/// <summary>RFC 8514 §4: <c>SAVEDATESUPPORTED</c>, every message if the mailbox keeps save dates.</summary>
public sealed record SaveDateSupportedKey : SearchKey
{
    public static SaveDateSupportedKey Instance { get; } = new();

    public override string ToString() => "SAVEDATESUPPORTED";
}
