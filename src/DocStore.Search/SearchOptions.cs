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
    /// so that an APPEND burst is indexed in batches rather than one message per step. Searches
    /// are not behind meanwhile: they index what the index lacks in memory (RecentVersions).
    /// Each step refreshes the searchers (a new Lucene segment) and usually commits; at 100 ms a
    /// 1-connection APPEND burst made segments of about ten messages whose flushes and merges cost
    /// about 2 ms of server CPU per APPEND more than steps a second apart (issue #3). A lone
    /// APPEND is still indexed at the next poll: the delay follows only a step that found rows.
    /// </summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Change rows read at a time.</summary>
    public int BatchSize { get; set; } = 500;
}
