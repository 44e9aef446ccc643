using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;

namespace DocStore.Core.Administration;

/// <summary>
/// The console's settings of one collection of a personal tree that IMAP has no command for
/// (special-use) or names by mailbox name only (a quota root): here by the collection itself.
/// Every change is audited like its IMAP counterpart.
/// </summary>
public interface ICollectionSettings
{
    /// <summary>Sets or clears (null) the RFC 6154 special-use of a collection of the owner's tree; <see cref="MailboxChange.InvalidName"/> for one the schema does not know.</summary>
    Task<MailboxChange> SetSpecialUseAsync(User owner, string name, string? specialUse, Actor actor, CancellationToken cancellationToken);

    /// <summary>The collection's quota root (usage of its entries' documents, limit or null); null when it is gone. The caller decides who may see it.</summary>
    Task<QuotaRoot?> QuotaAsync(Mailbox collection, CancellationToken cancellationToken);

    /// <summary>SETQUOTA on the collection (administrators only): the storage limit in bytes, or null for none.</summary>
    Task<QuotaChange> SetQuotaAsync(User user, Mailbox collection, long? limitBytes, Actor actor, CancellationToken cancellationToken);
}
