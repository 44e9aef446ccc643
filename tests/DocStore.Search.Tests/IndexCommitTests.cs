using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>What the indexer's idle step commits: anything the writer holds beyond the last commit, and nothing once committed.</summary>
public sealed class IndexCommitTests
{
    [Fact]
    public void Added_versions_are_uncommitted_changes_until_a_commit_and_a_commit_leaves_none()
    {
        using var index = TextIndex.InMemory();
        index.Commit(0);
        Assert.False(index.HasUncommittedChanges);

        var version = new DocumentVersion(1, 1);
        index.Add(version, SearchDocuments.Build(version, new ExtractedText([("Subject", "s")], "body", 0)));
        Assert.True(index.HasUncommittedChanges);

        index.Commit(1);
        index.Refresh();
        Assert.False(index.HasUncommittedChanges);

        index.RemoveDocuments(new HashSet<long> { 1 });
        Assert.True(index.HasUncommittedChanges);
        index.Commit(2);
        Assert.False(index.HasUncommittedChanges);
    }
}
