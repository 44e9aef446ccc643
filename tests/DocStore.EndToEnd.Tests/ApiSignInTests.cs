using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>HTTP Basic on the API: the same accounts, answers and throttle as IMAP LOGIN.</summary>
public sealed class ApiSignInTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public ApiSignInTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task Basic_credentials_name_the_signed_in_user()
    {
        using var http = Client("admin", fixture.AdminPassword);

        using var response = await http.GetAsync(Me());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("admin", me.RootElement.GetProperty("name").GetString());
        Assert.True(me.RootElement.GetProperty("isAdmin").GetBoolean());
    }

    [Fact]
    public async Task A_script_calling_with_basic_credentials_leaves_one_login_line_not_one_per_request()
    {
        using var admin = Client("admin", fixture.AdminPassword);
        using (var created = await admin.PostAsync($"http://127.0.0.1:{fixture.Server.HttpPort}/api/users",
            new StringContent("{\"name\":\"scripted\",\"password\":\"scripted-password\"}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        using var script = Client("scripted", "scripted-password");
        for (var i = 0; i < 5; i++)
        {
            using var response = await script.GetAsync(Me());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using (var wrong = Client("scripted", "not-the-password"))
        using (var refused = await wrong.GetAsync(Me()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var trail = JsonDocument.Parse(await admin.GetStringAsync($"http://127.0.0.1:{fixture.Server.HttpPort}/api/audit?user=scripted&limit=100"));
        var actions = trail.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(1, actions.Count(a => a == "login"));
        Assert.Equal(1, actions.Count(a => a == "login-failed"));
    }

    [Fact]
    public async Task No_credentials_get_a_401_problem_with_a_basic_challenge()
    {
        using var http = new HttpClient();

        using var response = await http.GetAsync(Me());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        Assert.Contains("Sign in", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_browser_gets_no_basic_challenge()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        using var response = await http.GetAsync(Me());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Theory]
    [InlineData("admin", "wrong password")]
    [InlineData("nobody", "whatever")]
    public async Task Wrong_credentials_are_refused_alike(string name, string password)
    {
        using var http = Client(name, password);

        using var response = await http.GetAsync(Me());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Credentials_that_are_not_base64_get_a_401_not_an_error()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "%%%not-base64");

        using var response = await http.GetAsync(Me());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private Uri Me() => new($"http://127.0.0.1:{fixture.Server.HttpPort}/api/me");

    private static HttpClient Client(string name, string password)
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{name}:{password}")));
        return http;
    }
}
