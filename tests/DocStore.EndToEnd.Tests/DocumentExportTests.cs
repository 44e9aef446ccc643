using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Search.Indexing;
using DocStore.Storage.Maintenance;
using DocStore.Testing;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary><c>docstore export</c>, <c>import</c> of an export and <c>check</c> of the search index, against real servers and their embedded PostgreSQL.</summary>
public sealed class DocumentExportTests
{
    [Fact]
    public async Task An_export_imported_into_a_fresh_instance_gives_back_every_collection_document_version_tag_and_flag()
    {
        using var scratch = new ScratchDirectory("docstore-export-");
        var source = Path.Combine(scratch.Path, "source");
        var target = Path.Combine(scratch.Path, "target");
        var exported = Path.Combine(scratch.Path, "export-source");
        var reexported = Path.Combine(scratch.Path, "export-target");

        byte[] mailBytes;
        await using (var server = await DocStoreProcess.StartAsync(source))
        {
            var password = server.PrintedAdminPassword!;
            using (var client = await SignInAsync(server, password))
            {
                var root = client.GetFolder(client.PersonalNamespaces[0]);
                var projects = (await root.CreateAsync("Projects", isMessageFolder: true))!;
                var alpha = (await projects.CreateAsync("Alpha", isMessageFolder: true))!;
                var beta = (await alpha.CreateAsync("Beta", isMessageFolder: true))!;
                await alpha.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(MailWithAttachment())), MessageFlags.Seen | MessageFlags.Flagged, ["Invoice"]));
                await beta.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(DocumentFilingTests.Mail(DocumentFilingTests.Unique("beta")))),
                    MessageFlags.Answered | MessageFlags.Draft, ["Urgent", "Paid"]));
                var trashed = (await client.Inbox.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(DocumentFilingTests.Mail(DocumentFilingTests.Unique("trashed")))))))!.Value;
                await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
                await client.Inbox.AddFlagsAsync(trashed, MessageFlags.Deleted, silent: true);
                await client.Inbox.ExpungeAsync();
                await alpha.OpenAsync(FolderAccess.ReadOnly);
                mailBytes = await DocumentFilingTests.BodyAsync(alpha, (await alpha.SearchAsync(SearchQuery.All))[0]);
            }
            var alice = await DocStoreProcess.RunAsync("alice's password\n", "user", "add", "alice", "--data-dir", source);
            Assert.True(alice.ExitCode == 0, alice.Output);
            using var http = Api(server, password);
            var collection = (await GetAsync(http, "api/collections/readable")).EnumerateArray().Single(c => c.GetProperty("name").GetString() == "Projects/Alpha");
            var document = await PostAsync(http, $"api/collections/{collection.GetProperty("id").GetInt64()}/documents", Form(Pdf(1), "Contract Alpha", "Contract"));
            await PostAsync(http, $"api/documents/{document.GetProperty("id").GetInt64()}/versions", Form(Pdf(2), null, null));
        }

        var sourceCheck = await DocStoreProcess.RunAsync(null, "check", "--data-dir", source);
        var export = await DocStoreProcess.RunAsync(null, "export", exported, "--data-dir", source);
        string freshPassword;
        await using (var fresh = await DocStoreProcess.StartAsync(target))
        {
            freshPassword = fresh.PrintedAdminPassword!;
        }
        var import = await DocStoreProcess.RunAsync(null, "import", exported, "--data-dir", target);
        var targetCheck = await DocStoreProcess.RunAsync(null, "check", "--data-dir", target);
        var reexport = await DocStoreProcess.RunAsync(null, "export", reexported, "--data-dir", target);
        var again = await DocStoreProcess.RunAsync(null, "import", exported, "--data-dir", target);
        var audit = await DocStoreProcess.RunAsync(null, "audit", "--action", "import", "--data-dir", target);

        Assert.True(sourceCheck.ExitCode == 0, sourceCheck.Output);
        Assert.True(export.ExitCode == 0, export.Output);
        Assert.True(import.ExitCode == 0, import.Output);
        Assert.True(targetCheck.ExitCode == 0, targetCheck.Output);
        Assert.True(reexport.ExitCode == 0, reexport.Output);
        Assert.Contains("Created user alice, disabled", import.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Created user admin", import.Output, StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("Imported 0 documents (0 versions) and 0 entries", again.Output, StringComparison.Ordinal);
        Assert.Equal(2, audit.Output.Split('\n').Count(l => l.Contains("\timport\t", StringComparison.Ordinal)));
        var before = await ReadAsync(exported);
        var after = await ReadAsync(reexported);
        Assert.Equal(Collections(before), Collections(after));
        Assert.Equal(Documents(before), Documents(after));
        Assert.Equal(Entries(before), Entries(after));
        Assert.Equal(BlobNames(exported), BlobNames(reexported));
        Assert.All(BlobNames(reexported), name => Assert.Equal(name, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(reexported, "blobs", name))))));

        // What went in: three nested collections, the mail and its attachment, an upload with two versions, and one document in the trash.
        Assert.Contains(Collections(before), c => c.StartsWith("admin|Projects/Alpha/Beta|", StringComparison.Ordinal));
        var upload = Assert.Single(before.Documents, d => d.Title == "Contract Alpha");
        Assert.Equal([1, 2], upload.Versions.Select(v => v.Number));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Pdf(2))), upload.Versions[1].FileSha256);
        Assert.Single(before.Documents, d => d.TrashedAt is not null && d.ParentId is null);
        Assert.Contains(before.Documents, d => d.ParentId is not null && d.Title == "invoice.pdf");
        var alphaMaildir = Path.Combine(exported, "maildir", "users", "admin", "Projects", "Alpha");
        Assert.Contains("0 Invoice", await File.ReadAllTextAsync(Path.Combine(alphaMaildir, "dovecot-keywords")), StringComparison.Ordinal);
        Assert.Contains(Directory.GetFiles(Path.Combine(alphaMaildir, "cur")), f => f.EndsWith(":2,FSa", StringComparison.Ordinal));
        Assert.Contains(Directory.GetFiles(Path.Combine(exported, "maildir", "users", "admin", "Projects", "Alpha", "Beta", "cur")), f => f.EndsWith(":2,DRab", StringComparison.Ordinal));

        // And the imported instance serves it over IMAP.
        await using (var served = await DocStoreProcess.StartAsync(target))
        {
            using var client = await SignInAsync(served, freshPassword);
            var alpha = await client.GetFolderAsync("Projects/Alpha");
            await alpha.OpenAsync(FolderAccess.ReadOnly);
            var summaries = await alpha.FetchAsync(0, -1, MessageSummaryItems.Flags | MessageSummaryItems.UniqueId);
            var mail = summaries[0];
            Assert.Equal(2, summaries.Count);
            Assert.Equal(MessageFlags.Seen | MessageFlags.Flagged, mail.Flags!.Value & (MessageFlags.Seen | MessageFlags.Flagged | MessageFlags.Answered));
            Assert.Contains("Invoice", mail.Keywords);
            Assert.Equal(SHA256.HashData(mailBytes), SHA256.HashData(await DocumentFilingTests.BodyAsync(alpha, mail.UniqueId)));
        }
        var servedCheck = await DocStoreProcess.RunAsync(null, "check", "--data-dir", target);
        Assert.True(servedCheck.ExitCode == 0, servedCheck.Output);
    }

    [Fact]
    public async Task Check_reports_versions_missing_from_the_search_index_and_a_missing_index_and_exits_non_zero()
    {
        using var scratch = new ScratchDirectory("docstore-check-index-");
        await using (var server = await DocStoreProcess.StartAsync(scratch.Path))
        {
            using var client = await SignInAsync(server, server.PrintedAdminPassword!);
            await client.Inbox.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(DocumentFilingTests.Mail(DocumentFilingTests.Unique("indexed"))))));
        }
        var index = Path.Combine(scratch.Path, "index");
        var clean = await DocStoreProcess.RunAsync(null, "check", "--data-dir", scratch.Path);

        // An index that claims to have read the change feed far past everything, yet holds nothing.
        Directory.Delete(index, recursive: true);
        using (var empty = TextIndex.Open(index, rebuild: true))
        {
            empty.Commit(1_000_000_000);
        }
        var emptied = await DocStoreProcess.RunAsync(null, "check", "--data-dir", scratch.Path);
        Directory.Delete(index, recursive: true);
        var missing = await DocStoreProcess.RunAsync(null, "check", "--data-dir", scratch.Path);

        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.Equal(1, emptied.ExitCode);
        Assert.Contains("version 1 of document", emptied.Output, StringComparison.Ordinal);
        Assert.Contains("is not in the search index", emptied.Output, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("there is no search index", missing.Output, StringComparison.Ordinal);
    }

    private static async Task<ImapClient> SignInAsync(DocStoreProcess server, string password)
    {
        var client = await ImapClients.ConnectAsync(server.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("admin", password);
        return client;
    }

    private static HttpClient Api(DocStoreProcess server, string password)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.HttpPort}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}")));
        return http;
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, MultipartFormDataContent form)
    {
        using (form)
        using (var response = await http.PostAsync(path, form))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }

    private static MultipartFormDataContent Form(byte[] bytes, string? title, string? tags)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        var form = new MultipartFormDataContent { { file, "file", "contract.pdf" } };
        if (title is not null)
        {
            form.Add(new StringContent(title), "title");
        }
        if (tags is not null)
        {
            form.Add(new StringContent(tags), "tags");
        }
        return form;
    }

    private static byte[] Pdf(int revision)
    {
        var binary = Enumerable.Range(0, 4096).Select(i => (byte)((i * 7) + revision)).ToArray();
        return [.. Encoding.ASCII.GetBytes($"%PDF-1.4\n% revision {revision}\n"), .. binary, .. "\n%%EOF\n"u8.ToArray()];
    }

    private static byte[] MailWithAttachment()
    {
        var id = DocumentFilingTests.Unique("attached");
        var pdf = Convert.ToBase64String(Pdf(0), Base64FormattingOptions.InsertLineBreaks).Replace("\n", "\r\n", StringComparison.Ordinal);
        return Encoding.ASCII.GetBytes(
            $"From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: Invoice {id}\r\nMessage-ID: <{id}@example.com>\r\n" +
            "Date: Thu, 26 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
            "--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe invoice is attached.\r\n" +
            "--b1\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\n" +
            $"Content-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n--b1--\r\n");
    }

    private static async Task<ExportManifest> ReadAsync(string folder)
    {
        await using var json = File.OpenRead(Path.Combine(folder, ExportManifest.FileName));
        return (await JsonSerializer.DeserializeAsync<ExportManifest>(json, ExportManifest.Json))!;
    }

    // Ids and UIDs are each instance's own; everything else must come back as it was.
    private static List<string> Collections(ExportManifest manifest) => manifest.Collections
        .Select(c => $"{c.Owner}|{c.Path}|{c.SpecialUse}|{c.RetentionSeconds}|{c.LegalHold}|{string.Join(',', c.Acl.Select(a => $"{a.Principal}:{a.Negative}:{a.Rights}:{a.Inherit}"))}")
        .Order(StringComparer.Ordinal).ToList();

    private static List<string> Documents(ExportManifest manifest)
    {
        var objectIds = manifest.Documents.ToDictionary(d => d.Id, d => d.ObjectId);
        return manifest.Documents
            .Select(d => $"{d.ObjectId}|{d.Kind}|{d.Title}|{(d.ParentId is { } p ? objectIds[p] : null)}|{d.MessageId}|{d.Properties.GetRawText()}|{d.LegalHold}|" +
                $"{d.CreatedBy}|{d.CreatedAt:O}|{d.TrashedAt:O}|{d.CurrentVersion}|{string.Join(',', d.Tags)}|" +
                string.Join(';', d.Versions.Select(v => $"{v.Number}:{v.Sha256}:{v.Size}:{v.MediaType}:{v.FileName}:{v.FileSha256}:{v.FileSize}:{v.Author}:{v.CreatedAt:O}:{v.Structure?.GetRawText()}")))
            .Order(StringComparer.Ordinal).ToList();
    }

    private static List<string> Entries(ExportManifest manifest)
    {
        var collections = manifest.Collections.ToDictionary(c => c.Id, c => $"{c.Owner}|{c.Path}");
        var objectIds = manifest.Documents.ToDictionary(d => d.Id, d => d.ObjectId);
        return manifest.Entries
            .GroupBy(e => collections[e.CollectionId])
            .SelectMany(g => g.OrderBy(e => e.Uid).Select((e, rank) => $"{g.Key}|{rank}|{objectIds[e.DocumentId]}|{e.Version}|" +
                $"{e.Answered}{e.Flagged}{e.Deleted}{e.Draft}|{string.Join(',', e.SeenBy)}|{e.InternalDate:O}|{e.InternalDateOffset}"))
            .Order(StringComparer.Ordinal).ToList();
    }

    private static List<string> BlobNames(string folder) =>
        Directory.GetFiles(Path.Combine(folder, "blobs")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
}
