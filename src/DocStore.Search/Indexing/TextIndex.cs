using System.Collections.Concurrent;
using System.Globalization;
using DocStore.Core.Search;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace DocStore.Search.Indexing;

/// <summary>
/// The Lucene index of document versions. Its commit data holds the change-feed high-water mark
/// (<see cref="Mark"/>): every change with a sequence up to it is in the committed index. The
/// set of versions the current searcher sees is kept in memory, so a search knows which versions
/// it must judge directly (read your writes) and the indexer never adds a version twice.
/// </summary>
public sealed partial class TextIndex : IDisposable
{
    private const string MarkKey = "docstore.mark";
    private const string FormatKey = "docstore.format";

    private readonly LuceneDirectory directory;
    private readonly IndexWriter writer;
    private readonly SearcherManager searchers;
    private readonly ConcurrentDictionary<long, byte> searchable = new();
    private readonly ConcurrentDictionary<long, byte> added = new();
    private readonly ConcurrentDictionary<long, byte> adding = new();
    private readonly Lock commitLock = new();
    private long mark;
    private int uncommitted;
    private int searchedBehind;
    private int unrefreshed;
    private int removals;
    private DocKeys? docKeys;
    private List<long>? replaced;

    // Whether the writer started this index afresh (nothing usable was committed before).
    private readonly bool created;

    // The codec's name must resolve before any segment of this index is read.
    static TextIndex() => StoredAsIsCodec.Register();

