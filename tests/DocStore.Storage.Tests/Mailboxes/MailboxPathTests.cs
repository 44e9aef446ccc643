using DocStore.Storage.Mailboxes;
using Xunit;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>Which trees a LIST pattern can reach: a tree ruled out here is never read for it.</summary>
public sealed class MailboxPathTests
{
    [Theory]
    [InlineData("*", true, true)]
    [InlineData("%", true, true)]
    [InlineData("INBOX", true, false)]
    [InlineData("INBOX*", true, false)]
    [InlineData("Sent", true, false)]
    [InlineData("Projects/%", true, false)]
    [InlineData("S*", true, true)]
    [InlineData("Sha%", true, true)]
    [InlineData("Shared", false, true)]
    [InlineData("Shared*", true, true)]
    [InlineData("Shared/*", false, true)]
    [InlineData("Shared/Projects/%", false, true)]
    [InlineData("Users/%", false, true)]
    [InlineData("Users/bob/*", false, true)]
    [InlineData("Users", false, true)]
    [InlineData("Usersx/*", true, false)]
    [InlineData("shared/*", true, false)]
    public void Trees_a_pattern_can_reach(string pattern, bool personal, bool others) =>
        Assert.Equal((personal, others), MailboxPath.TreesMatching([pattern]));

    [Fact]
    public void Several_patterns_reach_the_union_of_their_trees() =>
        Assert.Equal((true, true), MailboxPath.TreesMatching(["INBOX", "Shared/*"]));
}
