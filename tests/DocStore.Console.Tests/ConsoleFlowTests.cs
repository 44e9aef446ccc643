using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace DocStore.Console.Tests;

/// <summary>The console's main flows in headless Chromium, against the real server and PostgreSQL.</summary>
public sealed partial class ConsoleFlowTests : IClassFixture<ConsoleBrowser>
{
    private readonly ConsoleBrowser fixture;

    public ConsoleFlowTests(ConsoleBrowser fixture) => this.fixture = fixture;

    [Fact]
    public async Task An_administrator_adds_a_user_and_a_collection_and_finds_both_in_the_audit_log()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await FileMailAsync(3);

        await SignInAsync(page, "admin", fixture.AdminPassword);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        // Today's bar shows the mail just filed over IMAP.
        await Expect(page.Locator("#chart-filed svg rect.bar title").Last).ToHaveTextAsync(TodayFiledSome());
        await Screenshot(page, "dashboard");

        // Users: add bob with the keyboard only.
        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await page.GetByLabel("User name").FillAsync("bob");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Bob Builder");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("bob-password-1");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Added bob");
        await Expect(page.Locator("#users-table tr[data-user=bob]")).ToContainTextAsync("Bob Builder");
        await Screenshot(page, "users");

        // Collections: create Projects/Alpha in bob's tree, then rename it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Collections" }).ClickAsync();
        await page.GetByLabel("Whose collections").SelectOptionAsync("bob");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "bob's collections" })).ToBeVisibleAsync();
        await page.GetByLabel("Full name").FillAsync("Projects/Alpha");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Created Projects/Alpha for bob");
        await Expect(page.Locator("button.node[data-collection='Projects/Alpha']")).ToBeVisibleAsync();
        await page.Locator("button.node[data-collection='Projects/Alpha']").ClickAsync();
        await page.GetByLabel("New name").FillAsync("Beta");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rename or move" }).ClickAsync();
        await Expect(page.Locator("button.node[data-collection='Projects/Beta']")).ToBeVisibleAsync();
        await Screenshot(page, "collections");

        // Audit: the user and the collection, with who did it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await page.GetByLabel("User", new() { Exact = true }).FillAsync("admin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        var table = page.Locator("#audit-table");
        await Expect(table).ToContainTextAsync("user-add");
        await Expect(table).ToContainTextAsync("user=bob");
        await Expect(table).ToContainTextAsync("mailbox-create");
        await Expect(table).ToContainTextAsync("name=Projects/Alpha");
        await Expect(table).ToContainTextAsync("mailbox-rename");
        await Screenshot(page, "audit");

        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_administrator_moves_a_collection_sets_retention_hold_and_quota_and_a_mail_client_sees_the_new_name()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await SignInAsync(page, "admin", fixture.AdminPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Collections" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "admin's collections" })).ToBeVisibleAsync();
        await page.GetByLabel("Full name").FillAsync("Cases/Smith");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.Locator("button.node[data-collection='Cases/Smith']")).ToBeVisibleAsync();

        // The tree's reload after creating Closed arrives only once the administrator has
        // begun typing a new name for Cases/Smith: the reload must not wipe it (it did, and
        // a CI run renamed Cases/Smith to Closed/Smith).
        var reloadHeld = new TaskCompletionSource();
        var holding = true;
        await page.RouteAsync(url => holding && new Uri(url).AbsolutePath == "/api/collections", async route =>
        {
            if (route.Request.Method == "GET") await reloadHeld.Task;
            await route.ContinueAsync();
        });
        await page.GetByLabel("Full name").FillAsync("Closed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Created Closed");
        await page.Locator("button.node[data-collection='Cases/Smith']").ClickAsync();
        await page.GetByLabel("New name").FillAsync("Smith-Jones");
        holding = false;
        reloadHeld.SetResult();
        await Expect(page.Locator("button.node[data-collection='Closed']")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("New name")).ToHaveValueAsync("Smith-Jones");

        // Rename and move under Closed in one step.
        await page.GetByLabel("New parent").SelectOptionAsync("Closed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rename or move" }).ClickAsync();
        await Expect(page.Locator("button.node[data-collection='Closed/Smith-Jones']")).ToBeVisibleAsync();
        await Expect(page.Locator("button.node[data-collection='Closed/Smith-Jones']")).ToHaveAttributeAsync("aria-pressed", "true");

        // Retention and legal hold, then a quota, with the keyboard where a person would.
        await page.GetByLabel("Retention (days)").FillAsync("30");
        await page.GetByLabel("Legal hold").CheckAsync();
        await page.GetByLabel("Reason for the hold").FillAsync("Smith v. Jones");
        await page.GetByLabel("Reason for the hold").PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("legal hold on");
        await page.GetByLabel("Storage quota (MiB)").FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set quota" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Quota of Closed/Smith-Jones: 5.0 MiB");
        await Screenshot(page, "collection-panel");

        // A held collection cannot be deleted: the console says why.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete collection" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Smith v. Jones");

        // The API and a mail client see the result.
        var tree = await page.APIRequest.GetAsync("/api/collections");
        var id = (await tree.JsonAsync())!.Value.GetProperty("collections").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "Closed/Smith-Jones").GetProperty("id").GetInt64();
        var detail = (await (await page.APIRequest.GetAsync($"/api/collections/{id}")).JsonAsync())!.Value;
        Assert.Equal(30, detail.GetProperty("retentionDays").GetInt32());
        Assert.True(detail.GetProperty("legalHold").GetBoolean());
        Assert.Equal("Smith v. Jones", detail.GetProperty("legalHoldReason").GetString());
        Assert.Equal(5L * 1024 * 1024, detail.GetProperty("quota").GetProperty("limitBytes").GetInt64());
        using var imap = new MailKit.Net.Imap.ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 30_000 };
        await imap.ConnectAsync("127.0.0.1", fixture.Server.TlsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync("admin", fixture.AdminPassword);
        var folders = (await imap.GetFoldersAsync(imap.PersonalNamespaces[0])).Select(f => f.FullName).ToList();
        await imap.DisconnectAsync(quit: true);
        Assert.Contains("Closed/Smith-Jones", folders);
        Assert.DoesNotContain("Cases/Smith", folders);

        // The user's own quota, from the Users page's edit dialog.
        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit admin" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("uses ");
        await page.GetByLabel("Storage quota (MiB)").FillAsync("50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved admin");
        var userQuota = (await (await page.APIRequest.GetAsync("/api/users/admin/quota")).JsonAsync())!.Value;
        Assert.Equal(50L * 1024 * 1024, userQuota.GetProperty("limitBytes").GetInt64());
        // The refused delete's 409 is the one error the browser may log.
        Assert.DoesNotContain(errors, e => !e.Contains("status of 409", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Signing_out_ends_the_session_and_the_old_cookie_no_longer_works()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        await SignInAsync(page, "admin", fixture.AdminPassword);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        var cookies = await context.CookiesAsync();
        var cookie = Assert.Single(cookies, c => c.Name == "__Host-DocStore");
        Assert.True(cookie.HttpOnly);
        Assert.True(cookie.Secure);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page.GetByLabel("Password")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Password")).ToBeVisibleAsync();
        // The cookie as it was before signing out is refused: the session ended on the server.
        await context.AddCookiesAsync([new Cookie
        {
            Name = cookie.Name, Value = cookie.Value, Domain = cookie.Domain, Path = cookie.Path,
            Secure = cookie.Secure, HttpOnly = cookie.HttpOnly, SameSite = cookie.SameSite,
        }]);
        var response = await page.APIRequest.GetAsync("/api/session");
        Assert.Equal(401, response.Status);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_message_and_a_plain_user_sees_no_admin_pages()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        await SignInAsync(page, "admin", "not the password");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong user name or password");
        await Screenshot(page, "sign-in");

        var (created, _) = await DocStore.EndToEnd.Tests.Infrastructure.DocStoreProcess.RunAsync("carol-password\n",
            "user", "add", "carol", "--data-dir", fixture.Server.DataDirectory);
        Assert.Equal(0, created);
        await page.GetByLabel("User name").FillAsync("carol");
        await page.GetByLabel("Password").FillAsync("carol-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Collections", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "carol's collections" })).ToBeVisibleAsync();
        var users = await page.APIRequest.GetAsync("/api/users");
        Assert.Equal(403, users.Status);
        Assert.DoesNotContain(errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Files mail into the admin's INBOX over IMAPS, as a mail client would.</summary>
    private async Task FileMailAsync(int count)
    {
        using var imap = new MailKit.Net.Imap.ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 30_000 };
        await imap.ConnectAsync("127.0.0.1", fixture.Server.TlsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync("admin", fixture.AdminPassword);
        for (var i = 0; i < count; i++)
        {
            var message = new MimeKit.MimeMessage { Subject = $"Invoice {i + 1}" };
            message.From.Add(MimeKit.MailboxAddress.Parse("billing@example.com"));
            message.Body = new MimeKit.TextPart("plain") { Text = $"Invoice number {i + 1}: {new string('x', 2000 * (i + 1))}" };
            await imap.Inbox.AppendAsync(new MailKit.AppendRequest(message));
        }
        await imap.DisconnectAsync(quit: true);
    }

    private static async Task SignInAsync(IPage page, string name, string password)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("User name").FillAsync(name);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    /// <summary>Saves a screenshot beside the test output, and under DOCSTORE_SCREENSHOTS when set (docs/console).</summary>
    private static async Task Screenshot(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("DOCSTORE_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{SafeName().Replace(name, "-")}.png"), FullPage = true });
    }

    [GeneratedRegex(@": [1-9][0-9]*$", RegexOptions.None, matchTimeoutMilliseconds: 100)]
    private static partial Regex TodayFiledSome();

    [GeneratedRegex("[^a-z0-9-]", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex SafeName();
}
