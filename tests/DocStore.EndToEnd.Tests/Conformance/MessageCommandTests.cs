using Xunit;

namespace DocStore.EndToEnd.Tests.Conformance;

/// <summary>
/// Commands that change messages: APPEND (RFC 9051 §6.3.12, RFC 4315 APPENDUID), STORE (§6.4.6),
/// COPY and MOVE (§6.4.7–8, RFC 4315 COPYUID, RFC 6851), EXPUNGE and UID EXPUNGE (§6.4.3, RFC 4315).
/// </summary>
public sealed class MessageCommandTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public MessageCommandTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task Append_keeps_the_flags_and_internal_date_it_was_given()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();

        var append = ImapSession.Completion(await imap.RunAsync(
            $"APPEND {box} (\\Seen \\Flagged $Forwarded) \" 5-Nov-2025 08:07:06 +0200\" {{14+}}\r\nSubject: d\r\n\r\n"));
        await imap.OkAsync($"EXAMINE {box}");
        var fetch = (await imap.OkAsync("FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE)")).Single();

        Assert.Matches(@"^OK \[APPENDUID \d+ 1\] ", append);
        Assert.Equal(["$Forwarded", "\\Flagged", "\\Seen"], Answers.FlagsOf(fetch));
        Assert.Contains("RFC822.SIZE 14", fetch, StringComparison.Ordinal);
        var date = fetch[(fetch.IndexOf("INTERNALDATE \"", StringComparison.Ordinal) + 14)..];
        date = date[..date.IndexOf('"', StringComparison.Ordinal)];
        // The instant must be the one given; the zone it is written in may differ.
        Assert.Equal(
            DateTimeOffset.Parse("2025-11-05T08:07:06+02:00", System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.ParseExact(date.Trim(), "d-MMM-yyyy HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Append_to_a_missing_mailbox_says_trycreate_and_recent_cannot_be_appended()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();

        var missing = ImapSession.Completion(await imap.RunAsync($"APPEND Missing{box} {{14+}}\r\nSubject: d\r\n\r\n"));
        var recent = ImapSession.Completion(await imap.RunAsync($"APPEND {box} (\\Recent) {{14+}}\r\nSubject: d\r\n\r\n"));
        var status = (await imap.OkAsync($"STATUS {box} (MESSAGES)")).Single();

        Assert.StartsWith("NO [TRYCREATE]", missing, StringComparison.Ordinal);
        Assert.StartsWith("BAD ", recent, StringComparison.Ordinal);
        Assert.Equal($"* STATUS {box} (MESSAGES 0)", status);
    }

    [Fact]
    public async Task Store_adds_removes_and_replaces_flags_and_silent_answers_nothing()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendManyAsync(box, 2);
        await imap.OkAsync($"SELECT {box}");

        var add = await imap.OkAsync("STORE 1 +FLAGS (\\Seen Invoice $Label1)");
        var remove = await imap.OkAsync("STORE 1 -FLAGS (Invoice)");
        var replace = await imap.OkAsync("STORE 1 FLAGS (\\Draft)");
        var silent = await imap.OkAsync("STORE 1:2 +FLAGS.SILENT (\\Answered)");
        var uidStore = await imap.OkAsync("UID STORE 2 -FLAGS (\\Answered)");
        var final = await imap.OkAsync("FETCH 1:2 (FLAGS)");

        Assert.Equal(["$Label1", "Invoice", "\\Seen"], Answers.FlagsOf(Assert.Single(add)));
        Assert.Equal(["$Label1", "\\Seen"], Answers.FlagsOf(Assert.Single(remove)));
        Assert.Equal(["* 1 FETCH (FLAGS (\\Draft))"], replace);
        Assert.Empty(silent);
        // RFC 9051 §6.4.9: the answer to a UID command carries the UID.
        Assert.Contains("FLAGS ()", Assert.Single(uidStore), StringComparison.Ordinal);
        Assert.Contains("UID 2", uidStore[0], StringComparison.Ordinal);
        Assert.Equal(["\\Answered", "\\Draft"], Answers.FlagsOf(final[0]));
        Assert.Equal("* 2 FETCH (FLAGS ())", final[1]);
    }

    [Fact]
    public async Task Pipelined_stores_in_one_write_answer_in_order_each_with_its_own_flags_and_bad_ones_in_their_place()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        await using var watcher = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendManyAsync(box, 4);
        await imap.OkAsync($"SELECT {box}");
        await watcher.OkAsync($"SELECT {box}");

        // RFC 9051 §5.5: one write, answered command by command. p3 does not parse, p5 is refused
        // by STORE itself; the STOREs around them still run, with the same change or another one.
        await imap.SendAsync(
            "p1 STORE 1 +FLAGS (\\Flagged)\r\n" +
            "p2 UID STORE 2 +FLAGS (\\Flagged)\r\n" +
            "p3 STORE 3 +FLAGS (\\Flagged\r\n" +
            "p4 STORE 3:4 +FLAGS.SILENT (\\Flagged)\r\n" +
            "p5 STORE 1 +FLAGS (\\Recent)\r\n" +
            "p6 STORE 1 +FLAGS (\\Flagged)\r\n" +
            "p7 STORE 1:2 +FLAGS (\\Seen)\r\n" +
            "p8 UID STORE 2 -FLAGS (\\Flagged)\r\n" +
            "p9 STORE 9 +FLAGS (\\Seen)\r\n");
        var lines = new List<string>();
        while (lines.Count == 0 || !lines[^1].StartsWith("p9 ", StringComparison.Ordinal))
        {
            lines.Add(await imap.ReadLineAsync());
        }
        var watched = await watcher.OkAsync("NOOP");
        var final = await imap.OkAsync("FETCH 1:4 (FLAGS)");

        Assert.Equal("* 1 FETCH (FLAGS (\\Flagged))", lines[0]);
        Assert.Equal("p1 OK STORE completed", lines[1]);
        Assert.Equal("* 2 FETCH (FLAGS (\\Flagged) UID 2)", lines[2]);
        Assert.Equal("p2 OK UID STORE completed", lines[3]);
        Assert.StartsWith("p3 BAD ", lines[4], StringComparison.Ordinal);
        Assert.Equal("p4 OK STORE completed", lines[5]);
        Assert.StartsWith("p5 BAD ", lines[6], StringComparison.Ordinal);
        Assert.Equal("* 1 FETCH (FLAGS (\\Flagged))", lines[7]);
        Assert.Equal("p6 OK STORE completed", lines[8]);
        Assert.Equal(["\\Flagged", "\\Seen"], Answers.FlagsOf(lines[9]));
        Assert.StartsWith("* 1 FETCH ", lines[9], StringComparison.Ordinal);
        Assert.Equal(["\\Flagged", "\\Seen"], Answers.FlagsOf(lines[10]));
        Assert.StartsWith("* 2 FETCH ", lines[10], StringComparison.Ordinal);
        Assert.Equal("p7 OK STORE completed", lines[11]);
        Assert.Equal("* 2 FETCH (FLAGS (\\Seen) UID 2)", lines[12]);
        Assert.Equal("p8 OK UID STORE completed", lines[13]);
        Assert.StartsWith("p9 BAD ", lines[14], StringComparison.Ordinal);
        Assert.Equal(15, lines.Count);
        Assert.Equal(["* 1 FETCH (FLAGS (\\Flagged \\Seen))", "* 2 FETCH (FLAGS (\\Seen))", "* 3 FETCH (FLAGS (\\Flagged))", "* 4 FETCH (FLAGS (\\Flagged))"],
            final.Select(l => l.Replace("(\\Seen \\Flagged)", "(\\Flagged \\Seen)", StringComparison.Ordinal)));
        // The other session hears every message's final flags.
        Assert.Equal(4, watched.Count(l => l.Contains(" FETCH ", StringComparison.Ordinal)));
        Assert.Contains(watched, l => l.StartsWith("* 2 FETCH (", StringComparison.Ordinal) && Answers.FlagsOf(l).SetEquals(["\\Seen"]));
        Assert.Contains(watched, l => l.StartsWith("* 1 FETCH (", StringComparison.Ordinal) && Answers.FlagsOf(l).SetEquals(["\\Flagged", "\\Seen"]));
        Assert.Contains(watched, l => l.StartsWith("* 3 FETCH (", StringComparison.Ordinal) && Answers.FlagsOf(l).SetEquals(["\\Flagged"]));
        Assert.Contains(watched, l => l.StartsWith("* 4 FETCH (", StringComparison.Ordinal) && Answers.FlagsOf(l).SetEquals(["\\Flagged"]));
    }

    [Fact]
    public async Task Many_pipelined_stores_in_one_write_each_get_their_ok_and_all_take_effect()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendManyAsync(box, 40);
        await imap.OkAsync($"SELECT {box}");

        // More than one group can hold (64 commands): the rest runs as the next group.
        await imap.SendAsync(string.Concat(Enumerable.Range(1, 80).Select(i => $"q{i} UID STORE {(i - 1) % 40 + 1} +FLAGS.SILENT (\\Answered)\r\n")));
        var lines = new List<string>();
        while (lines.Count == 0 || !lines[^1].StartsWith("q80 ", StringComparison.Ordinal))
        {
            lines.Add(await imap.ReadLineAsync());
        }
        var answered = await imap.OkAsync("SEARCH ANSWERED");

        Assert.Equal(Enumerable.Range(1, 80).Select(i => $"q{i} OK UID STORE completed"), lines);
        Assert.Equal("* SEARCH " + string.Join(' ', Enumerable.Range(1, 40)), Assert.Single(answered));
    }

    [Fact]
    public async Task Recent_can_never_be_stored()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendManyAsync(box, 1);
        await imap.OkAsync($"SELECT {box}");

        var store = ImapSession.Completion(await imap.RunAsync("STORE 1 +FLAGS (\\Recent)"));
        var flags = await imap.OkAsync("FETCH 1 (FLAGS)");

        Assert.StartsWith("BAD ", store, StringComparison.Ordinal);
        Assert.Equal(["* 1 FETCH (FLAGS ())"], flags);
    }

    [Fact]
    public async Task Copy_reports_copyuid_with_source_and_destination_ranges()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var source = await imap.NewMailboxAsync("Src");
        var target = await imap.NewMailboxAsync("Dst");
        await imap.AppendManyAsync(source, 5);
        await imap.AppendManyAsync(target, 3);
        var validity = (await imap.OkAsync($"STATUS {target} (UIDVALIDITY)")).Single().Split(' ')[4].TrimEnd(')');
        await imap.OkAsync($"SELECT {source}");
        await imap.OkAsync("STORE 2 +FLAGS.SILENT (\\Flagged)");

        var copy = ImapSession.Completion(await imap.RunAsync($"COPY 1:3 {target}"));
        var uidCopy = ImapSession.Completion(await imap.RunAsync($"UID COPY 2,4,10:12 {target}"));
        var nothing = ImapSession.Completion(await imap.RunAsync($"UID COPY 10:12 {target}"));
        var missing = ImapSession.Completion(await imap.RunAsync($"COPY 1 Missing{target}"));
        await imap.OkAsync($"EXAMINE {target}");
        var arrived = await imap.OkAsync("UID FETCH 4:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");

        Assert.StartsWith($"OK [COPYUID {validity} 1:3 4:6]", copy, StringComparison.Ordinal);
        Assert.StartsWith($"OK [COPYUID {validity} 2,4 7:8]", uidCopy, StringComparison.Ordinal);
        Assert.StartsWith("OK", nothing, StringComparison.Ordinal);
        Assert.DoesNotContain("COPYUID", nothing, StringComparison.Ordinal);
        Assert.StartsWith("NO [TRYCREATE]", missing, StringComparison.Ordinal);
        Assert.Equal(
            ["Subject: m1", "Subject: m2", "Subject: m3", "Subject: m2", "Subject: m4"],
            arrived.Where(l => l.StartsWith("Subject:", StringComparison.Ordinal)));
        Assert.Contains(arrived, l => l.StartsWith("* 5 FETCH (UID 5 FLAGS (\\Flagged)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Move_says_copyuid_then_expunges_the_source_messages()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var source = await imap.NewMailboxAsync("Src");
        var target = await imap.NewMailboxAsync("Dst");
        await imap.AppendManyAsync(source, 5);
        var validity = (await imap.OkAsync($"STATUS {target} (UIDVALIDITY)")).Single().Split(' ')[4].TrimEnd(')');
        await imap.OkAsync($"SELECT {source}");

        var move = await imap.OkAsync($"MOVE 4:5 {target}");
        var uidMove = await imap.OkAsync($"UID MOVE 1 {target}");
        var left = await imap.OkAsync("FETCH 1:* (UID)");

        // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGE responses.
        Assert.StartsWith($"* OK [COPYUID {validity} 4:5 1:2]", move[0], StringComparison.Ordinal);
        Assert.Equal([1u, 2u, 3u], Answers.AfterExpunges(move, 1, 2, 3, 4, 5));
        Assert.StartsWith($"* OK [COPYUID {validity} 1 3]", uidMove[0], StringComparison.Ordinal);
        Assert.Equal([2u, 3u], Answers.AfterExpunges(uidMove, 1, 2, 3));
        Assert.Equal(["* 1 FETCH (UID 2)", "* 2 FETCH (UID 3)"], left);
    }

    [Fact]
    public async Task A_copy_is_the_same_email_and_another_append_is_not()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var source = await imap.NewMailboxAsync("Src");
        var target = await imap.NewMailboxAsync("Dst");
        await imap.AppendAsync(source, Messages.Report);
        await imap.AppendAsync(source, Messages.Plain("another message"));
        await imap.OkAsync($"SELECT {source}");

        await imap.OkAsync($"COPY 1 {target}");
        var original = await imap.OkAsync("FETCH 1:2 (EMAILID)");
        await imap.OkAsync($"EXAMINE {target}");
        var copied = await imap.OkAsync("FETCH 1 (EMAILID)");

        Assert.Matches(@"^\* 1 FETCH \(EMAILID \([A-Za-z0-9_-]{1,255}\)\)$", original[0]);
        Assert.Equal(original[0], copied[0]);
        Assert.NotEqual(original[0][4..], original[1][4..]);
    }

    [Fact]
    public async Task Search_emailid_finds_every_message_of_that_email_in_either_case_and_none_for_an_unknown_id()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendAsync(box, Messages.Plain("first"));
        await imap.AppendAsync(box, Messages.Plain("second"));
        await imap.OkAsync($"SELECT {box}");
        await imap.OkAsync("COPY 2 " + box);
        var fetched = Assert.Single(await imap.OkAsync("FETCH 2 (EMAILID)"));
        var emailId = fetched[(fetched.IndexOf("EMAILID (", StringComparison.Ordinal) + 9)..^2];

        var found = await imap.OkAsync($"SEARCH EMAILID {emailId}");
        var upper = await imap.OkAsync($"UID SEARCH OR EMAILID {emailId.ToUpperInvariant()} UID 1");
        var unknown = await imap.OkAsync($"SEARCH EMAILID {Guid.NewGuid():N}");
        var notAGuid = await imap.OkAsync("SEARCH NOT EMAILID M6d99ac3275bb4e");

        // RFC 8474 §6: the copy is the same email (one document), so both of its messages match.
        Assert.Equal("* SEARCH 2 3", Assert.Single(found));
        Assert.Equal("* SEARCH 1 2 3", Assert.Single(upper));
        Assert.Equal("* SEARCH", Assert.Single(unknown));
        Assert.Equal("* SEARCH 1 2 3", Assert.Single(notAGuid));
    }

    [Fact]
    public async Task Expunge_removes_only_deleted_messages_and_uid_expunge_only_those_in_its_set()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendManyAsync(box, 6);
        await imap.OkAsync($"SELECT {box}");
        await imap.OkAsync("STORE 1:4 +FLAGS.SILENT (\\Deleted)");

        var uidExpunge = await imap.OkAsync("UID EXPUNGE 2:3,6");
        var afterUid = await imap.OkAsync("FETCH 1:* (UID)");
        var expunge = await imap.OkAsync("EXPUNGE");
        var afterAll = await imap.OkAsync("FETCH 1:* (UID)");
        var nothing = await imap.OkAsync("EXPUNGE");

        // UID 6 is in the set but not \Deleted; UIDs 1 and 4 are \Deleted but not in the set.
        Assert.Equal([1u, 4u, 5u, 6u], Answers.AfterExpunges(uidExpunge, 1, 2, 3, 4, 5, 6));
        Assert.Equal(["* 1 FETCH (UID 1)", "* 2 FETCH (UID 4)", "* 3 FETCH (UID 5)", "* 4 FETCH (UID 6)"], afterUid);
        Assert.Equal([5u, 6u], Answers.AfterExpunges(expunge, 1, 4, 5, 6));
        Assert.Equal(["* 1 FETCH (UID 5)", "* 2 FETCH (UID 6)"], afterAll);
        Assert.DoesNotContain(nothing, l => l.EndsWith(" EXPUNGE", StringComparison.Ordinal));
    }
}
