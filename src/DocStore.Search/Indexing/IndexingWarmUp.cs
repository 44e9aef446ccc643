using DocStore.Core.Mime;
using DocStore.Core.Search;
using Microsoft.Extensions.Logging;

namespace DocStore.Search.Indexing;

/// <summary>
/// The indexer's path once at start-up, into an index in memory that is thrown away: the warm-up mail
/// (<see cref="WarmUpMail"/>) is extracted, added, committed and made searchable. Nothing
/// is written to the store or the live index. Without it the first mail filed after a restart
/// paid the compilation of extraction and Lucene's inversion (about 0.2 s of CPU on this
/// machine's two cores) while the IDLE sessions it had just woken were answering (issue #3).
/// </summary>
public static class IndexingWarmUp
{
    /// <summary>Runs the path; true when the warm-up mail was searchable at the end, as it must be.</summary>
    public static bool Run(ILogger logger)
    {
        using var scratch = TextIndex.InMemory();
        var version = new DocumentVersion(1, 1);
        VersionIndexing.Add(scratch, version, WarmUpMail.Bytes, logger);
        scratch.Commit(1);
        scratch.Refresh();
        return scratch.IsSearchable(version);
    }
}
