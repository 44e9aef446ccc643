using Xunit;

namespace DocStore.EndToEnd.Tests.Conformance;

/// <summary>Four messages filed once; each search key is asked in a session of its own.</summary>
public sealed class SearchCorpus : IAsyncLifetime
{
    public const string Mailbox = "Corpus";

    public FreshServer Fixture { get; } = new();

    public async Task InitializeAsync()
    {
        await Fixture.InitializeAsync();
        await using var imap = await ImapSession.SignInAsync(Fixture);
        await imap.OkAsync($"CREATE {Mailbox}");
        // 1: the multipart report, 575 bytes, sent 2 March 2026.
        await imap.AppendAsync(Mailbox, Messages.Report, "(\\Flagged) \"02-Mar-2026 10:00:00 +0000\"");
        // 2: over 100 bytes, "quarterly" only in its body, sent and filed on 31 December 2025.
        await imap.AppendAsync(Mailbox,
            "From: zed@example.com\r\nSubject: small\r\nDate: Wed, 31 Dec 2025 10:00:00 -0500\r\nX-Tag:\r\n\r\nquarterly figures follow\r\n",
            "(\\Seen \\Answered $Work) \"31-Dec-2025 12:00:00 +0000\"");
        // 3: filed now, sent in 2020, under 100 bytes.
        await imap.AppendAsync(Mailbox, "Subject: now\r\nDate: Fri, 10 Jan 2020 08:00:00 +0000\r\n\r\ntoday\r\n");
        // 4: a deleted draft filed and sent on 15 January 2026, under 100 bytes.
        await imap.AppendAsync(Mailbox, "Subject: plan\r\nDate: Thu, 15 Jan 2026 07:00:00 +0000\r\n\r\ndraft\r\n",
            "(\\Draft \\Deleted) \"15-Jan-2026 08:00:00 +0000\"");
    }

    public Task DisposeAsync() => Fixture.DisposeAsync();
}

/// <summary>SEARCH keys (RFC 9051 §6.4.4, RFC 5032 WITHIN), ESEARCH (RFC 4731) and SEARCHRES (RFC 5182).</summary>
public sealed class SearchTests : IClassFixture<SearchCorpus>
{
    private readonly SearchCorpus corpus;

    public SearchTests(SearchCorpus corpus) => this.corpus = corpus;

    [Theory]
    [InlineData("ALL", "1 2 3 4")]
    [InlineData("FLAGGED", "1")]
    [InlineData("UNFLAGGED", "2 3 4")]
    [InlineData("SEEN", "2")]
    [InlineData("UNSEEN", "1 3 4")]
    [InlineData("ANSWERED", "2")]
    [InlineData("UNANSWERED", "1 3 4")]
    [InlineData("DRAFT", "4")]
    [InlineData("UNDRAFT", "1 2 3")]
    [InlineData("DELETED", "4")]
    [InlineData("UNDELETED", "1 2 3")]
    [InlineData("KEYWORD $Work", "2")]
    [InlineData("UNKEYWORD $Work", "1 3 4")]
    [InlineData("NEW", "")]
    [InlineData("RECENT", "")]
    [InlineData("OLD", "1 2 3 4")]
    [InlineData("BEFORE 1-Jan-2026", "2")]
    [InlineData("BEFORE 15-Jan-2026", "2")]
    [InlineData("ON 31-Dec-2025", "2")]
    [InlineData("ON 15-Jan-2026", "4")]
    [InlineData("SINCE 15-Jan-2026", "1 3 4")]
    [InlineData("SENTBEFORE 1-Jan-2026", "2 3")]
    [InlineData("SENTON 31-Dec-2025", "2")]
    [InlineData("SENTSINCE 15-Jan-2026", "1 4")]
    [InlineData("SENTBEFORE 2-Mar-2026 SENTSINCE 2-Mar-2026", "")]
    [InlineData("LARGER 100", "1 2")]
    [InlineData("SMALLER 100", "3 4")]
    [InlineData("UID 2:*", "2 3 4")]
    [InlineData("UID 1,3", "1 3")]
    [InlineData("2:3", "2 3")]
    [InlineData("*", "4")]
    [InlineData("1:* NOT 2", "1 3 4")]
    [InlineData("OR FLAGGED SEEN", "1 2")]
    [InlineData("NOT SEEN", "1 3 4")]
    [InlineData("(FLAGGED) (SEEN)", "")]
    [InlineData("NOT (OR FLAGGED SEEN)", "3 4")]
    [InlineData("OR (FLAGGED UNSEEN) (DRAFT DELETED)", "1 4")]
    [InlineData("HEADER X-Empty \"\"", "1")]
    [InlineData("HEADER X-Tag \"\"", "2")]
    [InlineData("HEADER Subject \"\"", "1 2 3 4")]
    [InlineData("HEADER In-Reply-To q0", "1")]
    [InlineData("TEXT quarterly", "1 2")]
    [InlineData("BODY quarterly", "2")]
    [InlineData("SUBJECT REPORT", "1")]
    [InlineData("FROM zed", "2")]
    [InlineData("TO carol", "1")]
    [InlineData("CC \"Dave, Jr.\"", "1")]
    [InlineData("BCC alice", "")]
    [InlineData("YOUNGER 3600", "3")]
    [InlineData("OLDER 3600", "1 2 4")]
    public async Task Each_search_key_finds_exactly_its_messages(string criteria, string expected)
    {
        await using var imap = await SelectAsync();

        var search = await imap.OkAsync($"SEARCH {criteria}");

        Assert.Equal([expected.Length == 0 ? "* SEARCH" : $"* SEARCH {expected}"], search);
    }

