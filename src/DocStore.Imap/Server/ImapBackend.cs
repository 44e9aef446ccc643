using DocStore.Core.Mailboxes;
using DocStore.Core.Search;
using DocStore.Core.Security;

namespace DocStore.Imap.Server;

/// <summary>
/// What sessions use of the rest of DocStore: sign-in, the mailboxes, change notices, and the
/// full-text index for SEARCH's text keys (without one, they are a scan of the messages), and its
/// fuzzy search (SEARCH=FUZZY is offered only with one).
/// </summary>
public sealed record ImapBackend(AuthenticationService Authentication, IMailboxStore Mailboxes, MailboxNotifier Notifier, IFullTextSearch? FullText = null,
    IFuzzyTextSearch? FuzzyText = null)
{
    /// <summary>Reads of what changed, shared by the sessions one change woke.</summary>
    public SharedDeltas Deltas { get; } = new(Mailboxes);
}
