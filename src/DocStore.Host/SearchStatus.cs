using DocStore.Search.Indexing;
using DocStore.Storage.Search;

namespace DocStore.Host;

/// <summary>The index line of <c>docstore status</c>: versions indexed and how far behind the change feed the committed index is.</summary>
internal static class SearchStatus
{
    public static async Task<string> DescribeAsync(CliDatabase cli, CancellationToken cancellationToken)
    {
        var path = Path.Combine(HostSettings.DataDirectoryOf(cli.Configuration), "index");
        var last = await new SearchFeed(cli.Database.DataSource).LastAllocatedSeqAsync(cancellationToken);
        return TextIndex.Peek(path) is { } index
            ? $"{index.Documents} versions, {Math.Max(0, last - index.Mark)} changes behind (mark {index.Mark} of {last})"
            : $"none yet, {last} changes behind (built by the server, or by docstore reindex)";
    }
}
