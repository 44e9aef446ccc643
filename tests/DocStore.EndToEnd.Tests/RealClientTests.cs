using DocStore.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>Python's imaplib and curl against the real server: clients DocStore did not write.</summary>
public sealed class RealClientTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public RealClientTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task Pythons_imaplib_files_finds_flags_and_expunges_a_message()
    {
        var folder = "Py" + Guid.NewGuid().ToString("N")[..8];
        var script = $$"""
            import imaplib, ssl, sys
            c = imaplib.IMAP4_SSL('127.0.0.1', {{fixture.Server.TlsPort}}, ssl_context=ssl._create_unverified_context())
            c.login('admin', sys.stdin.readline().strip())
            assert c.create('{{folder}}')[0] == 'OK'
            msg = b'From: py@example.com\r\nSubject: filed by python\r\n\r\nhello from imaplib\r\n'
            typ, data = c.append('{{folder}}', '(\\Flagged)', None, msg)
            assert typ == 'OK', data
            typ, data = c.select('{{folder}}')
            assert data[0] == b'1', data
            typ, data = c.search(None, 'SUBJECT', '"by python"')
            assert data[0] == b'1', data
            typ, data = c.fetch('1', '(BODY.PEEK[])')
            assert data[0][1] == msg, data
            typ, data = c.store('1', '+FLAGS', '(\\Deleted)')
            assert b'\\Deleted' in data[0], data
            typ, data = c.expunge()
            assert data[0] == b'1', data
            typ, data = c.select('{{folder}}')
            assert data[0] == b'0', data
            c.logout()
            print('ALL OK')
            """;

        var (exitCode, output) = await ExternalTool.RunAsync("python3", ["-c", script], fixture.AdminPassword + "\n");

        Assert.True(exitCode == 0, output);
        Assert.Contains("ALL OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_lists_mailboxes_and_fetches_a_message_by_uid()
    {
        var folder = "Curl" + Guid.NewGuid().ToString("N")[..8];
        var message = "From: curl@example.com\r\nSubject: fetched by curl\r\n\r\nbody for curl\r\n";
        await using (var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort))
        {
            await imap.CommandAsync("a1", $"LOGIN admin \"{fixture.AdminPassword}\"");
            await imap.CommandAsync("a2", $"CREATE {folder}");
            await imap.CommandAsync("a3", $"APPEND {folder} {{{message.Length}+}}\r\n{message}");
        }
        var url = $"imaps://127.0.0.1:{fixture.Server.TlsPort}/";
        string[] common = ["--silent", "--show-error", "--insecure", "--user", $"admin:{fixture.AdminPassword}"];

        var list = await ExternalTool.RunAsync("curl", [.. common, url]);
        var fetch = await ExternalTool.RunAsync("curl", [.. common, $"{url}{folder};UID=1"]);

        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Contains(folder, list.Output, StringComparison.Ordinal);
        Assert.True(fetch.ExitCode == 0, fetch.Output);
        Assert.Equal(message, fetch.Output);
    }
}
