using Xunit;

namespace DocStore.EndToEnd.Tests.Conformance;

/// <summary>
/// The mailbox tree: LIST (RFC 9051 §6.3.9, RFC 3348 CHILDREN, RFC 6154 SPECIAL-USE), LSUB and
/// SUBSCRIBE (RFC 3501 §6.3.6–9), CREATE, RENAME and DELETE of subtrees (RFC 9051 §6.3.4–5).
/// </summary>
public sealed class MailboxTreeTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public MailboxTreeTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task List_with_an_empty_pattern_answers_the_delimiter_and_root()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);

        var list = await imap.OkAsync("LIST \"\" \"\"");

        Assert.Equal(["* LIST (\\Noselect) \"/\" \"\""], list);
    }

    [Fact]
    public async Task Percent_stops_at_the_delimiter_and_star_descends()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var root = await imap.NewMailboxAsync("Tree");
        await imap.OkAsync($"CREATE {root}/Q/R");
        await imap.OkAsync($"CREATE {root}/S");

        var top = await imap.OkAsync($"LIST \"\" {root}%");
        var level = await imap.OkAsync($"LIST \"\" {root}/%");
        var all = await imap.OkAsync($"LIST \"\" {root}*");
        var inner = await imap.OkAsync($"LIST \"\" {root}/%/R");
        var trailing = await imap.OkAsync($"LIST \"\" {root}/Q/");

        Assert.Equal([$"* LIST (\\HasChildren) \"/\" {root}"], top);
        Assert.Equal([$"* LIST (\\HasChildren) \"/\" {root}/Q", $"* LIST (\\HasNoChildren) \"/\" {root}/S"], level);
        Assert.Equal(
            [
                $"* LIST (\\HasChildren) \"/\" {root}",
                $"* LIST (\\HasChildren) \"/\" {root}/Q",
                $"* LIST (\\HasNoChildren) \"/\" {root}/Q/R",
                $"* LIST (\\HasNoChildren) \"/\" {root}/S",
            ],
            all);
        Assert.Equal([$"* LIST (\\HasNoChildren) \"/\" {root}/Q/R"], inner);
        Assert.Empty(trailing);
    }

    [Fact]
    public async Task A_reference_name_is_prefixed_to_the_pattern()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var root = await imap.NewMailboxAsync("Ref");
        await imap.OkAsync($"CREATE {root}/Q/R");

        var withDelimiter = await imap.OkAsync($"LIST {root}/ %");
        var withoutDelimiter = await imap.OkAsync($"LIST {root} /Q");
        var deep = await imap.OkAsync($"LIST {root}/ *");

        Assert.Equal([$"* LIST (\\HasChildren) \"/\" {root}/Q"], withDelimiter);
        Assert.Equal([$"* LIST (\\HasChildren) \"/\" {root}/Q"], withoutDelimiter);
        Assert.Equal([$"* LIST (\\HasChildren) \"/\" {root}/Q", $"* LIST (\\HasNoChildren) \"/\" {root}/Q/R"], deep);
    }

    [Fact]
    public async Task Inbox_matches_in_any_case_and_the_special_use_mailboxes_say_what_they_are()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);

        var inbox = await imap.OkAsync("LIST \"\" inbox");
        var all = await imap.OkAsync("LIST \"\" %");

        Assert.Equal(["* LIST (\\HasNoChildren) \"/\" INBOX"], inbox);
        Assert.Contains("* LIST (\\HasNoChildren \\Sent) \"/\" Sent", all);
        Assert.Contains("* LIST (\\HasNoChildren \\Trash) \"/\" Trash", all);
        Assert.Contains("* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts", all);
        Assert.Contains("* LIST (\\HasNoChildren \\Junk) \"/\" Junk", all);
        Assert.Contains("* LIST (\\HasNoChildren \\Archive) \"/\" Archive", all);
    }

    [Fact]
    public async Task Lsub_lists_what_was_subscribed_even_a_name_that_does_not_exist()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync("Sub");
        var ghost = "Ghost" + Guid.NewGuid().ToString("N")[..8];

        await imap.OkAsync($"SUBSCRIBE {box}");
        await imap.OkAsync($"SUBSCRIBE {ghost}");
        var both = await imap.OkAsync("LSUB \"\" *");
        await imap.OkAsync($"UNSUBSCRIBE {ghost}");
        var one = await imap.OkAsync("LSUB \"\" *");
        var unsubscribeAgain = ImapSession.Completion(await imap.RunAsync($"UNSUBSCRIBE {ghost}"));
        await imap.OkAsync($"UNSUBSCRIBE {box}");
        var none = await imap.OkAsync($"LSUB \"\" {box}");

        Assert.Contains($"* LSUB (\\HasNoChildren) \"/\" {box}", both);
        // RFC 3501 §6.3.9: a subscribed name with no mailbox behind it is listed \Noselect.
        Assert.Contains($"* LSUB (\\Noselect) \"/\" {ghost}", both);
        Assert.Contains($"* LSUB (\\HasNoChildren) \"/\" {box}", one);
        Assert.DoesNotContain(one, l => l.EndsWith(ghost, StringComparison.Ordinal));
        Assert.StartsWith("OK", unsubscribeAgain, StringComparison.Ordinal);
        Assert.Empty(none);
    }

    [Fact]
    public async Task Rename_moves_the_whole_subtree_with_its_messages_and_uidvalidity()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var root = await imap.NewMailboxAsync("Move");
        await imap.OkAsync($"CREATE {root}/Q/R");
        await imap.AppendManyAsync($"{root}/Q/R", 2);
        var before = (await imap.OkAsync($"STATUS {root}/Q/R (UIDVALIDITY UIDNEXT MESSAGES)")).Single();

        await imap.OkAsync($"RENAME {root} {root}-new");
        var oldTree = await imap.OkAsync($"LIST \"\" \"{root}/*\"");
        var newTree = await imap.OkAsync($"LIST \"\" \"{root}-new*\"");
        var after = (await imap.OkAsync($"STATUS {root}-new/Q/R (UIDVALIDITY UIDNEXT MESSAGES)")).Single();

        Assert.Empty(oldTree);
        Assert.Equal(
            [
                $"* LIST (\\HasChildren) \"/\" {root}-new",
                $"* LIST (\\HasChildren) \"/\" {root}-new/Q",
                $"* LIST (\\HasNoChildren) \"/\" {root}-new/Q/R",
            ],
            newTree);
        Assert.Equal(before.Replace($"{root}/Q/R", $"{root}-new/Q/R", StringComparison.Ordinal), after);
        Assert.EndsWith("UIDNEXT 3 MESSAGES 2)", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rename_to_an_existing_name_or_from_a_missing_one_is_refused()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var first = await imap.NewMailboxAsync("Ren");
        var second = await imap.NewMailboxAsync("Ren");

        var onto = ImapSession.Completion(await imap.RunAsync($"RENAME {first} {second}"));
        var missing = ImapSession.Completion(await imap.RunAsync($"RENAME Missing{first} Elsewhere{first}"));

        Assert.StartsWith("NO [ALREADYEXISTS]", onto, StringComparison.Ordinal);
        Assert.StartsWith("NO [NONEXISTENT]", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_mailbox_with_children_is_refused_and_keeps_both()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var root = await imap.NewMailboxAsync("Del");
        await imap.OkAsync($"CREATE {root}/Child");
        await imap.AppendManyAsync(root, 1);

        var refused = ImapSession.Completion(await imap.RunAsync($"DELETE {root}"));
        var still = await imap.OkAsync($"LIST \"\" \"{root}*\"");
        await imap.OkAsync($"DELETE {root}/Child");
        await imap.OkAsync($"DELETE {root}");
        var gone = await imap.OkAsync($"LIST \"\" \"{root}*\"");
        var deleteMissing = ImapSession.Completion(await imap.RunAsync($"DELETE {root}"));

        Assert.StartsWith("NO ", refused, StringComparison.Ordinal);
        Assert.Equal([$"* LIST (\\HasChildren) \"/\" {root}", $"* LIST (\\HasNoChildren) \"/\" {root}/Child"], still);
        Assert.Empty(gone);
        Assert.StartsWith("NO [NONEXISTENT]", deleteMissing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_with_a_trailing_delimiter_creates_the_name_without_it()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var name = "Trail" + Guid.NewGuid().ToString("N")[..8];

        var create = ImapSession.Completion(await imap.RunAsync($"CREATE {name}/"));
        var list = await imap.OkAsync($"LIST \"\" {name}*");
        var again = ImapSession.Completion(await imap.RunAsync($"CREATE {name}"));

        Assert.StartsWith("OK [MAILBOXID (", create, StringComparison.Ordinal);
        Assert.Equal([$"* LIST (\\HasNoChildren) \"/\" {name}"], list);
        Assert.StartsWith("NO [ALREADYEXISTS]", again, StringComparison.Ordinal);
    }
}