    [Fact]
    public async Task Uid_search_answers_uids()
    {
        await using var imap = await SelectAsync();

        var search = await imap.OkAsync("UID SEARCH UNSEEN");

        Assert.Equal(["* SEARCH 1 3 4"], search);
    }

    [Fact]
    public async Task Esearch_answers_all_min_max_and_count_and_leaves_out_what_an_empty_result_lacks()
    {
        await using var imap = await SelectAsync();

        var empty = await imap.OkAsync("SEARCH RETURN () UNSEEN");
        var tagOfEmpty = imap.Tag;
        var everything = await imap.OkAsync("UID SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN");
        var tagOfEverything = imap.Tag;
        var nothing = await imap.OkAsync("SEARCH RETURN (MIN MAX COUNT) KEYWORD $Nothing");
        var tagOfNothing = imap.Tag;
        var allOfNothing = await imap.OkAsync("SEARCH RETURN (ALL) KEYWORD $Nothing");
        var tagOfAllOfNothing = imap.Tag;
        var unknown = ImapSession.Completion(await imap.RunAsync("SEARCH RETURN (BOGUS) ALL"));

        // RFC 4731 §3.1: RETURN () means ALL; MIN, MAX and ALL are left out when nothing matched.
        Assert.Equal([$"* ESEARCH (TAG \"{tagOfEmpty}\") ALL 1,3:4"], empty);
        Assert.Equal([$"* ESEARCH (TAG \"{tagOfEverything}\") UID MIN 1 MAX 4 COUNT 3 ALL 1,3:4"], everything);
        Assert.Equal([$"* ESEARCH (TAG \"{tagOfNothing}\") COUNT 0"], nothing);
        Assert.Equal([$"* ESEARCH (TAG \"{tagOfAllOfNothing}\")"], allOfNothing);
        Assert.StartsWith("BAD ", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_saved_result_drives_fetch_store_copy_and_search_and_follows_expunges()
    {
        await using var imap = await ImapSession.SignInAsync(corpus.Fixture);
        var box = await imap.NewMailboxAsync("Res");
        var copies = await imap.NewMailboxAsync("Res");
        for (var i = 1; i <= 5; i++)
        {
            await imap.AppendAsync(box, Messages.Plain($"m{i}"), i % 2 == 1 ? "(\\Flagged)" : "");
        }
        await imap.OkAsync($"SELECT {box}");

        var save = await imap.OkAsync("SEARCH RETURN (SAVE) FLAGGED");
        var fetch = await imap.OkAsync("FETCH $ (UID)");
        var store = await imap.OkAsync("STORE $ +FLAGS (\\Answered)");
        var copy = ImapSession.Completion(await imap.RunAsync($"COPY $ {copies}"));
        var search = await imap.OkAsync("SEARCH OR $ 2");
        await imap.OkAsync("STORE 1 +FLAGS.SILENT (\\Deleted)");
        await imap.OkAsync("EXPUNGE");
        var afterExpunge = await imap.OkAsync("FETCH $ (UID)");

        Assert.Empty(save);
        Assert.Equal(["* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)", "* 5 FETCH (UID 5)"], fetch);
        Assert.Equal(
            ["* 1 FETCH (FLAGS (\\Answered \\Flagged))", "* 3 FETCH (FLAGS (\\Answered \\Flagged))", "* 5 FETCH (FLAGS (\\Answered \\Flagged))"],
            store);
        Assert.Matches(@"^OK \[COPYUID \d+ 1,3,5 1:3\]", copy);
        Assert.Equal(["* SEARCH 1 2 3 5"], search);
        // RFC 5182 §2.1: $ holds UIDs, so the expunged message drops out and the others are renumbered.
        Assert.Equal(["* 2 FETCH (UID 3)", "* 4 FETCH (UID 5)"], afterExpunge);
    }

    [Fact]
    public async Task A_text_search_repeated_in_the_same_view_sees_each_append_expunge_and_flag_change_of_this_and_another_session()
    {
        // The index's map of a selected mailbox is kept from one SEARCH to the next: each change
        // in between (by this session or another) must show in the next answer, numbers included.
        await using var imap = await ImapSession.SignInAsync(corpus.Fixture);
        await using var other = await ImapSession.SignInAsync(corpus.Fixture);
        var box = await imap.NewMailboxAsync("Kept");
        await imap.AppendAsync(box, Messages.Plain("one", "marmelade eins"));
        await imap.AppendAsync(box, Messages.Plain("two", "marmelade zwei"));
        await imap.AppendAsync(box, Messages.Plain("three", "butter drei"));
        await imap.OkAsync($"SELECT {box}");
        await other.OkAsync($"SELECT {box}");

        var first = await imap.OkAsync("SEARCH TEXT marmelade");
        await imap.AppendAsync(box, Messages.Plain("four", "marmelade vier"));
        var afterOwnAppend = await imap.OkAsync("SEARCH TEXT marmelade");
        // Another session's changes reach this view at the next command that may report them (NOOP).
        await other.AppendAsync(box, Messages.Plain("five", "marmelade fuenf"));
        await imap.OkAsync("NOOP");
        var afterOtherAppend = await imap.OkAsync("SEARCH TEXT marmelade");
        await other.OkAsync("STORE 1 +FLAGS.SILENT (\\Deleted)");
        await other.OkAsync("EXPUNGE");
        await imap.OkAsync("NOOP");
        var afterOtherExpunge = await imap.OkAsync("SEARCH TEXT marmelade");
        var uidsAfterOtherExpunge = await imap.OkAsync("UID SEARCH TEXT marmelade");
        await imap.OkAsync("STORE 1 +FLAGS.SILENT (\\Flagged)");
        var afterOwnFlag = Searched(await imap.OkAsync("SEARCH FLAGGED TEXT marmelade"));
        await other.OkAsync("STORE 3 +FLAGS.SILENT (\\Seen)");
        await imap.OkAsync("NOOP");
        var afterOtherFlag = await imap.OkAsync("SEARCH SEEN TEXT marmelade");
        await imap.OkAsync("STORE 1 +FLAGS.SILENT (\\Deleted)");
        await imap.OkAsync("EXPUNGE");
        var afterOwnExpunge = await imap.OkAsync("SEARCH TEXT marmelade");
        var butter = await imap.OkAsync("SEARCH TEXT butter");

        Assert.Equal(["* SEARCH 1 2"], first);
        Assert.Equal(["* SEARCH 1 2 4"], afterOwnAppend);
        Assert.Equal(["* SEARCH 1 2 4 5"], afterOtherAppend);
        // Message 1 went: "two", "four" and "five" are now 1, 3 and 4.
        Assert.Equal(["* SEARCH 1 3 4"], afterOtherExpunge);
        Assert.Equal(["* SEARCH 2 4 5"], uidsAfterOtherExpunge);
        Assert.Equal(["* SEARCH 1"], afterOwnFlag);
        Assert.Equal(["* SEARCH 3"], afterOtherFlag);
        Assert.Equal(["* SEARCH 2 3"], afterOwnExpunge);
        Assert.Equal(["* SEARCH 1"], butter);
    }

    private static List<string> Searched(List<string> lines) => lines.Where(l => l.StartsWith("* SEARCH", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task The_saved_result_is_empty_after_a_new_select_and_after_a_search_that_found_nothing()
    {
        await using var imap = await SelectAsync();

        await imap.OkAsync("SEARCH RETURN (SAVE) ALL");
        await imap.OkAsync($"SELECT {SearchCorpus.Mailbox}");
        var afterSelect = await imap.OkAsync("FETCH $ (UID)");
        await imap.OkAsync("SEARCH RETURN (SAVE) ALL");
        await imap.OkAsync("SEARCH RETURN (SAVE) KEYWORD $Nothing");
        var afterEmpty = await imap.OkAsync("FETCH $ (UID)");
        var searchEmpty = await imap.OkAsync("SEARCH $");

        Assert.Empty(afterSelect);
        Assert.Empty(afterEmpty);
        Assert.Equal(["* SEARCH"], searchEmpty);
    }

    private async Task<ImapSession> SelectAsync()
    {
        var imap = await ImapSession.SignInAsync(corpus.Fixture);
        await imap.OkAsync($"EXAMINE {SearchCorpus.Mailbox}");
        return imap;
    }
}
