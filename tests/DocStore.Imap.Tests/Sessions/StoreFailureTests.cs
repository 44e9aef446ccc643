using System.Data.Common;
using Xunit;

namespace DocStore.Imap.Tests.Sessions;

/// <summary>A failing store (database down, pool exhausted) costs one command, not the session.</summary>
public sealed class StoreFailureTests
{
    [Fact]
    public async Task A_store_failure_answers_no_unavailable_and_the_session_goes_on()
    {
        await using var imap = new SessionHarness(tls: true, mailboxes: new UnavailableStore());
        await imap.ReadLineAsync();
        await imap.CommandAsync("a1", $"LOGIN alice \"{SessionHarness.Password}\"");

        var list = await imap.CommandAsync("a2", "LIST \"\" *");
        var noop = await imap.CommandAsync("a3", "NOOP");

        Assert.StartsWith("a2 NO [UNAVAILABLE] ", list[^1], StringComparison.Ordinal);
        Assert.Equal("a3 OK NOOP completed", noop[^1]);
    }

    private sealed class UnavailableStore : NoMailboxes
    {
        protected override Exception Unexpected() => new StoreDown();
    }

    private sealed class StoreDown : DbException
    {
        public StoreDown()
            : base("53300: sorry, too many clients already")
        {
        }
    }
}
