namespace DocStore.Search;

/// <summary>Settings of the index (configuration section <c>Search</c>).</summary>
public sealed class SearchOptions
{
    /// <summary>Commit the index after this many new versions at the latest (and whenever the indexer is idle).</summary>
    public int CommitEvery { get; set; } = 2000;

    /// <summary>How often an idle indexer looks for new changes.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Change rows read at a time.</summary>
    public int BatchSize { get; set; } = 500;
}
