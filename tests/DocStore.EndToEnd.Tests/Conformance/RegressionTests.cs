// Server bugs the conformance pass found, each kept as a test once fixed.
using Xunit;

namespace DocStore.EndToEnd.Tests.Conformance;

public sealed class RegressionTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public RegressionTests(FreshServer fixture) => this.fixture = fixture;

    // RFC 5182 §2.4: SAVE with MIN (or MAX) alone saves only that message.
    [Fact]
    public async Task Save_with_min_saves_only_the_smallest_match()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync("Res");
        await imap.AppendManyAsync(box, 4);
        await imap.OkAsync($"SELECT {box}");

        var min = await imap.OkAsync("UID SEARCH RETURN (SAVE MIN) UID 2:4");
        var tag = imap.Tag;
        var savedMin = await imap.OkAsync("FETCH $ (UID)");
        await imap.OkAsync("SEARCH RETURN (SAVE MIN MAX) UID 1:3");
        var savedMinMax = await imap.OkAsync("FETCH $ (UID)");

        Assert.Equal([$"* ESEARCH (TAG \"{tag}\") UID MIN 2"], min);
        Assert.Equal(["* 2 FETCH (UID 2)"], savedMin);
        Assert.Equal(["* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)"], savedMinMax);
    }

    // RFC 3501 §6.3.9: "%" in LSUB stops at the unsubscribed parent of a subscribed child and
    // lists it with \Noselect.
    [Fact]
    public async Task Lsub_with_percent_names_the_unsubscribed_parent_of_a_subscribed_child_as_noselect()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var parent = await imap.NewMailboxAsync("Parent");
        await imap.OkAsync($"CREATE {parent}/Child");

        await imap.OkAsync($"SUBSCRIBE {parent}/Child");
        var lsub = await imap.OkAsync($"LSUB \"\" {parent}%");

        Assert.Equal([$"* LSUB (\\Noselect) \"/\" {parent}"], lsub);
    }

    // RFC 9051 §7.1: refusing to delete a mailbox with children says [HASCHILDREN] ([INUSE] means
    // another session holds it).
    [Fact]
    public async Task Deleting_a_mailbox_with_children_is_refused_with_haschildren()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var root = await imap.NewMailboxAsync("Del");
        await imap.OkAsync($"CREATE {root}/Child");

        var refused = ImapSession.Completion(await imap.RunAsync($"DELETE {root}"));

        Assert.StartsWith("NO [HASCHILDREN]", refused, StringComparison.Ordinal);
    }

    // RFC 9051 §6.3.12 and §6.4.4: the internal date keeps the APPEND's zone, so ON/BEFORE/SINCE
    // judge the calendar day the client gave.
    [Fact]
    public async Task An_appended_internal_date_keeps_its_zone_and_is_found_on_its_own_day()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync("Date");
        await imap.AppendAsync(box, Messages.Plain("late"), "\"31-Dec-2025 23:59:59 -0500\"");
        await imap.OkAsync($"EXAMINE {box}");

        var fetch = await imap.OkAsync("FETCH 1 (INTERNALDATE)");
        var on = await imap.OkAsync("SEARCH ON 31-Dec-2025");

        Assert.Equal(["* 1 FETCH (INTERNALDATE \"31-Dec-2025 23:59:59 -0500\")"], fetch);
        Assert.Equal(["* SEARCH 1"], on);
    }
}
