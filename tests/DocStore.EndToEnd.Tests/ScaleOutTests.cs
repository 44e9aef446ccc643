using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>Two DocStore nodes on one PostgreSQL (DESIGN.md, Scale-out).</summary>
public sealed class ScaleOutTests : IClassFixture<TestDatabase>
{
    private const string Password = "two-nodes-admin";
    private readonly TestDatabase database;

    public ScaleOutTests(TestDatabase database) => this.database = database;

    [Fact]
    public async Task A_session_idling_on_one_node_hears_of_a_message_filed_on_another()
    {
        using var directoryA = new ScratchDirectory("docstore-e2e-");
        using var directoryB = new ScratchDirectory("docstore-e2e-");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:DocStore"] = database.ConnectionString,
            ["Admin:InitialPassword"] = Password,
        };
        await using var nodeA = await DocStoreProcess.StartAsync(directoryA.Path, settings);
        await using var nodeB = await DocStoreProcess.StartAsync(directoryB.Path, settings);

        using var watcher = await SignInAsync(nodeA);
        await watcher.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var before = watcher.Inbox.Count;
        var arrived = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Inbox.CountChanged += (_, _) => arrived.TrySetResult(watcher.Inbox.Count);
        using var done = new CancellationTokenSource();
        var idle = watcher.IdleAsync(done.Token);

        using (var filer = await SignInAsync(nodeB))
        {
            var message = new MimeMessage { Subject = "filed on node B" };
            message.From.Add(MailboxAddress.Parse("b@example.com"));
            message.Body = new TextPart("plain") { Text = "cross-node" };
            await filer.Inbox.AppendAsync(new AppendRequest(message));
        }
        var count = await arrived.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await done.CancelAsync();
        await idle;

        Assert.Equal(before + 1, count);
    }

    private static async Task<ImapClient> SignInAsync(DocStoreProcess node)
    {
        var client = await ImapClients.ConnectAsync(node.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("admin", Password);
        return client;
    }
}
