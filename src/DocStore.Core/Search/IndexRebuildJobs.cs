namespace DocStore.Core.Search;

/// <summary>
/// One full rebuild of a node's index: requested (from the console or <c>docstore reindex</c>),
/// started by the node that holds the index, with its progress and outcome. <see cref="Finished"/>
/// is null while it is queued or runs; <see cref="Error"/> says why a finished one failed.
/// </summary>
public sealed record IndexRebuild(long Id, string Node, string RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset? Started,
    DateTimeOffset? Finished, string Phase, long Done, long Total, string? Error)
{
    /// <summary>Versions indexed per second since the start (0 before it).</summary>
    public double Rate(DateTimeOffset now)
    {
        if (Started is not { } started)
        {
            return 0;
        }
        var seconds = ((Finished ?? now) - started).TotalSeconds;
        return seconds <= 0 ? 0 : Math.Round(Done / seconds, 1);
    }
}

/// <summary>Phases of a rebuild, as stored and shown.</summary>
public static class IndexRebuildPhases
{
    public const string Requested = "requested";
    public const string Listing = "listing";
    public const string Indexing = "indexing";
    public const string CatchingUp = "catching-up";
    public const string Swapping = "swapping";
    public const string Done = "done";
    public const string Failed = "failed";
}

/// <summary>
/// The rebuild requests and their progress, kept in PostgreSQL so that a CLI without HTTP
/// credentials, and every node's console, can follow a rebuild that one node runs.
/// </summary>
public interface IIndexRebuildJobs
{
    /// <summary>Queues a rebuild for <paramref name="node"/>, unless one is queued or running: then that one, and false.</summary>
    Task<(bool Created, IndexRebuild Job)> RequestAsync(string node, string requestedBy, CancellationToken cancellationToken);

    /// <summary>Takes the oldest queued request of <paramref name="node"/> and marks it started; null when there is none.</summary>
    Task<IndexRebuild?> StartNextAsync(string node, CancellationToken cancellationToken);

    Task ProgressAsync(long id, string phase, long done, long total, CancellationToken cancellationToken);

    /// <summary>Ends the job: done when <paramref name="error"/> is null, failed with it otherwise.</summary>
    Task FinishAsync(long id, string? error, CancellationToken cancellationToken);

    /// <summary>Ends a request no server has started yet with <paramref name="error"/>; false when one has.</summary>
    Task<bool> WithdrawAsync(long id, string error, CancellationToken cancellationToken);

    /// <summary>Ends every unfinished job of <paramref name="node"/> with <paramref name="error"/> (a server that starts again runs none of them).</summary>
    Task<int> AbandonAsync(string node, string error, CancellationToken cancellationToken);

    Task<IndexRebuild?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>The newest job of <paramref name="node"/>, running or not.</summary>
    Task<IndexRebuild?> LatestAsync(string node, CancellationToken cancellationToken);
}
