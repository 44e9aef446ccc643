using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>An index written in another format is not reused: it opens empty at mark 0, so the indexer rebuilds it from the change feed.</summary>
public sealed class IndexFormatTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), "docstore-format-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void An_index_of_the_previous_format_opens_empty_at_mark_zero_and_one_of_this_format_is_kept()
    {
        var version = new DocumentVersion(1, 1);
        using (var directory = FSDirectory.Open(path))
        using (var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new KeywordAnalyzer())))
        {
            writer.AddDocument(SearchDocuments.Build(version, new ExtractedText([], "old", 0)));
            writer.SetCommitData(new Dictionary<string, string> { ["docstore.mark"] = "42", ["docstore.format"] = "2" });
            writer.Commit();
        }

        using (var old = TextIndex.Open(path))
        {
            Assert.Equal(0, old.Mark);
            Assert.Equal(0, old.Count);
            old.Add(version, SearchDocuments.Build(version, new ExtractedText([], "new", 0)));
            old.Commit(7);
        }

        using var current = TextIndex.Open(path);
        Assert.Equal(7, current.Mark);
        Assert.Equal(1, current.Count);
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
    }
}
