using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>The console on its TLS port (<c>Http:TlsPort</c>), where an ordinary cookie jar keeps and sends the Secure cookie.</summary>
public sealed class ConsoleTlsTests : IAsyncLifetime
{
    private readonly ScratchDirectory directory = new("docstore-e2e-");
    private DocStoreProcess server = null!;
    private int httpsPort;

    public async Task InitializeAsync()
    {
        httpsPort = DocStoreProcess.FreePort();
        server = await DocStoreProcess.StartAsync(directory.Path, new Dictionary<string, string>(StringComparer.Ordinal) { ["Http:TlsPort"] = httpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        directory.Dispose();
    }

    [Fact]
    public async Task Over_https_the_cookie_jar_signs_in_and_out_with_the_token()
    {
        var jar = new CookieContainer();
        // Trust exactly the server's self-signed certificate, and check it like any other.
        using var certificate = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(server.DataDirectory, "tls", "server.pfx"), null);
        using var trusted = X509CertificateLoader.LoadCertificate(certificate.RawData);
        using var handler = new SocketsHttpHandler { CookieContainer = jar };
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(trusted);
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{httpsPort}/") };

        using var signIn = await http.PostAsJsonAsync("api/session", new { name = "admin", password = server.PrintedAdminPassword });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var token = (await signIn.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("csrfToken").GetString();
        var cookie = Assert.Single(jar.GetAllCookies());
        Assert.Equal("__Host-DocStore", cookie.Name);
        Assert.True(cookie.Secure);
        Assert.Contains("max-age", string.Join(",", signIn.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);

        using (var me = await http.GetAsync(new Uri("api/me", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }
        using var signOut = new HttpRequestMessage(HttpMethod.Delete, "api/session");
        signOut.Headers.Add("X-CSRF-Token", token);
        using (var response = await http.SendAsync(signOut))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        using var after = await http.GetAsync(new Uri("api/me", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
