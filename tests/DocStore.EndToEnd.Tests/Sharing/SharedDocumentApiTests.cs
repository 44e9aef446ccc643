using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DocStore.EndToEnd.Tests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Xunit;

namespace DocStore.EndToEnd.Tests.Sharing;

/// <summary>The document API obeys the same rights and quotas as IMAP: a share opens it, nothing else does.</summary>
public sealed class SharedDocumentApiTests : IClassFixture<SharingServer>
{
    private readonly SharingServer fixture;

    public SharedDocumentApiTests(SharingServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task Another_users_document_is_reachable_only_through_a_share_and_filing_needs_the_insert_right()
    {
        var name = "Api" + Guid.NewGuid().ToString("N")[..6];
        using (var imap = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect))
        {
            await imap.AuthenticateAsync("alice", SharingServer.PasswordOf("alice"));
            await imap.GetFolder(imap.PersonalNamespaces[0]).CreateAsync(name, isMessageFolder: true);
        }
        using var alice = Client("alice");
        using var bob = Client("bob");
        var collection = await CollectionIdAsync(alice, name);
        var document = await UploadAsync(alice, collection, "lease.txt");
        Assert.Equal(HttpStatusCode.Created, document.Status);

        // No share: Bob's answers are those for a document and a collection that do not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"api/documents/{document.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"api/collections/{collection}/documents")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await UploadAsync(bob, collection, "intruder.txt")).Status);

        // Read-only share: Bob reads, lists and downloads, but may not file.
        await fixture.CliAsync(null, "acl", "set", $"Users/alice/{name}", "bob", "lr");
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"api/documents/{document.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"api/collections/{collection}/documents")).StatusCode);
        Assert.Equal("the lease"u8.ToArray(), await bob.GetByteArrayAsync($"api/documents/{document.Id}/content"));
        Assert.Equal(HttpStatusCode.NotFound, (await UploadAsync(bob, collection, "intruder.txt")).Status);

        // With "i" he files; with the share revoked he sees nothing again.
        await fixture.CliAsync(null, "acl", "set", $"Users/alice/{name}", "bob", "lri");
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(bob, collection, "addendum.txt")).Status);
        await fixture.CliAsync(null, "acl", "delete", $"Users/alice/{name}", "bob");
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"api/documents/{document.Id}")).StatusCode);
    }

    [Fact]
    public async Task An_upload_over_the_users_quota_is_refused_with_413_and_files_nothing()
    {
        using var carol = Client("carol");
        var inbox = await CollectionIdAsync(carol, "INBOX");
        await fixture.CliAsync(null, "quota", "set", "#user/carol", "1K");

        var refused = await UploadAsync(carol, inbox, "big.bin", new byte[4096]);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.Status);
        Assert.Contains("quota", refused.Body, StringComparison.Ordinal);
        using var listed = JsonDocument.Parse(await carol.GetStringAsync($"api/collections/{inbox}/documents"));
        Assert.Equal(0, listed.RootElement.GetArrayLength());
        await fixture.CliAsync(null, "quota", "set", "#user/carol", "none");
    }

    private HttpClient Client(string user)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Server.HttpPort}/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{SharingServer.PasswordOf(user)}")));
        return http;
    }

    private static async Task<long> CollectionIdAsync(HttpClient http, string name)
    {
        using var collections = JsonDocument.Parse(await http.GetStringAsync("api/collections/readable"));
        return collections.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).GetProperty("id").GetInt64();
    }

    private static async Task<(HttpStatusCode Status, long Id, string Body)> UploadAsync(HttpClient http, long collection, string fileName, byte[]? bytes = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes ?? "the lease"u8.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", fileName);
        using var response = await http.PostAsync($"api/collections/{collection}/documents", form);
        var body = await response.Content.ReadAsStringAsync();
        var id = response.StatusCode == HttpStatusCode.Created ? JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64() : 0;
        return (response.StatusCode, id, body);
    }
}
