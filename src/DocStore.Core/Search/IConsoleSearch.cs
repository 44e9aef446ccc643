namespace DocStore.Core.Search;

/// <summary>
/// A console search: which versions of the scope match, or why the query could not be read.
/// <see cref="NotIndexed"/> counts the scope's versions the index does not show yet (the
/// indexer's lag): they are left out, not judged.
/// </summary>
public sealed record ConsoleSearchResult(IReadOnlySet<DocumentVersion> Matches, int NotIndexed, string? Error);

/// <summary>A piece of a snippet: text, and whether it is a hit of the query.</summary>
public sealed record SnippetPart(string Text, bool Hit);

/// <summary>
/// Full-text search for people (the console's <c>/api/search</c>): Lucene query syntax over the
/// derived index, limited to a scope the caller may read, with highlighted snippets.
/// </summary>
public interface IConsoleSearch
{
    /// <summary>The members of <paramref name="scope"/> the query matches; a query that cannot be read is an <see cref="ConsoleSearchResult.Error"/>.</summary>
    ConsoleSearchResult Search(string query, IReadOnlyCollection<DocumentVersion> scope);

    /// <summary>A short extract of each version's text around the query's first hit (empty when the text does not show one).</summary>
    Task<IReadOnlyDictionary<DocumentVersion, IReadOnlyList<SnippetPart>>> SnippetsAsync(string query, IReadOnlyCollection<DocumentVersion> versions, CancellationToken cancellationToken);
}

/// <summary>
/// The index as an administrator sees it, the last online check of this server, and the last
/// rebuild of this node's index (running or not).
/// </summary>
public sealed record IndexState(long IndexedVersions, long Mark, long LastSeq, long Lag, string? LastError, IndexCheck? Check, IndexRebuildStatus? Rebuild);

/// <summary>
/// One run of the online index check: every stored version is read from PostgreSQL and any the
/// index lacks is extracted and added. <see cref="Finished"/> is null while it runs.
/// </summary>
public sealed record IndexCheck(DateTimeOffset Started, DateTimeOffset? Finished, long Total, long Checked, long Added, string? Error);

/// <summary>A rebuild as the console shows it: <see cref="IndexRebuild"/> with its rate (versions per second).</summary>
public sealed record IndexRebuildStatus(long Id, string RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset? Started, DateTimeOffset? Finished,
    string Phase, long Done, long Total, double Rate, string? Error)
{
    /// <summary>Queued or running.</summary>
    public bool Running => Finished is null;

    public static IndexRebuildStatus Of(IndexRebuild job, DateTimeOffset now) =>
        new(job.Id, job.RequestedBy, job.RequestedAt, job.Started, job.Finished, job.Phase, job.Done, job.Total, job.Rate(now), job.Error);
}

/// <summary>The index's state, the online check and the online rebuild, for the console.</summary>
public interface IIndexMaintenance
{
    Task<IndexState> StateAsync(CancellationToken cancellationToken);

    /// <summary>Starts a check unless a check or a rebuild runs; false when one was running.</summary>
    bool StartCheck();

    /// <summary>
    /// Asks for a rebuild of this node's index while the server serves; false, with the running
    /// one, when a rebuild is already queued or running.
    /// </summary>
    Task<(bool Started, IndexRebuildStatus Rebuild)> StartRebuildAsync(string requestedBy, CancellationToken cancellationToken);
}
