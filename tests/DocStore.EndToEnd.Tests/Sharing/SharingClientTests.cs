using System.Text;
using DocStore.EndToEnd.Tests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests.Sharing;

/// <summary>Two users sharing collections through MailKit: ACL commands, the Users/ namespace, IDLE, private \Seen.</summary>
public sealed class SharingClientTests : IClassFixture<SharingServer>
{
    private readonly SharingServer fixture;

    public SharingClientTests(SharingServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task A_read_only_share_is_seen_over_idle_read_byte_for_byte_with_its_own_seen_and_nothing_more()
    {
        using var alice = await SignInAsync("alice");
        using var bob = await SignInAsync("bob");
        var name = "Contracts" + Guid.NewGuid().ToString("N")[..6];
        var contracts = (await alice.GetFolder(alice.PersonalNamespaces[0]).CreateAsync(name, isMessageFolder: true))!;
        await contracts.SetAccessRightsAsync("bob", new AccessRights("lrs"));

        Assert.Equal("Users", bob.OtherNamespaces[0].Path.TrimEnd('/'));
        Assert.Equal("Shared", bob.SharedNamespaces[0].Path.TrimEnd('/'));
        var listed = await bob.GetFoldersAsync(bob.OtherNamespaces[0]);
        Assert.Contains(listed, f => f.FullName == $"Users/alice/{name}");
        var shared = await bob.GetFolderAsync($"Users/alice/{name}");
        Assert.Equal("lrs", (await shared.GetMyAccessRightsAsync()).ToString());
        await shared.OpenAsync(FolderAccess.ReadWrite);

        // Bob idles on the shared collection; Alice files a document into it.
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        shared.CountChanged += (_, _) => arrived.TrySetResult();
        using var done = new CancellationTokenSource();
        var idle = bob.IdleAsync(done.Token);
        var bytes = Encoding.ASCII.GetBytes("From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: Lease\r\n" +
            $"Message-ID: <{Guid.NewGuid():N}@example.com>\r\n\r\nThe signed lease.\r\n");
        var uid = (await contracts.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(bytes)))))!.Value;
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await done.CancelAsync();
        await idle;

        Assert.Equal(1, shared.Count);
        using (var fetched = new MemoryStream())
        {
            using var stream = await shared.GetStreamAsync(uid, string.Empty);
            await stream.CopyToAsync(fetched);
            Assert.Equal(bytes, fetched.ToArray());
        }
        await shared.AddFlagsAsync(uid, MessageFlags.Seen, silent: true);
        Assert.True((await shared.FetchAsync([uid], MessageSummaryItems.Flags))[0].Flags!.Value.HasFlag(MessageFlags.Seen));
        await contracts.OpenAsync(FolderAccess.ReadOnly);
        Assert.False((await contracts.FetchAsync([uid], MessageSummaryItems.Flags))[0].Flags!.Value.HasFlag(MessageFlags.Seen));

        var append = await Assert.ThrowsAsync<ImapCommandException>(() => shared.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(bytes)))));
        Assert.Contains("\"i\" right", append.ResponseText, StringComparison.Ordinal);
        // RFC 4314 §5.1.1: PERMANENTFLAGS shows what the rights allow (MailKit then sends no STORE it knows will fail).
        Assert.Equal(MessageFlags.Seen, shared.PermanentFlags);
        await Assert.ThrowsAsync<ImapCommandException>(() => shared.ExpungeAsync());
        await Assert.ThrowsAsync<ImapCommandException>(() => shared.SetAccessRightsAsync("carol", new AccessRights("lr")));
        await Assert.ThrowsAsync<ImapCommandException>(() => shared.GetAccessControlListAsync());
        await contracts.CloseAsync();
        await contracts.StatusAsync(StatusItems.Count);
        Assert.Equal(1, contracts.Count);
        var acl = await contracts.GetAccessControlListAsync();
        Assert.Contains(acl, a => a.Name == "bob" && a.Rights.ToString() == "lrs");
    }

    [Fact]
    public async Task A_group_grant_works_and_its_revocation_counts_on_the_next_command()
    {
        using var alice = await SignInAsync("alice");
        using var bob = await SignInAsync("bob");
        using var carol = await SignInAsync("carol");
        var name = "Team" + Guid.NewGuid().ToString("N")[..6];
        var projects = (await alice.GetFolder(alice.PersonalNamespaces[0]).CreateAsync(name, isMessageFolder: true))!;
        await projects.AppendAsync(new AppendRequest(Simple("Plan")));
        await projects.SetAccessRightsAsync("$team", new AccessRights("lr"));

        var shared = await bob.GetFolderAsync($"Users/alice/{name}");
        await shared.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal("Plan", (await shared.GetMessageAsync(0)).Subject);
        await Assert.ThrowsAsync<FolderNotFoundException>(() => carol.GetFolderAsync($"Users/alice/{name}"));

        await projects.RemoveAccessAsync("$team");

        var refused = await Assert.ThrowsAsync<ImapCommandException>(() => shared.FetchAsync(0, -1, MessageSummaryItems.Envelope));
        Assert.Contains("no longer read this mailbox", refused.ResponseText, StringComparison.Ordinal);
        await shared.CloseAsync();
        Assert.DoesNotContain(await bob.GetFoldersAsync(bob.OtherNamespaces[0]), f => f.FullName == $"Users/alice/{name}");
    }

    private static MimeMessage Simple(string subject)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Alice", "alice@example.com"));
        message.Subject = subject;
        message.MessageId = $"{Guid.NewGuid():N}@example.com";
        message.Body = new TextPart("plain") { Text = "A document." };
        return message;
    }

    private async Task<ImapClient> SignInAsync(string user)
    {
        var client = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, SharingServer.PasswordOf(user));
        return client;
    }
}
