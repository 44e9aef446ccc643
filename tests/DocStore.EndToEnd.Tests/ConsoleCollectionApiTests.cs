using System.Net;
using System.Text.Json;
using DocStore.EndToEnd.Tests.Infrastructure;
using MailKit;
using MailKit.Security;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>A collection's settings through the console API (special-use, move, retention, legal hold, quotas), checked over IMAP.</summary>
public sealed class ConsoleCollectionApiTests : IClassFixture<FreshServer>
{
    private const long MiB = 1024 * 1024;
    private readonly FreshServer fixture;

    public ConsoleCollectionApiTests(FreshServer fixture) => this.fixture = fixture;

    private ConsoleApiClient Admin() => ConsoleApiClient.WithBasic(fixture.Server.HttpPort, "admin", fixture.AdminPassword);

    [Fact]
    public async Task An_administrator_moves_a_collection_and_sets_special_use_retention_hold_and_quotas()
    {
        using var admin = Admin();
        await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "lena", password = "lena-password" }, HttpStatusCode.Created);
        var id = (await admin.JsonAsync(HttpMethod.Post, "api/collections", new { name = "Cases/Smith", user = "lena" }, HttpStatusCode.Created)).GetProperty("id").GetInt64();

        // Move under another parent (made on the way); the id and the mail client's view follow.
        await admin.JsonAsync(HttpMethod.Patch, $"api/collections/{id}", new { name = "Closed/Smith" });
        var special = await admin.JsonAsync(HttpMethod.Put, $"api/collections/{id}/special-use", new { specialUse = @"\flagged" });
        Assert.Equal(@"\Flagged", special.GetProperty("specialUse").GetString());
        var folder = Assert.Single(await FoldersOfAsync("lena", "lena-password"), f => f.FullName == "Closed/Smith");
        Assert.True(folder.Attributes.HasFlag(FolderAttributes.Flagged));

        var governance = await admin.JsonAsync(HttpMethod.Put, $"api/collections/{id}/governance", new { retentionDays = 30, legalHold = true, reason = "Smith v. Jones" });
        Assert.Equal(30, governance.GetProperty("retentionDays").GetInt32());
        var quota = await admin.JsonAsync(HttpMethod.Put, $"api/collections/{id}/quota", new { limitBytes = 5 * MiB });
        Assert.Equal(5 * MiB, quota.GetProperty("limitBytes").GetInt64());
        var userQuota = await admin.JsonAsync(HttpMethod.Put, "api/users/lena/quota", new { limitBytes = 20 * MiB });
        Assert.Equal(20 * MiB, userQuota.GetProperty("limitBytes").GetInt64());

        var detail = await admin.GetAsync($"api/collections/{id}");
        Assert.Equal("Closed/Smith", detail.GetProperty("name").GetString());
        Assert.Equal("lena", detail.GetProperty("owner").GetString());
        Assert.Equal(@"\Flagged", detail.GetProperty("specialUse").GetString());
        Assert.Equal(30, detail.GetProperty("retentionDays").GetInt32());
        Assert.True(detail.GetProperty("legalHold").GetBoolean());
        Assert.Equal("Smith v. Jones", detail.GetProperty("legalHoldReason").GetString());
        Assert.Equal(5 * MiB, detail.GetProperty("quota").GetProperty("limitBytes").GetInt64());
        Assert.Equal(20 * MiB, detail.GetProperty("ownerQuota").GetProperty("limitBytes").GetInt64());
        Assert.Equal(20 * MiB, (await admin.GetAsync("api/users/lena/quota")).GetProperty("limitBytes").GetInt64());

        // Each change is in the audit trail under the collection.
        var actions = (await admin.GetAsync($"api/audit?collection={id}")).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        foreach (var action in new[] { "mailbox-rename", "mailbox-special-use", "retention", "legal-hold", "quota-set" })
        {
            Assert.Contains(action, actions);
        }

        // Held: the delete is refused and the collection stays; lifted: it goes, and the quota with it.
        var refused = await admin.ProblemAsync(HttpMethod.Delete, $"api/collections/{id}");
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("Smith v. Jones", refused.Detail, StringComparison.Ordinal);
        Assert.Contains(await FoldersOfAsync("lena", "lena-password"), f => f.FullName == "Closed/Smith");
        await admin.JsonAsync(HttpMethod.Put, $"api/collections/{id}/governance", new { legalHold = false });
        var cleared = await admin.JsonAsync(HttpMethod.Put, $"api/collections/{id}/quota", new { limitBytes = (long?)null });
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("limitBytes").ValueKind);
        await admin.JsonAsync(HttpMethod.Put, $"api/collections/{id}/special-use", new { specialUse = (string?)null });
        Assert.Equal(JsonValueKind.Null, (await admin.GetAsync($"api/collections/{id}")).GetProperty("specialUse").ValueKind);
        using (var deleted = await admin.SendAsync(HttpMethod.Delete, $"api/collections/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        Assert.DoesNotContain(await FoldersOfAsync("lena", "lena-password"), f => f.FullName == "Closed/Smith");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.ProblemAsync(HttpMethod.Get, $"api/collections/{id}")).Status);
    }

    [Fact]
    public async Task Collection_settings_that_cannot_be_made_say_why()
    {
        using var admin = Admin();
        await admin.JsonAsync(HttpMethod.Post, "api/users", new { name = "mick", password = "mick-password" }, HttpStatusCode.Created);
        var a = (await admin.JsonAsync(HttpMethod.Post, "api/collections", new { name = "Alpha", user = "mick" }, HttpStatusCode.Created)).GetProperty("id").GetInt64();
        await admin.JsonAsync(HttpMethod.Post, "api/collections", new { name = "Beta", user = "mick" }, HttpStatusCode.Created);

        var clash = await admin.ProblemAsync(HttpMethod.Patch, $"api/collections/{a}", new { name = "Beta" });
        var intoItself = await admin.ProblemAsync(HttpMethod.Patch, $"api/collections/{a}", new { name = "Alpha/Inner" });
        var badSpecialUse = await admin.ProblemAsync(HttpMethod.Put, $"api/collections/{a}/special-use", new { specialUse = @"\Bogus" });
        var unknown = await admin.ProblemAsync(HttpMethod.Put, "api/collections/999999999/special-use", new { specialUse = @"\Archive" });
        var negative = await admin.ProblemAsync(HttpMethod.Put, $"api/collections/{a}/quota", new { limitBytes = -1 });
        var noUser = await admin.ProblemAsync(HttpMethod.Put, "api/users/nobody-here/quota", new { limitBytes = MiB });
        var badRetention = await admin.ProblemAsync(HttpMethod.Put, $"api/collections/{a}/governance", new { retentionDays = -5 });
        var nothingToChange = await admin.ProblemAsync(HttpMethod.Put, $"api/collections/{a}/governance", new { });

        Assert.Equal(HttpStatusCode.Conflict, clash.Status);
        Assert.Contains("already exists", clash.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, intoItself.Status);
        Assert.Contains("own subtree", intoItself.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badSpecialUse.Status);
        Assert.Contains(@"\Archive", badSpecialUse.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.BadRequest, negative.Status);
        Assert.Equal(HttpStatusCode.BadRequest, nothingToChange.Status);
        Assert.Contains("legalHold", nothingToChange.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, noUser.Status);
        Assert.Equal(HttpStatusCode.BadRequest, badRetention.Status);
        Assert.Equal("application/problem+json", clash.MediaType);

        // The owner sets special-use and retention on their own collection, but not quotas or holds, nor sees another's.
        using var mick = ConsoleApiClient.WithBasic(fixture.Server.HttpPort, "mick", "mick-password");
        Assert.Equal(HttpStatusCode.OK, (await mick.SendAsync(HttpMethod.Put, $"api/collections/{a}/special-use", new { specialUse = @"\Archive" })).StatusCode);
        Assert.Equal(7, (await mick.JsonAsync(HttpMethod.Put, $"api/collections/{a}/governance", new { retentionDays = 7 })).GetProperty("retentionDays").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, (await mick.ProblemAsync(HttpMethod.Put, $"api/collections/{a}/quota", new { limitBytes = MiB })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await mick.ProblemAsync(HttpMethod.Put, $"api/collections/{a}/governance", new { legalHold = true })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await mick.ProblemAsync(HttpMethod.Put, "api/users/mick/quota", new { limitBytes = MiB })).Status);
        var adminInbox = (await admin.GetAsync("api/collections")).GetProperty("collections").EnumerateArray().First().GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NotFound, (await mick.ProblemAsync(HttpMethod.Get, $"api/collections/{adminInbox}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await mick.ProblemAsync(HttpMethod.Put, $"api/collections/{adminInbox}/special-use", new { specialUse = @"\Junk" })).Status);
        var own = await mick.GetAsync($"api/collections/{a}");
        Assert.Equal(@"\Archive", own.GetProperty("specialUse").GetString());
        Assert.Equal(JsonValueKind.Null, own.GetProperty("quota").GetProperty("limitBytes").ValueKind);
    }

    [Fact]
    public async Task A_console_session_without_the_anti_forgery_token_cannot_change_settings()
    {
        using var admin = new ConsoleApiClient(fixture.Server.HttpPort);
        await admin.SignInAsync("admin", fixture.AdminPassword);
        var inbox = (await admin.GetAsync("api/collections")).GetProperty("collections").EnumerateArray().First().GetProperty("id").GetInt64();
        admin.CsrfToken = null;

        Assert.Equal(HttpStatusCode.Forbidden, (await admin.ProblemAsync(HttpMethod.Put, $"api/collections/{inbox}/quota", new { limitBytes = MiB })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.ProblemAsync(HttpMethod.Put, $"api/collections/{inbox}/special-use", new { specialUse = @"\Junk" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.ProblemAsync(HttpMethod.Put, "api/users/admin/quota", new { limitBytes = MiB })).Status);
        Assert.Equal(JsonValueKind.Null, (await admin.GetAsync($"api/collections/{inbox}")).GetProperty("quota").GetProperty("limitBytes").ValueKind);
    }

    private async Task<List<IMailFolder>> FoldersOfAsync(string user, string password)
    {
        using var imap = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(user, password);
        var folders = (await imap.GetFoldersAsync(imap.PersonalNamespaces[0])).ToList();
        await imap.DisconnectAsync(quit: true);
        return folders;
    }
}
