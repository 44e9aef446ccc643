using Xunit;

namespace DocStore.EndToEnd.Tests.Conformance;

/// <summary>
/// RFC 9051 §7.1.5: a command the server cannot parse gets a tagged BAD, with text that says why,
/// and the connection stays usable. Each row runs in a session of its own with the corpus selected.
/// </summary>
public sealed class MalformedCommandTests : IClassFixture<SearchCorpus>
{
    private readonly SearchCorpus corpus;

    public MalformedCommandTests(SearchCorpus corpus) => this.corpus = corpus;

    [Theory]
    [InlineData("BOGUS")]
    [InlineData("UID")]
    [InlineData("UID BOGUS 1")]
    [InlineData("NOOP extra")]
    [InlineData("CHECK extra")]
    [InlineData("EXPUNGE now")]
    [InlineData("NAMESPACE extra")]
    [InlineData("IDLE extra")]
    [InlineData("UNSELECT extra")]
    [InlineData("CLOSE extra")]
    [InlineData("ENABLE IMAP4rev2")]
    [InlineData("SELECT")]
    [InlineData("SELECT Corpus extra")]
    [InlineData("EXAMINE")]
    [InlineData("CREATE")]
    [InlineData("DELETE")]
    [InlineData("RENAME Corpus")]
    [InlineData("SUBSCRIBE")]
    [InlineData("LSUB")]
    [InlineData("LIST \"\"")]
    [InlineData("STATUS Corpus")]
    [InlineData("STATUS Corpus ()")]
    [InlineData("STATUS Corpus (BOGUS)")]
    [InlineData("APPEND")]
    [InlineData("APPEND Corpus (\\Seen) \"not a date\" {3+}\r\nabc")]
    [InlineData("APPEND Corpus () \"32-Jan-2026 10:00:00 +0000\" {3+}\r\nabc")]
    [InlineData("FETCH")]
    [InlineData("FETCH 1")]
    [InlineData("FETCH 0 FLAGS")]
    [InlineData("FETCH 1:x FLAGS")]
    [InlineData("FETCH 1 (FLAGS")]
    [InlineData("FETCH 1 BOGUS")]
    [InlineData("FETCH 1 FLAGS extra")]
    [InlineData("FETCH 1 BODY[HEADER.FIELDS]")]
    [InlineData("FETCH 1 BODY[TEXTX]")]
    [InlineData("FETCH 1 BODY[0]")]
    [InlineData("FETCH 1 BODY[1.0]")]
    [InlineData("FETCH 1 BODY[]<a.b>")]
    [InlineData("FETCH 1 BODY[]<0.0>")]
    [InlineData("FETCH 9 FLAGS")]
    [InlineData("UID FETCH 1")]
    [InlineData("STORE 1 FLAGS")]
    [InlineData("STORE 1 +FLAGZ (\\Seen)")]
    [InlineData("STORE 1 +FLAGS (\\Seen")]
    [InlineData("STORE 1 +FLAGS (\\Seen) extra")]
    [InlineData("STORE 1 +FLAGS (\\Recent)")]
    [InlineData("COPY")]
    [InlineData("COPY 1")]
    [InlineData("COPY 1 \"unterminated")]
    [InlineData("MOVE 1")]
    [InlineData("UID EXPUNGE")]
    [InlineData("UID EXPUNGE x")]
    [InlineData("SEARCH")]
    [InlineData("SEARCH BOGUS")]
    [InlineData("SEARCH BEFORE 32-Jan-2026")]
    [InlineData("SEARCH BEFORE 2026-01-01")]
    [InlineData("SEARCH SENTON x")]
    [InlineData("SEARCH LARGER x")]
    [InlineData("SEARCH YOUNGER 0")]
    [InlineData("SEARCH YOUNGER x")]
    [InlineData("SEARCH OR SEEN")]
    [InlineData("SEARCH NOT")]
    [InlineData("SEARCH (SEEN")]
    [InlineData("SEARCH UID x")]
    [InlineData("SEARCH HEADER")]
    [InlineData("SEARCH KEYWORD")]
    [InlineData("SEARCH CHARSET")]
    [InlineData("SEARCH 1:2:3")]
    [InlineData("SEARCH RETURN (MIN ALL")]
    [InlineData("SEARCH RETURN (BOGUS) ALL")]
    public async Task A_malformed_command_is_answered_bad_with_a_reason_and_the_session_goes_on(string command)
    {
        await using var imap = await ImapSession.SignInAsync(corpus.Fixture);
        await imap.OkAsync($"SELECT {SearchCorpus.Mailbox}");

        var answer = await imap.RunAsync(command);
        var completion = ImapSession.Completion(answer);
        var noop = await imap.RunAsync("NOOP");
        var count = await imap.OkAsync("SEARCH ALL");

        Assert.StartsWith("BAD ", completion, StringComparison.Ordinal);
        Assert.True(completion.Trim().Length > "BAD ".Length + 5, $"no reason given: {completion}");
        Assert.DoesNotContain(answer, l => l.StartsWith("* BYE", StringComparison.Ordinal));
        Assert.StartsWith("OK", ImapSession.Completion(noop), StringComparison.Ordinal);
        Assert.Equal(["* SEARCH 1 2 3 4"], count);
    }

    [Fact]
    public async Task Commands_that_need_a_selected_mailbox_are_bad_without_one()
    {
        await using var imap = await ImapSession.SignInAsync(corpus.Fixture);
        string[] commands = ["FETCH 1 FLAGS", "STORE 1 +FLAGS (\\Seen)", "SEARCH ALL", "COPY 1 Corpus", "MOVE 1 Corpus", "EXPUNGE", "UID EXPUNGE 1", "CLOSE", "UNSELECT"];

        var answers = new List<string>();
        foreach (var command in commands)
        {
            answers.Add(ImapSession.Completion(await imap.RunAsync(command)));
        }

        Assert.All(answers, a => Assert.StartsWith("BAD ", a, StringComparison.Ordinal));
    }
}
