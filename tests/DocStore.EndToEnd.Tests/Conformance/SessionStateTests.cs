using Xunit;

namespace DocStore.EndToEnd.Tests.Conformance;

/// <summary>
/// Exact answers of the commands around a selected mailbox: CAPABILITY, SELECT and EXAMINE
/// (RFC 9051 §6.3.2–3), STATUS (§6.3.11, RFC 8438, RFC 7889, RFC 8474), NAMESPACE, ENABLE
/// (RFC 5161), UNSELECT (RFC 3691) vs CLOSE, IDLE (RFC 2177).
/// </summary>
public sealed class SessionStateTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public SessionStateTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task Capability_after_login_lists_every_extension_the_readme_claims()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);

        var capability = (await imap.OkAsync("CAPABILITY")).Single();

        var advertised = capability.Split(' ').Skip(2).ToHashSet(StringComparer.Ordinal);
        string[] claimed = ["IMAP4rev1", "IMAP4rev2", "SASL-IR", "LITERAL+", "ID", "ENABLE", "IDLE", "NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE",
            "CHILDREN", "SPECIAL-USE", "ESEARCH", "SEARCHRES", "WITHIN", "MULTISEARCH", "SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "SEARCH=FUZZY", "STATUS=SIZE", "OBJECTID", "APPENDLIMIT=67108864"];
        Assert.StartsWith("* CAPABILITY ", capability, StringComparison.Ordinal);
        Assert.All(claimed, c => Assert.Contains(c, advertised));
        Assert.DoesNotContain("STARTTLS", advertised);
        Assert.DoesNotContain(advertised, c => c.StartsWith("AUTH=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Select_answers_exists_flags_permanentflags_uidvalidity_uidnext_and_mailboxid()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendAsync(box, Messages.Plain("one"), "(\\Seen)");
        await imap.AppendAsync(box, Messages.Plain("two"));
        await imap.AppendAsync(box, Messages.Plain("three"), "($Project)");
        var status = (await imap.OkAsync($"STATUS {box} (UIDVALIDITY MAILBOXID)")).Single();
        var validity = status.Split(' ')[4];
        var mailboxId = status[(status.IndexOf("MAILBOXID (", StringComparison.Ordinal) + 11)..^2];

        var select = await imap.RunAsync($"SELECT {box}");

        Assert.Equal(
            [
                "* 3 EXISTS",
                "* 0 RECENT",
                "* OK [UNSEEN 2] First unseen.",
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Project)",
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Project \\*)] Flags permitted.",
                $"* OK [UIDVALIDITY {validity}] UIDs valid.",
                "* OK [UIDNEXT 4] Predicted next UID.",
                $"* OK [MAILBOXID ({mailboxId})] Mailbox id.",
            ],
            select[..^1]);
        Assert.StartsWith("OK [READ-WRITE] ", ImapSession.Completion(select), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Examine_is_read_only_with_no_permanent_flags_and_refuses_changes()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendAsync(box, Messages.Plain("one"));
        await imap.OkAsync($"SELECT {box}");

        var examine = await imap.RunAsync($"EXAMINE {box}");
        var store = await imap.RunAsync("STORE 1 +FLAGS (\\Flagged)");
        var storeAnswer = ImapSession.Completion(store);
        var expunge = ImapSession.Completion(await imap.RunAsync("EXPUNGE"));
        var fetch = await imap.OkAsync("FETCH 1 (BODY[TEXT])");
        var flags = await imap.OkAsync("FETCH 1 (FLAGS)");

        // RFC 9051 §6.3.2: a SELECT or EXAMINE while a mailbox is selected first says [CLOSED].
        Assert.StartsWith("* OK [CLOSED]", examine[0], StringComparison.Ordinal);
        Assert.Contains(examine, l => l.StartsWith("* OK [PERMANENTFLAGS ()]", StringComparison.Ordinal));
        Assert.StartsWith("OK [READ-ONLY] ", ImapSession.Completion(examine), StringComparison.Ordinal);
        Assert.StartsWith("NO", storeAnswer, StringComparison.Ordinal);
        Assert.StartsWith("NO", expunge, StringComparison.Ordinal);
        // RFC 9051 §6.4.5: BODY[] sets \Seen only where the mailbox can be changed.
        Assert.Equal("* 1 FETCH (BODY[TEXT] {6}", fetch[0]);
        Assert.Equal(["* 1 FETCH (FLAGS ())"], flags);
    }

    [Fact]
    public async Task Status_answers_exactly_the_items_asked_for_in_the_order_asked()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendAsync(box, Messages.Plain("a"), "(\\Seen)");
        await imap.AppendAsync(box, Messages.Plain("b"), "(\\Deleted)");
        await imap.AppendAsync(box, Messages.Plain("c"));
        var size = 3 * Messages.Plain("a").Length;

        var all = (await imap.OkAsync($"STATUS {box} (MESSAGES UIDNEXT UNSEEN DELETED SIZE RECENT APPENDLIMIT)")).Single();
        var reordered = (await imap.OkAsync($"STATUS {box} (SIZE MESSAGES)")).Single();
        var missing = ImapSession.Completion(await imap.RunAsync("STATUS Nowhere (MESSAGES)"));

        Assert.Equal($"* STATUS {box} (MESSAGES 3 UIDNEXT 4 UNSEEN 2 DELETED 1 SIZE {size} RECENT 0 APPENDLIMIT 67108864)", all);
        Assert.Equal($"* STATUS {box} (SIZE {size} MESSAGES 3)", reordered);
        Assert.StartsWith("NO [NONEXISTENT]", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Namespace_is_personal_other_users_and_shared_with_slash()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);

        var ns = await imap.OkAsync("NAMESPACE");

        Assert.Equal(["* NAMESPACE ((\"\" \"/\")) ((\"Users/\" \"/\")) ((\"Shared/\" \"/\"))"], ns);
    }

    [Fact]
    public async Task Enable_names_only_what_it_enabled_and_is_refused_once_a_mailbox_is_selected()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);

        var unknown = await imap.OkAsync("ENABLE X-NOTHING CONDSTORE");
        var rev2 = await imap.OkAsync("ENABLE IMAP4rev2 X-NOTHING");
        await imap.OkAsync("SELECT INBOX");
        var selected = ImapSession.Completion(await imap.RunAsync("ENABLE IMAP4rev2"));
        var empty = ImapSession.Completion(await imap.RunAsync("ENABLE"));

        // RFC 5161 §3.1: unknown and unadvertised capabilities are ignored; ENABLED lists what was enabled.
        Assert.Equal(["* ENABLED"], unknown);
        Assert.Equal(["* ENABLED IMAP4rev2"], rev2);
        Assert.StartsWith("BAD ", selected, StringComparison.Ordinal);
        Assert.StartsWith("BAD ", empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unselect_keeps_deleted_messages_and_close_expunges_them_silently()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendAsync(box, Messages.Plain("keep"));
        await imap.AppendAsync(box, Messages.Plain("drop"), "(\\Deleted)");

        await imap.OkAsync($"SELECT {box}");
        var unselect = await imap.OkAsync("UNSELECT");
        var afterUnselect = (await imap.OkAsync($"STATUS {box} (MESSAGES)")).Single();
        var fetchAfterUnselect = ImapSession.Completion(await imap.RunAsync("FETCH 1 FLAGS"));
        await imap.OkAsync($"EXAMINE {box}");
        var closeExamined = await imap.OkAsync("CLOSE");
        var afterExamineClose = (await imap.OkAsync($"STATUS {box} (MESSAGES)")).Single();
        await imap.OkAsync($"SELECT {box}");
        var close = await imap.OkAsync("CLOSE");
        var afterClose = (await imap.OkAsync($"STATUS {box} (MESSAGES)")).Single();
        var closeAgain = ImapSession.Completion(await imap.RunAsync("CLOSE"));

        Assert.Empty(unselect);
        Assert.Equal($"* STATUS {box} (MESSAGES 2)", afterUnselect);
        Assert.StartsWith("BAD ", fetchAfterUnselect, StringComparison.Ordinal);
        Assert.Empty(closeExamined);
        Assert.Equal($"* STATUS {box} (MESSAGES 2)", afterExamineClose);
        Assert.Empty(close);
        Assert.Equal($"* STATUS {box} (MESSAGES 1)", afterClose);
        Assert.StartsWith("BAD ", closeAgain, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idle_answers_a_continuation_and_done_completes_it_with_ok()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        await imap.OkAsync("SELECT INBOX");

        await imap.SendAsync("idle1 IDLE\r\n");
        var continuation = await imap.ReadLineAsync();
        await imap.SendAsync("DONE\r\n");
        var done = await imap.ReadLineAsync();
        var noop = await imap.OkAsync("NOOP");
        await imap.SendAsync("idle2 IDLE\r\n");
        await imap.ReadLineAsync();
        await imap.SendAsync("NOT-DONE\r\n");
        var wrong = await imap.ReadLineAsync();
        var stillUsable = await imap.OkAsync("NOOP");

        Assert.StartsWith("+ ", continuation, StringComparison.Ordinal);
        Assert.StartsWith("idle1 OK", done, StringComparison.Ordinal);
        Assert.Empty(noop);
        Assert.StartsWith("idle2 BAD", wrong, StringComparison.Ordinal);
        Assert.Empty(stillUsable);
    }
}
