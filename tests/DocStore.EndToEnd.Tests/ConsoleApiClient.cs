using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace DocStore.EndToEnd.Tests;

/// <summary>
/// An HTTP client for the console's API that handles the session cookie itself: .NET's cookie
/// container keeps Secure cookies away from http://, which browsers allow on loopback, so the
/// tests carry the cookie by hand exactly as Chromium does.
/// </summary>
public sealed class ConsoleApiClient : IDisposable
{
    private readonly HttpClient http;

    public ConsoleApiClient(int port)
    {
        http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public Uri BaseAddress => http.BaseAddress!;

    public string? Cookie { get; set; }

    public string? CsrfToken { get; set; }

    public AuthenticationHeaderValue? Basic { get; private set; }

    public static ConsoleApiClient WithBasic(int port, string name, string password)
    {
        var client = new ConsoleApiClient(port);
        client.Basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{name}:{password}")));
        return client;
    }

    /// <summary>Signs in; returns the raw Set-Cookie header.</summary>
    public async Task<string> SignInAsync(string name, string password)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/session", new { name, password });
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"sign-in answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        var setCookie = response.Headers.GetValues("Set-Cookie").Single();
        Cookie = setCookie.Split(';')[0];
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        CsrfToken = body.RootElement.GetProperty("csrfToken").GetString();
        return setCookie;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (Cookie is not null)
        {
            request.Headers.Add("Cookie", Cookie);
        }
        if (CsrfToken is not null && method != HttpMethod.Get)
        {
            request.Headers.Add("X-CSRF-Token", CsrfToken);
        }
        request.Headers.Authorization = Basic;
        foreach (var (key, value) in headers ?? new Dictionary<string, string>(StringComparer.Ordinal))
        {
            request.Headers.TryAddWithoutValidation(key, value);
        }
        return await http.SendAsync(request);
    }

    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await SendAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}, expected {(int)expected}: {text}");
        }
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<JsonElement> GetAsync(string path) => JsonAsync(HttpMethod.Get, path);

    /// <summary>The status and problem detail of a refused request.</summary>
    public async Task<(HttpStatusCode Status, string Detail, string? MediaType)> ProblemAsync(HttpMethod method, string path, object? body = null)
    {
        using var response = await SendAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        var detail = text.Length > 0 && JsonDocument.Parse(text).RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        return (response.StatusCode, detail, response.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => http.Dispose();
}
