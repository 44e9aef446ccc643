using System.Text;
using DocStore.EndToEnd.Tests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>DESIGN.md principle 4 through MailKit: the same mail is one document however often and however it is filed.</summary>
public sealed class DocumentFilingTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public DocumentFilingTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task The_same_mail_appended_twice_is_one_message_with_one_uid()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var mail = Mail(Unique("twice"));

        var first = await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(mail))));
        var second = await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(mail))));
        await folder.OpenAsync(FolderAccess.ReadOnly);

        Assert.Equal(first, second);
        Assert.Equal(1, folder.Count);
    }

    [Fact]
    public async Task The_same_message_id_and_body_with_other_transport_headers_is_the_same_document()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var mail = Mail(Unique("relayed"));
        var relayed = Encoding.UTF8.GetBytes("Received: from relay.example.net by mx.example.com; Thu, 26 Nov 2026 10:00:05 +0100\r\n").Concat(mail).ToArray();

        var first = await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(mail))));
        var second = await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(relayed))));
        await folder.OpenAsync(FolderAccess.ReadOnly);

        Assert.Equal(first, second);
        Assert.Equal(1, folder.Count);
    }

    [Fact]
    public async Task A_changed_body_under_the_same_message_id_is_a_new_version_under_a_new_uid()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var id = Unique("edited");

        var first = await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(Mail(id, "one body")))));
        var second = await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(Mail(id, "another body")))));
        await folder.OpenAsync(FolderAccess.ReadOnly);

        Assert.NotEqual(first, second);
        Assert.Equal(1, folder.Count);
        Assert.Equal(Mail(id, "another body"), await BodyAsync(folder, second!.Value));
    }

    [Fact]
    public async Task Outlook_move_by_append_then_expunge_keeps_the_one_document()
    {
        using var client = await SignInAsync();
        var source = await NewFolderAsync(client);
        var target = await NewFolderAsync(client);
        var mail = Mail(Unique("outlook-append"));
        var uid = (await source.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(mail)))))!.Value;
        await source.OpenAsync(FolderAccess.ReadWrite);
        var emailId = (await source.FetchAsync([uid], MessageSummaryItems.EmailId))[0].EmailId;

        // Outlook's cross-folder move: APPEND to the target, then \Deleted and EXPUNGE in the source.
        var moved = (await target.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(mail)))))!.Value;
        await source.AddFlagsAsync(uid, MessageFlags.Deleted, silent: true);
        await source.ExpungeAsync();
        await target.OpenAsync(FolderAccess.ReadOnly);
        var summary = (await target.FetchAsync([moved], MessageSummaryItems.EmailId))[0];

        Assert.Equal(0, source.Count);
        Assert.Equal(emailId, summary.EmailId);
        Assert.Equal(mail, await BodyAsync(target, moved));
    }

    [Fact]
    public async Task Outlook_move_by_expunge_then_append_brings_the_document_back_from_the_trash()
    {
        using var client = await SignInAsync();
        var source = await NewFolderAsync(client);
        var target = await NewFolderAsync(client);
        var mail = Mail(Unique("outlook-expunge-first"));
        var uid = (await source.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(mail)))))!.Value;
        await source.OpenAsync(FolderAccess.ReadWrite);
        var emailId = (await source.FetchAsync([uid], MessageSummaryItems.EmailId))[0].EmailId;

        await source.AddFlagsAsync(uid, MessageFlags.Deleted, silent: true);
        await source.ExpungeAsync();
        var moved = (await target.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(mail)))))!.Value;
        await target.OpenAsync(FolderAccess.ReadOnly);

        Assert.Equal(emailId, (await target.FetchAsync([moved], MessageSummaryItems.EmailId))[0].EmailId);
    }

    [Fact]
    public async Task Outlook_move_by_copy_then_expunge_keeps_the_one_document()
    {
        using var client = await SignInAsync();
        var source = await NewFolderAsync(client);
        var target = await NewFolderAsync(client);
        var uid = (await source.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(Mail(Unique("outlook-copy")))))))!.Value;
        await source.OpenAsync(FolderAccess.ReadWrite);
        var emailId = (await source.FetchAsync([uid], MessageSummaryItems.EmailId))[0].EmailId;

        var copied = (await source.CopyToAsync(uid, target))!.Value;
        await source.AddFlagsAsync(uid, MessageFlags.Deleted, silent: true);
        await source.ExpungeAsync();
        await target.OpenAsync(FolderAccess.ReadOnly);

        Assert.Equal(emailId, (await target.FetchAsync([copied], MessageSummaryItems.EmailId))[0].EmailId);
    }

    internal static string Unique(string name) => $"{name}-{Guid.NewGuid():N}";

    internal static byte[] Mail(string id, string body = "The document itself.") => Encoding.UTF8.GetBytes(
        $"From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: Filing {id}\r\n" +
        $"Message-ID: <{id}@example.com>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n" +
        $"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n");

    internal static async Task<byte[]> BodyAsync(IMailFolder folder, UniqueId uid)
    {
        using var fetched = new MemoryStream();
        using (var stream = await folder.GetStreamAsync(uid, string.Empty))
        {
            await stream.CopyToAsync(fetched);
        }
        return fetched.ToArray();
    }

    private async Task<ImapClient> SignInAsync()
    {
        var client = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("admin", fixture.AdminPassword);
        return client;
    }

    private static async Task<IMailFolder> NewFolderAsync(ImapClient client) =>
        (await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync("F" + Guid.NewGuid().ToString("N")[..8], isMessageFolder: true))!;
}
