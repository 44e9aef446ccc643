using Xunit;

namespace DocStore.EndToEnd.Tests.Conformance;

/// <summary>
/// Several sessions on one mailbox (RFC 9051 §5.2, §7.4.1, §7.5.1; RFC 2180 §4; RFC 2177): what
/// the watching session hears, and when.
/// </summary>
public sealed class MultiSessionTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public MultiSessionTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task A_message_another_session_appends_is_announced_as_exists_on_the_next_noop()
    {
        await using var watcher = await ImapSession.SignInAsync(fixture);
        await using var other = await ImapSession.SignInAsync(fixture);
        var box = await watcher.NewMailboxAsync();
        await watcher.AppendManyAsync(box, 2);
        await watcher.OkAsync($"SELECT {box}");

        await other.AppendAsync(box, Messages.Plain("third"));
        var noop = await watcher.OkAsync("NOOP");
        var fetch = await watcher.OkAsync("FETCH 3 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])");

        Assert.Contains("* 3 EXISTS", noop);
        Assert.Equal("* 3 FETCH (UID 3 BODY[HEADER.FIELDS (SUBJECT)] {18}", fetch[0]);
        Assert.Equal("Subject: third", fetch[1]);
    }

    [Fact]
    public async Task A_flag_change_by_another_session_arrives_as_an_unsolicited_fetch_on_noop()
    {
        await using var watcher = await ImapSession.SignInAsync(fixture);
        await using var other = await ImapSession.SignInAsync(fixture);
        var box = await watcher.NewMailboxAsync();
        await watcher.AppendManyAsync(box, 3);
        await watcher.OkAsync($"SELECT {box}");
        await other.OkAsync($"SELECT {box}");

        await other.OkAsync("STORE 2 +FLAGS.SILENT (\\Flagged $Invoice)");
        var noop = await watcher.OkAsync("NOOP");
        var again = await watcher.OkAsync("NOOP");

        Assert.Contains(noop, l => l.StartsWith("* 2 FETCH (", StringComparison.Ordinal) && l.Contains("FLAGS (\\Flagged $Invoice)", StringComparison.Ordinal));
        Assert.DoesNotContain(noop, l => l.StartsWith("* 1 FETCH", StringComparison.Ordinal) || l.StartsWith("* 3 FETCH", StringComparison.Ordinal));
        Assert.Empty(again);
    }

    [Fact]
    public async Task An_expunge_by_another_session_is_held_back_during_fetch_store_and_search_and_told_on_noop()
    {
        await using var watcher = await ImapSession.SignInAsync(fixture);
        await using var other = await ImapSession.SignInAsync(fixture);
        var box = await watcher.NewMailboxAsync();
        await watcher.AppendManyAsync(box, 4);
        await watcher.OkAsync($"SELECT {box}");
        await other.OkAsync($"SELECT {box}");

        await other.OkAsync("STORE 2 +FLAGS.SILENT (\\Deleted)");
        await other.OkAsync("EXPUNGE");
        var fetch = await watcher.OkAsync("FETCH 1:* (UID)");
        var store = await watcher.OkAsync("STORE 4 +FLAGS (\\Seen)");
        var search = await watcher.OkAsync("SEARCH ALL");
        var noop = await watcher.OkAsync("NOOP");
        var after = await watcher.OkAsync("FETCH 1:* (UID)");

        // RFC 9051 §7.5.1: no EXPUNGE while responding to FETCH, STORE or SEARCH; the numbers stay put.
        Assert.DoesNotContain(fetch.Concat(store).Concat(search), l => l.EndsWith(" EXPUNGE", StringComparison.Ordinal));
        Assert.Contains("* 4 FETCH (FLAGS (\\Seen))", store);
        Assert.Equal("* SEARCH 1 2 3 4", search.Single(l => l.StartsWith("* SEARCH", StringComparison.Ordinal)));
        Assert.Equal("* 2 EXPUNGE", noop[0]);
        Assert.Equal(["* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)", "* 3 FETCH (UID 4)"], after);
    }

    [Fact]
    public async Task Expunges_of_several_messages_renumber_the_rest_in_order()
    {
        await using var watcher = await ImapSession.SignInAsync(fixture);
        await using var other = await ImapSession.SignInAsync(fixture);
        var box = await watcher.NewMailboxAsync();
        await watcher.AppendManyAsync(box, 6);
        await watcher.OkAsync($"SELECT {box}");
        await other.OkAsync($"SELECT {box}");

        await other.OkAsync("UID STORE 2,4:5 +FLAGS.SILENT (\\Deleted)");
        await other.OkAsync("EXPUNGE");
        var noop = await watcher.OkAsync("NOOP");
        var uids = await watcher.OkAsync("FETCH 1:* (UID)");

        // Each EXPUNGE renumbers what follows, so applying them in order must leave UIDs 1, 3 and 6.
        Assert.Equal([1u, 3u, 6u], Answers.AfterExpunges(noop, 1, 2, 3, 4, 5, 6));
        Assert.Equal(["* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)", "* 3 FETCH (UID 6)"], uids);
    }

    // Pushed, not polled: the idling session hears each change with no command of its own, well
    // before any poll interval. How fast is the bench's IDLE figure (bench/RESULTS.md), not a
    // timed assertion here: with the whole suite sharing two cores a one-second bound was flaky.
    [Fact]
    public async Task An_idle_session_hears_exists_flags_and_expunge_without_asking()
    {
        await using var watcher = await ImapSession.SignInAsync(fixture);
        await using var other = await ImapSession.SignInAsync(fixture);
        var box = await watcher.NewMailboxAsync();
        await watcher.AppendManyAsync(box, 2);
        await watcher.OkAsync($"SELECT {box}");
        await other.OkAsync($"SELECT {box}");
        await watcher.SendAsync("idle1 IDLE\r\n");
        Assert.StartsWith("+ ", await watcher.ReadLineAsync(), StringComparison.Ordinal);

        await other.AppendAsync(box, Messages.Plain("pushed"));
        var exists = await watcher.ReadLineAsync(seconds: 10);
        await other.OkAsync("STORE 1 +FLAGS.SILENT (\\Flagged)");
        var flags = await watcher.ReadLineAsync(seconds: 10);
        await other.OkAsync("STORE 1 +FLAGS.SILENT (\\Deleted)");
        await watcher.ReadLineAsync(seconds: 10);
        await other.OkAsync("EXPUNGE");
        var expunge = await watcher.ReadLineAsync(seconds: 10);
        await watcher.SendAsync("DONE\r\n");
        var rest = new List<string>();
        do
        {
            rest.Add(await watcher.ReadLineAsync());
        }
        while (!rest[^1].StartsWith("idle1 ", StringComparison.Ordinal));
        var uids = await watcher.OkAsync("FETCH 1:* (UID)");

        Assert.Equal("* 3 EXISTS", exists);
        Assert.Equal("* 1 FETCH (FLAGS (\\Flagged))", flags);
        Assert.Equal("* 1 EXPUNGE", expunge);
        Assert.StartsWith("idle1 OK", rest[^1], StringComparison.Ordinal);
        Assert.Equal(["* 1 FETCH (UID 2)", "* 2 FETCH (UID 3)"], uids);
    }

    // One change wakes every session on the mailbox and they share one read of what changed
    // (SharedDeltas): each must still get its own complete answer, twice in a row (the second
    // change reaches sessions that took the next signal after the first), and a session idling on
    // another mailbox hears nothing.
    [Fact]
    public async Task Many_idle_sessions_on_one_mailbox_each_hear_every_append_and_another_mailbox_hears_nothing()
    {
        const int Idlers = 8;
        await using var other = await ImapSession.SignInAsync(fixture);
        var box = await other.NewMailboxAsync();
        var elsewhere = await other.NewMailboxAsync("Elsewhere");
        await other.AppendManyAsync(box, 2);
        await other.AppendManyAsync(elsewhere, 1);
        var idlers = new List<ImapSession>();
        try
        {
            for (var i = 0; i < Idlers; i++)
            {
                var idler = await ImapSession.SignInAsync(fixture);
                idlers.Add(idler);
                await idler.OkAsync($"SELECT {box}");
                await idler.SendAsync("idle1 IDLE\r\n");
                Assert.StartsWith("+ ", await idler.ReadLineAsync(), StringComparison.Ordinal);
            }
            await using var bystander = await ImapSession.SignInAsync(fixture);
            await bystander.OkAsync($"SELECT {elsewhere}");
            await bystander.SendAsync("idle2 IDLE\r\n");
            Assert.StartsWith("+ ", await bystander.ReadLineAsync(), StringComparison.Ordinal);

            await other.AppendAsync(box, Messages.Plain("third"));
            var first = new List<string>();
            foreach (var idler in idlers)
            {
                first.Add(await idler.ReadLineAsync(seconds: 10));
            }
            await other.AppendAsync(box, Messages.Plain("fourth"));
            var second = new List<string>();
            foreach (var idler in idlers)
            {
                second.Add(await idler.ReadLineAsync(seconds: 10));
            }
            await bystander.SendAsync("DONE\r\n");
            var bystanderHeard = await bystander.ReadLineAsync();

            Assert.All(first, line => Assert.Equal("* 3 EXISTS", line));
            Assert.All(second, line => Assert.Equal("* 4 EXISTS", line));
            Assert.StartsWith("idle2 OK", bystanderHeard, StringComparison.Ordinal);
            foreach (var idler in idlers)
            {
                await idler.SendAsync("DONE\r\n");
                Assert.StartsWith("idle1 OK", await idler.ReadLineAsync(), StringComparison.Ordinal);
                Assert.Equal(["* 3 FETCH (UID 3)", "* 4 FETCH (UID 4)"], await idler.OkAsync("FETCH 3:4 (UID)"));
            }
        }
        finally
        {
            foreach (var idler in idlers)
            {
                await idler.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Uids_strictly_increase_across_sessions_and_uidvalidity_is_the_same_for_everyone()
    {
        await using var first = await ImapSession.SignInAsync(fixture);
        await using var second = await ImapSession.SignInAsync(fixture);
        var box = await first.NewMailboxAsync();

        var uids = new List<uint>();
        var validities = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 6; i++)
        {
            var session = i % 2 == 0 ? first : second;
            // Six different messages: the same one filed again would be the same document and UID.
            var completion = ImapSession.Completion(await session.RunAsync($"APPEND {box} {{4+}}\r\n{i}\r\n\r\n"));
            var parts = completion.Split(' ', '[', ']');
            validities.Add(parts[3]);
            uids.Add(uint.Parse(parts[4], System.Globalization.CultureInfo.InvariantCulture));
        }
        await first.OkAsync($"SELECT {box}");
        await first.OkAsync("UID STORE 1:3 +FLAGS.SILENT (\\Deleted)");
        await first.OkAsync("EXPUNGE");
        await second.AppendAsync(box, Messages.Plain("after expunge"));
        var selectFirst = await first.OkAsync($"SELECT {box}");
        var selectSecond = await second.OkAsync($"EXAMINE {box}");

        Assert.Single(validities);
        Assert.Equal(uids.Order(), uids);
        Assert.Equal(uids.Count, uids.Distinct().Count());
        Assert.Contains($"* OK [UIDVALIDITY {validities.Single()}] UIDs valid.", selectFirst);
        Assert.Equal(selectFirst.Single(l => l.Contains("UIDVALIDITY", StringComparison.Ordinal)), selectSecond.Single(l => l.Contains("UIDVALIDITY", StringComparison.Ordinal)));
        // Seven messages were filed, so the next UID is 8 however many were expunged.
        Assert.Contains("* OK [UIDNEXT 8] Predicted next UID.", selectFirst);
    }

    [Fact]
    public async Task A_mailbox_deleted_and_created_again_gets_a_larger_uidvalidity_and_no_old_uids()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendManyAsync(box, 3);
        var before = await imap.OkAsync($"STATUS {box} (UIDVALIDITY UIDNEXT)");

        await imap.OkAsync($"DELETE {box}");
        await imap.OkAsync($"CREATE {box}");
        var after = await imap.OkAsync($"STATUS {box} (UIDVALIDITY UIDNEXT MESSAGES)");
        var append = ImapSession.Completion(await imap.RunAsync($"APPEND {box} {{4+}}\r\nx\r\n\r\n"));

        var oldValidity = long.Parse(before[0].Split(' ')[4], System.Globalization.CultureInfo.InvariantCulture);
        var newValidity = long.Parse(after[0].Split(' ')[4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(newValidity > oldValidity, $"{before[0]} then {after[0]}");
        Assert.Equal($"* STATUS {box} (UIDVALIDITY {newValidity} UIDNEXT 1 MESSAGES 0)", after[0]);
        Assert.StartsWith($"OK [APPENDUID {newValidity} 1]", append, StringComparison.Ordinal);
    }
}
