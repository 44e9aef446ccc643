namespace DocStore.Storage.Mailboxes;

/// <summary>
/// Full mailbox names: levels joined by <c>/</c>, each level one collection. <c>INBOX</c> is
/// case-insensitive at the top level only (RFC 9051 §5.1); every other level is case-sensitive.
/// </summary>
internal static class MailboxNames
{
    public const string Inbox = "INBOX";
    public const char Delimiter = '/';
    public const int MaxLevelLength = 255;

    /// <summary>
    /// Splits a full name into its levels, with a top-level inbox spelled <c>INBOX</c>; false for
    /// an empty name, an empty or blank level, a level over <see cref="MaxLevelLength"/>
    /// characters, or a control character anywhere.
    /// </summary>
    public static bool TryParse(string name, out string[] levels)
    {
        levels = [];
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        var parts = name.Split(Delimiter);
        foreach (var part in parts)
        {
            if (part.Length is 0 or > MaxLevelLength || string.IsNullOrWhiteSpace(part) || part.Any(char.IsControl))
            {
                return false;
            }
        }

        if (IsInbox(parts[0]))
        {
            parts[0] = Inbox;
        }
        levels = parts;
        return true;
    }

    /// <summary>The canonical spelling of a name (INBOX upper-cased), or the name itself when it is invalid.</summary>
    public static string Canonical(string name) =>
        TryParse(name, out var levels) ? string.Join(Delimiter, levels) : name;

    public static bool IsInbox(string topLevel) => topLevel.Equals(Inbox, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="name"/> lies strictly below <paramref name="ancestor"/>.</summary>
    public static bool IsInside(string name, string ancestor) =>
        name.Length > ancestor.Length + 1
        && name.StartsWith(ancestor, StringComparison.Ordinal)
        && name[ancestor.Length] == Delimiter;
}
