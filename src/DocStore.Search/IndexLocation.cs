namespace DocStore.Search;

/// <summary>
/// Where a node's index lives, the side folder a rebuild writes, and the node's name for the
/// index in <c>maintenance_job</c>: each node keeps its own derived index (DESIGN.md,
/// Scale-out), so a rebuild request names the host and the folder, and only the server that
/// holds that folder takes it. <c>docstore reindex</c> beside it computes the same name.
/// </summary>
public sealed record IndexLocation(string Path)
{
    /// <summary>The index folder <c>index</c> of the data folder <paramref name="dataDirectory"/>.</summary>
    public static IndexLocation InDataDirectory(string dataDirectory) => new(System.IO.Path.Combine(dataDirectory, "index"));

    /// <summary>The side folder a rebuild fills while the index in <see cref="Path"/> serves.</summary>
    public string RebuildPath => Path + ".rebuild";

    public string Node => $"{Environment.MachineName}:{System.IO.Path.GetFullPath(Path)}";
}
