using DocStore.Search.Indexing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>The start-up run of the indexer's path (<see cref="IndexingWarmUp"/>) in a scratch index.</summary>
public sealed class IndexingWarmUpTests
{
    [Fact]
    public void The_warm_up_mail_is_extracted_indexed_and_searchable_in_its_scratch_index()
    {
        Assert.True(IndexingWarmUp.Run(NullLogger.Instance));
    }

    [Fact]
    public void The_warm_up_runs_again_in_a_fresh_scratch_index_each_time()
    {
        // Nothing carries over between runs (no shared index a second run would find its mail in).
        Assert.True(IndexingWarmUp.Run(NullLogger.Instance));
        Assert.True(IndexingWarmUp.Run(NullLogger.Instance));
    }
}
