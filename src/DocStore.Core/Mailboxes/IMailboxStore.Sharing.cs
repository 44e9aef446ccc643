using DocStore.Core.Auditing;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;

namespace DocStore.Core.Mailboxes;

/// <summary>
/// Sharing (RFC 4314 ACL, RFC 9208 QUOTA). Mailbox names are as the user sees them: personal
/// names, <c>Users/owner/...</c> for other users' collections and <c>Shared/...</c> for the shared
/// repository. Rights are read fresh on every call.
/// </summary>
public partial interface IMailboxStore
{
    /// <summary>The user's current rights on the collection (none when it is gone).</summary>
    Task<MailboxRights> RightsAsync(User user, long mailboxId, CancellationToken cancellationToken);

    /// <summary>The effective ACL of the mailbox (own and inherited entries, the owner first); needs <c>a</c>.</summary>
    Task<(AclChange Result, IReadOnlyList<AclEntry> Entries)> GetAclAsync(User user, long mailboxId, CancellationToken cancellationToken);

    /// <summary>SETACL: sets the identifier's entry on this mailbox (it overrides the inherited one).</summary>
    Task<AclChange> SetAclAsync(User user, long mailboxId, string identifier, RightsEdit edit, string rights, Actor actor, CancellationToken cancellationToken);

    /// <summary>DELETEACL: removes the identifier's entry on this mailbox (an inherited one applies again).</summary>
    Task<AclChange> DeleteAclAsync(User user, long mailboxId, string identifier, Actor actor, CancellationToken cancellationToken);

    /// <summary>True when the identifier names the mailbox's owner (LISTRIGHTS: every right is fixed).</summary>
    Task<bool?> IsOwnerAsync(long mailboxId, string identifier, CancellationToken cancellationToken);

    /// <summary>GETQUOTAROOT: the user's root and the collection's root (when it has a limit).</summary>
    Task<IReadOnlyList<QuotaRoot>> QuotaRootsAsync(User user, Mailbox mailbox, CancellationToken cancellationToken);

    /// <summary>GETQUOTA: a root the user may read (their own, a visible collection's; any for admins), or null.</summary>
    Task<QuotaRoot?> GetQuotaAsync(User user, string root, CancellationToken cancellationToken);

    /// <summary>SETQUOTA (administrators only): the storage limit in bytes, or null for none.</summary>
    Task<QuotaChange> SetQuotaAsync(User user, string root, long? limitBytes, Actor actor, CancellationToken cancellationToken);
}
