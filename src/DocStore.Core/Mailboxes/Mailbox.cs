namespace DocStore.Core.Mailboxes;

/// <summary>
/// A collection as IMAP sees it: its full hierarchical name (<c>/</c>-separated, e.g.
/// <c>Projects/Alpha</c>; the inbox is always <c>INBOX</c>), its ids and its UID counters.
/// </summary>
public sealed record Mailbox(long Id, Guid ObjectId, string Name, string? SpecialUse, long UidValidity, long UidNext, long HighestModSeq)
{
    /// <summary>The user's rights when the mailbox was found (RFC 4314); commands read them fresh again.</summary>
    public Sharing.MailboxRights Rights { get; init; }

    /// <summary>In the user's own tree, where they always have every right (no need to read them again).</summary>
    public bool Owned { get; init; }
}

/// <summary>The counters a session compares to learn whether its mailbox changed.</summary>
public sealed record MailboxState(long UidNext, long HighestModSeq);

/// <summary>A mailbox's state now (null when it is gone) and the messages changed and expunged since a modseq.</summary>
public sealed record MailboxDelta(MailboxState? State, IReadOnlyList<MessageSummary> Changed, IReadOnlyList<uint> Expunged);

/// <summary>A mailbox in a listing, with what LIST's attributes need.</summary>
public sealed record MailboxListing(Mailbox Mailbox, bool HasChildren)
{
    /// <summary>A namespace level or a parent the user may not see: listed as <c>\Noselect</c> only.</summary>
    public bool NoSelect { get; init; }
}

/// <summary>STATUS counts (RFC 9051 §6.3.11) for one user.</summary>
public sealed record MailboxCounts(long Messages, long Unseen, long Deleted, long Size, long UidNext, long UidValidity, long HighestModSeq);

/// <summary>How a change to the mailbox tree ended; the IMAP layer maps each to one answer.</summary>
public enum MailboxChange
{
    Done,
    /// <summary>No such mailbox (or the user may not see it: the same answer).</summary>
    NotFound,
    AlreadyExists,
    /// <summary>Empty levels, a level that is only whitespace, or a name too long.</summary>
    InvalidName,
    /// <summary>INBOX cannot be deleted; renaming it moves its messages instead (not offered yet).</summary>
    Inbox,
    /// <summary>A mailbox cannot be renamed into its own subtree.</summary>
    IntoItself,
    /// <summary>The user may see the mailbox (or its parent) but lacks the right (RFC 4314 §4).</summary>
    NoPermission,
    /// <summary>The change would cross trees (personal, another user's, shared), which RENAME does not do.</summary>
    OtherTree,
}

/// <summary>The system flags and keywords of one message as one user sees them.</summary>
public sealed record MessageFlags(bool Seen, bool Answered, bool Flagged, bool Deleted, bool Draft, IReadOnlyList<string> Keywords)
{
    public static MessageFlags None { get; } = new(false, false, false, false, false, []);
}

/// <summary>
/// One message of a mailbox: what SELECT, FETCH and SEARCH need without its bytes. Its RFC 8474
/// EMAILID (the document's object id) is not here: SELECT would have to read the document table
/// for it, which only FETCH EMAILID and SEARCH EMAILID need (<see cref="IMailboxStore.EmailIdsAsync"/>).
/// </summary>
public sealed record MessageSummary(uint Uid, long DocumentId, int Version, long Size, DateTimeOffset InternalDate, long ModSeq, MessageFlags Flags);

/// <summary>A stored message: its exact bytes and the structure computed when it was filed.</summary>
public sealed record StoredMessage(ReadOnlyMemory<byte> Bytes, Mime.MessageStructure Structure);

/// <summary>One version of one document: what FETCH reads.</summary>
public readonly record struct MessageKey(long DocumentId, int Version);

/// <summary>
/// How much of a message a FETCH needs: the structure computed at filing (ENVELOPE,
/// BODYSTRUCTURE), the top-level header as well (HEADER, HEADER.FIELDS), or every byte.
/// <see cref="StoredMessage.Bytes"/> holds exactly that much.
/// </summary>
public enum ContentNeeded
{
    Structure,
    Header,
    Full,

    /// <summary>
    /// The top-level header's bytes without the rest of the structure: its offsets only, and an
    /// empty envelope and body structure. For a FETCH of header sections with no ENVELOPE or
    /// BODYSTRUCTURE (a client's first sync), read in one round trip without decoding the stored JSON.
    /// </summary>
    HeaderBytes,

    /// <summary>
    /// Every byte, with the top-level offsets only (as <see cref="HeaderBytes"/>): for a FETCH of
    /// whole messages, their text or BINARY[] with no item that needs a part or the structure.
    /// </summary>
    MessageBytes,
}

/// <summary>What APPEND made: the message's UID under the mailbox's UIDVALIDITY (RFC 4315 APPENDUID).</summary>
public sealed record AppendResult(long UidValidity, uint Uid);

/// <summary>One message of an APPEND: its bytes, flags and internal date.</summary>
public sealed record AppendItem(Stream Message, MessageFlags Flags, DateTimeOffset InternalDate);

/// <summary>What a MULTIAPPEND made (RFC 3502, RFC 4315): the UIDs in the order the messages came.</summary>
public sealed record MultiAppendResult(long UidValidity, IReadOnlyList<uint> Uids);

/// <summary>How STORE changes flags (RFC 9051 §6.4.6).</summary>
public enum FlagOperation
{
    Replace,
    Add,
    Remove,
}

/// <summary>A flag change: which flags (system flags as <c>\Seen</c> etc., keywords as atoms) and how.</summary>
public sealed record FlagChange(FlagOperation Operation, IReadOnlyList<string> Flags);

/// <summary>The new state of a message after STORE.</summary>
public sealed record FlagResult(uint Uid, long ModSeq, MessageFlags Flags);

/// <summary>
/// What a STORE did: the new state of each message it reached, and the mailbox's HIGHESTMODSEQ
/// just before and just after the change. A session whose view stood at
/// <see cref="ModSeqBefore"/> has missed nothing and can move its view to <see cref="ModSeqAfter"/>
/// without reading the mailbox again. <see cref="ModSeqBefore"/> is null when the change cannot
/// vouch for that (it also touched other entries of the same mailbox).
/// </summary>
public sealed class FlagStoreResult(IReadOnlyList<FlagResult> messages, long? modSeqBefore, long modSeqAfter) : IReadOnlyList<FlagResult>
{
    public static FlagStoreResult None { get; } = new([], null, 0);

    public long? ModSeqBefore { get; } = modSeqBefore;

    public long ModSeqAfter { get; } = modSeqAfter;

    public int Count => messages.Count;

    public FlagResult this[int index] => messages[index];

    public IEnumerator<FlagResult> GetEnumerator() => messages.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>What COPY or MOVE made (RFC 4315 COPYUID): the target's UIDVALIDITY and each source UID with its new UID.</summary>
public sealed record CopyResult(long UidValidity, IReadOnlyList<(uint Source, uint Target)> Uids);
