using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;

namespace DocStore.Imap.Tests.Sessions;

internal partial class NoMailboxes
{
    public virtual Task<MailboxRights> RightsAsync(User user, long mailboxId, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<(AclChange Result, IReadOnlyList<AclEntry> Entries)> GetAclAsync(User user, long mailboxId, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<AclChange> SetAclAsync(User user, long mailboxId, string identifier, RightsEdit edit, string rights, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<AclChange> DeleteAclAsync(User user, long mailboxId, string identifier, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<bool?> IsOwnerAsync(long mailboxId, string identifier, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<IReadOnlyList<QuotaRoot>> QuotaRootsAsync(User user, Mailbox mailbox, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<QuotaRoot?> GetQuotaAsync(User user, string root, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<QuotaChange> SetQuotaAsync(User user, string root, long? limitBytes, Actor actor, CancellationToken cancellationToken) => throw Unexpected();
}
