using DocStore.Core.Search;
using DocStore.Search.Extraction;
using Microsoft.Extensions.Logging;

namespace DocStore.Search.Indexing;

/// <summary>
/// Reading, extracting and adding versions to the index, many at a time: the bytes of a batch
/// come in one query (<see cref="ISearchFeed.ReadManyAsync"/>) while the previous batch is
/// extracted and inverted on every core.
/// </summary>
public static class VersionIndexing
{
    /// <summary>Versions read per query: big enough to save round trips, small enough to keep memory flat (most mails are tens of KiB).</summary>
    public const int ReadBatch = 64;

    /// <summary>Extracts and adds one version; a message MimeKit cannot read at all is indexed empty (found by nothing but its presence). Returns the parts that failed to extract.</summary>
    public static int Add(TextIndex index, DocumentVersion version, ReadOnlyMemory<byte> bytes, ILogger logger)
    {
        ExtractedText text;
        try
        {
            text = MessageTextExtractor.Extract(bytes, logger);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException)
        {
            logger.LogWarning(ex, "Document {Document} version {Version} could not be parsed for the index", version.DocumentId, version.Version);
            text = new ExtractedText([], "", 1);
        }
        index.Add(version, SearchDocuments.Build(version, text));
        return text.FailedParts;
    }

    /// <summary>
    /// Adds every version of <paramref name="versions"/> the index does not hold yet (a version
    /// gone from the store is skipped); <paramref name="added"/> is told of each one handled.
    /// Returns the parts that failed to extract.
    /// </summary>
    public static async Task<long> AddAllAsync(TextIndex index, ISearchFeed feed, IReadOnlyList<DocumentVersion> versions, ILogger logger, Action? added, CancellationToken cancellationToken)
    {
        var batches = versions.Where(v => !index.Contains(v)).Chunk(ReadBatch).ToList();
        long failed = 0;
        var reading = batches.Count > 0 ? feed.ReadManyAsync(batches[0], cancellationToken) : null;
        for (var i = 0; i < batches.Count; i++)
        {
            var bytes = await reading!;
            // The next batch is read while this one is extracted and inverted.
            reading = i + 1 < batches.Count ? feed.ReadManyAsync(batches[i + 1], cancellationToken) : null;
            var batch = batches[i];
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, (version, _) =>
            {
                if (bytes.TryGetValue(version, out var content))
                {
                    Interlocked.Add(ref failed, Add(index, version, content, logger));
                }
                added?.Invoke();
                return ValueTask.CompletedTask;
            });
        }
        if (reading is not null)
        {
            await reading;
        }
        return failed;
    }
}
