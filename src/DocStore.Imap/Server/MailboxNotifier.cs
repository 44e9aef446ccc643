using System.Collections.Concurrent;

namespace DocStore.Imap.Server;

/// <summary>
/// Tells the sessions of this node that a mailbox changed, so IDLE can answer at once instead of
/// polling. A session waits on <see cref="WaitAsync"/>; any change to that mailbox wakes it.
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
