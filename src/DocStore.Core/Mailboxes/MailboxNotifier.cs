using System.Collections.Concurrent;

namespace DocStore.Core.Mailboxes;

/// <summary>
/// Wakes the sessions of this node that watch a mailbox when it changed, on this node or any
/// other (the store's change listener calls <see cref="Changed"/>), so IDLE answers at once
/// instead of polling. A session waits on <see cref="WaitAsync"/>.
/// </summary>
public sealed class MailboxNotifier
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> waiters = new();

    /// <summary>A task that completes at the next change of the mailbox (or on cancellation).</summary>
    public Task WaitAsync(long mailboxId, CancellationToken cancellationToken)
    {
        var signal = waiters.GetOrAdd(mailboxId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return signal.Task.WaitAsync(cancellationToken);
    }

    public void Changed(long mailboxId)
    {
        if (waiters.TryRemove(mailboxId, out var signal))
        {
            signal.TrySetResult();
        }
    }
}
