namespace DocStore.Storage.Mailboxes;

/// <summary>
/// The flags of a STORE: system flags by name (case-insensitive, RFC 9051 §2.3.2) and keywords,
/// distinct regardless of case. <c>\Recent</c> and unknown system flags are left out: the server
/// owns the first, and the second cannot be stored.
/// </summary>
internal sealed record FlagSet(bool Seen, bool Answered, bool Flagged, bool Deleted, bool Draft, IReadOnlyList<string> Keywords)
{
    public static FlagSet Parse(IEnumerable<string> flags)
    {
        bool seen = false, answered = false, flagged = false, deleted = false, draft = false;
        var keywords = new List<string>();
        foreach (var flag in flags)
        {
            if (flag.StartsWith('\\'))
            {
                seen |= flag.Equals(@"\Seen", StringComparison.OrdinalIgnoreCase);
                answered |= flag.Equals(@"\Answered", StringComparison.OrdinalIgnoreCase);
                flagged |= flag.Equals(@"\Flagged", StringComparison.OrdinalIgnoreCase);
                deleted |= flag.Equals(@"\Deleted", StringComparison.OrdinalIgnoreCase);
                draft |= flag.Equals(@"\Draft", StringComparison.OrdinalIgnoreCase);
            }
            else if (KeywordTags.IsValid(flag) && !keywords.Contains(flag, StringComparer.OrdinalIgnoreCase))
            {
                keywords.Add(flag);
            }
        }
        return new FlagSet(seen, answered, flagged, deleted, draft, keywords);
    }
}

/// <summary>Keywords as the schema stores them in <c>document_tag</c>.</summary>
internal static class KeywordTags
{
    /// <summary>
    /// The <c>document_tag.tag</c> check: printable ASCII without the IMAP atom-specials
    /// (RFC 9051 flag-keyword), and without <c>[</c>, which the schema refuses too.
    /// </summary>
    public static bool IsValid(string keyword) =>
        keyword.Length > 0 && keyword.All(c => c is >= '!' and <= '~' && !"[]\"(){}%*\\".Contains(c, StringComparison.Ordinal));

    /// <summary>
    /// The tags a document has after <paramref name="operation"/> with <paramref name="requested"/>;
    /// a tag already present keeps its spelling when asked for in another case.
    /// </summary>
    public static List<string> Apply(IReadOnlyList<string> existing, Core.Mailboxes.FlagOperation operation, IReadOnlyList<string> requested)
    {
        bool Requested(string tag) => requested.Contains(tag, StringComparer.OrdinalIgnoreCase);
        var added = requested.Where(r => !existing.Contains(r, StringComparer.OrdinalIgnoreCase));
        var result = operation switch
        {
            Core.Mailboxes.FlagOperation.Add => existing.Concat(added),
            Core.Mailboxes.FlagOperation.Remove => existing.Where(t => !Requested(t)),
            _ => existing.Where(Requested).Concat(added),
        };
        return result.Order(StringComparer.Ordinal).ToList();
    }
}
