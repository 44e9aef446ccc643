using System.Net.Http.Headers;
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

/// <summary>
/// Issue #5, versions: re-filing a newer revision of a mail (same Message-ID, same sender, other
/// content) into a collection that holds it makes a new version of the document, through MailKit
/// and the document API.
/// </summary>
public sealed class MailRevisionFilingTests : IClassFixture<FreshServer>, IDisposable
{
    private readonly FreshServer fixture;
    private readonly HttpClient http;

    public MailRevisionFilingTests(FreshServer fixture)
    {
        this.fixture = fixture;
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Server.HttpPort}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{fixture.AdminPassword}")));
    }

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task A_revised_mail_appended_again_is_a_new_version_under_a_new_uid_in_every_collection_that_holds_it()
    {
        using var client = await SignInAsync();
        var inbox = await NewFolderAsync(client);
        var archive = await NewFolderAsync(client);
        var id = DocumentFilingTests.Unique("revised");
        var first = DocumentFilingTests.Mail(id, "Draft one of the contract.");
        var revised = DocumentFilingTests.Mail(id, "Draft two of the contract, signed.");
        var oldUid = (await inbox.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(first)))))!.Value;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        var copiedUid = (await inbox.CopyToAsync(oldUid, archive))!.Value;
        await inbox.CloseAsync();

        // Another session watches the second collection in IDLE.
        using var watcher = await SignInAsync();
        var watched = await watcher.GetFolderAsync(archive.FullName);
        await watched.OpenAsync(FolderAccess.ReadOnly);
        var expunged = 0;
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watched.MessageExpunged += (_, _) => expunged++;
        watched.CountChanged += (_, _) =>
        {
            if (expunged > 0 && watched.Count == 1)
            {
                heard.TrySetResult();
            }
        };
        using var done = new CancellationTokenSource();
        var idle = watcher.IdleAsync(done.Token);

        var newUid = (await inbox.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(revised)))))!.Value;
        // Hang guard only: after DONE the server reports what the IDLE did not, before its OK.
        await Task.WhenAny(heard.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        await done.CancelAsync();
        await idle;

        await inbox.OpenAsync(FolderAccess.ReadOnly);
        var inboxUids = await inbox.SearchAsync(SearchQuery.All);
        var inboxBody = await DocumentFilingTests.BodyAsync(inbox, newUid);
        var inboxEmailId = (await inbox.FetchAsync([newUid], MessageSummaryItems.EmailId))[0].EmailId;
        await archive.OpenAsync(FolderAccess.ReadOnly);
        var archiveUids = await archive.SearchAsync(SearchQuery.All);
        var archiveBody = await DocumentFilingTests.BodyAsync(archive, archiveUids[0]);
        var archiveEmailId = (await archive.FetchAsync([archiveUids[0]], MessageSummaryItems.EmailId))[0].EmailId;
        var documents = await DocumentsInAsync(inbox.FullName);
        var document = Assert.Single(documents.EnumerateArray());
        var documentId = document.GetProperty("id").GetInt64();
        var versions = await GetAsync($"api/documents/{documentId}/versions");

        Assert.True(newUid > oldUid);
        Assert.Equal([newUid], inboxUids);
        Assert.Equal(revised, inboxBody);
        Assert.Single(archiveUids);
        Assert.True(archiveUids[0] > copiedUid);
        Assert.Equal(revised, archiveBody);
        Assert.Equal(inboxEmailId, archiveEmailId);
        Assert.Equal(2, document.GetProperty("currentVersion").GetInt32());
        Assert.Equal(2, versions.GetArrayLength());
        Assert.Equal(first, await http.GetByteArrayAsync($"api/documents/{documentId}/versions/1/content"));
        Assert.Equal(revised, await http.GetByteArrayAsync($"api/documents/{documentId}/versions/2/content"));
        Assert.Equal(1, expunged);
        Assert.Equal(1, watched.Count);
    }

    [Fact]
    public async Task An_earlier_revision_filed_again_changes_nothing_and_names_the_current_message()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var id = DocumentFilingTests.Unique("older");
        var first = DocumentFilingTests.Mail(id, "Version one.");
        var revised = DocumentFilingTests.Mail(id, "Version two.");
        await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(first))));
        var current = await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(revised))));

        var again = await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(first))));
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var document = Assert.Single((await DocumentsInAsync(folder.FullName)).EnumerateArray());

        Assert.Equal(current, again);
        Assert.Equal(1, folder.Count);
        Assert.Equal(revised, await DocumentFilingTests.BodyAsync(folder, current!.Value));
        Assert.Equal(2, document.GetProperty("currentVersion").GetInt32());
    }

    [Fact]
    public async Task The_same_message_id_from_another_sender_is_a_message_of_its_own()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var id = DocumentFilingTests.Unique("spoofed");
        var original = DocumentFilingTests.Mail(id, "The original.");
        var other = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(DocumentFilingTests.Mail(id, "Someone else's text."))
            .Replace("From: Alice <alice@example.com>", "From: Mallory <mallory@example.org>", StringComparison.Ordinal));

        var first = await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(original))));
        var second = await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(other))));
        await folder.OpenAsync(FolderAccess.ReadOnly);

        Assert.NotEqual(first, second);
        Assert.Equal(2, folder.Count);
        Assert.Equal(original, await DocumentFilingTests.BodyAsync(folder, first!.Value));
        Assert.Equal(2, (await DocumentsInAsync(folder.FullName)).GetArrayLength());
    }

    private async Task<JsonElement> DocumentsInAsync(string folder)
    {
        var collection = (await GetAsync("api/collections/readable")).EnumerateArray().Single(c => c.GetProperty("name").GetString() == folder);
        return await GetAsync($"api/collections/{collection.GetProperty("id").GetInt64()}/documents");
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<ImapClient> SignInAsync()
    {
        var client = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("admin", fixture.AdminPassword);
        return client;
    }

    private static async Task<IMailFolder> NewFolderAsync(ImapClient client) =>
        (await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync("R" + Guid.NewGuid().ToString("N")[..8], isMessageFolder: true))!;
}
