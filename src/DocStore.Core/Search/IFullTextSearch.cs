namespace DocStore.Core.Search;

/// <summary>One version of one document: what the full-text index holds an entry for.</summary>
public readonly record struct DocumentVersion(long DocumentId, int Version);

/// <summary>Which text of a message a <see cref="TextCriterion"/> looks in (RFC 9051 §6.4.4).</summary>
public enum TextScope
{
    /// <summary>The values of one header field (SUBJECT, FROM, TO, CC, BCC, HEADER).</summary>
    Header,
    /// <summary>The body: the text parts and the text extracted from attachments.</summary>
    Body,
    /// <summary>The whole header and the body.</summary>
    Text,
}

/// <summary>
/// A SEARCH text key in storage-neutral form: a case-insensitive substring of the decoded text.
/// An empty <paramref name="Value"/> matches every message that has the header field (Header) or
/// every message (Body, Text).
/// </summary>
public sealed record TextCriterion(TextScope Scope, string? HeaderName, string Value);

/// <summary>
/// Answers SEARCH's text keys without reading message bodies (DESIGN.md, Search). Read your
/// writes: a version filed before the call is judged even when the background indexer has not
/// reached it yet.
/// </summary>
public interface IFullTextSearch
{
    /// <summary>For each criterion, the members of <paramref name="scope"/> whose text matches it.</summary>
    Task<IReadOnlyList<IReadOnlySet<DocumentVersion>>> MatchAsync(IReadOnlyList<TextCriterion> criteria, IReadOnlyCollection<DocumentVersion> scope, CancellationToken cancellationToken);

    /// <summary>
    /// For each criterion, the positions of <paramref name="scope"/> whose version's text matches
    /// it (a version twice in the scope: both positions). Keeps in <see cref="SearchScope.State"/>
    /// what the next search of the same scope can reuse.
    /// </summary>
    Task<IReadOnlyList<PositionSet>> MatchPositionsAsync(IReadOnlyList<TextCriterion> criteria, SearchScope scope, CancellationToken cancellationToken);
}

/// <summary>A row of the change feed that concerns a document.</summary>
public readonly record struct DocumentChange(long Seq, long DocumentId);

/// <summary>
/// What the indexer reads from the source of truth: the change feed, the versions of a document,
/// and the horizon of running transactions it needs to advance its high-water mark without
/// skipping a change whose transaction commits late.
/// </summary>
public interface ISearchFeed
{
    /// <summary>Committed change rows with a document and a sequence in (<paramref name="after"/>, <paramref name="upTo"/>], ascending, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<DocumentChange>> ChangesAsync(long after, long upTo, int limit, CancellationToken cancellationToken);

    /// <summary>The last sequence number handed out to any change row, committed or not (0 when none).</summary>
    Task<long> LastAllocatedSeqAsync(CancellationToken cancellationToken);

    /// <summary>The database server's clock now.</summary>
    Task<DateTime> ServerClockAsync(CancellationToken cancellationToken);

    /// <summary>Whether a transaction of this database that began before <paramref name="instant"/> (server clock) is still open.</summary>
    Task<bool> AnyTransactionStartedBeforeAsync(DateTime instant, CancellationToken cancellationToken);

    /// <summary>The version numbers of the documents.</summary>
    Task<IReadOnlyList<DocumentVersion>> VersionsAsync(IReadOnlyCollection<long> documentIds, CancellationToken cancellationToken);

    /// <summary>Every version of every document, ascending, after <paramref name="after"/>, at most <paramref name="limit"/> (for a full rebuild).</summary>
    Task<IReadOnlyList<DocumentVersion>> AllVersionsAsync(DocumentVersion? after, int limit, CancellationToken cancellationToken);

    /// <summary>How many versions exist (for progress).</summary>
    Task<long> CountVersionsAsync(CancellationToken cancellationToken);

    /// <summary>The stored bytes of a version, or null when it is gone.</summary>
    Task<ReadOnlyMemory<byte>?> ReadAsync(DocumentVersion version, CancellationToken cancellationToken);

    /// <summary>The stored bytes of several versions, those gone left out (a store reads them in as few round trips as it can; by default one each).</summary>
    async Task<IReadOnlyDictionary<DocumentVersion, ReadOnlyMemory<byte>>> ReadManyAsync(IReadOnlyCollection<DocumentVersion> versions, CancellationToken cancellationToken)
    {
        var result = new Dictionary<DocumentVersion, ReadOnlyMemory<byte>>(versions.Count);
        foreach (var version in versions)
        {
            if (await ReadAsync(version, cancellationToken) is { } bytes)
            {
                result[version] = bytes;
            }
        }
        return result;
    }
}
