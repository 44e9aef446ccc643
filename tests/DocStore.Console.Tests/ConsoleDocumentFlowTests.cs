using DocStore.Testing;
using Microsoft.Playwright;
using Xunit;

namespace DocStore.Console.Tests;

/// <summary>The document flows: groups, rights, upload, search, preview, trash and audit, in headless Chromium.</summary>
public sealed partial class ConsoleFlowTests
{
    // The background indexer makes an upload searchable within a poll; the bound is for a loaded 2-core machine.
    private static readonly TimeSpan IndexBound = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The document browser shows the collection chosen last, even when the list of the one
    /// chosen before it answers later (it drew over the newer list before).
    /// </summary>
    [Fact]
    public async Task The_document_list_shows_the_collection_chosen_last_when_an_earlier_choice_answers_later()
    {
        using (var imap = new MailKit.Net.Imap.ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 30_000 })
        {
            await imap.ConnectAsync("127.0.0.1", fixture.Server.TlsPort, MailKit.Security.SecureSocketOptions.SslOnConnect);
            await imap.AuthenticateAsync("admin", fixture.AdminPassword);
            var root = imap.GetFolder(imap.PersonalNamespaces[0]);
            var full = await root.CreateAsync("Race-Full", true);
            await root.CreateAsync("Race-Empty", true);
            var message = new MimeKit.MimeMessage { Subject = "Only in Race-Full" };
            message.From.Add(MimeKit.MailboxAddress.Parse("clerk@example.com"));
            message.Body = new MimeKit.TextPart("plain") { Text = "filed" };
            await full!.AppendAsync(new MailKit.AppendRequest(message));
            await imap.DisconnectAsync(quit: true);
        }
        var (context, page, _) = await fixture.NewPageAsync();
        await using var _ = context;
        await SignInAsync(page, "admin", fixture.AdminPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Documents" }).ClickAsync();
        await Expect(page.Locator("#documents-table caption")).ToBeVisibleAsync();
        async Task<string> Id(string name) =>
            (await page.Locator("#collection option", new() { HasText = $"{name} (" }).GetAttributeAsync("value"))!;
        var (fullId, emptyId) = (await Id("Race-Full"), await Id("Race-Empty"));

        // Race-Full's list is held until Race-Empty's has been drawn.
        var release = new TaskCompletionSource();
        await page.RouteAsync(url => new Uri(url).AbsolutePath == $"/api/collections/{fullId}/documents/page", async route =>
        {
            await release.Task;
            await route.ContinueAsync();
        });
        var heldAnswer = page.WaitForResponseAsync(r => r.Url.Contains($"/api/collections/{fullId}/documents/page", StringComparison.Ordinal));
        await page.Locator("#collection").SelectOptionAsync(fullId);
        await page.Locator("#collection").SelectOptionAsync(emptyId);
        await Expect(page.Locator("#documents-table caption")).ToHaveTextAsync("0 documents, page 1 of 1");
        release.SetResult();
        await heldAnswer;
        // The late answer has been read; give the page a moment to (wrongly) draw it.
        await page.WaitForTimeoutAsync(500);
        await Expect(page.Locator("#documents-table caption")).ToHaveTextAsync("0 documents, page 1 of 1");
        await Expect(page.Locator("#documents-table tr[data-title='Only in Race-Full']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_administrator_shares_a_collection_uploads_a_pdf_finds_it_by_a_word_inside_previews_deletes_and_restores_it()
    {
        var (context, page, errors) = await fixture.NewPageAsync();
        await using var _ = context;
        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await SignInAsync(page, "admin", fixture.AdminPassword);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();

        // A user and a group with her in it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await page.GetByLabel("User name").FillAsync("dora");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("dora-password-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        await Expect(page.Locator("#users-table tr[data-user=dora]")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Groups" }).ClickAsync();
        await page.GetByLabel("Group name").FillAsync("readers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Created group readers");
        await page.GetByLabel("User to add to readers").SelectOptionAsync("dora");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Expect(page.Locator("section[data-group=readers] ul")).ToContainTextAsync("dora");
        await Screenshot(page, "groups");

        // A collection, and read rights for dora on it through the rights editor.
        await page.GetByRole(AriaRole.Link, new() { Name = "Collections" }).ClickAsync();
        await page.GetByLabel("Full name", new() { Exact = true }).FillAsync("Contracts");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Contracts", Level = 2 })).ToBeVisibleAsync();
        await page.GetByLabel("User, $group or anyone").FillAsync("dora");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant" }).ClickAsync();
        await Expect(page.Locator("#rights-table tr[data-identifier=dora]")).ToContainTextAsync("see it in the folder list, read documents");
        await Expect(page.Locator("#rights-table tr[data-identifier=admin]")).ToContainTextAsync("(owner)");
        var contracts = await page.Locator("dd").First.TextContentAsync();
        await Screenshot(page, "rights");

        // Upload a PDF into it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Documents" }).ClickAsync();
        await page.GetByLabel("Collection", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = $"Contracts ({contracts})" });
        await page.GetByLabel("File", new() { Exact = true }).SetInputFilesAsync(new FilePayload
        {
            Name = "supply-contract.pdf",
            MimeType = "application/pdf",
            Buffer = TestDocuments.Pdf("Supply contract", "Delivery of quokkaberry jam every Tuesday."),
        });
        await page.GetByLabel("Title", new() { Exact = true }).FillAsync("Supply contract");
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Uploaded Supply contract");
        await Expect(page.Locator("#documents-table tr[data-title='Supply contract']")).ToContainTextAsync("application/pdf");
        await Screenshot(page, "documents");

        // Find it by a word inside the PDF: search again until the indexer has it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Search" }).ClickAsync();
        await page.GetByLabel("Search for").FillAsync("quokkaberry");
        using (var bound = new CancellationTokenSource(IndexBound))
        {
            while (true)
            {
                await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
                await Expect(page.Locator("#search-results p[role=status]")).ToContainTextAsync("found for quokkaberry");
                if (await page.Locator("ol.hits li").CountAsync() > 0)
                {
                    break;
                }
                Assert.False(bound.IsCancellationRequested, $"the PDF was not found within {IndexBound}");
                await page.WaitForTimeoutAsync(500);
            }
        }
        await Expect(page.Locator("ol.hits li mark").First).ToHaveTextAsync("quokkaberry");
        await Expect(page.Locator("button.facet[data-facet='type:application/pdf']")).ToBeVisibleAsync();
        await Screenshot(page, "search");

        // Preview: the browser's PDF viewer in a frame, from the preview URL.
        var preview = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Supply contract" }).ClickAsync(),
            r => r.Url.Contains("/preview", StringComparison.Ordinal));
        Assert.Equal(200, preview.Status);
        Assert.StartsWith("application/pdf", (await preview.AllHeadersAsync())["content-type"], StringComparison.Ordinal);
        await Expect(page.Locator("iframe#preview-frame")).ToBeVisibleAsync();
        await Screenshot(page, "preview");

        // Delete it from the document browser, then restore it from the trash.
        await page.Locator("ol.hits li a", new() { HasText = "Contracts" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Supply contract", Level = 2 })).ToBeFocusedAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Moved Supply contract to the trash");
        await Expect(page.Locator("#documents-table tr[data-title='Supply contract']")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Trash" }).ClickAsync();
        await Screenshot(page, "trash");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore Supply contract" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Restored Supply contract to Contracts");

        // The audit trail has the grant, the upload, the deletion and the restore.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await page.GetByLabel("User", new() { Exact = true }).FillAsync("admin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        var table = page.Locator("#audit-table");
        foreach (var action in new[] { "group-add", "group-member-add", "acl-set", "upload", "trash", "restore" })
        {
            await Expect(table).ToContainTextAsync(action);
        }

        // The dashboard's index check runs to the end while the server serves.
        await page.GetByRole(AriaRole.Link, new() { Name = "Dashboard" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Check and reindex" }).ClickAsync();
        await Expect(page.Locator("#index-check")).ToContainTextAsync("Last check", new() { Timeout = (float)IndexBound.TotalMilliseconds });

        // The rebuild, from the keyboard: confirmed, followed with a progress line, and its result shown.
        await page.GetByRole(AriaRole.Button, new() { Name = "Rebuild index" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#index-rebuild")).ToContainTextAsync("Last rebuild finished", new() { Timeout = (float)IndexBound.TotalMilliseconds });
        await Expect(page.Locator("#index-rebuild")).ToContainTextAsync("the rebuilt index is in use");
        await Screenshot(page, "dashboard-index");

        Assert.Empty(errors);
    }
}
