using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using MailKit;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>
/// The console's groups, rights, search, preview, document pages and index check, against the
/// real server and PostgreSQL, with HTTP Basic.
/// </summary>
public sealed class ConsoleSearchApiTests : IClassFixture<FreshServer>
{
    // The indexer refreshes within a poll; a loaded 2-core machine can be far slower. A bound, not a timing.
    private static readonly TimeSpan IndexBound = TimeSpan.FromMinutes(2);
    private readonly FreshServer fixture;

    public ConsoleSearchApiTests(FreshServer fixture) => this.fixture = fixture;

    private ConsoleApiClient Admin() => ConsoleApiClient.WithBasic(fixture.Server.HttpPort, "admin", fixture.AdminPassword);

    [Fact]
    public async Task A_group_gets_members_and_rights_shown_in_letters_and_words_and_leaves_no_entry_when_deleted()
    {
        using var admin = Admin();
        await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "gina", password = "gina-password" }, HttpStatusCode.Created);
        await admin.JsonAsync(HttpMethod.Post, "api/groups", new { name = "auditors" }, HttpStatusCode.Created);
        var group = await admin.JsonAsync(HttpMethod.Put, "api/groups/auditors/members/gina");
        Assert.Equal(["gina"], group.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        var created = await admin.JsonAsync(HttpMethod.Post, "api/collections", new { name = "Ledgers" }, HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();

        var granted = await admin.JsonAsync(HttpMethod.Put, $"api/collections/{id}/rights/$auditors", new { rights = "lr" });

        var entries = granted.GetProperty("entries").EnumerateArray().ToList();
        Assert.True(entries[0].GetProperty("owner").GetBoolean());
        Assert.Equal("admin", entries[0].GetProperty("identifier").GetString());
        var auditors = Assert.Single(entries, e => e.GetProperty("identifier").GetString() == "$auditors");
        Assert.Equal("group", auditors.GetProperty("kind").GetString());
        Assert.Equal("lr", auditors.GetProperty("rights").GetString());
        Assert.Equal(["see it in the folder list", "read documents"], auditors.GetProperty("words").EnumerateArray().Select(w => w.GetString()));
        // gina reads the collection through the group.
        using var gina = ConsoleApiClient.WithBasic(fixture.Server.HttpPort, "gina", "gina-password");
        Assert.Contains((await gina.GetAsync("api/collections/readable")).EnumerateArray(), c => c.GetProperty("id").GetInt64() == id);

        using (var deleted = await admin.SendAsync(HttpMethod.Delete, "api/groups/auditors"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        var after = await admin.GetAsync($"api/collections/{id}/rights");
        Assert.DoesNotContain(after.GetProperty("entries").EnumerateArray(), e => e.GetProperty("identifier").GetString() == "$auditors");
        Assert.DoesNotContain((await gina.GetAsync("api/collections/readable")).EnumerateArray(), c => c.GetProperty("id").GetInt64() == id);
        var trail = await admin.GetAsync("api/audit/trail?limit=50");
        Assert.Contains(trail.EnumerateArray(), a => a.GetProperty("action").GetString() == "group-delete");
    }

    [Theory]
    [InlineData("nobody", "lr", HttpStatusCode.NotFound, "names no user or group")]
    [InlineData("admin", "lr", HttpStatusCode.Conflict, "owns the collection")]
    [InlineData("anyone", "lrz", HttpStatusCode.BadRequest, "RFC 4314 letters")]
    public async Task A_grant_that_cannot_be_made_says_why(string identifier, string rights, HttpStatusCode status, string reason)
    {
        using var admin = Admin();
        var inbox = (await admin.GetAsync("api/collections")).GetProperty("collections").EnumerateArray().First(c => c.GetProperty("name").GetString() == "INBOX");

        var problem = await admin.ProblemAsync(HttpMethod.Put, $"api/collections/{inbox.GetProperty("id").GetInt64()}/rights/{identifier}", new { rights });

        Assert.Equal(status, problem.Status);
        Assert.Contains(reason, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_uploaded_pdf_is_found_by_a_word_inside_it_with_a_snippet_and_facets_but_only_by_those_who_may_read_it()
    {
        using var admin = Admin();
        var created = await admin.JsonAsync(HttpMethod.Post, "api/collections", new { name = "Contracts" }, HttpStatusCode.Created);
        var collection = created.GetProperty("id").GetInt64();
        var document = await UploadAsync(admin, collection, TestDocuments.Pdf("Lease agreement", "The tenant pays the zanzibarite fee monthly."), "lease.pdf", "application/pdf");
        await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "hank", password = "hank-password" }, HttpStatusCode.Created);
        using var hank = ConsoleApiClient.WithBasic(fixture.Server.HttpPort, "hank", "hank-password");

        var found = await SearchUntilAsync(admin, "zanzibarite", 1);

        var hit = Assert.Single(found.GetProperty("items").EnumerateArray());
        Assert.Equal(document, hit.GetProperty("id").GetInt64());
        Assert.Equal("application/pdf", hit.GetProperty("type").GetString());
        var marked = hit.GetProperty("snippet").EnumerateArray().Where(p => p.GetProperty("hit").GetBoolean()).Select(p => p.GetProperty("text").GetString()).ToList();
        Assert.Equal(["zanzibarite"], marked);
        Assert.Contains("tenant pays the", string.Concat(hit.GetProperty("snippet").EnumerateArray().Select(p => p.GetProperty("text").GetString())), StringComparison.Ordinal);
        var facets = found.GetProperty("facets");
        Assert.Contains(facets.GetProperty("collection").EnumerateArray(), f => f.GetProperty("label").GetString() == "Contracts" && f.GetProperty("count").GetInt32() == 1);
        Assert.Contains(facets.GetProperty("type").EnumerateArray(), f => f.GetProperty("value").GetString() == "application/pdf");
        Assert.Contains(facets.GetProperty("year").EnumerateArray(), f => f.GetProperty("value").GetString() == DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Lucene syntax: a negated word, a phrase, a field; a facet narrows.
        Assert.Equal(0, (await admin.GetAsync("api/search?q=zanzibarite%20-tenant")).GetProperty("total").GetInt32());
        Assert.Equal(1, (await admin.GetAsync("api/search?q=%22pays%20the%20zanzibarite%22")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await admin.GetAsync("api/search?q=subject:zanzibarite")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await admin.GetAsync("api/search?q=zanzibarite&type=mail")).GetProperty("total").GetInt32());

        // hank may not read Contracts: nothing, until he is granted read.
        Assert.Equal(0, (await hank.GetAsync("api/search?q=zanzibarite")).GetProperty("total").GetInt32());
        await admin.JsonAsync(HttpMethod.Put, $"api/collections/{collection}/rights/hank", new { rights = "lr" });
        Assert.Equal(1, (await hank.GetAsync("api/search?q=zanzibarite")).GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("", "Type what to look for")]
    [InlineData("\"unclosed", "could not be read")]
    [InlineData("fuzz~", "not supported")]
    [InlineData("title:thing", "not a field here")]
    public async Task A_query_that_cannot_be_read_is_a_bad_request_that_says_why(string q, string reason)
    {
        using var admin = Admin();

        var problem = await admin.ProblemAsync(HttpMethod.Get, $"api/search?q={Uri.EscapeDataString(q)}");

        Assert.Equal(HttpStatusCode.BadRequest, problem.Status);
        Assert.Contains(reason, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pdf_preview_may_be_framed_by_the_console_only_and_a_mail_preview_is_sanitised_and_sandboxed()
    {
        using var admin = Admin();
        var inbox = (await admin.GetAsync("api/collections")).GetProperty("collections").EnumerateArray().First(c => c.GetProperty("name").GetString() == "INBOX");
        var pdf = await UploadAsync(admin, inbox.GetProperty("id").GetInt64(), TestDocuments.Pdf("Preview me"), "preview.pdf", "application/pdf");

        using (var response = await admin.SendAsync(HttpMethod.Get, $"api/documents/{pdf}/preview"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Contains("frame-ancestors 'self'", string.Join(' ', response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            Assert.Equal("SAMEORIGIN", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        }
        var text = await UploadAsync(admin, inbox.GetProperty("id").GetInt64(), "plain <b>words</b>"u8.ToArray(), "notes.txt", "text/plain");
        using (var response = await admin.SendAsync(HttpMethod.Get, $"api/documents/{text}/preview"))
        {
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("sandbox;", string.Join(' ', response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            Assert.Equal("plain <b>words</b>", await response.Content.ReadAsStringAsync());
        }
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
        var image = await UploadAsync(admin, inbox.GetProperty("id").GetInt64(), png, "dot.png", "image/png");
        using (var response = await admin.SendAsync(HttpMethod.Get, $"api/documents/{image}/preview"))
        {
            Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(png, await response.Content.ReadAsByteArrayAsync());
        }
        // A preview is audited as what it is: shown in the console, not downloaded.
        var imageLines = (await admin.GetAsync($"api/audit/trail?document={image}&limit=50")).EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("preview", imageLines);
        Assert.DoesNotContain("download", imageLines);
        var binary = await UploadAsync(admin, inbox.GetProperty("id").GetInt64(), [1, 2, 3], "blob.bin", "application/octet-stream");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.ProblemAsync(HttpMethod.Get, $"api/documents/{binary}/preview")).Status);

        // Every other response still refuses framing.
        using (var other = await admin.SendAsync(HttpMethod.Get, $"api/documents/{pdf}/content"))
        {
            Assert.Equal("DENY", Assert.Single(other.Headers.GetValues("X-Frame-Options")));
        }

        var message = new MimeMessage { Subject = "Hostile" };
        message.From.Add(MailboxAddress.Parse("mallory@example.com"));
        message.Body = new TextPart("html") { Text = "<p onclick=\"steal()\">Hello <b>there</b></p><script>steal()</script><img src=\"https://tracker.example/p.gif\">" };
        using (var imap = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect))
        {
            await imap.AuthenticateAsync("admin", fixture.AdminPassword);
            await imap.Inbox.AppendAsync(new AppendRequest(message));
        }
        var page = await admin.GetAsync($"api/collections/{inbox.GetProperty("id").GetInt64()}/documents/page?sort=created&order=desc&pageSize=1");
        var mail = page.GetProperty("items")[0];
        Assert.Equal("mail", mail.GetProperty("kind").GetString());
        using var preview = await admin.SendAsync(HttpMethod.Get, $"api/documents/{mail.GetProperty("id").GetInt64()}/preview");
        var html = await preview.Content.ReadAsStringAsync();
        Assert.Equal("text/html", preview.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("sandbox;", string.Join(' ', preview.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Contains("Hello <b>there</b>", html, StringComparison.Ordinal);
        Assert.Contains("mallory@example.com", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onclick", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("tracker.example", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_collection_pages_in_the_order_asked_for_and_tags_delete_and_restore_work_on_its_documents()
    {
        using var admin = Admin();
        var created = await admin.JsonAsync(HttpMethod.Post, "api/collections", new { name = "Paged" }, HttpStatusCode.Created);
        var collection = created.GetProperty("id").GetInt64();
        foreach (var title in new[] { "charlie", "alpha", "bravo" })
        {
            await UploadAsync(admin, collection, Encoding.UTF8.GetBytes(title), title + ".txt", "text/plain", title);
        }

        var first = await admin.GetAsync($"api/collections/{collection}/documents/page?sort=title&order=asc&pageSize=2");
        var second = await admin.GetAsync($"api/collections/{collection}/documents/page?sort=title&order=asc&pageSize=2&page=2");

        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(["alpha", "bravo"], first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("title").GetString()));
        var charlie = Assert.Single(second.GetProperty("items").EnumerateArray());
        Assert.Equal("text/plain", charlie.GetProperty("mediaType").GetString());
        Assert.Equal(7, charlie.GetProperty("size").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.ProblemAsync(HttpMethod.Get, $"api/collections/{collection}/documents/page?sort=size")).Status);

        var id = charlie.GetProperty("id").GetInt64();
        var tagged = await admin.JsonAsync(HttpMethod.Patch, $"api/documents/{id}", new { tags = new[] { "urgent" } });
        Assert.Equal(["urgent"], tagged.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        await admin.JsonAsync(HttpMethod.Delete, $"api/documents/{id}");
        Assert.Equal(2, (await admin.GetAsync($"api/collections/{collection}/documents/page")).GetProperty("total").GetInt32());
        Assert.Contains((await admin.GetAsync("api/trash")).EnumerateArray(), d => d.GetProperty("id").GetInt64() == id);
        await admin.JsonAsync(HttpMethod.Post, $"api/documents/{id}/restore");
        Assert.Equal(3, (await admin.GetAsync($"api/collections/{collection}/documents/page")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_online_index_check_reads_every_stored_version_while_the_server_serves()
    {
        using var admin = Admin();
        var inbox = (await admin.GetAsync("api/collections")).GetProperty("collections").EnumerateArray().First(c => c.GetProperty("name").GetString() == "INBOX");
        await UploadAsync(admin, inbox.GetProperty("id").GetInt64(), Encoding.UTF8.GetBytes("checked text"), "check.txt", "text/plain");

        var started = await admin.JsonAsync(HttpMethod.Post, "api/system/index/check", expected: HttpStatusCode.Accepted);
        Assert.Equal(JsonValueKind.Object, started.GetProperty("check").ValueKind);
        var state = await PollAsync(admin, "api/system/index", s => s.GetProperty("check").GetProperty("finished").ValueKind != JsonValueKind.Null);

        var check = state.GetProperty("check");
        Assert.Equal(JsonValueKind.Null, check.GetProperty("error").ValueKind);
        Assert.True(check.GetProperty("total").GetInt64() >= 1);
        Assert.Equal(check.GetProperty("total").GetInt64(), check.GetProperty("checked").GetInt64());
        Assert.True(state.GetProperty("indexedVersions").GetInt64() >= check.GetProperty("total").GetInt64());
        var system = await admin.GetAsync("api/system");
        Assert.Equal(JsonValueKind.Number, system.GetProperty("indexLag").ValueKind);
    }

    private static async Task<long> UploadAsync(ConsoleApiClient client, long collection, byte[] bytes, string fileName, string mediaType, string? title = null)
    {
        using var http = new HttpClient { BaseAddress = client.BaseAddress };
        http.DefaultRequestHeaders.Authorization = client.Basic;
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var form = new MultipartFormDataContent { { file, "file", fileName } };
        if (title is not null)
        {
            form.Add(new StringContent(title), "title");
        }
        using var response = await http.PostAsync($"api/collections/{collection}/documents", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    private static Task<JsonElement> SearchUntilAsync(ConsoleApiClient client, string q, int total) =>
        PollAsync(client, $"api/search?q={Uri.EscapeDataString(q)}", r => r.GetProperty("total").GetInt32() >= total);

    /// <summary>Asks again until the answer satisfies <paramref name="done"/>, within a generous bound.</summary>
    private static async Task<JsonElement> PollAsync(ConsoleApiClient client, string path, Func<JsonElement, bool> done)
    {
        using var bound = new CancellationTokenSource(IndexBound);
        while (true)
        {
            var answer = await client.GetAsync(path);
            if (done(answer))
            {
                return answer;
            }
            Assert.False(bound.IsCancellationRequested, $"{path} did not get there within {IndexBound}: {answer}");
            await Task.Delay(200, CancellationToken.None);
        }
    }
}
