using DocStore.Core.Auditing;
using DocStore.Core.Principals;

namespace DocStore.Core.Mailboxes;

/// <summary>
/// The collections and entries a user may reach, as IMAP mailboxes and messages: their personal
/// tree, other users' collections shared with them and the shared repository, each as far as the
/// user's rights allow (see <c>IMailboxStore.Sharing.cs</c>). Every change is one transaction,
/// audited, and committed before it returns.
/// </summary>
public partial interface IMailboxStore
{
    /// <summary>
    /// The user's mailboxes, parents before children: all of them, or (with LIST
    /// <paramref name="patterns"/>) at least those the patterns can match. Trees no pattern can
    /// reach (the shared repository for <c>LIST "" "INBOX*"</c>) are not read.
    /// </summary>
    Task<IReadOnlyList<MailboxListing>> ListAsync(User user, IReadOnlyCollection<string>? patterns, CancellationToken cancellationToken);

    /// <summary>All the user's mailboxes, parents before children.</summary>
    Task<IReadOnlyList<MailboxListing>> ListAsync(User user, CancellationToken cancellationToken);

    /// <summary>The mailbox with that full name (INBOX in any case), or null.</summary>
    Task<Mailbox?> FindAsync(User user, string name, CancellationToken cancellationToken);

    /// <summary>Creates the mailbox and any missing parents (RFC 9051 §6.3.4).</summary>
    Task<MailboxChange> CreateAsync(User user, string name, string? specialUse, Actor actor, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a mailbox. Its messages are not lost: documents left in no other collection go to
    /// the trash (DESIGN.md, nothing is lost). A mailbox with children keeps existing as a
    /// hierarchy node only if it has children (RFC 9051 §6.3.5: then it is refused).
    /// </summary>
    Task<MailboxChange> DeleteAsync(User user, string name, Actor actor, CancellationToken cancellationToken);

    /// <summary>Renames a mailbox with its whole subtree, keeping UIDVALIDITY (RFC 9051 §6.3.6).</summary>
    Task<MailboxChange> RenameAsync(User user, string from, string to, Actor actor, CancellationToken cancellationToken);

    Task SetSubscribedAsync(User user, string name, bool subscribed, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> SubscriptionsAsync(User user, CancellationToken cancellationToken);

    Task<MailboxCounts> CountAsync(User user, long mailboxId, CancellationToken cancellationToken);

    /// <summary>
    /// Files a message: its bytes exactly as given (stored once per SHA-256), its structure, a
    /// document, a version and an entry with the next UID. Returns after the commit.
    /// </summary>
    Task<AppendResult> AppendAsync(User user, long mailboxId, Stream message, MessageFlags flags, DateTimeOffset internalDate, Actor actor, CancellationToken cancellationToken);

    /// <summary>MULTIAPPEND (RFC 3502): files every message in one transaction, or none.</summary>
    Task<MultiAppendResult> AppendManyAsync(User user, long mailboxId, IReadOnlyList<AppendItem> messages, Actor actor, CancellationToken cancellationToken);

    /// <summary>
    /// MULTIAPPEND into one of the user's own mailboxes by its full name, found while filing (one
    /// round trip): null when the name is outside the user's personal tree (find the mailbox and
    /// its rights, then <see cref="AppendManyAsync"/>); <see cref="KeyNotFoundException"/> when
    /// the user has no such mailbox.
    /// </summary>
    Task<MultiAppendResult?> AppendToOwnAsync(User user, string name, IReadOnlyList<AppendItem> messages, Actor actor, CancellationToken cancellationToken);

    /// <summary>The mailbox's messages in UID order, with this user's flags.</summary>
    Task<IReadOnlyList<MessageSummary>> MessagesAsync(User user, long mailboxId, CancellationToken cancellationToken);

    /// <summary>Messages changed (flags) after <paramref name="modSeq"/>, for updates to other sessions.</summary>
    Task<IReadOnlyList<MessageSummary>> ChangedSinceAsync(User user, long mailboxId, long modSeq, CancellationToken cancellationToken);

    /// <summary>The mailbox's UIDNEXT and HIGHESTMODSEQ (one primary-key read), or null when it is gone.</summary>
    Task<MailboxState?> StateAsync(User user, long mailboxId, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="StateAsync"/>, <see cref="ChangedSinceAsync"/> and <see cref="ExpungedSinceAsync"/>
    /// in one round trip: what a session must report after a command or when IDLE wakes.
    /// </summary>
    Task<MailboxDelta> DeltaAsync(User user, long mailboxId, long sinceModSeq, CancellationToken cancellationToken);

    /// <summary>UIDs expunged after <paramref name="modSeq"/> (the tombstones), ascending.</summary>
    Task<IReadOnlyList<uint>> ExpungedSinceAsync(User user, long mailboxId, long modSeq, CancellationToken cancellationToken);

    Task<StoredMessage?> ReadAsync(long documentId, int version, CancellationToken cancellationToken);

    /// <summary>
    /// The RFC 8474 EMAILIDs (object ids) of these documents, for FETCH EMAILID: read only when
    /// asked, so that SELECT need not read the document table. The caller has resolved the ids
    /// from entries the user may see; documents that no longer exist are missing from the answer.
    /// </summary>
    Task<IReadOnlyDictionary<long, Guid>> EmailIdsAsync(IReadOnlyCollection<long> documentIds, CancellationToken cancellationToken);

    /// <summary>
    /// The documents with these RFC 8474 EMAILIDs (SEARCH EMAILID): each found id with its
    /// document's id. The caller matches them against the entries the user may see.
    /// </summary>
    Task<IReadOnlyDictionary<Guid, long>> DocumentsByEmailIdAsync(IReadOnlyCollection<Guid> emailIds, CancellationToken cancellationToken);

    /// <summary>
    /// Many messages at once for FETCH, reading only what <paramref name="needed"/> says: the
    /// structure alone, the bytes up to the end of the top-level header, or all bytes. Versions
    /// that no longer exist are missing from the answer.
    /// </summary>
    Task<IReadOnlyDictionary<MessageKey, StoredMessage>> ReadManyAsync(IReadOnlyCollection<MessageKey> keys, ContentNeeded needed, CancellationToken cancellationToken);

    /// <summary>
    /// Records that a FETCH handed out message bodies (issue #5, downloads are audited): one
    /// audit row (action <c>download</c>) per command with the number of messages and their
    /// document ids, the ids capped at <see cref="MaxAuditedDownloadIds"/>.
    /// </summary>
    Task RecordDownloadAsync(long mailboxId, IReadOnlyCollection<long> documentIds, Actor actor, CancellationToken cancellationToken);

    /// <summary>At most this many document ids go into one download audit row; the count is always whole.</summary>
    const int MaxAuditedDownloadIds = 1000;

    /// <summary>
    /// STORE: one round trip to the database (the entries, \Seen, tags, change feed and audit
    /// row in one transaction); see <see cref="FlagStoreResult"/> for what the session may skip.
    /// </summary>
    Task<FlagStoreResult> StoreFlagsAsync(User user, long mailboxId, IReadOnlyCollection<uint> uids, FlagChange change, Actor actor, CancellationToken cancellationToken);

    /// <summary>
    /// Several STOREs of the same change (one UID collection per command, in the order the client
    /// sent them) in one transaction and one round trip: the same outcome as running them one
    /// after the other, since applying the same change twice changes nothing more. The audit
    /// trail records the group as one flag change (with the number of commands) when it adds or
    /// removes system flags in the user's own mailbox, and one row per command that reached a
    /// message otherwise. The result holds each message once.
    /// </summary>
    Task<FlagStoreResult> StoreFlagsAsync(User user, long mailboxId, IReadOnlyList<IReadOnlyCollection<uint>> commands, FlagChange change, Actor actor, CancellationToken cancellationToken);

    /// <summary>
    /// COPY (RFC 9051 §6.4.7) or MOVE (RFC 6851): the same documents gain entries in the target
    /// (no byte is copied), with their flags, internal dates and this user's \Seen; a move also
    /// removes the source entries, leaving tombstones, in the same transaction. Null when the
    /// target is not one of the user's mailboxes.
    /// </summary>
    Task<CopyResult?> CopyAsync(User user, long fromMailboxId, IReadOnlyCollection<uint> uids, long toMailboxId, bool move, Actor actor, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the entries marked \Deleted (only those in <paramref name="uids"/> when given,
    /// RFC 4315 UID EXPUNGE), leaving tombstones; returns the expunged UIDs in ascending order.
    /// </summary>
    Task<IReadOnlyList<uint>> ExpungeAsync(User user, long mailboxId, IReadOnlyCollection<uint>? uids, Actor actor, CancellationToken cancellationToken);

    /// <summary>
    /// REPLACE (RFC 8508) as a new version of the same document: the message is filed as its next
    /// version, the replaced entry is expunged, the target gains an entry with the given flags,
    /// and every other collection holding the document sees its old UID vanish and a new one
    /// appear. Null when the mailbox has no message <paramref name="uid"/>;
    /// <see cref="KeyNotFoundException"/> when the target is not one of the user's mailboxes.
    /// </summary>
    Task<AppendResult?> ReplaceAsync(User user, long mailboxId, uint uid, long toMailboxId, AppendItem message, Actor actor, CancellationToken cancellationToken);
}
