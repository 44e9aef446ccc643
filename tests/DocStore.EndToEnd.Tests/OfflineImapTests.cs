using System.Text;
using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>offlineimap syncs two Maildir folders up to DocStore and down into an empty Maildir, unchanged.</summary>
public sealed class OfflineImapTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public OfflineImapTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task Two_folders_go_up_and_come_back_unchanged()
    {
        using var work = new ScratchDirectory("docstore-e2e-");
        var suffix = Guid.NewGuid().ToString("N")[..6];
        string[] folders = [$"OffA{suffix}", $"OffB{suffix}"];
        var written = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var up = Path.Combine(work.Path, "up");
        foreach (var folder in folders)
        {
            written[folder] = [];
            for (var i = 0; i < 10; i++)
            {
                var text = $"From: o{i}@example.com\nTo: t@example.com\nSubject: offline {folder} {i}\nMessage-ID: <off-{folder}-{i}@example.com>\n\nline {i} ∑\n";
                written[folder].Add(text);
                await Maildir.WriteAsync(up, folder, $"{1700000000 + i}_{i}.test:2,S", Encoding.UTF8.GetBytes(text));
            }
        }
        var certificate = Path.Combine(work.Path, "server.pem");
        await fixture.Server.ExportCertificatePemAsync(certificate);

        var upload = await SyncAsync(work.Path, "up", up, certificate, suffix);
        var download = Path.Combine(work.Path, "down");
        var back = await SyncAsync(work.Path, "down", download, certificate, suffix);

        Assert.True(upload.ExitCode == 0, upload.Output);
        Assert.True(back.ExitCode == 0, back.Output);
        foreach (var folder in folders)
        {
            var fetched = Maildir.ReadAll(download, folder).Select(Encoding.UTF8.GetString).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(written[folder].Order(StringComparer.Ordinal), fetched);
        }
    }

    private async Task<(int ExitCode, string Output)> SyncAsync(string work, string name, string maildir, string certificate, string suffix)
    {
        Directory.CreateDirectory(maildir);
        // offlineimap checks the certificate against DNS names only: "localhost" is in the
        // self-signed certificate's names, 127.0.0.1 only as an IP address.
        var config = Path.Combine(work, name + ".offlineimaprc");
        await File.WriteAllTextAsync(config, $"""
            [general]
            accounts = {name}
            metadata = {Path.Combine(work, name + "-meta")}

            [Account {name}]
            localrepository = {name}-local
            remoterepository = {name}-remote

            [Repository {name}-local]
            type = Maildir
            localfolders = {maildir}

            [Repository {name}-remote]
            type = IMAP
            remotehost = localhost
            remoteport = {fixture.Server.TlsPort}
            remoteuser = admin
            remotepass = {fixture.AdminPassword}
            ssl = yes
            sslcacertfile = {certificate}
            folderfilter = lambda folder: folder.endswith('{suffix}')
            createfolders = True

            """);
        return await ExternalTool.RunAsync("offlineimap", ["-c", config, "-o", "-u", "basic"]);
    }
}
