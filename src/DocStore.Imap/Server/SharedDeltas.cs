using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;

namespace DocStore.Imap.Server;

/// <summary>
/// What changed in a mailbox since a modseq, as read once for all the sessions of this node that
/// the same change signal woke (<see cref="MailboxNotifier.Signal"/>): a thousand clients idling
/// on one collection cost one read per user and starting point, not a thousand. The read starts
/// after the signal fired, so it sees the change that fired it; its answers live as long as the
/// signal task does.
/// </summary>
public sealed class SharedDeltas(IMailboxStore mailboxes)
{
    // The key is a class, not a value tuple: a dictionary over a value-type key is generic code that
    // ReadyToRun cannot precompile, so the first change after a restart compiled it while every
    // idling session waited.
    private readonly ConditionalWeakTable<Task, ConcurrentDictionary<ReadKey, Lazy<Task<MailboxDelta>>>> bySignal = new();

    private sealed record ReadKey(long User, long Mailbox, long Since);

    public Task<MailboxDelta> ReadAsync(Task signal, User user, long mailboxId, long sinceModSeq)
    {
        var reads = bySignal.GetValue(signal, _ => new());
        // Not the caller's token: the read is shared, and one session leaving must not fail the rest.
        return reads.GetOrAdd(new ReadKey(user.Id, mailboxId, sinceModSeq),
            _ => new Lazy<Task<MailboxDelta>>(() => ReadFreshAsync(mailboxes, user, mailboxId, sinceModSeq, CancellationToken.None))).Value;
    }

    /// <summary>One session's own read, for the changes it finds after its commands: one round trip.</summary>
    public static Task<MailboxDelta> ReadFreshAsync(IMailboxStore mailboxes, User user, long mailboxId, long sinceModSeq, CancellationToken cancellationToken) =>
        mailboxes.DeltaAsync(user, mailboxId, sinceModSeq, cancellationToken);
}
