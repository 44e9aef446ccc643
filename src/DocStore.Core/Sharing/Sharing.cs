namespace DocStore.Core.Sharing;

/// <summary>How SETACL changes an identifier's rights (RFC 4314 §3.1).</summary>
public enum RightsEdit
{
    Replace,
    Add,
    Remove,
}

/// <summary>
/// One entry of a mailbox's effective ACL: an identifier (a user name, <c>$group</c>,
/// <c>anyone</c>, with a leading <c>-</c> for negative rights) and its rights.
/// </summary>
public sealed record AclEntry(string Identifier, string Rights);

/// <summary>How an ACL change ended; the IMAP layer maps each to one answer.</summary>
public enum AclChange
{
    Done,

    /// <summary>The identifier names no user or group (nor <c>anyone</c>).</summary>
    UnknownIdentifier,

    /// <summary>The owner always has every right on their own tree; their entry cannot change.</summary>
    Owner,

    /// <summary>The mailbox is gone, or the user may not see it.</summary>
    NotFound,

    /// <summary>The user may see the mailbox but lacks the <c>a</c> right.</summary>
    NoPermission,
}

/// <summary>
/// A quota root (RFC 9208): a user's (named <c>#user/name</c>: the documents they filed) or a
/// collection's (named like the mailbox: its entries' documents). Sizes in bytes.
/// </summary>
public sealed record QuotaRoot(string Name, long UsageBytes, long? LimitBytes)
{
    /// <summary>The prefix of a user's quota root: <c>#user/alice</c>.</summary>
    public const string UserPrefix = "#user/";
}

/// <summary>How a quota change ended.</summary>
public enum QuotaChange
{
    Done,
    NotFound,
    NoPermission,
}

/// <summary>A change would take a user or a collection over its storage quota; nothing was changed.</summary>
public sealed class QuotaExceededException : Exception
{
    public QuotaExceededException()
    {
    }

    public QuotaExceededException(string message)
        : base(message)
    {
    }

    public QuotaExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
