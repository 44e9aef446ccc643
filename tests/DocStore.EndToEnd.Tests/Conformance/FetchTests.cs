using Xunit;

namespace DocStore.EndToEnd.Tests.Conformance;

/// <summary>Every FETCH item of RFC 9051 §6.4.5 / §7.5.2, on a multipart message, word for word.</summary>
public sealed class FetchTests : IClassFixture<FreshServer>
{
    private const string Envelope =
        "ENVELOPE (\"Mon, 02 Mar 2026 09:30:00 +0100\" \"Quarterly report\" ((\"Alice Smith\" NIL \"alice\" \"example.com\")) " +
        "((\"Alice Smith\" NIL \"alice\" \"example.com\")) ((\"Alice Smith\" NIL \"alice\" \"example.com\")) " +
        "((\"Bob\" NIL \"bob\" \"example.com\")(NIL NIL \"carol\" \"example.org\")) ((\"Dave, Jr.\" NIL \"dave\" \"example.net\")) NIL " +
        "\"<q0@example.com>\" \"<q1@example.com>\")";

    private readonly FreshServer fixture;

    public FetchTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task Envelope_gives_every_address_field_with_from_standing_in_for_sender_and_reply_to()
    {
        await using var imap = await SelectReportAsync();

        var fetch = await imap.OkAsync("FETCH 1 (ENVELOPE)");

        Assert.Equal([$"* 1 FETCH ({Envelope})"], fetch);
    }

    [Fact]
    public async Task Bodystructure_of_a_multipart_message_has_both_parts_with_extension_data()
    {
        await using var imap = await SelectReportAsync();

        var structure = await imap.OkAsync("FETCH 1 (BODYSTRUCTURE)");
        var body = await imap.OkAsync("FETCH 1 (BODY)");

        Assert.Equal(
            ["* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 25 0 NIL NIL NIL NIL)" +
             "(\"application\" \"pdf\" (\"name\" \"r.pdf\") NIL NIL \"base64\" 12 NIL (\"attachment\" (\"filename\" \"r.pdf\")) NIL NIL)" +
             " \"mixed\" (\"boundary\" \"b1\") NIL NIL NIL))"],
            structure);
        Assert.Equal(
            ["* 1 FETCH (BODY ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 25 0)" +
             "(\"application\" \"pdf\" (\"name\" \"r.pdf\") NIL NIL \"base64\" 12) \"mixed\"))"],
            body);
    }

    [Fact]
    public async Task Mime_headers_of_parts_and_part_bodies_come_back_exactly()
    {
        await using var imap = await SelectReportAsync();

        var mime = Joined(await imap.OkAsync("FETCH 1 (BODY.PEEK[1.MIME] BODY.PEEK[2.MIME])"));
        var parts = Joined(await imap.OkAsync("FETCH 1 (BODY.PEEK[1] BODY.PEEK[2])"));

        Assert.Equal(
            "* 1 FETCH (BODY[1.MIME] {46}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n BODY[2.MIME] {133}\r\n" +
            "Content-Type: application/pdf; name=\"r.pdf\"\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\n)",
            mime);
        Assert.Equal("* 1 FETCH (BODY[1] {25}\r\nSee the attached figures. BODY[2] {12}\r\nJVBERi0xLjQK)", parts);
    }

    [Fact]
    public async Task Header_fields_not_leaves_out_the_named_fields_in_any_case()
    {
        await using var imap = await SelectReportAsync();

        var fetch = Joined(await imap.OkAsync(
            "FETCH 1 (BODY.PEEK[HEADER.FIELDS.NOT (to CC From Date Message-ID In-Reply-To MIME-Version Content-Type X-Empty)])"));
        var empty = Joined(await imap.OkAsync("FETCH 1 (BODY.PEEK[HEADER.FIELDS (X-Empty X-Absent)])"));

        Assert.Equal(
            "* 1 FETCH (BODY[HEADER.FIELDS.NOT (to CC From Date Message-ID In-Reply-To MIME-Version Content-Type X-Empty)] {29}\r\n" +
            "Subject: Quarterly report\r\n\r\n)",
            fetch);
        Assert.Equal("* 1 FETCH (BODY[HEADER.FIELDS (X-Empty X-Absent)] {12}\r\nX-Empty:\r\n\r\n)", empty);
    }

