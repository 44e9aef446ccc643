using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>
/// Read your writes while the indexer is in the middle of adding a version: a search that
/// refreshes then must not take the version as searchable before the writer holds it (the cause
/// of an intermittent miss of a just-appended mail in session 10's CI: the key was published
/// before the document was inverted, a refresh in between reopened without it and marked it
/// searchable, and the search then neither found it in the index nor judged it itself).
/// </summary>
public sealed class IndexAddRaceTests
{
    [Fact]
    public async Task A_version_being_added_counts_as_added_only_once_the_writer_holds_it()
    {
        using var index = TextIndex.InMemory();
        var version = new DocumentVersion(7, 1);
        var document = SearchDocuments.Build(version, new ExtractedText([("Subject", "Invoices overdue")], "Three invoices are open.", 0));
        using var inside = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        // A field whose tokens the writer reads last: the add is held inside IndexWriter.AddDocument.
        document.Add(new TextField("held", new HeldTokens(inside, release)));
        var adding = Task.Run(() => index.Add(version, document));
        try
        {
            Assert.True(await inside.WaitAsync(TimeSpan.FromSeconds(30)), "the add never reached the writer");

            // A search now must judge the version itself: a refresh could not show it yet (one
            // that ran now would wait for the writer's only thread state, but one that had taken
            // its list of added keys before the add reached the writer would reopen without it).
            Assert.False(index.Contains(version));
            Assert.False(index.RefreshIfAdded([version]));
            Assert.False(index.IsSearchable(version));

            release.Set();
            await adding;
            Assert.True(index.Contains(version));
            Assert.True(index.RefreshIfAdded([version]));
            Assert.True(index.IsSearchable(version));
            var key = SearchDocuments.KeyOf(version);
            Assert.Equal([key], index.WithSearcher(s => FuzzyQueries.Match(s, new TextCriterion(TextScope.Body, null, "invoice"), new HashSet<long> { key }).Keys.ToList()));
        }
        finally
        {
            // Never leave the writer held: disposing the index waits for the add.
            release.Set();
        }
    }

    [Fact]
    public async Task Two_threads_adding_the_same_version_add_it_once()
    {
        using var index = TextIndex.InMemory();
        var version = new DocumentVersion(8, 1);
        using var inside = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        var first = SearchDocuments.Build(version, new ExtractedText([("Subject", "s")], "body", 0));
        first.Add(new TextField("held", new HeldTokens(inside, release)));
        var adding = Task.Run(() => index.Add(version, first));
        try
        {
            Assert.True(await inside.WaitAsync(TimeSpan.FromSeconds(30)));

            index.Add(version, SearchDocuments.Build(version, new ExtractedText([("Subject", "s")], "body", 0)));
            release.Set();
            await adding;
            index.Add(version, SearchDocuments.Build(version, new ExtractedText([("Subject", "s")], "body", 0)));
            index.Refresh();

            Assert.Equal(1, index.WithSearcher(s => s.IndexReader.NumDocs));
        }
        finally
        {
            // Never leave the writer held: disposing the index waits for the add.
            release.Set();
        }
    }

    /// <summary>One token, given only once the test lets it go (also <see cref="IndexingParallelTests"/>).</summary>
    internal sealed class HeldTokens : TokenStream
    {
        private readonly SemaphoreSlim inside;
        private readonly ManualResetEventSlim release;
        private readonly ICharTermAttribute term;
        private bool given;

        public HeldTokens(SemaphoreSlim inside, ManualResetEventSlim release)
        {
            this.inside = inside;
            this.release = release;
            term = AddAttribute<ICharTermAttribute>();
        }

        public override bool IncrementToken()
        {
            if (given)
            {
                return false;
            }
            inside.Release();
            release.Wait();
            given = true;
            ClearAttributes();
            term.Append("held");
            return true;
        }

        public override void Reset()
        {
            base.Reset();
            given = false;
        }
    }
}
