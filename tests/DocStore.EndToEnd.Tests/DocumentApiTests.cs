using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DocStore.EndToEnd.Tests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>The document API and the IMAP view of the same documents, against the real server: HTTP Basic and MailKit.</summary>
public sealed class DocumentApiTests : IClassFixture<FreshServer>, IDisposable
{
    private readonly FreshServer fixture;
    private readonly HttpClient http;

    public DocumentApiTests(FreshServer fixture)
    {
        this.fixture = fixture;
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Server.HttpPort}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{fixture.AdminPassword}")));
        http.DefaultRequestHeaders.UserAgent.ParseAdd("DocumentApiTests/1.0");
    }

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task An_uploaded_pdf_is_a_real_message_whose_attachment_is_byte_identical()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var pdf = Pdf();

        var document = await UploadAsync(folder.FullName, pdf, "contract.pdf", "application/pdf", "Contract Alpha", "Contract,Alpha");
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var message = await folder.GetMessageAsync(folder.Count - 1);
        var attachment = Assert.IsType<MimePart>(Assert.Single(message.Attachments));
        using var saved = new MemoryStream();
        await attachment.Content!.DecodeToAsync(saved);
        var summary = (await folder.FetchAsync([folder.Count - 1], MessageSummaryItems.EmailId | MessageSummaryItems.Flags))[0];

        Assert.Equal(pdf, saved.ToArray());
        Assert.Equal("contract.pdf", attachment.FileName);
        Assert.Equal("application/pdf", attachment.ContentType.MimeType);
        Assert.Equal("Contract Alpha", message.Subject);
        Assert.Equal("admin", ((MailboxAddress)message.From[0]).LocalPart);
        Assert.Contains("File: contract.pdf", message.TextBody, StringComparison.Ordinal);
        Assert.Equal(document.GetProperty("emailId").GetString(), summary.EmailId);
        Assert.Contains("Contract", summary.Keywords);
        Assert.Equal(pdf, await http.GetByteArrayAsync($"api/documents/{Id(document)}/content"));
        Assert.Equal("file", document.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Tags_are_keywords_both_ways()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var document = await UploadAsync(folder.FullName, Encoding.UTF8.GetBytes("hello"), "note.txt", "text/plain", null, "");
        await folder.OpenAsync(FolderAccess.ReadWrite);
        var uid = (await folder.SearchAsync(SearchQuery.All))[^1];
        var permanent = folder.PermanentFlags;

        await folder.AddFlagsAsync(uid, MessageFlags.None, new HashSet<string>(StringComparer.Ordinal) { "Invoice" }, silent: true);
        var tagged = await GetAsync($"api/documents/{Id(document)}");
        using var patch = await http.PatchAsJsonAsync($"api/documents/{Id(document)}", new { tags = new[] { "Invoice", "Paid" }, properties = new { customer = "ACME" } });
        patch.EnsureSuccessStatusCode();
        await folder.CloseAsync();
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var keywords = (await folder.FetchAsync([uid], MessageSummaryItems.Flags))[0].Keywords;

        Assert.Contains("Invoice", tagged.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("Paid", keywords);
        Assert.Contains("Invoice", keywords);
        Assert.Equal("ACME", (await GetAsync($"api/documents/{Id(document)}")).GetProperty("properties").GetProperty("customer").GetString());
        // PERMANENTFLAGS includes \*: any keyword can be a tag.
        Assert.True(permanent.HasFlag(MessageFlags.UserDefined));
    }

    [Fact]
    public async Task Expunge_then_restore_brings_the_document_back_with_the_same_emailid()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var uid = (await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(DocumentFilingTests.Mail(DocumentFilingTests.Unique("restore")))))))!.Value;
        await folder.OpenAsync(FolderAccess.ReadWrite);
        var emailId = (await folder.FetchAsync([uid], MessageSummaryItems.EmailId))[0].EmailId;
        var document = Assert.Single((await ListAsync(folder.FullName)).EnumerateArray());

        await folder.AddFlagsAsync(uid, MessageFlags.Deleted, silent: true);
        await folder.ExpungeAsync();
        var trash = await GetAsync("api/trash");
        using var restore = await http.PostAsync($"api/documents/{Id(document)}/restore", null);
        await folder.CloseAsync();
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var back = await folder.FetchAsync(0, -1, MessageSummaryItems.EmailId);

        Assert.Contains(trash.EnumerateArray(), d => d.GetProperty("emailId").GetString() == emailId);
        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        Assert.Equal(emailId, Assert.Single(back).EmailId);
        Assert.DoesNotContain((await GetAsync("api/trash")).EnumerateArray(), d => d.GetProperty("emailId").GetString() == emailId);
        var actions = (await GetAsync($"api/audit/trail?document={Id(document)}")).EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToList();
        Assert.Contains("append", actions);
        Assert.Contains("trash", actions);
        Assert.Contains("restore", actions);
    }

    [Fact]
    public async Task Legal_hold_refuses_expunge_move_and_delete_with_the_reason()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var other = await NewFolderAsync(client);
        var uid = (await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(DocumentFilingTests.Mail(DocumentFilingTests.Unique("held")))))))!.Value;
        var document = Assert.Single((await ListAsync(folder.FullName)).EnumerateArray());
        using var hold = await http.PutAsJsonAsync($"api/documents/{Id(document)}/legal-hold", new { hold = true, reason = "Case 2026-17" });
        hold.EnsureSuccessStatusCode();
        await folder.OpenAsync(FolderAccess.ReadWrite);

        await folder.AddFlagsAsync(uid, MessageFlags.Deleted, silent: true);
        var expunge = await Assert.ThrowsAsync<ImapCommandException>(() => folder.ExpungeAsync());
        var move = await Assert.ThrowsAsync<ImapCommandException>(() => folder.MoveToAsync(uid, other));
        var replace = await Assert.ThrowsAsync<ImapCommandException>(() => folder.ReplaceAsync(uid,
            new ReplaceRequest(MimeMessage.Load(new MemoryStream(DocumentFilingTests.Mail(DocumentFilingTests.Unique("held-replacement")))))));
        using var delete = await http.DeleteAsync($"api/documents/{Id(document)}");
        await folder.CloseAsync();
        await folder.OpenAsync(FolderAccess.ReadOnly);

        Assert.Equal(ImapCommandResponse.No, expunge.Response);
        Assert.Contains("Case 2026-17", expunge.ResponseText, StringComparison.Ordinal);
        Assert.Equal(ImapCommandResponse.No, move.Response);
        Assert.Contains("Case 2026-17", replace.ResponseText, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Contains("Case 2026-17", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, folder.Count);
    }

    [Fact]
    public async Task A_held_collection_refuses_expunge_with_cannot()
    {
        await using var imap = await Conformance.ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync("Held");
        await imap.AppendAsync(box, Conformance.Messages.Plain("held by its collection"));
        var collection = (await GetAsync("api/collections/readable")).EnumerateArray().Single(c => c.GetProperty("name").GetString() == box);
        using var hold = await http.PutAsJsonAsync($"api/collections/{Id(collection)}/governance", new { legalHold = true, reason = "Audit 2026" });
        hold.EnsureSuccessStatusCode();
        await imap.OkAsync($"SELECT {box}");
        await imap.OkAsync("STORE 1 +FLAGS.SILENT (\\Deleted)");

        var completion = Conformance.ImapSession.Completion(await imap.RunAsync("EXPUNGE"));

        Assert.Matches(@"^NO \[CANNOT\] The collection "".*"" is on legal hold: Audit 2026; nothing was expunged\.$", completion);
    }

    [Fact]
    public async Task A_new_version_replaces_the_uid_and_keeps_the_old_version_downloadable()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var first = Encoding.UTF8.GetBytes("version one");
        var second = Encoding.UTF8.GetBytes("version two, longer");
        var document = await UploadAsync(folder.FullName, first, "draft.txt", "text/plain", "Draft", "");
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var oldUid = (await folder.SearchAsync(SearchQuery.All))[^1];
        await folder.CloseAsync();

        using var form = Form(second, "draft.txt", "text/plain", null, "");
        using var response = await http.PostAsync($"api/documents/{Id(document)}/versions", form);
        response.EnsureSuccessStatusCode();
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var uids = await folder.SearchAsync(SearchQuery.All);
        var message = await folder.GetMessageAsync(uids[0]);
        using var saved = new MemoryStream();
        await ((MimePart)message.Attachments.Single()).Content!.DecodeToAsync(saved);
        var versions = await GetAsync($"api/documents/{Id(document)}/versions");

        Assert.DoesNotContain(oldUid, uids);
        Assert.True(Assert.Single(uids).Id > oldUid.Id);
        Assert.Equal(second, saved.ToArray());
        Assert.Equal(2, versions.GetArrayLength());
        Assert.Equal(first, await http.GetByteArrayAsync($"api/documents/{Id(document)}/versions/1/content"));
        Assert.Equal(second, await http.GetByteArrayAsync($"api/documents/{Id(document)}/content"));
    }

    [Fact]
    public async Task Replace_makes_a_new_version_and_every_collection_holding_it_sees_a_new_uid()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var other = await NewFolderAsync(client);
        var id = DocumentFilingTests.Unique("replace");
        var uid = (await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(DocumentFilingTests.Mail(id, "first draft"))))))!.Value;
        await folder.OpenAsync(FolderAccess.ReadWrite);
        var copied = (await folder.CopyToAsync(uid, other))!.Value;
        var emailId = (await folder.FetchAsync([uid], MessageSummaryItems.EmailId))[0].EmailId;
        var revised = DocumentFilingTests.Mail(id, "second draft");

        var replaced = await folder.ReplaceAsync(uid, new ReplaceRequest(MimeMessage.Load(new MemoryStream(revised))));
        var here = await folder.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.EmailId);
        await other.OpenAsync(FolderAccess.ReadOnly);
        var there = await other.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.EmailId);
        var document = Assert.Single((await ListAsync(folder.FullName)).EnumerateArray());

        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Replace));
        Assert.Equal(replaced, Assert.Single(here).UniqueId);
        Assert.True(replaced!.Value.Id > uid.Id);
        Assert.Equal(emailId, here[0].EmailId);
        Assert.True(Assert.Single(there).UniqueId.Id > copied.Id);
        Assert.Equal(emailId, there[0].EmailId);
        Assert.Equal(revised, await DocumentFilingTests.BodyAsync(other, there[0].UniqueId));
        Assert.Equal(2, (await GetAsync($"api/documents/{Id(document)}/versions")).GetArrayLength());
    }

    [Fact]
    public async Task Replace_answers_appenduid_before_the_expunge()
    {
        await using var imap = await Conformance.ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync("Replace");
        await imap.AppendAsync(box, Conformance.Messages.Plain("old"));
        await imap.OkAsync($"SELECT {box}");
        var message = Conformance.Messages.Plain("new");

        var lines = await imap.OkAsync($"REPLACE 1 {box} {{{message.Length}+}}\r\n{message}");

        Assert.StartsWith("* OK [APPENDUID ", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" 2] Replacement message ready.", lines[0], StringComparison.Ordinal);
        Assert.Contains("* 1 EXPUNGE", lines);
        Assert.True(lines.IndexOf("* 1 EXPUNGE") > 0);
    }

    [Fact]
    public async Task A_mails_attachments_are_child_documents_downloaded_on_their_own()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var pdf = Pdf();
        var builder = new BodyBuilder { TextBody = "Please find the invoice attached." };
        builder.Attachments.Add("invoice.pdf", pdf, new ContentType("application", "pdf"));
        var mail = new MimeMessage { Subject = "Invoice 42", Body = builder.ToMessageBody() };
        mail.From.Add(new MailboxAddress("Supplier", "billing@example.com"));

        await folder.AppendAsync(new AppendRequest(mail));
        var document = Assert.Single((await ListAsync(folder.FullName)).EnumerateArray());
        var child = Assert.Single((await GetAsync($"api/documents/{Id(document)}/children")).EnumerateArray());

        Assert.Equal("invoice.pdf", child.GetProperty("title").GetString());
        Assert.Equal(Id(document), child.GetProperty("parentId").GetInt64());
        Assert.Equal(pdf, await http.GetByteArrayAsync($"api/documents/{Id(child)}/content"));
        Assert.Equal("application/pdf", (await GetAsync($"api/documents/{Id(child)}/versions"))[0].GetProperty("mediaType").GetString());
    }

    [Fact]
    public async Task Bad_requests_get_problem_details_that_say_what_to_send()
    {
        var collection = (await GetAsync("api/collections/readable")).EnumerateArray().First();

        using var noFile = await http.PostAsync($"api/collections/{Id(collection)}/documents", new MultipartFormDataContent { { new StringContent("x"), "title" } });
        using var badTag = await http.PostAsync($"api/collections/{Id(collection)}/documents", Form([1, 2, 3], "a.bin", "application/octet-stream", null, "not a keyword"));
        using var missing = await http.GetAsync("api/documents/999999999");
        using var noSuchCollection = await http.PostAsync("api/collections/999999999/documents", Form([1], "a.bin", "application/octet-stream", null, ""));

        Assert.Equal(HttpStatusCode.BadRequest, noFile.StatusCode);
        Assert.Contains("multipart/form-data", await noFile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badTag.StatusCode);
        Assert.Contains("IMAP keyword", await badTag.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, noSuchCollection.StatusCode);
    }

    [Fact]
    public async Task The_outlook_shuffle_leaves_one_document_with_its_history()
    {
        using var client = await SignInAsync();
        var source = await NewFolderAsync(client);
        var target = await NewFolderAsync(client);
        var mail = DocumentFilingTests.Mail(DocumentFilingTests.Unique("history"));
        var uid = (await source.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(mail)))))!.Value;
        var document = Assert.Single((await ListAsync(source.FullName)).EnumerateArray());

        await target.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(mail))));
        await source.OpenAsync(FolderAccess.ReadWrite);
        await source.AddFlagsAsync(uid, MessageFlags.Deleted, silent: true);
        await source.ExpungeAsync();
        var after = await GetAsync($"api/documents/{Id(document)}");
        var history = (await GetAsync($"api/documents/{Id(document)}/history")).EnumerateArray().Select(h => h.GetProperty("kind").GetString()).ToList();

        Assert.Null(after.GetProperty("trashedAt").GetString());
        Assert.Equal(target.FullName, Assert.Single(after.GetProperty("entries").EnumerateArray()).GetProperty("collection").GetString());
        Assert.Equal(["append", "append", "flags", "expunge"], history);
        Assert.Equal(1, after.GetProperty("currentVersion").GetInt32());
    }

    [Fact]
    public async Task A_fetch_of_message_bodies_is_one_download_line_in_the_audit_trail_and_a_header_fetch_none()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        foreach (var name in new[] { "fetch-audit-1", "fetch-audit-2", "fetch-audit-3" })
        {
            await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(DocumentFilingTests.Mail(DocumentFilingTests.Unique(name))))));
        }
        var documents = (await ListAsync(folder.FullName)).EnumerateArray().Select(Id).Order().ToList();
        await using var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        await imap.CommandAsync("a1", $"LOGIN admin \"{fixture.AdminPassword}\"");
        await imap.CommandAsync("a2", $"SELECT \"{folder.FullName}\"");

        var headers = await imap.CommandAsync("a3", "UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODYSTRUCTURE)");
        var afterHeaders = await DownloadsOfAsync(documents);
        var bodies = await imap.CommandAsync("a4", "UID FETCH 1:* (BODY.PEEK[])");
        var afterBodies = await DownloadsOfAsync(documents);

        Assert.StartsWith("a3 OK", headers[^1], StringComparison.Ordinal);
        Assert.StartsWith("a4 OK", bodies[^1], StringComparison.Ordinal);
        Assert.Equal(3, documents.Count);
        Assert.Empty(afterHeaders);
        var line = Assert.Single(afterBodies);
        using var details = JsonDocument.Parse(line.GetProperty("details").GetString()!);
        Assert.Equal("3", details.RootElement.GetProperty("messages").GetString());
        Assert.Equal(documents, details.RootElement.GetProperty("documents").GetString()!.Split(',').Select(long.Parse).Order().ToList());
        Assert.Equal("admin", line.GetProperty("principalName").GetString());
    }

    /// <summary>The download lines of the audit trail that name any of these documents.</summary>
    private async Task<List<JsonElement>> DownloadsOfAsync(IReadOnlyList<long> documents) =>
        (await GetAsync("api/audit/trail?action=download&limit=1000")).EnumerateArray()
            .Where(a => a.GetProperty("details").GetString() is { } d
                && JsonDocument.Parse(d).RootElement.TryGetProperty("documents", out var listed)
                && listed.GetString()!.Split(',').Any(id => documents.Contains(long.Parse(id))))
            .ToList();

    private static byte[] Pdf()
    {
        var text = Encoding.ASCII.GetBytes("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj << /Type /Catalog >> endobj\n");
        var binary = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 % 256)).ToArray();
        return [.. text, .. binary, .. "\n%%EOF\n"u8.ToArray()];
    }

    private static long Id(JsonElement element) => element.GetProperty("id").GetInt64();

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<JsonElement> ListAsync(string folder)
    {
        var collection = (await GetAsync("api/collections/readable")).EnumerateArray().Single(c => c.GetProperty("name").GetString() == folder);
        return await GetAsync($"api/collections/{Id(collection)}/documents");
    }

    private async Task<JsonElement> UploadAsync(string folder, byte[] bytes, string fileName, string mediaType, string? title, string tags)
    {
        var collection = (await GetAsync("api/collections/readable")).EnumerateArray().Single(c => c.GetProperty("name").GetString() == folder);
        using var form = Form(bytes, fileName, mediaType, title, tags);
        using var response = await http.PostAsync($"api/collections/{Id(collection)}/documents", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static MultipartFormDataContent Form(byte[] bytes, string fileName, string mediaType, string? title, string tags)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        var form = new MultipartFormDataContent { { file, "file", fileName } };
        if (title is not null)
        {
            form.Add(new StringContent(title), "title");
        }
        if (tags.Length > 0)
        {
            form.Add(new StringContent(tags), "tags");
        }
        return form;
    }

    private async Task<ImapClient> SignInAsync()
    {
        var client = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("admin", fixture.AdminPassword);
        return client;
    }

    private static async Task<IMailFolder> NewFolderAsync(ImapClient client) =>
        (await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync("D" + Guid.NewGuid().ToString("N")[..8], isMessageFolder: true))!;
}
