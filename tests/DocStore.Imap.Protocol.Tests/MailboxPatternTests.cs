namespace DocStore.Imap.Protocol.Tests;

public sealed class MailboxPatternTests
{
    [Theory]
    [InlineData("*", "INBOX", true)]
    [InlineData("*", "Projects/2024/Q1", true)]
    [InlineData("%", "Projects", true)]
    [InlineData("%", "Projects/2024", false)]
    [InlineData("Projects/%", "Projects/2024", true)]
    [InlineData("Projects/%", "Projects/2024/Q1", false)]
    [InlineData("Projects/%", "Projects", false)]
    [InlineData("Projects/*", "Projects/2024/Q1", true)]
    [InlineData("Projects*", "Projects", true)]
    [InlineData("Projects%", "Projects/2024", false)]
    [InlineData("%/%/Q1", "Projects/2024/Q1", true)]
    [InlineData("*/Q1", "Projects/2024/Q1", true)]
    [InlineData("P%s", "Projects", true)]
    [InlineData("P%s", "Pro/jects", false)]
    [InlineData("P*s", "Pro/jects", true)]
    [InlineData("projects", "Projects", false)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("a", "", false)]
    [InlineData("%", "", true)]
    [InlineData("inbox", "INBOX", true)]
    [InlineData("InBoX/%", "INBOX/Receipts", true)]
    [InlineData("INBOX/receipts", "INBOX/Receipts", false)]
    [InlineData("inbox*", "INBOXES", false)]
    [InlineData("i%", "INBOX", true)]
    [InlineData("**%%**", "a/b/c", true)]
    [InlineData("Entwürfe/%", "Entwürfe/Brief", true)]
    public void Wildcards_match_within_or_across_levels(string pattern, string name, bool matches)
    {
        Assert.Equal(matches, MailboxPattern.IsMatch(pattern, name));
    }

    [Fact]
    public void A_pattern_of_many_wildcards_does_not_backtrack_exponentially()
    {
        var pattern = string.Concat(Enumerable.Repeat("*a", 2000)) + "b";
        var name = new string('a', 5000);
        Assert.False(MailboxPattern.IsMatch(pattern, name));
    }

    [Fact]
    public void Another_delimiter_changes_what_percent_stops_at()
    {
        Assert.True(MailboxPattern.IsMatch("a.%", "a.b", '.'));
        Assert.False(MailboxPattern.IsMatch("a.%", "a.b.c", '.'));
    }
}
