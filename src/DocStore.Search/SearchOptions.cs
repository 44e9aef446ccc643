namespace DocStore.Search;

/// <summary>Settings of the index (configuration section <c>Search</c>).</summary>
public sealed class SearchOptions
{
    /// <summary>Commit the index after this many new versions at the latest (and whenever the indexer is idle).</summary>
    public int CommitEvery { get; set; } = 2000;

    /// <summary>How often an idle indexer looks for new changes.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long a busy indexer waits after a step that read less than <see cref="BatchSize"/> rows,
    /// so that an APPEND burst is read and extracted in batches rather than one message per step.
    /// Searches are not behind meanwhile: they index what the index lacks in memory (RecentVersions).
    /// A lone APPEND is still indexed at the next poll: the delay follows only a step that found rows.
    /// </summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// During a burst, the indexer makes what it added searchable (a refresh, with a commit) once
    /// this many versions wait, and otherwise when the burst ends, after <see cref="RefreshInterval"/>,
    /// or when a search needs one of them (<see cref="Indexing.TextIndex.RefreshIfAdded"/>). Each
    /// refresh writes a Lucene segment, and each segment is merged again later: refreshing after
    /// every step (about a second of a burst, a few hundred messages) spent about as much of the
    /// server's CPU in flushes and merges as in indexing the messages (issue #3).
    /// </summary>
    public int RefreshEvery { get; set; } = 1000;

    /// <summary>The longest a version the indexer added waits for its refresh and commit while a burst goes on.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After a step during a burst (and its <see cref="BatchDelay"/>), the indexer waits while
    /// changes keep coming (a change allocated within each <see cref="PollInterval"/>), up to this
    /// long, so that a burst of APPENDs runs without the indexer's 0.4-0.5 ms of CPU per mail
    /// beside it on the same cores (issue #3), and indexes it once the feed is quiet. Searches
    /// meanwhile judge what it has not reached in memory (read your writes), and the first one
    /// that has to ends the wait. Zero: no waiting beyond <see cref="BatchDelay"/>.
    /// </summary>
    public TimeSpan BurstDeferral { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The indexer stops waiting for a burst to end once this many changes follow what it has read (see <see cref="BurstDeferral"/>).</summary>
    public int BurstDeferralLag { get; set; } = 5000;

    /// <summary>Change rows read at a time.</summary>
    public int BatchSize { get; set; } = 500;
}
