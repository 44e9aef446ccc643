using System.Text;
using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>
/// mbsync (isync) syncs a Maildir of about 100 messages in 3 folders up to DocStore and down
/// into an empty Maildir: every message comes back byte for byte, and a second sync changes nothing.
/// </summary>
public sealed class MbsyncTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public MbsyncTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task A_maildir_goes_up_and_comes_back_byte_identical()
    {
        using var work = new ScratchDirectory("docstore-e2e-");
        var upload = Path.Combine(work.Path, "up");
        var download = Path.Combine(work.Path, "down");
        var folders = new[] { "INBOX", "Sync-Projects", "Sync-Projects/Alpha" };
        var written = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
        var number = 0;
        foreach (var folder in folders)
        {
            written[folder] = [];
            for (var i = 0; i < 34; i++, number++)
            {
                var bytes = Generate(number);
                written[folder].Add(bytes);
                await Maildir.WriteAsync(upload, folder, $"{1700000000 + number}.{number}_1.test:2,{(i % 3 == 0 ? "S" : "")}", bytes);
            }
        }
        var certificate = Path.Combine(work.Path, "server.pem");
        await fixture.Server.ExportCertificatePemAsync(certificate);

        var up = await SyncAsync(work.Path, "up", upload, certificate);
        var down = await SyncAsync(work.Path, "down", download, certificate);
        var before = Snapshot(download);
        var again = await SyncAsync(work.Path, "down", download, certificate);

        Assert.True(up.ExitCode == 0, up.Output);
        Assert.True(down.ExitCode == 0, down.Output);
        Assert.True(again.ExitCode == 0, again.Output);
        foreach (var folder in folders)
        {
            var fetched = Maildir.ReadAll(download, folder).Select(WithoutTuid).Select(Convert.ToBase64String).Order(StringComparer.Ordinal).ToList();
            var expected = written[folder].Select(Convert.ToBase64String).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, fetched);
        }
        // The second sync changes nothing on either side.
        Assert.Equal(before, Snapshot(download));
        await using var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        await imap.CommandAsync("a1", $"LOGIN admin \"{fixture.AdminPassword}\"");
        foreach (var folder in folders)
        {
            var status = await imap.CommandAsync("a2", $"STATUS \"{folder}\" (MESSAGES)");
            Assert.Equal($"* STATUS {folder} (MESSAGES 34)", status[0]);
        }
    }

    private async Task<(int ExitCode, string Output)> SyncAsync(string work, string name, string maildir, string certificate)
    {
        var config = Path.Combine(work, name + ".mbsyncrc");
        await File.WriteAllTextAsync(config, $"""
            IMAPAccount docstore
            Host 127.0.0.1
            Port {fixture.Server.TlsPort}
            User admin
            Pass "{fixture.AdminPassword}"
            SSLType IMAPS
            CertificateFile {certificate}

            IMAPStore remote
            Account docstore

            MaildirStore local
            Path {maildir}/
            Inbox {maildir}/INBOX
            SubFolders Verbatim

            Channel sync
            Far :remote:
            Near :local:
            Patterns INBOX Sync-*
            Create Both
            SyncState *
            Sync All

            """);
        Directory.CreateDirectory(maildir);
        return await ExternalTool.RunAsync("mbsync", ["--config", config, "--verbose", "sync"]);
    }

    /// <summary>
    /// mbsync itself writes an <c>X-TUID</c> header into every message it uploads, to find it again
    /// after an interrupted sync (isync's design, with or without UIDPLUS); DocStore keeps and returns
    /// those bytes exactly. Everything else must come back as it went up.
    /// </summary>
    private static byte[] WithoutTuid(byte[] message)
    {
        var text = Encoding.UTF8.GetString(message);
        var start = text.IndexOf("\nX-TUID: ", StringComparison.Ordinal);
        return start < 0 ? message : Encoding.UTF8.GetBytes(text.Remove(start + 1, text.IndexOf('\n', start + 1) - start));
    }

    private static List<string> Snapshot(string maildir) =>
        Directory.GetFiles(maildir, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith(".mbsync", StringComparison.Ordinal))
            .Select(f => $"{Path.GetRelativePath(maildir, f)} {new FileInfo(f).Length}").Order(StringComparer.Ordinal).ToList();

    /// <summary>Messages of realistic shapes: plain, 8-bit, multipart with an attachment, long lines.</summary>
    private static byte[] Generate(int n)
    {
        var text = new StringBuilder()
            .Append($"From: Sender {n} <s{n}@example.com>\r\n")
            .Append($"To: team@example.com\r\nSubject: Sync test {n} {(n % 4 == 0 ? "=?utf-8?q?Gr=C3=BC=C3=9Fe?=" : "")}\r\n")
            .Append($"Message-ID: <sync-{n}@example.com>\r\nDate: Thu, 26 Nov 2026 10:{n % 60:D2}:00 +0100\r\nMIME-Version: 1.0\r\n");
        if (n % 3 == 0)
        {
            text.Append("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
                .Append($"Hällo {n}, see the attachment.\r\n--b\r\nContent-Type: application/octet-stream; name=\"data{n}.bin\"\r\n")
                .Append("Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"data.bin\"\r\n\r\n")
                .Append(Convert.ToBase64String(Enumerable.Range(0, 300 + n).Select(i => (byte)(i * n)).ToArray(), Base64FormattingOptions.InsertLineBreaks))
                .Append("\r\n--b--\r\n");
        }
        else
        {
            text.Append("Content-Type: text/plain; charset=utf-8\r\n\r\n").Append(string.Join("\r\n", Enumerable.Range(0, n % 7 + 1).Select(i => $"Line {i} of message {n} ∑ {new string('x', i * 10)}"))).Append("\r\n");
        }
        // Maildir keeps LF line ends; mbsync sends CRLF and turns it back.
        return Encoding.UTF8.GetBytes(text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}
