namespace DocStore.Storage.Mailboxes;

/// <summary>Which tree a visible mailbox name lies in (RFC 2342 namespaces).</summary>
internal enum TreeKind
{
    /// <summary>The user's own collections: names as they are, INBOX at the top.</summary>
    Personal,

    /// <summary>Another user's collections: <c>Users/owner/...</c>.</summary>
    OtherUser,

    /// <summary>The shared repository (<c>owner_id</c> NULL): <c>Shared/...</c>.</summary>
    Shared,
}

/// <summary>
/// A visible mailbox name split into its tree and its levels inside that tree. The one place
/// that knows the namespace prefixes: <c>Shared/</c> and <c>Users/owner/</c>; every other name is
/// personal, so a personal top-level collection cannot be called <c>Shared</c> or <c>Users</c>.
/// </summary>
internal sealed record MailboxPath(TreeKind Kind, string? Owner, string[] Levels)
{
    public const string SharedPrefix = "Shared";
    public const string UsersPrefix = "Users";

    /// <summary>
    /// Splits a visible name. Levels may be empty for a namespace level itself (<c>Shared</c>,
    /// <c>Users/bob</c>), which is no collection. False for an invalid name (see
    /// <see cref="MailboxNames.TryParse"/>) and for <c>Users</c> without an owner.
    /// </summary>
    public static bool TryParse(string name, out MailboxPath path)
    {
        path = new MailboxPath(TreeKind.Personal, null, []);
        if (!MailboxNames.TryParse(name, out var levels))
        {
            return false;
        }
        if (string.Equals(levels[0], SharedPrefix, StringComparison.Ordinal))
        {
            path = new MailboxPath(TreeKind.Shared, null, levels[1..]);
            return true;
        }
        if (string.Equals(levels[0], UsersPrefix, StringComparison.Ordinal))
        {
            if (levels.Length < 2)
            {
                return false;
            }
            path = new MailboxPath(TreeKind.OtherUser, levels[1], levels[2..]);
            return true;
        }
        path = new MailboxPath(TreeKind.Personal, null, levels);
        return true;
    }

    /// <summary>
    /// The levels as stored: a personal tree's INBOX in any case is the collection <c>INBOX</c>
    /// (RFC 9051 §5.1); other trees' names are as they are.
    /// </summary>
    public string[] StoredLevels => Kind == TreeKind.Personal && Levels.Length > 0 && MailboxNames.IsInbox(Levels[0])
        ? ["INBOX", .. Levels[1..]]
        : Levels;

    /// <summary>
    /// <c>WITH RECURSIVE walk(id, depth)</c>: the CTE that follows a name's levels down one tree by the
    /// indexed sibling names, never more rows than levels; the collection is the row at depth
    /// <c>cardinality(levels)</c>. <paramref name="levels"/> is the text[] parameter,
    /// <paramref name="ownerCondition"/> the condition on the top level's <c>c.owner_id</c>.
    /// </summary>
    public static string WalkSql(string levels, string ownerCondition) => $"""
        WITH RECURSIVE walk AS (
            SELECT c.id, 1 AS depth FROM collection c
             WHERE c.parent_id IS NULL AND c.name = ({levels})[1] AND {ownerCondition}
            UNION ALL
            SELECT c.id, w.depth + 1 FROM walk w JOIN collection c ON c.parent_id = w.id AND c.name = ({levels})[w.depth + 1]
             WHERE w.depth < cardinality({levels})
        )
        """;

    /// <summary>The name inside the tree (<c>Projects/Alpha</c>).</summary>
    public string Relative => string.Join(MailboxNames.Delimiter, Levels);

    /// <summary>The visible name of a collection of a tree, given its name inside the tree.</summary>
    public static string Visible(TreeKind kind, string? owner, string relative) => kind switch
    {
        TreeKind.Shared => SharedPrefix + MailboxNames.Delimiter + relative,
        TreeKind.OtherUser => UsersPrefix + MailboxNames.Delimiter + owner + MailboxNames.Delimiter + relative,
        _ => relative,
    };

    public string Visible(string relative) => Visible(Kind, Owner, relative);

    /// <summary>
    /// Which trees LIST patterns can reach, from each pattern's literal start (up to its first
    /// <c>*</c> or <c>%</c>): <c>Shared/...</c> and <c>Users/...</c> never name a personal
    /// collection, and a start that is neither a prefix of nor prefixed by a namespace name never
    /// names another tree's. Over-approximates: a tree it keeps may still match nothing.
    /// </summary>
    public static (bool Personal, bool Others) TreesMatching(IEnumerable<string> patterns)
    {
        bool personal = false, others = false;
        foreach (var pattern in patterns)
        {
            var wildcard = pattern.AsSpan().IndexOfAny('*', '%');
            var literal = wildcard < 0 ? pattern : pattern[..wildcard];
            var inOthers = IsNamespaceName(literal, wildcard < 0);
            personal |= !inOthers;
            others |= inOthers || SharedPrefix.StartsWith(literal, StringComparison.Ordinal) || UsersPrefix.StartsWith(literal, StringComparison.Ordinal);
        }
        return (personal, others);
    }

    // Whether every name starting with (or, when whole, equal to) the literal lies in another tree.
    private static bool IsNamespaceName(string literal, bool whole)
    {
        foreach (var prefix in (ReadOnlySpan<string>)[SharedPrefix, UsersPrefix])
        {
            if (literal.StartsWith(prefix + MailboxNames.Delimiter, StringComparison.Ordinal) || (whole && string.Equals(literal, prefix, StringComparison.Ordinal)))
            {
                return true;
            }
        }
        return false;
    }
}
