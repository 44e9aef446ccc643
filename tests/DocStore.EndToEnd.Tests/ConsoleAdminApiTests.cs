using System.Net;
using System.Text.Json;
using DocStore.EndToEnd.Tests.Infrastructure;
using MailKit;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>The console's users, collections, audit and system API, with HTTP Basic, against the real server.</summary>
public sealed class ConsoleAdminApiTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public ConsoleAdminApiTests(FreshServer fixture) => this.fixture = fixture;

    private ConsoleApiClient Admin() => ConsoleApiClient.WithBasic(fixture.Server.HttpPort, "admin", fixture.AdminPassword);

    [Fact]
    public async Task An_added_user_signs_in_over_imap_and_a_reset_password_replaces_the_old_one()
    {
        using var admin = Admin();
        var user = await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "erin", password = "erin-password", displayName = "Erin E." }, HttpStatusCode.Created);
        Assert.Equal("Erin E.", user.GetProperty("displayName").GetString());
        Assert.False(user.GetProperty("isAdmin").GetBoolean());

        using (var imap = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect))
        {
            await imap.AuthenticateAsync("erin", "erin-password");
            Assert.Contains(await imap.GetFoldersAsync(imap.PersonalNamespaces[0]), f => f.FullName == "Archive");
        }

        using (var reset = await admin.SendAsync(HttpMethod.Post, "api/users/erin/password", new { password = "erin-new-password" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }
        using var erinOld = ConsoleApiClient.WithBasic(fixture.Server.HttpPort, "erin", "erin-password");
        using var erinNew = ConsoleApiClient.WithBasic(fixture.Server.HttpPort, "erin", "erin-new-password");
        Assert.Equal(HttpStatusCode.Unauthorized, (await erinOld.ProblemAsync(HttpMethod.Get, "api/me")).Status);
        Assert.Equal("erin", (await erinNew.GetAsync("api/me")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Editing_a_user_changes_only_what_is_given()
    {
        using var admin = Admin();
        await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "fred", password = "fred-password", displayName = "Fred" }, HttpStatusCode.Created);

        var promoted = await admin.JsonAsync(HttpMethod.Patch, "api/users/fred", new { isAdmin = true });
        var renamed = await admin.JsonAsync(HttpMethod.Patch, "api/users/FRED", new { displayName = "Fred F." });

        Assert.True(promoted.GetProperty("isAdmin").GetBoolean());
        Assert.Equal("Fred", promoted.GetProperty("displayName").GetString());
        Assert.True(renamed.GetProperty("isAdmin").GetBoolean());
        Assert.Equal("Fred F.", renamed.GetProperty("displayName").GetString());
        using var fred = ConsoleApiClient.WithBasic(fixture.Server.HttpPort, "fred", "fred-password");
        Assert.True((await fred.GetAsync("api/me")).GetProperty("isAdmin").GetBoolean());
    }

    [Theory]
    [InlineData("bad name", "long-enough-pw", HttpStatusCode.BadRequest, "valid user name")]
    [InlineData("shortpw", "short", HttpStatusCode.BadRequest, "at least 8 characters")]
    [InlineData("admin", "long-enough-pw", HttpStatusCode.Conflict, "already exists")]
    public async Task Adding_a_user_that_cannot_be_added_says_why(string name, string password, HttpStatusCode status, string reason)
    {
        using var admin = Admin();

        var problem = await admin.ProblemAsync(HttpMethod.Post, "api/users", new { name, password });

        Assert.Equal(status, problem.Status);
        Assert.Contains(reason, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_administrator_cannot_disable_or_demote_themselves()
    {
        using var admin = Admin();

        var disable = await admin.ProblemAsync(HttpMethod.Patch, "api/users/admin", new { disabled = true });
        var demote = await admin.ProblemAsync(HttpMethod.Patch, "api/users/admin", new { isAdmin = false });

        Assert.Equal(HttpStatusCode.Conflict, disable.Status);
        Assert.Equal(HttpStatusCode.Conflict, demote.Status);
        Assert.True((await admin.GetAsync("api/me")).GetProperty("isAdmin").GetBoolean());
    }

    [Fact]
    public async Task A_plain_user_may_not_use_the_admin_api_nor_see_another_users_collections()
    {
        using var admin = Admin();
        await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "gina", password = "gina-password" }, HttpStatusCode.Created);
        var adminInbox = (await admin.GetAsync("api/collections")).GetProperty("collections").EnumerateArray().First();
        using var gina = ConsoleApiClient.WithBasic(fixture.Server.HttpPort, "gina", "gina-password");

        Assert.Equal(HttpStatusCode.Forbidden, (await gina.ProblemAsync(HttpMethod.Get, "api/users")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await gina.ProblemAsync(HttpMethod.Get, "api/audit")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await gina.ProblemAsync(HttpMethod.Get, "api/system")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await gina.ProblemAsync(HttpMethod.Get, "api/collections?user=admin")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await gina.ProblemAsync(HttpMethod.Delete, $"api/collections/{adminInbox.GetProperty("id").GetInt64()}")).Status);
        Assert.Equal("gina", (await gina.GetAsync("api/collections")).GetProperty("owner").GetString());
    }

    [Fact]
    public async Task Collections_are_created_renamed_and_deleted_and_a_mail_client_sees_each_step()
    {
        using var admin = Admin();
        await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "hank", password = "hank-password" }, HttpStatusCode.Created);

        var created = await admin.JsonAsync(HttpMethod.Post, "api/collections", new { name = "Projects/Alpha", specialUse = @"\Flagged", user = "hank" }, HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        Assert.Contains("Projects/Alpha", await FoldersOfAsync("hank", "hank-password"));
        var tree = (await admin.GetAsync("api/collections?user=hank")).GetProperty("collections").EnumerateArray().ToList();
        var alpha = tree.Single(c => c.GetProperty("id").GetInt64() == id);
        var projects = tree.Single(c => c.GetProperty("name").GetString() == "Projects");
        Assert.Equal(projects.GetProperty("id").GetInt64(), alpha.GetProperty("parentId").GetInt64());
        Assert.Equal(@"\Flagged", alpha.GetProperty("specialUse").GetString());
        Assert.True(projects.GetProperty("hasChildren").GetBoolean());

        await admin.JsonAsync(HttpMethod.Patch, $"api/collections/{id}", new { name = "Archive/2024/Alpha" });
        var afterRename = await FoldersOfAsync("hank", "hank-password");
        Assert.Contains("Archive/2024/Alpha", afterRename);
        Assert.DoesNotContain("Projects/Alpha", afterRename);

        using (var deleted = await admin.SendAsync(HttpMethod.Delete, $"api/collections/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        Assert.DoesNotContain("Archive/2024/Alpha", await FoldersOfAsync("hank", "hank-password"));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.ProblemAsync(HttpMethod.Delete, $"api/collections/{id}")).Status);
    }

    [Theory]
    [InlineData("", HttpStatusCode.BadRequest)]
    [InlineData("a//b", HttpStatusCode.BadRequest)]
    [InlineData("INBOX", HttpStatusCode.Conflict)]
    public async Task Creating_a_collection_that_cannot_be_made_says_why(string name, HttpStatusCode status)
    {
        using var admin = Admin();

        var problem = await admin.ProblemAsync(HttpMethod.Post, "api/collections", new { name });

        Assert.Equal(status, problem.Status);
        Assert.False(string.IsNullOrEmpty(problem.Detail));
    }

    [Fact]
    public async Task Deleting_a_collection_with_children_or_the_inbox_is_refused_and_keeps_it()
    {
        using var admin = Admin();
        await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "ivan", password = "ivan-password" }, HttpStatusCode.Created);
        await admin.JsonAsync(HttpMethod.Post, "api/collections", new { name = "Parent/Child", user = "ivan" }, HttpStatusCode.Created);
        var tree = (await admin.GetAsync("api/collections?user=ivan")).GetProperty("collections").EnumerateArray().ToList();
        long IdOf(string name) => tree.Single(c => c.GetProperty("name").GetString() == name).GetProperty("id").GetInt64();

        var parent = await admin.ProblemAsync(HttpMethod.Delete, $"api/collections/{IdOf("Parent")}");
        var inbox = await admin.ProblemAsync(HttpMethod.Delete, $"api/collections/{IdOf("INBOX")}");

        Assert.Equal(HttpStatusCode.Conflict, parent.Status);
        Assert.Contains("sub-collections", parent.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, inbox.Status);
        var folders = await FoldersOfAsync("ivan", "ivan-password");
        Assert.Contains("Parent", folders);
        Assert.Contains("INBOX", folders);
    }

    [Fact]
    public async Task The_audit_trail_filters_by_user_action_and_collection_and_pages_backwards()
    {
        using var admin = Admin();
        await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "judy", password = "judy-password" }, HttpStatusCode.Created);
        for (var i = 0; i < 3; i++)
        {
            await admin.JsonAsync(HttpMethod.Post, "api/collections", new { name = $"Audit{i}", user = "judy" }, HttpStatusCode.Created);
        }
        var first = await admin.JsonAsync(HttpMethod.Post, "api/collections", new { name = "Audited", user = "judy" }, HttpStatusCode.Created);

        var added = (await admin.GetAsync("api/audit?action=user-add&user=ADMIN")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(added, e => e.GetProperty("details").GetProperty("user").GetString() == "judy" && e.GetProperty("user").GetString() == "admin");
        Assert.All(added, e => Assert.Equal("user-add", e.GetProperty("action").GetString()));

        var byCollection = (await admin.GetAsync($"api/audit?collection={first.GetProperty("id").GetInt64()}")).GetProperty("items").EnumerateArray().ToList();
        var line = Assert.Single(byCollection);
        Assert.Equal("mailbox-create", line.GetProperty("action").GetString());
        Assert.Equal("Audited", line.GetProperty("details").GetProperty("name").GetString());

        var page1 = await admin.GetAsync("api/audit?action=mailbox-create&limit=2");
        var page2 = await admin.GetAsync($"api/audit?action=mailbox-create&limit=2&before={page1.GetProperty("nextBefore").GetInt64()}");
        var ids = page1.GetProperty("items").EnumerateArray().Concat(page2.GetProperty("items").EnumerateArray()).Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(4, ids.Count);
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        var future = await admin.GetAsync($"api/audit?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}");
        Assert.Empty(future.GetProperty("items").EnumerateArray());
        Assert.Contains("mailbox-create", (await admin.GetAsync("api/audit/actions")).EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.ProblemAsync(HttpMethod.Get, "api/audit?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.ProblemAsync(HttpMethod.Get, "api/audit?collection=abc")).Status);
    }

    [Fact]
    public async Task The_system_summary_counts_what_a_mail_client_filed_today()
    {
        using var admin = Admin();
        await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "kate", password = "kate-password" }, HttpStatusCode.Created);
        var before = await admin.GetAsync("api/system");
        var todayBefore = (await admin.GetAsync("api/system/activity?days=7")).EnumerateArray().Last();

        using (var imap = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect))
        {
            await imap.AuthenticateAsync("kate", "kate-password");
            var message = new MimeMessage { Subject = $"unique {Guid.NewGuid()}" };
            message.From.Add(MailboxAddress.Parse("kate@example.com"));
            message.Body = new TextPart("plain") { Text = "counted " + Guid.NewGuid() };
            await imap.Inbox.AppendAsync(new AppendRequest(message));
            var summary = await admin.GetAsync("api/system");
            Assert.True(summary.GetProperty("imapSessions").GetInt32() >= 1);
            await imap.DisconnectAsync(quit: true);
        }
        var after = await admin.GetAsync("api/system");
        var activity = (await admin.GetAsync("api/system/activity?days=7")).EnumerateArray().ToList();

        Assert.Equal(before.GetProperty("totals").GetProperty("documents").GetInt64() + 1, after.GetProperty("totals").GetProperty("documents").GetInt64());
        Assert.True(after.GetProperty("totals").GetProperty("blobBytes").GetInt64() > before.GetProperty("totals").GetProperty("blobBytes").GetInt64());
        Assert.Equal(7, activity.Count);
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd"), activity[^1].GetProperty("day").GetString());
        Assert.Equal(todayBefore.GetProperty("documents").GetInt64() + 1, activity[^1].GetProperty("documents").GetInt64());
        Assert.All(after.GetProperty("health").EnumerateArray(), h => Assert.True(h.GetProperty("healthy").GetBoolean()));
        Assert.True(after.GetProperty("uptimeSeconds").GetInt64() >= 0);
        Assert.True(after.GetProperty("indexLag").GetInt64() >= 0);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_console_api()
    {
        using var client = new ConsoleApiClient(fixture.Server.HttpPort);

        var document = await client.GetAsync("openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/api/session", "/api/users", "/api/users/{name}", "/api/users/{name}/password", "/api/collections", "/api/collections/{id}", "/api/audit", "/api/system" })
        {
            Assert.Contains(path, paths);
        }
    }

    private async Task<List<string>> FoldersOfAsync(string user, string password)
    {
        using var imap = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(user, password);
        var folders = (await imap.GetFoldersAsync(imap.PersonalNamespaces[0])).Select(f => f.FullName).ToList();
        await imap.DisconnectAsync(quit: true);
        return folders;
    }
}
