using DocStore.Core.Search;
using DocStore.Search;
using DocStore.Search.Indexing;
using DocStore.Storage.Maintenance;
using DocStore.Storage.Search;

namespace DocStore.Host;

/// <summary>
/// The index lines of <c>docstore status</c>: versions indexed, how far behind the change feed
/// the committed index is, and the last rebuild of this node's index (running or not).
/// </summary>
internal static class SearchStatus
{
    public static async Task<string> DescribeAsync(CliDatabase cli, CancellationToken cancellationToken)
    {
        var path = IndexLocation.InDataDirectory(HostSettings.DataDirectoryOf(cli.Configuration)).Path;
        var last = await new SearchFeed(cli.Database.DataSource).LastAllocatedSeqAsync(cancellationToken);
        return TextIndex.Peek(path) is { } index
            ? $"{index.Documents} versions, {Math.Max(0, last - index.Mark)} changes behind (mark {index.Mark} of {last})"
            : $"none yet, {last} changes behind (built by the server, or by docstore reindex)";
    }

    public static async Task<string> DescribeRebuildAsync(CliDatabase cli, CancellationToken cancellationToken)
    {
        var location = IndexLocation.InDataDirectory(HostSettings.DataDirectoryOf(cli.Configuration));
        var now = DateTimeOffset.UtcNow;
        return await new IndexRebuildJobs(cli.Database.DataSource).LatestAsync(location.Node, cancellationToken) switch
        {
            null => "none yet",
            { Finished: null, Started: null } job => $"queued since {job.RequestedAt:u} (requested by {job.RequestedBy})",
            { Finished: null } job => $"running since {job.Started:u}: {job.Phase}, {job.Done} of {job.Total} versions ({job.Rate(now):F0}/s)",
            { Error: { } error } job => $"the last one failed at {job.Finished:u}: {error}",
            var job => $"the last one finished at {job.Finished:u}: {job.Done} versions ({job.Rate(now):F0}/s)",
        };
    }
}