    [Fact]
    public async Task A_partial_past_the_end_is_cut_short_or_empty()
    {
        await using var imap = await SelectReportAsync();
        var size = Messages.Report.Length;

        var middle = Joined(await imap.OkAsync("FETCH 1 (BODY.PEEK[1]<10.1000>)"));
        var tail = Joined(await imap.OkAsync($"FETCH 1 (BODY.PEEK[]<{size - 5}.100>)"));
        var beyond = Joined(await imap.OkAsync("FETCH 1 (BODY.PEEK[]<5000.10>)"));

        Assert.Equal("* 1 FETCH (BODY[1]<10> {15}\r\ntached figures.)", middle);
        Assert.Equal($"* 1 FETCH (BODY[]<{size - 5}> {{5}}\r\n1--\r\n)", tail);
        Assert.Equal("* 1 FETCH (BODY[]<5000> {0}\r\n)", beyond);
    }

    [Fact]
    public async Task Body_sets_seen_and_says_so_but_body_peek_and_rfc822_header_do_not()
    {
        await using var imap = await SelectReportAsync();

        var peek = await imap.OkAsync("FETCH 1 (BODY.PEEK[])");
        var header = Joined(await imap.OkAsync("FETCH 1 (RFC822.HEADER)"));
        var flagsAfterPeek = await imap.OkAsync("FETCH 1 (FLAGS)");
        var body = await imap.OkAsync("FETCH 1 (BODY[TEXT])");
        var flagsAfterBody = await imap.OkAsync("FETCH 1 (FLAGS)");

        Assert.DoesNotContain(peek, l => l.Contains("FLAGS", StringComparison.Ordinal));
        Assert.StartsWith("* 1 FETCH (RFC822.HEADER {", header, StringComparison.Ordinal);
        Assert.EndsWith("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n)", header, StringComparison.Ordinal);
        Assert.Equal(["$Work", "\\Flagged"], Answers.FlagsOf(Assert.Single(flagsAfterPeek)));
        Assert.Equal(["$Work", "\\Flagged", "\\Seen"], Answers.FlagsOf(body[0]));
        Assert.Equal(["$Work", "\\Flagged", "\\Seen"], Answers.FlagsOf(Assert.Single(flagsAfterBody)));
    }

    [Fact]
    public async Task Rfc822_text_sets_seen_and_rfc822_is_the_whole_message()
    {
        await using var imap = await SelectReportAsync();

        var text = Joined(await imap.OkAsync("FETCH 1 (RFC822.TEXT)"));
        var whole = Joined(await imap.OkAsync("FETCH 1 (RFC822)"));

        Assert.StartsWith("* 1 FETCH (", text, StringComparison.Ordinal);
        Assert.Contains("\\Seen", text[..text.IndexOf("RFC822.TEXT", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.EndsWith("JVBERi0xLjQK\r\n--b1--\r\n)", text, StringComparison.Ordinal);
        Assert.Equal($"* 1 FETCH (RFC822 {{{Messages.Report.Length}}}\r\n{Messages.Report})", whole);
    }

    [Fact]
    public async Task All_fast_and_full_expand_to_their_items_with_the_appended_internal_date()
    {
        await using var imap = await SelectReportAsync();
        const string Fast = "FLAGS (\\Flagged $Work) INTERNALDATE \"02-Mar-2026 09:00:00 +0000\" RFC822.SIZE 575";

        var fast = await imap.OkAsync("FETCH 1 FAST");
        var all = await imap.OkAsync("FETCH 1 ALL");
        var full = await imap.OkAsync("FETCH 1 FULL");

        Assert.Equal([$"* 1 FETCH ({Fast})"], fast);
        Assert.Equal([$"* 1 FETCH ({Fast} {Envelope})"], all);
        Assert.StartsWith($"* 1 FETCH ({Fast} {Envelope} BODY ((\"text\"", full[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fetch_beyond_the_last_message_is_bad_and_uid_fetch_beyond_is_empty()
    {
        await using var imap = await SelectReportAsync();

        var sequence = ImapSession.Completion(await imap.RunAsync("FETCH 2 (FLAGS)"));
        var uid = await imap.OkAsync("UID FETCH 7:9 (FLAGS)");
        var star = await imap.OkAsync("UID FETCH 9:* (UID)");

        Assert.StartsWith("BAD ", sequence, StringComparison.Ordinal);
        Assert.Empty(uid);
        // RFC 9051 §6.4.9: "9:*" means 1:9 here, so the last message is returned.
        Assert.Equal(["* 1 FETCH (UID 1)"], star);
    }

    private static string Joined(List<string> lines) => string.Join("\r\n", lines);

    private async Task<ImapSession> SelectReportAsync()
    {
        var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync("Fetch");
        await imap.AppendAsync(box, Messages.Report, "(\\Flagged $Work) \"02-Mar-2026 09:00:00 +0000\"");
        await imap.OkAsync($"SELECT {box}");
        return imap;
    }
}
