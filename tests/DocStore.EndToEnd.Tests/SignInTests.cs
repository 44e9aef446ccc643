using System.Net;
using System.Text.Json;
using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>One fresh DocStore (embedded PostgreSQL, first start) shared by the sign-in tests.</summary>
public sealed class FreshServer : IAsyncLifetime
{
    private readonly ScratchDirectory directory = new("docstore-e2e-");

    public DocStoreProcess Server { get; private set; } = null!;

    public string AdminPassword { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await DocStoreProcess.StartAsync(directory.Path);
        AdminPassword = Server.PrintedAdminPassword ?? throw new InvalidOperationException($"no admin password printed:\n{Server.Output}");
    }

    public async Task DisposeAsync()
    {
        try
        {
            await DocStoreProcess.CheckAsync(directory.Path);
        }
        finally
        {
            await Server.DisposeAsync();
            directory.Dispose();
        }
    }
}

public sealed class SignInTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public SignInTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task The_printed_admin_password_signs_in_over_imaps()
    {
        using var client = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);

        await client.AuthenticateAsync("admin", fixture.AdminPassword);

        Assert.True(client.IsAuthenticated);
        Assert.True(client.IsSecure);
        await client.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task Starttls_on_the_plain_port_then_login_works()
    {
        using var client = await ImapClients.ConnectAsync(fixture.Server.ImapPort, SecureSocketOptions.StartTls);
        // LOGIN rather than AUTHENTICATE PLAIN: both must work.
        client.AuthenticationMechanisms.Clear();

        await client.AuthenticateAsync("admin", fixture.AdminPassword);

        Assert.True(client.IsSecure);
        Assert.True(client.IsAuthenticated);
        Assert.DoesNotContain("STARTTLS", client.Capabilities.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_the_connection_stays_usable()
    {
        using var client = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);

        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("admin", "not the password"));
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("nobody-here", "whatever"));
        await client.AuthenticateAsync("admin", fixture.AdminPassword);

        Assert.True(client.IsAuthenticated);
    }

    [Fact]
    public async Task A_plain_loopback_connection_may_sign_in_by_default()
    {
        using var client = await ImapClients.ConnectAsync(fixture.Server.ImapPort, SecureSocketOptions.None);

        Assert.False(client.Capabilities.HasFlag(ImapCapabilities.LoginDisabled));
        Assert.Contains("PLAIN", client.AuthenticationMechanisms);
        await client.AuthenticateAsync("admin", fixture.AdminPassword);
        Assert.True(client.IsAuthenticated);
    }

    [Fact]
    public async Task Health_reports_the_database_and_both_imap_listeners()
    {
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{fixture.Server.HttpPort}/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", health.RootElement.GetProperty("status").GetString());
        var checks = health.RootElement.GetProperty("checks");
        Assert.True(checks.GetProperty("database").GetProperty("healthy").GetBoolean());
        Assert.Contains($":{fixture.Server.TlsPort}", checks.GetProperty("imap").GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains($":{fixture.Server.ImapPort}", checks.GetProperty("imap").GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pythons_imaplib_signs_in_over_imaps()
    {
        var script = $"""
            import imaplib, ssl, sys
            c = imaplib.IMAP4_SSL('127.0.0.1', {fixture.Server.TlsPort}, ssl_context=ssl._create_unverified_context())
            typ, data = c.login('admin', sys.stdin.readline().strip())
            print(typ, data[0].decode())
            c.logout()
            """;
        var (exitCode, output) = await ExternalTool.RunAsync("python3", ["-c", script], fixture.AdminPassword + "\n");

        Assert.True(exitCode == 0, output);
        Assert.StartsWith("OK", output, StringComparison.Ordinal);
    }
}
