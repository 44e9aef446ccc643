namespace DocStore.Storage.Mailboxes;

/// <summary>
/// Group commit for APPEND (issue #3). A filing holds its mailbox's row from the UID it draws to
/// its commit's WAL flush, so APPENDs into one mailbox on several connections run one at a time,
/// each paying a transaction, a round trip and a flush of its own. A filing that arrives while
/// another one under the same key is in flight waits here instead; when that one is done, every
/// filing waiting (up to <paramref name="maxGroup"/>) goes in one call of the filing function:
/// one transaction, each answered only after it committed. A filing that finds nothing in
/// flight goes at once, so a lone connection never waits for a group.
/// When a group fails with an error that is known to have rolled it back whole
/// (<paramref name="rolledBack"/>: PostgreSQL refused a statement), each of its filings is tried
/// alone, so one mailbox over quota or deleted fails only the APPEND that met it. Any other
/// failure (the connection broke, perhaps after the commit) leaves the outcome unknown: a retry
/// could file a mail twice, so every filing of the group gets that failure.
/// </summary>
internal sealed class FilingGroups<TKey, TRequest, TResult>(int maxGroup, Func<Exception, bool> rolledBack)
    where TKey : notnull
{
    // A key present: a group is in flight; its list: the filings waiting for the next group.
    private readonly Dictionary<TKey, List<Waiter>> lanes = [];

    /// <summary>The filings waiting behind a group in flight, over every key (for tests).</summary>
    internal int Waiting
    {
        get
        {
            lock (lanes)
            {
                return lanes.Values.Sum(w => w.Count);
            }
        }
    }

    /// <summary>
    /// Files <paramref name="request"/> through <paramref name="fileTogether"/>, alone or with
    /// others of the same key; the function files a group in one transaction and returns one
    /// result per request, in order (every call under one key must pass the same function).
    /// </summary>
    public async Task<TResult> FileAsync(TKey key, TRequest request, Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> fileTogether)
    {
        var own = new Waiter(request);
        bool leads;
        lock (lanes)
        {
            leads = !lanes.TryGetValue(key, out var waiting);
            if (leads)
            {
                lanes[key] = [];
            }
            else
            {
                waiting!.Add(own);
            }
        }
        if (leads)
        {
            await FileGroupAsync([own], fileTogether);
            if (TakeWaiting(key) is { } next)
            {
                // The filings that came meanwhile are filed behind this answer, not before it, and
                // outside this filer's context: its logging scope and any ambient transaction
                // (System.Transactions flows with it) belong to this APPEND, not to the others'.
                ThreadPool.UnsafeQueueUserWorkItem(_ => _ = FileRestAsync(key, next, fileTogether), null);
            }
        }
        return await own.Done.Task;
    }

    private async Task FileRestAsync(TKey key, List<Waiter> group, Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> fileTogether)
    {
        for (var next = group; next is not null; next = TakeWaiting(key))
        {
            await FileGroupAsync(next, fileTogether);
        }
    }

    // The next group under the key, or null (and the key free) when nothing waits.
    private List<Waiter>? TakeWaiting(TKey key)
    {
        lock (lanes)
        {
            var waiting = lanes[key];
            if (waiting.Count == 0)
            {
                lanes.Remove(key);
                return null;
            }
            if (waiting.Count <= maxGroup)
            {
                lanes[key] = [];
                return waiting;
            }
            lanes[key] = waiting[maxGroup..];
            return waiting[..maxGroup];
        }
    }

    private async Task FileGroupAsync(List<Waiter> group, Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> fileTogether)
    {
        try
        {
            var results = await fileTogether(group.ConvertAll(w => w.Request));
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Done.TrySetResult(results[i]);
            }
            return;
        }
        catch (Exception e) when (group.Count == 1 || !rolledBack(e))
        {
            foreach (var waiter in group)
            {
                waiter.Done.TrySetException(e);
            }
            return;
        }
        catch (Exception)
        {
            // Nothing of the group committed: each goes alone, with its own answer.
        }
        foreach (var waiter in group)
        {
            try
            {
                waiter.Done.TrySetResult((await fileTogether([waiter.Request]))[0]);
            }
            catch (Exception e)
            {
                waiter.Done.TrySetException(e);
            }
        }
    }

    private sealed class Waiter(TRequest request)
    {
        public TRequest Request { get; } = request;

        public TaskCompletionSource<TResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
