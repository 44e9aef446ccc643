using System.Net;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>The console's sign-in, cookie, anti-forgery and headers, against the real server.</summary>
public sealed class ConsoleSessionTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public ConsoleSessionTests(FreshServer fixture) => this.fixture = fixture;

    private int Port => fixture.Server.HttpPort;

    [Fact]
    public async Task Sign_in_sets_a_host_only_secure_http_only_strict_cookie_and_gives_a_token()
    {
        using var client = new ConsoleApiClient(Port);

        var setCookie = await client.SignInAsync("admin", fixture.AdminPassword);

        Assert.StartsWith("__Host-DocStore=", setCookie, StringComparison.Ordinal);
        var attributes = setCookie.Split(';').Skip(1).Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.Contains("path=/", attributes);
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain=", StringComparison.Ordinal));
        Assert.False(string.IsNullOrEmpty(client.CsrfToken));

        var session = await client.GetAsync("api/session");
        Assert.Equal("admin", session.GetProperty("name").GetString());
        Assert.True(session.GetProperty("isAdmin").GetBoolean());
        Assert.Equal(client.CsrfToken, session.GetProperty("csrfToken").GetString());
    }

    [Fact]
    public async Task A_change_with_the_cookie_but_without_the_right_token_is_refused()
    {
        using var client = new ConsoleApiClient(Port);
        await client.SignInAsync("admin", fixture.AdminPassword);
        var token = client.CsrfToken;

        client.CsrfToken = null;
        var missing = await client.ProblemAsync(HttpMethod.Post, "api/users", new { name = "forged1", password = "forged-password" });
        client.CsrfToken = token + "x";
        var wrong = await client.ProblemAsync(HttpMethod.Post, "api/users", new { name = "forged2", password = "forged-password" });
        client.CsrfToken = token;
        await client.JsonAsync(HttpMethod.Post, "api/users", new { name = "genuine", password = "genuine-password" }, HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.Forbidden, missing.Status);
        Assert.Contains("anti-forgery token", missing.Detail, StringComparison.Ordinal);
        Assert.Equal("application/problem+json", missing.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.Status);
        var names = (await client.GetAsync("api/users")).EnumerateArray().Select(u => u.GetProperty("name").GetString()).ToList();
        Assert.Contains("genuine", names);
        Assert.DoesNotContain("forged1", names);
        Assert.DoesNotContain("forged2", names);
    }

    [Fact]
    public async Task A_request_from_another_site_is_refused_even_with_the_token()
    {
        using var client = new ConsoleApiClient(Port);
        await client.SignInAsync("admin", fixture.AdminPassword);

        using var response = await client.SendAsync(HttpMethod.Post, "api/users", new { name = "crosssite", password = "cross-site-pw" },
            new Dictionary<string, string>(StringComparer.Ordinal) { ["Origin"] = "https://evil.example" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("another site", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_authenticated_changes_need_no_token()
    {
        using var client = ConsoleApiClient.WithBasic(Port, "admin", fixture.AdminPassword);

        var user = await client.JsonAsync(HttpMethod.Post, "api/users", new { name = "scripted", password = "scripted-password" }, HttpStatusCode.Created);

        Assert.Equal("scripted", user.GetProperty("name").GetString());
        Assert.Equal(JsonValueKindNull, (await client.GetAsync("api/session")).GetProperty("csrfToken").ValueKind);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_on_the_server_so_the_old_cookie_is_refused()
    {
        using var client = new ConsoleApiClient(Port);
        await client.SignInAsync("admin", fixture.AdminPassword);
        var cookie = client.Cookie;

        using (var signOut = await client.SendAsync(HttpMethod.Delete, "api/session"))
        {
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        }
        client.Cookie = cookie;
        var (status, _, _) = await client.ProblemAsync(HttpMethod.Get, "api/session");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task Disabling_a_user_ends_their_console_session_at_once()
    {
        using var admin = ConsoleApiClient.WithBasic(Port, "admin", fixture.AdminPassword);
        await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "dora", password = "dora-password" }, HttpStatusCode.Created);
        using var dora = new ConsoleApiClient(Port);
        await dora.SignInAsync("dora", "dora-password");
        Assert.Equal("dora", (await dora.GetAsync("api/session")).GetProperty("name").GetString());

        await admin.JsonAsync(HttpMethod.Patch, "api/users/dora", new { disabled = true });

        Assert.Equal(HttpStatusCode.Unauthorized, (await dora.ProblemAsync(HttpMethod.Get, "api/session")).Status);
    }

    [Fact]
    public async Task A_wrong_password_and_a_body_that_is_not_json_get_problems_that_say_what_to_do()
    {
        using var client = new ConsoleApiClient(Port);

        var wrong = await client.ProblemAsync(HttpMethod.Post, "api/session", new { name = "admin", password = "wrong" });
        using var http = new HttpClient();
        using var notJson = await http.PostAsync(new Uri($"http://127.0.0.1:{Port}/api/session"), new StringContent("name=admin&password=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Contains("Wrong user name or password", wrong.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Contains("application/json", await notJson.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The console's sign-in is IMAP's: the same check, the same audit line (and the same throttle).
        using var admin = ConsoleApiClient.WithBasic(Port, "admin", fixture.AdminPassword);
        var failures = (await admin.GetAsync("api/audit?action=login-failed&user=admin")).GetProperty("items").EnumerateArray();
        Assert.Contains(failures, f => f.GetProperty("address").GetString() == "127.0.0.1");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/js/app.js")]
    [InlineData("/api/me")]
    [InlineData("/health")]
    [InlineData("/api/no-such-route")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        using var client = new ConsoleApiClient(Port);

        using var response = await client.SendAsync(HttpMethod.Get, path.TrimStart('/'));

        var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task The_front_end_has_no_inline_script_or_style()
    {
        using var client = new ConsoleApiClient(Port);

        using var response = await client.SendAsync(HttpMethod.Get, "");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<script type=\"module\" src=\"js/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<style", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
        Assert.Equal(1, html.Split("<script").Length - 1);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
