using System.Net;
using System.Text;
using DocStore.Core.Auditing;
using Xunit;

namespace DocStore.Imap.Tests.Sessions;

/// <summary>The not-authenticated state (RFC 9051 §6.1, §6.2): greeting, capabilities, sign-in.</summary>
public sealed class PreAuthenticationTests
{
    private static readonly IPAddress Remote = IPAddress.Parse("192.0.2.10");

    [Fact]
    public async Task The_greeting_carries_the_capabilities()
    {
        await using var imap = new SessionHarness();

        var greeting = await imap.ReadLineAsync();

        Assert.StartsWith("* OK [CAPABILITY IMAP4rev1 ", greeting, StringComparison.Ordinal);
        Assert.Contains(" STARTTLS", greeting, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_connection_from_loopback_may_authenticate_by_default()
    {
        await using var imap = new SessionHarness();
        await imap.ReadLineAsync();

        var capability = await imap.CommandAsync("a1", "CAPABILITY");

        Assert.Equal(2, capability.Count);
        Assert.StartsWith("* CAPABILITY IMAP4rev1 ", capability[0], StringComparison.Ordinal);
        Assert.Contains(" AUTH=PLAIN", capability[0], StringComparison.Ordinal);
        Assert.Contains(" SASL-IR", capability[0], StringComparison.Ordinal);
        Assert.DoesNotContain("LOGINDISABLED", capability[0], StringComparison.Ordinal);
        Assert.Equal("a1 OK CAPABILITY completed", capability[1]);
    }

    [Fact]
    public async Task A_plain_connection_from_elsewhere_must_start_tls_first()
    {
        await using var imap = new SessionHarness(remote: Remote);
        await imap.ReadLineAsync();

        var capability = await imap.CommandAsync("a1", "CAPABILITY");
        var login = await imap.CommandAsync("a2", $"LOGIN alice \"{SessionHarness.Password}\"");
        var plain = await imap.CommandAsync("a3", "AUTHENTICATE PLAIN " + Plain("", "alice", SessionHarness.Password));

        Assert.Contains(" LOGINDISABLED", capability[0], StringComparison.Ordinal);
        Assert.DoesNotContain("AUTH=PLAIN", capability[0], StringComparison.Ordinal);
        Assert.StartsWith("a2 NO [PRIVACYREQUIRED] ", login[^1], StringComparison.Ordinal);
        Assert.StartsWith("a3 NO [PRIVACYREQUIRED] ", plain[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_loopback_exception_can_be_switched_off()
    {
        await using var imap = new SessionHarness(new ImapOptions { AllowInsecureAuthOnLoopback = false });
        await imap.ReadLineAsync();

        var login = await imap.CommandAsync("a1", $"LOGIN alice \"{SessionHarness.Password}\"");

        Assert.StartsWith("a1 NO [PRIVACYREQUIRED] ", login[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_tls_login_succeeds_and_the_answer_lists_the_new_capabilities()
    {
        await using var imap = new SessionHarness(remote: Remote, tls: true);
        await imap.ReadLineAsync();

        var login = await imap.CommandAsync("a1", $"LOGIN alice \"{SessionHarness.Password}\"");
        var again = await imap.CommandAsync("a2", $"LOGIN alice \"{SessionHarness.Password}\"");

        Assert.StartsWith("a1 OK [CAPABILITY IMAP4rev1 ", login[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("STARTTLS", login[^1], StringComparison.Ordinal);
        Assert.StartsWith("a2 BAD ", again[^1], StringComparison.Ordinal);
        Assert.Contains(imap.Audit.Records, r => string.Equals(r.Action, AuditActions.LoginSucceeded, StringComparison.Ordinal) && string.Equals(r.Actor.PrincipalName, "alice", StringComparison.Ordinal) && Remote.Equals(r.Actor.Address));
    }

    [Theory]
    [InlineData("alice", "wrong password")]
    [InlineData("mallory", SessionHarness.Password)]
    [InlineData("dora", SessionHarness.Password)]
    public async Task Wrong_password_unknown_user_and_disabled_account_get_the_same_answer(string user, string password)
    {
        await using var imap = new SessionHarness(tls: true);
        await imap.ReadLineAsync();

        var login = await imap.CommandAsync("a1", $"LOGIN {user} \"{password}\"");

        Assert.Equal("a1 NO [AUTHENTICATIONFAILED] Authentication failed.", login[^1]);
        Assert.Contains(imap.Audit.Records, r => string.Equals(r.Action, AuditActions.LoginFailed, StringComparison.Ordinal) && string.Equals(r.Actor.PrincipalName, user, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_password_sent_as_a_synchronizing_literal_is_accepted()
    {
        await using var imap = new SessionHarness(tls: true);
        await imap.ReadLineAsync();
        var password = Encoding.UTF8.GetByteCount(SessionHarness.Password);

        await imap.SendAsync($"a1 LOGIN alice {{{password}}}\r\n");
        var continuation = await imap.ReadLineAsync();
        await imap.SendAsync(SessionHarness.Password + "\r\n");
        var login = await imap.ReadUntilTaggedAsync("a1");

        Assert.StartsWith("+ ", continuation, StringComparison.Ordinal);
        Assert.StartsWith("a1 OK ", login[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_sent_as_a_non_synchronizing_literal_is_accepted()
    {
        await using var imap = new SessionHarness(tls: true);
        await imap.ReadLineAsync();

        var login = await imap.CommandAsync("a1", $"LOGIN {{5+}}\r\nalice {{{SessionHarness.Password.Length}+}}\r\n{SessionHarness.Password}");

        Assert.StartsWith("a1 OK ", login[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authenticate_plain_with_an_initial_response()
    {
        await using var imap = new SessionHarness(tls: true);
        await imap.ReadLineAsync();

        var login = await imap.CommandAsync("a1", "AUTHENTICATE PLAIN " + Plain("", "alice", SessionHarness.Password));

        Assert.StartsWith("a1 OK [CAPABILITY ", login[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authenticate_plain_after_a_continuation()
    {
        await using var imap = new SessionHarness(tls: true);
        await imap.ReadLineAsync();

        await imap.SendAsync("a1 AUTHENTICATE PLAIN\r\n");
        var continuation = await imap.ReadLineAsync();
        await imap.SendAsync(Plain("alice", "alice", SessionHarness.Password) + "\r\n");
        var login = await imap.ReadUntilTaggedAsync("a1");

        Assert.Equal("+ ", continuation);
        Assert.StartsWith("a1 OK ", login[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authenticate_can_be_cancelled_and_rejects_garbage()
    {
        await using var imap = new SessionHarness(tls: true);
        await imap.ReadLineAsync();

        await imap.SendAsync("a1 AUTHENTICATE PLAIN\r\n");
        await imap.ReadLineAsync();
        await imap.SendAsync("*\r\n");
        var cancelled = await imap.ReadUntilTaggedAsync("a1");
        var garbage = await imap.CommandAsync("a2", "AUTHENTICATE PLAIN !!notbase64!!");
        var noSeparators = await imap.CommandAsync("a3", "AUTHENTICATE PLAIN " + Convert.ToBase64String("alice"u8.ToArray()));
        var otherIdentity = await imap.CommandAsync("a4", "AUTHENTICATE PLAIN " + Plain("bob", "alice", SessionHarness.Password));
        var unknown = await imap.CommandAsync("a5", "AUTHENTICATE CRAM-MD5");

        Assert.StartsWith("a1 BAD ", cancelled[^1], StringComparison.Ordinal);
        Assert.StartsWith("a2 BAD ", garbage[^1], StringComparison.Ordinal);
        Assert.StartsWith("a3 BAD ", noSeparators[^1], StringComparison.Ordinal);
        Assert.StartsWith("a4 NO [AUTHORIZATIONFAILED] ", otherIdentity[^1], StringComparison.Ordinal);
        Assert.StartsWith("a5 NO ", unknown[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Id_answers_with_the_server_identity_and_is_remembered_for_the_audit()
    {
        await using var imap = new SessionHarness(tls: true);
        await imap.ReadLineAsync();

        var id = await imap.CommandAsync("a1", "ID (\"name\" \"Thunderbird\" \"version\" \"128.0\")");
        await imap.CommandAsync("a2", $"LOGIN alice \"{SessionHarness.Password}\"");

        Assert.StartsWith("* ID (\"name\" \"DocStore\"", id[0], StringComparison.Ordinal);
        Assert.Equal("a1 OK ID completed", id[^1]);
        Assert.Contains(imap.Audit.Records, r => string.Equals(r.Action, AuditActions.LoginSucceeded, StringComparison.Ordinal) && r.Actor.Client != null && r.Actor.Client.Contains("Thunderbird", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Noop_and_logout()
    {
        await using var imap = new SessionHarness();
        await imap.ReadLineAsync();

        var noop = await imap.CommandAsync("a1", "NOOP");
        var logout = await imap.CommandAsync("a2", "LOGOUT");

        Assert.Equal(["a1 OK NOOP completed"], noop);
        Assert.StartsWith("* BYE ", logout[0], StringComparison.Ordinal);
        Assert.Equal("a2 OK LOGOUT completed", logout[1]);
        Assert.Null(await imap.ReadLineAsync());
    }

    private static string Plain(string authorize, string user, string password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{authorize}\0{user}\0{password}"));
}
