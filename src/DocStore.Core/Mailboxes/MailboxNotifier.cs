using System.Collections.Concurrent;

namespace DocStore.Core.Mailboxes;

/// <summary>
/// Wakes the sessions of this node that watch a mailbox when it changed, on this node or any
/// other (the store's change listener calls <see cref="Changed"/>), so IDLE answers at once
/// instead of polling. Every session watching a mailbox holds the same <see cref="Signal"/>
/// task, completed by the next change: the sessions woken together can share one read of what
/// changed (the signal is then their common key), and a session that takes the next signal
/// before it reads misses no change that lands while it reads.
/// </summary>
public sealed class MailboxNotifier
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> waiters = new();

    /// <summary>The task that completes at the next change of the mailbox; never faults or cancels.</summary>
    public Task Signal(long mailboxId) =>
        waiters.GetOrAdd(mailboxId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Changed(long mailboxId)
    {
        if (waiters.TryRemove(mailboxId, out var signal))
        {
            signal.TrySetResult();
        }
    }
}
