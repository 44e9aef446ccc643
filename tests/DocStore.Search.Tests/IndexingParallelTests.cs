using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>
/// Issue #4 (indexing keeps up with APPEND): what lets more than one core index. An index opened
/// to be rebuilt inverts on every core (one thread state each); the live index keeps one (one
/// segment per refresh). A body's distinct trigrams are gathered when its stream is made, on the
/// adding thread, not when the writer reads it.
/// </summary>
public sealed class IndexingParallelTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), "docstore-parallel-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_rebuilt_index_has_a_thread_state_per_core_and_the_live_index_one()
    {
        using (var rebuilt = TextIndex.Open(path, rebuild: true))
        {
            Assert.Equal(Math.Max(1, Environment.ProcessorCount), rebuilt.ThreadStates);
        }
        using var live = TextIndex.Open(path);
        Assert.Equal(1, live.ThreadStates);
    }

    [Fact]
    public async Task While_one_version_is_held_inside_the_writer_of_a_rebuilt_index_another_is_added()
    {
        if (TextIndex.RebuildThreadStates < 2)
        {
            return; // one core: one thread state, nothing to run beside the held add
        }
        using var index = TextIndex.Open(path, rebuild: true);
        var (held, other) = (new DocumentVersion(1, 1), new DocumentVersion(2, 1));
        var document = SearchDocuments.Build(held, new ExtractedText([("Subject", "held")], "the held invoice", 0));
        using var inside = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        document.Add(new TextField("held", new IndexAddRaceTests.HeldTokens(inside, release)));
        var adding = Task.Run(() => index.Add(held, document));
        try
        {
            Assert.True(await inside.WaitAsync(TimeSpan.FromSeconds(30)), "the add never reached the writer");

            // With one thread state this add would wait for the held one.
            await Task.Run(() => index.Add(other, SearchDocuments.Build(other, new ExtractedText([("Subject", "other")], "another invoice", 0))));
            Assert.True(index.Contains(other));
            Assert.False(index.Contains(held));

            release.Set();
            await adding;
            index.Refresh();
            var keys = new HashSet<long> { SearchDocuments.KeyOf(held), SearchDocuments.KeyOf(other) };
            Assert.Equal(keys, index.WithSearcher(s => FuzzyQueries.Match(s, new TextCriterion(TextScope.Body, null, "invoice"), keys).Keys.ToHashSet()));
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public void A_rebuilt_index_filled_from_many_threads_finds_every_version_by_substring_word_and_header()
    {
        const int count = 400;
        using (var index = TextIndex.Open(path, rebuild: true))
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            {
                var version = new DocumentVersion(i + 1, 1);
                index.Add(version, SearchDocuments.Build(version, new ExtractedText([("Subject", $"report number{i:D4}")], $"body of mail{i:D4} with an invoice", 0)));
            });
            index.Commit(count);
        }
        using var reopened = TextIndex.Open(path);
        Assert.Equal(count, reopened.Count);
        var all = Enumerable.Range(1, count).Select(i => SearchDocuments.KeyOf(new DocumentVersion(i, 1))).ToHashSet();
        Assert.Equal(all, reopened.Match(SearchDocuments.QueryOf(new TextCriterion(TextScope.Body, null, "nvoic")), all));
        foreach (var i in new[] { 0, 17, 399 })
        {
            var key = SearchDocuments.KeyOf(new DocumentVersion(i + 1, 1));
            Assert.Equal([key], reopened.Match(SearchDocuments.QueryOf(new TextCriterion(TextScope.Body, null, $"mail{i:D4}")), all));
            Assert.Equal([key], reopened.Match(SearchDocuments.QueryOf(new TextCriterion(TextScope.Header, "Subject", $"ber{i:D4}")), all));
        }
    }

    [Fact]
    public void Distinct_trigrams_are_gathered_when_the_stream_is_made_so_streams_made_together_on_one_thread_keep_their_own()
    {
        // The per-thread table is emptied for each value: gathered at Reset, as before, the first
        // stream would read the second's trigrams here.
        using var first = new Trigrams.DistinctStream(Trigrams.Fold("abcd"));
        using var second = new Trigrams.DistinctStream(Trigrams.Fold("wxyz"));
        second.Reset();
        first.Reset();
        var pad = Trigrams.Pad;
        Assert.Equal(["ABC", "BCD", "CD" + pad, "D" + pad + pad], Terms(first));
        Assert.Equal(["WXY", "XYZ", "YZ" + pad, "Z" + pad + pad], Terms(second));
        Assert.Equal(4, first.Count);
    }

    private static List<string> Terms(TokenStream stream)
    {
        var term = stream.GetAttribute<ICharTermAttribute>();
        var terms = new List<string>();
        while (stream.IncrementToken())
        {
            terms.Add(term.ToString());
        }
        return terms;
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
    }
}
