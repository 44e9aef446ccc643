using DocStore.Core.Mailboxes;
using DocStore.Core.Security;

namespace DocStore.Imap.Server;

/// <summary>What sessions use of the rest of DocStore: sign-in, the mailboxes, change notices.</summary>
public sealed record ImapBackend(AuthenticationService Authentication, IMailboxStore Mailboxes, MailboxNotifier Notifier)
{
    /// <summary>Reads of what changed, shared by the sessions one change woke.</summary>
    public SharedDeltas Deltas { get; } = new(Mailboxes);
}