    private TextIndex(LuceneDirectory directory, bool rebuild, int threadStates = 1)
    {
        this.directory = directory;
        var existing = !rebuild && DirectoryReader.IndexExists(directory) ? ReadCommitData(directory) : null;
        var reusable = existing is not null && existing.TryGetValue(FormatKey, out var format) && string.Equals(format, SearchDocuments.Format, StringComparison.Ordinal);
        // Issue #3 (the indexer's CPU per mail): segments are not packed into compound files
        // (a second copy, and checksum, of every flushed and most merged bytes); one indexing
        // thread state, so a refresh flushes one segment rather than one per core (fewer, larger
        // segments: less flushing and merging per mail; extraction stays parallel); stored
        // fields as they come (StoredAsIsCodec). Issue #4: a rebuild (nobody searches it until
        // it is done, so the segments per flush do not matter) takes one thread state per core,
        // so that every core inverts instead of queueing for the one.
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new KeywordAnalyzer())
        {
            OpenMode = reusable ? OpenMode.APPEND : OpenMode.CREATE,
            RAMBufferSizeMB = 64,
            UseCompoundFile = false,
            MergePolicy = new TieredMergePolicy { NoCFSRatio = 0 },
            MaxThreadStates = threadStates,
            Codec = new StoredAsIsCodec(),
        };
        writer = new IndexWriter(directory, config);
        created = !reusable;
        mark = reusable ? MarkOf(existing!) : 0;
        searchers = new SearcherManager(writer, applyAllDeletes: false, searcherFactory: null);
        var searcher = searchers.Acquire();
        try
        {
            foreach (var leaf in searcher.IndexReader.Leaves)
            {
                foreach (var (_, key) in LiveKeys(leaf.AtomicReader))
                {
                    searchable[key] = 0;
                    added[key] = 0;
                }
            }
        }
        finally
        {
            searchers.Release(searcher);
        }
    }

    /// <summary>Opens (or creates) the index in <paramref name="path"/>; <paramref name="rebuild"/> starts it empty.</summary>
    public static TextIndex Open(string path, bool rebuild = false)
    {
        System.IO.Directory.CreateDirectory(path);
        var index = new TextIndex(Lucene.Net.Store.FSDirectory.Open(path), rebuild, rebuild ? RebuildThreadStates : 1);
        if (index.created)
        {
            // An empty index with mark 0 on disk at once: `docstore check` and /health then see an
            // index that lags, not a missing one, while the first batch is still being indexed.
            index.Commit(0);
        }
        return index;
    }

    /// <summary>Indexing thread states of an index opened to be rebuilt: one per core.</summary>
    internal static int RebuildThreadStates => Math.Max(1, Environment.ProcessorCount);

    /// <summary>Indexing thread states of the writer (<see cref="RebuildThreadStates"/> when opened to be rebuilt, else 1).</summary>
    internal int ThreadStates => writer.Config.MaxThreadStates;

    public static TextIndex InMemory() => new(new Lucene.Net.Store.RAMDirectory(), rebuild: true);

    /// <summary>The high-water mark of the last commit.</summary>
    public long Mark => Interlocked.Read(ref mark);

    /// <summary>Text queries' answers per segment, shared by every search (see <see cref="SegmentMatchCache"/>).</summary>
    internal SegmentMatchCache MatchCache { get; } = new(SegmentMatchCache.DefaultMaxBytes);

    /// <summary>Versions the searchers see.</summary>
    public int Count => searchable.Count;

    /// <summary>Versions added since the last commit (lost, and indexed again, if the process dies now).</summary>
    public int Uncommitted => Volatile.Read(ref uncommitted);

    /// <summary>About how many versions were added since the last <see cref="Refresh"/>: what a refresh would make searchable.</summary>
    public int Unrefreshed => Volatile.Read(ref unrefreshed);

    /// <summary>
    /// Whether the writer holds anything the last commit lacks, a finished merge included: until
    /// the merged segment is committed (and searched), the segments it replaces stay on disk too.
    /// </summary>
    public bool HasUncommittedChanges => writer.HasUncommittedChanges();

    /// <summary>Whether a search started now sees the version.</summary>
    public bool IsSearchable(DocumentVersion version) => searchable.ContainsKey(SearchDocuments.KeyOf(version));

    /// <summary>Whether the version was added (searchable or waiting for <see cref="Refresh"/>).</summary>
    public bool Contains(DocumentVersion version) => added.ContainsKey(SearchDocuments.KeyOf(version));

    /// <summary>
    /// Adds the version once. It counts as added (<see cref="Contains"/>, and made searchable by the
    /// next <see cref="Refresh"/>) only once the writer holds it: published before, a refresh while
    /// the document was still being inverted would reopen without it and yet mark it searchable,
    /// and a search would then neither find it nor judge it itself (read your writes).
    /// </summary>
    public void Add(DocumentVersion version, Document document)
    {
        var key = SearchDocuments.KeyOf(version);
        // Claimed first so no two threads add it; checked again under the claim, since the thread
        // that held it may have just published it.
        if (!adding.TryAdd(key, 0))
        {
            return;
        }
        try
        {
            if (added.ContainsKey(key))
            {
                return;
            }
            writer.AddDocument(document);
            added[key] = 0;
            Interlocked.Increment(ref uncommitted);
            Interlocked.Increment(ref unrefreshed);
        }
        finally
        {
            adding.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// Takes every version of the documents out of the index: a purged document is gone from
    /// PostgreSQL, and the index is derived from it (DESIGN.md).
    /// </summary>
    public void RemoveDocuments(IReadOnlySet<long> documentIds)
    {
        if (documentIds.Count == 0)
        {
            return;
        }
        var keys = added.Keys.Where(k => documentIds.Contains(SearchDocuments.VersionOf(k).DocumentId)).ToList();
        if (keys.Count == 0)
        {
            return;
        }
        writer.DeleteDocuments(keys.Select(k => new Term(SearchDocuments.KeyField, k.ToString(CultureInfo.InvariantCulture))).ToArray());
        foreach (var key in keys)
        {
            searchable.TryRemove(key, out _);
            added.TryRemove(key, out _);
        }
        Interlocked.Increment(ref removals);
        Interlocked.Add(ref uncommitted, keys.Count);
    }

    /// <summary>Makes everything added visible to new searches.</summary>
    public void Refresh()
    {
        // Under the commit lock, so a reopen never shows a replacement half done (ReplaceWith).
        lock (commitLock)
        {
            // A version added from here on may or may not make this reopen: counted for the next.
            Interlocked.Exchange(ref unrefreshed, 0);
            // Keys become searchable only after the reopen: a search checks the key first and takes
            // the searcher after, so a key it finds is always in its searcher.
            var pending = added.Keys.Where(k => !searchable.ContainsKey(k)).ToList();
            // Keys a replacement dropped stop being searchable before the reopen: a search judges
            // them directly rather than miss them in the new searcher.
            foreach (var key in replaced ?? [])
            {
                searchable.TryRemove(key, out _);
            }
            replaced = null;
            searchers.MaybeRefreshBlocking();
            foreach (var key in pending)
            {
                searchable[key] = 0;
            }
        }
    }

    /// <summary>
    /// Refreshes when the indexer has added any of <paramref name="versions"/> (versions a search's
    /// reader does not hold) and returns whether it did. During a burst the indexer refreshes only
    /// every <see cref="SearchOptions.RefreshEvery"/> versions; a search that needs what it has
    /// added since pays one refresh (the flush of what the writer buffered, which the indexer would
    /// pay later anyway) instead of extracting and indexing those versions again in memory.
    /// </summary>
    public bool RefreshIfAdded(IEnumerable<DocumentVersion> versions)
    {
        if (!versions.Any(Contains))
        {
            return false;
        }
        Refresh();
        return true;
    }

    /// <summary>A search had to judge versions the indexer has not reached: the indexer should not wait for a burst to end.</summary>
    public void SearchedBehind() => Volatile.Write(ref searchedBehind, 1);

    /// <summary>Whether a search judged versions the indexer had not reached since the last call.</summary>
    public bool TakeSearchedBehind() => Interlocked.Exchange(ref searchedBehind, 0) == 1;

    /// <summary>
    /// Replaces the whole content with the committed index in <paramref name="path"/> (a rebuild
    /// made beside this one), taking its mark, in one Lucene commit: a crash before it leaves the
    /// old content and mark. Searches see the old content up to the reopen at the end and the new
    /// content after it, never a mixture; a version only the old content had is searchable no
    /// more, so a search judges it directly again (read your writes).
    /// </summary>
    public void ReplaceWith(string path)
    {
        var (newMark, versions) = ReadCommitted(path) ?? throw new InvalidOperationException($"There is no index in {path} to take.");
        var keys = versions.Select(SearchDocuments.KeyOf).ToHashSet();
        using var source = Lucene.Net.Store.FSDirectory.Open(path);
        lock (commitLock)
        {
            writer.DeleteAll();
            writer.AddIndexes(source);
            replaced = searchable.Keys.Where(k => !keys.Contains(k)).ToList();
            added.Clear();
            foreach (var key in keys)
            {
                added[key] = 0;
            }
            Interlocked.Increment(ref removals);
            Interlocked.Exchange(ref uncommitted, 1);
            Commit(newMark);
            Refresh();
        }
    }

    /// <summary>Commits what was added with the new high-water mark, atomically.</summary>
    public void Commit(long newMark)
    {
        lock (commitLock)
        {
            var count = Volatile.Read(ref uncommitted);
            writer.SetCommitData(new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [MarkKey] = newMark.ToString(CultureInfo.InvariantCulture),
                [FormatKey] = SearchDocuments.Format,
            });
            writer.Commit();
            Interlocked.Add(ref uncommitted, -count);
            Interlocked.Exchange(ref mark, newMark);
        }
    }

    /// <summary>The keys of the documents matching <paramref name="query"/>, limited to <paramref name="scope"/>.</summary>
    internal HashSet<long> Match(TextQuery query, IReadOnlySet<long> scope)
    {
        var searcher = searchers.Acquire();
        try
        {
            return Collect(searcher, query, scope);
        }
        finally
        {
            searchers.Release(searcher);
        }
    }

    /// <summary>Runs <paramref name="use"/> with the current searcher.</summary>
    internal T WithSearcher<T>(Func<IndexSearcher, T> use)
    {
        var searcher = searchers.Acquire();
        try
        {
            return use(searcher);
        }
        finally
        {
            searchers.Release(searcher);
        }
    }

    /// <summary>
    /// Where each version of the searcher's reader is (global document number), for the versions
    /// the index still holds: built once per reader (a refresh) or removal, and shared by every
    /// search of it, so a SEARCH maps its mailbox to documents without walking the index.
    /// </summary>
    internal DocKeys KeysOf(IndexSearcher searcher)
    {
        // The removal count is read before the versions still held: a removal meanwhile makes
        // the next search build again.
        var removed = Volatile.Read(ref removals);
        if (Volatile.Read(ref docKeys) is { } known && ReferenceEquals(known.Reader, searcher.IndexReader) && known.Removals == removed)
        {
            return known;
        }
        var reader = searcher.IndexReader;
        // A refresh that only added segments keeps the earlier ones as they were: their
        // documents are copied, only the new segments are read.
        var extended = Volatile.Read(ref docKeys) is { } earlier && earlier.Removals == removed && Extends(earlier, reader) ? earlier : null;
        // The new segments' versions go into a small dictionary beside the earlier (shared,
        // unchanged) one, so a refresh costs in proportion to what it added, not to the index;
        // once the small one has grown to an eighth of the large one, both are folded into one.
        Dictionary<long, int> held, recent;
        if (extended is null)
        {
            (held, recent) = (new Dictionary<long, int>(reader.NumDocs), []);
        }
        else if (extended.Recent.Count * 8 > extended.Held.Count)
        {
            held = new Dictionary<long, int>(extended.Held);
            foreach (var (key, document) in extended.Recent)
            {
                held.TryAdd(key, document);
            }
            recent = [];
        }
        else
        {
            (held, recent) = (extended.Held, new Dictionary<long, int>(extended.Recent));
        }
        var target = extended is null ? held : recent;
        foreach (var leaf in reader.Leaves.Skip(extended?.Segments.Count ?? 0))
        {
            foreach (var (doc, key) in LiveKeys(leaf.AtomicReader))
            {
                // A version taken out (a purge, a replacement) may linger in a reader until its
                // deletes are applied: it is no longer the index's to answer for.
                if (added.ContainsKey(key) && (ReferenceEquals(target, held) || !held.ContainsKey(key)))
                {
                    target.TryAdd(key, leaf.DocBase + doc);
                }
            }
        }
        var segments = reader.Leaves.Select(l => new DocKeys.Segment(l.AtomicReader.CoreCacheKey, l.DocBase, l.AtomicReader.NumDocs, l.AtomicReader.MaxDoc)).ToList();
        var built = new DocKeys(reader, removed, held, recent, segments);
        Volatile.Write(ref docKeys, built);
        MatchCache.Retain(segments.Select(s => s.Core).ToList());
        return built;
    }

    /// <summary>The segment's live documents and their version keys.</summary>
    private static IEnumerable<(int Doc, long Key)> LiveKeys(AtomicReader reader)
    {
        if (SearchDocuments.Keys(reader) is not { } keys)
        {
            yield break;
        }
        var live = reader.LiveDocs;
        for (var doc = 0; doc < reader.MaxDoc; doc++)
        {
            if (live is null || live.Get(doc))
            {
                yield return (doc, keys.Get(doc));
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="current"/> holds the segments of <paramref name="earlier"/>'s reader
    /// (which may be closed by now) first, unchanged (same core, same place, same live
    /// documents), so their document numbers stand.
    /// </summary>
    internal static bool Extends(DocKeys earlier, IndexReader current)
    {
        if (current.Leaves.Count < earlier.Segments.Count)
        {
            return false;
        }
        for (var i = 0; i < earlier.Segments.Count; i++)
        {
            var (before, after) = (earlier.Segments[i], current.Leaves[i]);
            if (!ReferenceEquals(before.Core, after.AtomicReader.CoreCacheKey) || before.DocBase != after.DocBase
                || before.NumDocs != after.AtomicReader.NumDocs || before.MaxDoc != after.AtomicReader.MaxDoc)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The size of the index files in bytes.</summary>
    public long SizeInBytes() => directory.ListAll().Sum(f => directory.FileLength(f));

    public void Dispose()
    {
        searchers.Dispose();
        writer.Dispose();
        directory.Dispose();
    }

    private static Dictionary<string, string> ReadCommitData(LuceneDirectory directory)
    {
        using var reader = DirectoryReader.Open(directory);
        return new Dictionary<string, string>(reader.IndexCommit.UserData, StringComparer.Ordinal);
    }

    /// <summary>The high-water mark and document count of the index in <paramref name="path"/>, read without opening a writer (null when there is none).</summary>
    public static (long Mark, int Documents)? Peek(string path) =>
        ReadLastCommit(path, reader => (MarkOf(reader.IndexCommit.UserData), reader.NumDocs));

    /// <summary>
    /// The high-water mark and the versions of the last commit of the index in
    /// <paramref name="path"/>, read without a writer (a running server may hold it); null when
    /// there is no index.
    /// </summary>
    public static (long Mark, IReadOnlySet<DocumentVersion> Versions)? ReadCommitted(string path) =>
        ReadLastCommit(path, reader =>
        {
            var versions = new HashSet<DocumentVersion>();
            foreach (var leaf in reader.Leaves)
            {
                var keys = SearchDocuments.Keys(leaf.AtomicReader);
                var live = leaf.AtomicReader.LiveDocs;
                for (var doc = 0; keys is not null && doc < leaf.AtomicReader.MaxDoc; doc++)
                {
                    if (live is null || live.Get(doc))
                    {
                        versions.Add(SearchDocuments.VersionOf(keys.Get(doc)));
                    }
                }
            }
            return (MarkOf(reader.IndexCommit.UserData), (IReadOnlySet<DocumentVersion>)versions);
        });

    // The last commit of the index in the folder, read without a writer; null when there is none.
    private static T? ReadLastCommit<T>(string path, Func<DirectoryReader, T> read) where T : struct
    {
        if (!System.IO.Directory.Exists(path))
        {
            return null;
        }
        using var folder = Lucene.Net.Store.FSDirectory.Open(path);
        if (!DirectoryReader.IndexExists(folder))
        {
            return null;
        }
        using var reader = DirectoryReader.Open(folder);
        return read(reader);
    }

    private static long MarkOf(IDictionary<string, string> commitData) =>
        commitData.TryGetValue(MarkKey, out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : 0;
}

/// <summary>
/// What the index knows of the versions of one reader: each held version's global document
/// number, in <see cref="Held"/> (possibly shared with earlier readers' keys; never changed) or
/// <see cref="Recent"/> (the segments added since).
/// </summary>
internal sealed record DocKeys(IndexReader Reader, int Removals, Dictionary<long, int> Held, Dictionary<long, int> Recent, IReadOnlyList<DocKeys.Segment> Segments)
{
    /// <summary>The global document number of the version with the key, when the reader holds it.</summary>
    public bool TryGetDocument(long key, out int document) => Held.TryGetValue(key, out document) || Recent.TryGetValue(key, out document);

    /// <summary>A segment of the reader as it was when these keys were read.</summary>
    internal sealed record Segment(object Core, int DocBase, int NumDocs, int MaxDoc);
}
