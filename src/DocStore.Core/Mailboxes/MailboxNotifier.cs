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
/// <remarks>
/// A session that waits for signals (IDLE) holds a <see cref="WatchAsync">watch</see> while it
/// does. The change listener listens only while some session of this node watches (issue #3:
/// a notification that nobody waits for cost every flag STORE a wake-up of the listener's
/// PostgreSQL backend and of this process, and with migration 0032 the notification itself;
/// together about 0.06 ms of CPU per sequential STORE, bench/RESULTS.md); a watch is granted
/// once the listener hears every change committed from then on, so a session reads what
/// changed before it only after that, and misses nothing in between.
/// </remarks>
public sealed class MailboxNotifier
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> waiters = new();
    private readonly Lock gate = new();
    private bool listened;
    private bool missed;
    private int watches;

    // Completed while changes reach Changed: as long as no listener serves this notifier, and
    // while the listener listens (or cannot: then as before, a session hears of changes at its
    // next command). Replaced by a pending one when the listener stops listening.
    private TaskCompletionSource heard = Done();

    // Completed while some session watches; the listener waits for it before it listens.
    private TaskCompletionSource watched = Pending();

    // Completed while no session watches; the listener waits for it before it stops.
    private TaskCompletionSource unwatched = Done();

    /// <summary>The task that completes at the next change of the mailbox; never faults or cancels.</summary>
    public Task Signal(long mailboxId) =>
        waiters.GetOrAdd(mailboxId, _ => Pending()).Task;

    public void Changed(long mailboxId)
    {
        if (waiters.TryRemove(mailboxId, out var signal))
        {
            signal.TrySetResult();
        }
    }

    /// <summary>
    /// Starts watching for changes: completes once every change committed from now on, by any
    /// node, will reach <see cref="Signal"/>. Dispose the result when the session stops waiting.
    /// </summary>
    public async Task<IDisposable> WatchAsync(CancellationToken cancellationToken)
    {
        Task granted;
        lock (gate)
        {
            if (++watches == 1)
            {
                watched.TrySetResult();
                unwatched = Pending();
            }
            granted = heard.Task;
        }
        var watch = new Watch(this);
        try
        {
            await granted.WaitAsync(cancellationToken);
        }
        catch
        {
            watch.Dispose();
            throw;
        }
        return watch;
    }

    /// <summary>For the change listener, once at its start: watches wait for it to listen from now on.</summary>
    public void Listened()
    {
        lock (gate)
        {
            if (!listened)
            {
                listened = true;
                heard = Pending();
            }
        }
    }

    /// <summary>For the change listener: completes when some session watches.</summary>
    public Task WatchedAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return watched.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>For the change listener: completes when no session watches.</summary>
    public Task UnwatchedAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return unwatched.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// For the change listener: it now hears every change committed from here on (LISTEN is in
    /// effect). After a failure every waiting session is woken: the changes committed while the
    /// listener was down notified nobody (migration 0032: a writer that finds no listener sends
    /// nothing), and a session compares the mailbox's counters when woken, so a wake without a
    /// change costs it one read.
    /// </summary>
    public void Listening()
    {
        bool wake;
        lock (gate)
        {
            heard.TrySetResult();
            wake = missed;
            missed = false;
        }
        if (wake)
        {
            foreach (var mailboxId in waiters.Keys)
            {
                Changed(mailboxId);
            }
        }
    }

    /// <summary>
    /// For the change listener: the listener cannot listen (its connection failed). Watches are
    /// granted without it meanwhile, and every session waiting then is woken once the listener
    /// listens again (<see cref="Listening"/>), to read what changed while nobody was told.
    /// </summary>
    public void ListenerFailed()
    {
        lock (gate)
        {
            missed = true;
            heard.TrySetResult();
        }
    }

    /// <summary>
    /// For the change listener, before it stops listening: true when no session watches, and
    /// from now on a new watch waits until the listener listens again; false when a session
    /// watches after all, and the listener must go on listening.
    /// </summary>
    public bool TryStopListening()
    {
        lock (gate)
        {
            if (watches > 0)
            {
                return false;
            }
            if (heard.Task.IsCompleted)
            {
                heard = Pending();
            }
            return true;
        }
    }

    private void Unwatch()
    {
        lock (gate)
        {
            if (--watches == 0)
            {
                watched = Pending();
                unwatched.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource Pending() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource Done()
    {
        var done = Pending();
        done.SetResult();
        return done;
    }

    private sealed class Watch(MailboxNotifier notifier) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                notifier.Unwatch();
            }
        }
    }
}
