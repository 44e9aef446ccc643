using System.Net.Http.Json;
using System.Text.Json;
using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Search.Indexing;
using DocStore.Testing;
using MailKit;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>SEARCH answered by the index, from real clients, right after filing; and the indexer surviving kill -9.</summary>
public sealed class SearchTests(FreshServer fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<FreshServer>
{
    private static MimeMessage WithPdf(string subject, string from, string pdfWord)
    {
        var builder = new BodyBuilder { TextBody = "Please find the scan attached." };
        builder.Attachments.Add("scan.pdf", TestDocuments.Pdf("Scanned document", $"Reference {pdfWord} end"), new ContentType("application", "pdf"));
        return new MimeMessage([new MailboxAddress(from, "sender@example.org")], [new MailboxAddress("Archiv", "archiv@example.org")], subject, builder.ToMessageBody());
    }

    [Fact]
    public async Task A_word_that_exists_only_inside_a_PDF_attachment_is_found_from_MailKit_right_after_APPEND()
    {
        using var client = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("admin", fixture.AdminPassword);
        var folder = await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync("Pdf" + Guid.NewGuid().ToString("N")[..8], true) ?? throw new InvalidOperationException("CREATE failed");
        await folder.AppendAsync(WithPdf("Rechnung März", "Jörg Müller", "Quetzalkoatl4711"));
        var other = await folder.AppendAsync(new MimeMessage([new MailboxAddress("X", "x@example.org")], [], "Other", new TextPart("plain") { Text = "nothing here" }));
        await folder.OpenAsync(FolderAccess.ReadWrite);

        var inPdf = await folder.SearchAsync(SearchQuery.BodyContains("quetzalKOATL4711"));
        var text = await folder.SearchAsync(SearchQuery.MessageContains("koatl47"));
        // Thunderbird's quick filter: UNDELETED OR SUBJECT x FROM x.
        var thunderbird = await folder.SearchAsync(SearchQuery.NotDeleted.And(SearchQuery.SubjectContains("müller").Or(SearchQuery.FromContains("müller"))));
        var notInPdf = await folder.SearchAsync(SearchQuery.Not(SearchQuery.BodyContains("Quetzalkoatl4711")));

        Assert.Single(inPdf);
        Assert.Equal(inPdf, text);
        Assert.Equal(inPdf, thunderbird);
        Assert.Equal([other!.Value], notInPdf);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task A_word_that_exists_only_inside_a_PDF_attachment_is_found_from_Pythons_imaplib()
    {
        var folder = "PyPdf" + Guid.NewGuid().ToString("N")[..8];
        using var bytes = new MemoryStream();
        await WithPdf("Scan", "Scanner", "Xylophonbauer").WriteToAsync(bytes);
        var script = $$"""
            import imaplib, ssl, sys, base64
            c = imaplib.IMAP4_SSL('127.0.0.1', {{fixture.Server.TlsPort}}, ssl_context=ssl._create_unverified_context())
            c.login('admin', sys.stdin.readline().strip())
            assert c.create('{{folder}}')[0] == 'OK'
            msg = base64.b64decode('{{Convert.ToBase64String(bytes.ToArray())}}')
            typ, data = c.append('{{folder}}', None, None, msg)
            assert typ == 'OK', data
            c.select('{{folder}}')
            typ, data = c.search(None, 'TEXT', 'xylophonBAUER')
            assert data[0] == b'1', data
            typ, data = c.search('UTF-8', 'UNDELETED', 'BODY', 'phonbau')
            assert data[0] == b'1', data
            typ, data = c.search(None, 'BODY', 'Marimba')
            assert data[0] == b'', data
            c.logout()
            print('ALL OK')
            """;

        var (exitCode, output) = await ExternalTool.RunAsync("python3", ["-c", script], fixture.AdminPassword + "\n");

        Assert.True(exitCode == 0, output);
        Assert.Contains("ALL OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reindex_with_the_server_stopped_rebuilds_a_lost_index_with_progress_and_status_shows_no_lag()
    {
        using var directory = new ScratchDirectory("docstore-e2e-");
        var ports = (DocStoreProcess.FreePort(), DocStoreProcess.FreePort(), DocStoreProcess.FreePort());
        var first = await DocStoreProcess.StartAsync(directory.Path, ports: ports);
        var password = first.PrintedAdminPassword!;
        using (var client = await ImapClients.ConnectAsync(first.TlsPort, SecureSocketOptions.SslOnConnect))
        {
            await client.AuthenticateAsync("admin", password);
            await client.Inbox.AppendAsync(WithPdf("Rebuilt", "Reindexer", "Wiederaufbau"));
        }
        await first.TerminateAsync();
        Directory.Delete(Path.Combine(directory.Path, "index"), recursive: true);

        var (code, output) = await DocStoreProcess.RunAsync(null, "reindex", "--data-dir", directory.Path);
        var status = await DocStoreProcess.RunAsync(null, "status", "--data-dir", directory.Path);

        Assert.True(code == 0, output);
        Assert.Contains("Indexed 1 versions", output, StringComparison.Ordinal);
        Assert.Contains("1/1 100", output, StringComparison.Ordinal);
        Assert.Contains("Index:         1 versions, 0 changes behind", status.Output, StringComparison.Ordinal);
        await using var second = await DocStoreProcess.StartAsync(directory.Path, ports: ports);
        using var reader = await ImapClients.ConnectAsync(second.TlsPort, SecureSocketOptions.SslOnConnect);
        await reader.AuthenticateAsync("admin", password);
        await reader.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Single(await reader.Inbox.SearchAsync(SearchQuery.BodyContains("wiederaufbau")));
    }

    [Fact]
    public async Task Killing_DocStore_while_it_indexes_loses_nothing_and_indexes_nothing_twice()
    {
        using var directory = new ScratchDirectory("docstore-e2e-");
        var ports = (DocStoreProcess.FreePort(), DocStoreProcess.FreePort(), DocStoreProcess.FreePort());
        // Five change rows per step and a commit every five versions: the indexer works through
        // the burst in some sixty commits, so the kill below lands in the middle of it.
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["Search:CommitEvery"] = "5", ["Search:BatchSize"] = "5" };
        var first = await DocStoreProcess.StartAsync(directory.Path, settings, ports);
        var password = first.PrintedAdminPassword!;
        const int count = 300;
        using (var client = await ImapClients.ConnectAsync(first.TlsPort, SecureSocketOptions.SslOnConnect))
        {
            await client.AuthenticateAsync("admin", password);
            var requests = Enumerable.Range(0, count)
                .Select(i => (IAppendRequest)new AppendRequest(WithPdf($"Kill {i}", "Indexer", $"Killword{i:D3}"))).ToList();
            await client.Inbox.AppendAsync(requests);
        }
        // Killed once the indexer has committed some of the burst (usually part of it; on a busy
        // machine it may finish first): the restart must then add exactly the rest, none of the
        // committed again (a kill before its first commit would test "loses nothing" alone).
        var indexPath = Path.Combine(directory.Path, "index");
        var waitForCommit = DateTime.UtcNow.AddMinutes(1);
        while ((TextIndex.Peek(indexPath)?.Documents ?? 0) == 0)
        {
            Assert.True(DateTime.UtcNow < waitForCommit, "the indexer committed nothing within a minute");
            await Task.Delay(2);
        }
        await first.KillAsync();
        var committed = TextIndex.Peek(indexPath)?.Documents ?? 0;
        output.WriteLine($"{committed} of {count} versions were in the committed index when DocStore was killed");
        Assert.InRange(committed, 1, count);

        await using var second = await DocStoreProcess.StartAsync(directory.Path, settings, ports);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{second.HttpPort}") };
        JsonElement search;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        do
        {
            await Task.Delay(100);
            search = (await http.GetFromJsonAsync<JsonElement>("/health")).GetProperty("checks").GetProperty("search").GetProperty("data");
            Assert.True(DateTime.UtcNow < deadline, $"the index did not catch up: {search}");
        }
        while (search.GetProperty("lag").GetInt64() != 0 || search.GetProperty("documents").GetInt32() < count);

        Assert.Equal(count, search.GetProperty("documents").GetInt32());
        Assert.Equal(count - committed, search.GetProperty("indexedSinceStart").GetInt32());
        using var reader = await ImapClients.ConnectAsync(second.TlsPort, SecureSocketOptions.SslOnConnect);
        await reader.AuthenticateAsync("admin", password);
        await reader.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(count, (await reader.Inbox.SearchAsync(SearchQuery.BodyContains("killword"))).Count);
        Assert.Single(await reader.Inbox.SearchAsync(SearchQuery.BodyContains("Killword077")));
    }
}
