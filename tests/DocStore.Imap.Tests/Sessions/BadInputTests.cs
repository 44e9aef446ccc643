using Xunit;

namespace DocStore.Imap.Tests.Sessions;

/// <summary>Malformed input gets a BAD with a reason; limits hold below, at and above; the session survives.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("a1 FROB", "a1 BAD ")]
    [InlineData("a1 SELECT INBOX", "a1 BAD ")]
    [InlineData("a1 LOGIN alice", "a1 BAD ")]
    [InlineData("a1 LOGIN alice pw extra", "a1 BAD ")]
    [InlineData("a1 LOGIN (alice) pw", "a1 BAD ")]
    [InlineData("a1 NOOP extra", "a1 BAD ")]
    [InlineData("a1 AUTHENTICATE", "a1 BAD ")]
    [InlineData("a1 ID (\"name\")", "a1 BAD ")]
    [InlineData("a1 LOGIN \"unterminated", "a1 BAD ")]
    [InlineData("a1 STARTTLS now", "a1 BAD ")]
    public async Task Each_malformed_or_misplaced_command_gets_a_tagged_bad(string line, string expected)
    {
        await using var imap = new SessionHarness();
        await imap.ReadLineAsync();

        await imap.SendAsync(line + "\r\n");
        var answer = await imap.ReadUntilTaggedAsync("a1");
        var after = await imap.CommandAsync("a2", "NOOP");

        Assert.StartsWith(expected, answer[^1], StringComparison.Ordinal);
        Assert.True(answer[^1].Length > expected.Length + 3, "a BAD says why: " + answer[^1]);
        Assert.Equal("a2 OK NOOP completed", after[^1]);
    }

    [Fact]
    public async Task A_line_without_a_tag_gets_an_untagged_bad()
    {
        await using var imap = new SessionHarness();
        await imap.ReadLineAsync();

        // An empty line is skipped (as Cyrus does); a line that cannot start with a tag is not.
        await imap.SendAsync("\r\n(LOGIN\r\n");
        var answer = await imap.ReadLineAsync();

        Assert.StartsWith("* BAD ", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_bad_commands_end_the_session_with_bye()
    {
        var options = new ImapOptions { MaxBadCommands = 3 };
        await using var imap = new SessionHarness(options);
        await imap.ReadLineAsync();

        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await imap.SendAsync($"b{i} FROB\r\n");
        }
        while (await imap.ReadLineAsync() is { } line)
        {
            answers.Add(line);
        }

        Assert.Equal(3, answers.Count(a => a.Contains(" BAD ", StringComparison.Ordinal)));
        Assert.StartsWith("* BYE ", answers[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-2, true)]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public async Task The_pre_login_line_limit_holds_below_at_and_above(int overBy, bool accepted)
    {
        await using var imap = new SessionHarness(tls: true);
        await imap.ReadLineAsync();
        // "a1 LOGIN alice " + quoted password + CRLF is exactly the limit when overBy is 0.
        var fixedPart = "a1 LOGIN alice \"\"\r\n".Length;
        var password = new string('p', imap.Options.PreLoginLineLimit - fixedPart + overBy);

        await imap.SendAsync($"a1 LOGIN alice \"{password}\"\r\n");
        var answer = await imap.ReadUntilTaggedAsync("a1");
        var after = await imap.CommandAsync("a2", "NOOP");

        if (accepted)
        {
            Assert.StartsWith("a1 NO [AUTHENTICATIONFAILED]", answer[^1], StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith("a1 BAD ", answer[^1], StringComparison.Ordinal);
        }
        Assert.Equal("a2 OK NOOP completed", after[^1]);
    }

    [Fact]
    public async Task A_literal_larger_than_the_line_limit_is_refused_before_the_client_sends_it()
    {
        await using var imap = new SessionHarness(tls: true);
        await imap.ReadLineAsync();

        await imap.SendAsync("a1 LOGIN alice {100000}\r\n");
        var answer = await imap.ReadUntilTaggedAsync("a1");
        var after = await imap.CommandAsync("a2", "NOOP");

        Assert.StartsWith("a1 BAD ", answer[^1], StringComparison.Ordinal);
        Assert.Equal("a2 OK NOOP completed", after[^1]);
    }

    [Fact]
    public async Task Nul_bytes_and_8bit_garbage_get_bad()
    {
        await using var imap = new SessionHarness();
        await imap.ReadLineAsync();

        await imap.SendBytesAsync([.. "a1 NOOP"u8, 0, .. "\r\n"u8]);
        var nul = await imap.ReadUntilTaggedAsync("a1");
        await imap.SendBytesAsync([.. "a2 LOG"u8, 0xC3, 0x28, .. "IN x y\r\n"u8]);
        var garbage = await imap.ReadUntilTaggedAsync("a2");

        Assert.StartsWith("a1 BAD ", nul[^1], StringComparison.Ordinal);
        Assert.StartsWith("a2 BAD ", garbage[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_client_is_logged_out_before_login()
    {
        await using var imap = new SessionHarness(new ImapOptions { PreLoginTimeout = TimeSpan.FromMilliseconds(300) });
        await imap.ReadLineAsync();

        var bye = await imap.ReadLineAsync();

        Assert.StartsWith("* BYE ", bye, StringComparison.Ordinal);
        Assert.Null(await imap.ReadLineAsync());
    }

    [Fact]
    public async Task An_idle_client_is_logged_out_after_login_too()
    {
        await using var imap = new SessionHarness(new ImapOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) }, tls: true);
        await imap.ReadLineAsync();
        await imap.CommandAsync("a1", $"LOGIN alice \"{SessionHarness.Password}\"");

        var bye = await imap.ReadLineAsync();

        Assert.StartsWith("* BYE ", bye, StringComparison.Ordinal);
        Assert.Null(await imap.ReadLineAsync());
    }

    [Fact]
    public async Task Starttls_is_refused_once_the_connection_is_encrypted()
    {
        await using var imap = new SessionHarness(tls: true);
        await imap.ReadLineAsync();

        var answer = await imap.CommandAsync("a1", "STARTTLS");

        Assert.StartsWith("a1 BAD ", answer[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipelined_commands_are_answered_in_order()
    {
        await using var imap = new SessionHarness();
        await imap.ReadLineAsync();

        await imap.SendAsync("p1 NOOP\r\np2 CAPABILITY\r\np3 NOOP\r\n");
        var lines = await imap.ReadUntilTaggedAsync("p3");

        Assert.Equal(["p1 OK NOOP completed", "p2 OK CAPABILITY completed", "p3 OK NOOP completed"], lines.Where(l => !l.StartsWith('*')), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Pipelined_answers_go_out_in_one_write_and_a_lone_command_is_answered_at_once()
    {
        await using var imap = new SessionHarness();
        await imap.ReadLineAsync();
        var before = imap.Flushes;

        // Sent in one write: the server has all three lines when it answers the first.
        await imap.SendAsync("p1 NOOP\r\np2 CAPABILITY\r\np3 NOOP\r\n");
        await imap.ReadUntilTaggedAsync("p3");
        Assert.Equal(before + 1, imap.Flushes);

        // A whole line and half of the next: the first is answered without waiting for the rest.
        await imap.SendAsync("p4 NOOP\r\np5 NO");
        Assert.Equal("p4 OK NOOP completed", (await imap.ReadUntilTaggedAsync("p4"))[^1]);
        await imap.SendAsync("OP\r\n");
        Assert.Equal("p5 OK NOOP completed", (await imap.ReadUntilTaggedAsync("p5"))[^1]);
    }
}
