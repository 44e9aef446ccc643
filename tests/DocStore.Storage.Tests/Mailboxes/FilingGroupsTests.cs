using DocStore.Storage.Mailboxes;
using Xunit;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// Group commit of APPEND (FilingGroups) without a database: a filing function that records the
/// groups it is given and holds the first one until the test lets it go.
/// </summary>
public sealed class FilingGroupsTests
{
    private readonly List<string[]> groups = [];
    private readonly TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task A_filing_with_nothing_in_flight_is_filed_at_once_and_alone()
    {
        var filings = new FilingGroups<int, string, string>(maxGroup: 32, RolledBack);
        gate.SetResult();

        Assert.Equal("a filed", await filings.FileAsync(1, "a", FileAsync));

        Assert.Equal([["a"]], groups);
        Assert.Equal(0, filings.Waiting);
    }

    [Fact]
    public async Task Filings_that_arrive_while_one_is_in_flight_are_filed_together_after_it()
    {
        var filings = new FilingGroups<int, string, string>(maxGroup: 32, RolledBack);
        var first = filings.FileAsync(1, "a", FileAsync);
        var rest = new[] { filings.FileAsync(1, "b", FileAsync), filings.FileAsync(1, "c", FileAsync), filings.FileAsync(1, "d", FileAsync) };
        Assert.Equal(3, filings.Waiting);
        Assert.Equal([["a"]], groups);

        gate.SetResult();

        Assert.Equal("a filed", await first);
        Assert.Equal(["b filed", "c filed", "d filed"], await Task.WhenAll(rest));
        Assert.Equal([["a"], ["b", "c", "d"]], groups);
        Assert.Equal(0, filings.Waiting);
    }

    [Fact]
    public async Task A_filing_under_another_key_does_not_wait_for_the_one_in_flight()
    {
        var filings = new FilingGroups<int, string, string>(maxGroup: 32, RolledBack);
        var first = filings.FileAsync(1, "a", FileAsync);
        var other = filings.FileAsync(2, "x", FileAsync);

        Assert.Equal(0, filings.Waiting);
        Assert.Equal([["a"], ["x"]], groups);
        gate.SetResult();
        Assert.Equal(["a filed", "x filed"], await Task.WhenAll(first, other));
    }

    [Fact]
    public async Task A_group_holds_at_most_the_largest_group_and_the_rest_follows_in_the_next()
    {
        var filings = new FilingGroups<int, string, string>(maxGroup: 2, RolledBack);
        var first = filings.FileAsync(1, "a", FileAsync);
        var rest = new[] { filings.FileAsync(1, "b", FileAsync), filings.FileAsync(1, "c", FileAsync), filings.FileAsync(1, "d", FileAsync) };

        gate.SetResult();

        await first;
        await Task.WhenAll(rest);
        Assert.Equal([["a"], ["b", "c"], ["d"]], groups);
    }

    [Fact]
    public async Task When_a_group_fails_each_of_its_filings_goes_alone_and_only_the_failing_one_fails()
    {
        var filings = new FilingGroups<int, string, string>(maxGroup: 32, RolledBack);
        var first = filings.FileAsync(1, "a", FileAsync);
        var good = filings.FileAsync(1, "b", FileAsync);
        var bad = filings.FileAsync(1, "over quota", FileAsync);
        var last = filings.FileAsync(1, "c", FileAsync);

        gate.SetResult();

        Assert.Equal("a filed", await first);
        Assert.Equal("b filed", await good);
        Assert.Equal("c filed", await last);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Equal("over quota", refused.Message);
        Assert.Equal([["a"], ["b", "over quota", "c"], ["b"], ["over quota"], ["c"]], groups);
    }

    [Fact]
    public async Task When_the_outcome_of_a_group_is_unknown_no_filing_is_tried_again()
    {
        var filings = new FilingGroups<int, string, string>(maxGroup: 32, RolledBack);
        var first = filings.FileAsync(1, "a", FileAsync);
        var b = filings.FileAsync(1, "b", FileAsync);
        var broken = filings.FileAsync(1, "connection lost", FileAsync);

        gate.SetResult();

        Assert.Equal("a filed", await first);
        // The connection broke, perhaps after the commit: filing b again could file it twice.
        Assert.Equal("connection lost", (await Assert.ThrowsAsync<IOException>(() => b)).Message);
        Assert.Equal("connection lost", (await Assert.ThrowsAsync<IOException>(() => broken)).Message);
        Assert.Equal([["a"], ["b", "connection lost"]], groups);
    }

    /// <summary>
    /// The groups filed after the first filer's own are filed outside its context: its logging
    /// scope, and any ambient transaction it runs in, belong to its APPEND only.
    /// </summary>
    [Fact]
    public async Task The_groups_after_the_first_filing_run_outside_the_first_filers_context()
    {
        var filings = new FilingGroups<int, string, string>(maxGroup: 32, RolledBack);
        var contexts = new List<string?>();
        Task<IReadOnlyList<string>> File(IReadOnlyList<string> requests)
        {
            lock (contexts)
            {
                contexts.Add(Context.Value);
            }
            return FileAsync(requests);
        }
        Context.Value = "a's context";
        var first = filings.FileAsync(1, "a", File);
        Context.Value = null;
        var rest = filings.FileAsync(1, "b", File);

        gate.SetResult();

        Assert.Equal("a filed", await first);
        Assert.Equal("b filed", await rest);
        Assert.Equal(["a's context", null], contexts);
    }

    private static readonly AsyncLocal<string?> Context = new();

    // As PostgreSQL's refusals (PostgresException in MailboxStore): the group rolled back whole.
    private static bool RolledBack(Exception e) => e is InvalidOperationException;

    // Records the group; the first waits for the gate; a group with "over quota" in it fails
    // whole (rolled back), one with "connection lost" with an unknown outcome.
    private async Task<IReadOnlyList<string>> FileAsync(IReadOnlyList<string> requests)
    {
        bool first;
        lock (groups)
        {
            groups.Add([.. requests]);
            first = groups.Count == 1;
        }
        if (first)
        {
            await gate.Task;
        }
        if (requests.Contains("over quota"))
        {
            throw new InvalidOperationException("over quota");
        }
        if (requests.Contains("connection lost"))
        {
            throw new IOException("connection lost");
        }
        return requests.Select(r => r + " filed").ToList();
    }
}
