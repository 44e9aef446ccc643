using System.Globalization;
using System.Text;
using DocStore.EndToEnd.Tests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>Mailboxes and messages through MailKit against the real server and PostgreSQL.</summary>
public sealed class MailboxTests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public MailboxTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task A_new_user_has_the_six_special_collections()
    {
        using var client = await SignInAsync();

        var folders = await client.GetFoldersAsync(client.PersonalNamespaces[0]);

        Assert.Contains(folders, f => f.FullName == "INBOX");
        Assert.Contains(folders, f => f.FullName == "Sent" && f.Attributes.HasFlag(FolderAttributes.Sent));
        Assert.Contains(folders, f => f.FullName == "Trash" && f.Attributes.HasFlag(FolderAttributes.Trash));
        Assert.Contains(folders, f => f.FullName == "Drafts" && f.Attributes.HasFlag(FolderAttributes.Drafts));
        Assert.Contains(folders, f => f.FullName == "Junk" && f.Attributes.HasFlag(FolderAttributes.Junk));
        Assert.Contains(folders, f => f.FullName == "Archive" && f.Attributes.HasFlag(FolderAttributes.Archive));
    }

    [Fact]
    public async Task Create_rename_and_delete_a_folder_tree()
    {
        using var client = await SignInAsync();
        var root = client.GetFolder(client.PersonalNamespaces[0]);
        var name = "Projects" + Guid.NewGuid().ToString("N")[..6];

        var projects = await root.CreateAsync(name, isMessageFolder: true);
        var alpha = await projects!.CreateAsync("Alpha", isMessageFolder: true);
        await projects.RenameAsync(root, name + "-renamed");
        var folders = await client.GetFoldersAsync(client.PersonalNamespaces[0]);

        Assert.Contains(folders, f => f.FullName == $"{name}-renamed/Alpha");
        Assert.DoesNotContain(folders, f => f.FullName == name);
        var renamedAlpha = await client.GetFolderAsync($"{name}-renamed/Alpha");
        await renamedAlpha.DeleteAsync();
        await (await client.GetFolderAsync($"{name}-renamed")).DeleteAsync();
        Assert.DoesNotContain(await client.GetFoldersAsync(client.PersonalNamespaces[0]), f => f.FullName.StartsWith(name, StringComparison.Ordinal));
        Assert.NotNull(alpha);
    }

    [Fact]
    public async Task An_appended_message_is_fetched_back_byte_for_byte()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var bytes = Encoding.UTF8.GetBytes(
            "From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n" +
            "Message-ID: <bytes@example.com>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n\r\nHallo Bob,\r\nline with trailing spaces   \r\n\r\n");

        var uid = await folder.AppendAsync(new AppendRequest(MimeMessage.Load(new MemoryStream(bytes))) { Flags = MessageFlags.Seen });
        await folder.OpenAsync(FolderAccess.ReadWrite);
        using var fetched = new MemoryStream();
        using (var stream = await folder.GetStreamAsync(uid!.Value, string.Empty))
        {
            await stream.CopyToAsync(fetched);
        }
        var summary = (await folder.FetchAsync([uid.Value], MessageSummaryItems.Envelope | MessageSummaryItems.Flags | MessageSummaryItems.Size | MessageSummaryItems.BodyStructure))[0];

        Assert.Equal(bytes, fetched.ToArray());
        Assert.Equal("Grüße", summary.Envelope!.Subject);
        Assert.Equal("<bytes@example.com>", "<" + summary.Envelope.MessageId + ">");
        Assert.True(summary.Flags!.Value.HasFlag(MessageFlags.Seen));
        Assert.Equal((uint)bytes.Length, summary.Size);
        Assert.Equal("plain", summary.Body!.ContentType.MediaSubtype);
    }


    [Fact]
    public async Task A_literal_trickling_in_small_pieces_is_filed_whole_and_one_cut_off_files_nothing()
    {
        // The server waits for up to 64 KB of a literal at a time: 150 KB in 7,000-byte pieces
        // crosses that chunk twice, and a piece ends inside a chunk.
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var body = new StringBuilder();
        for (var line = 0; body.Length < 150_000; line++)
        {
            body.Append(CultureInfo.InvariantCulture, $"line {line} of a long letter\r\n");
        }
        var bytes = Encoding.ASCII.GetBytes("From: alice@example.com\r\nSubject: trickled\r\nMessage-ID: <trickle@example.com>\r\n\r\n" + body);

        await using (var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort))
        {
            await imap.CommandAsync("a1", $"LOGIN admin {fixture.AdminPassword}");
            await imap.SendAsync($"a2 APPEND {folder.FullName} {{{bytes.Length}+}}\r\n");
            for (var at = 0; at < bytes.Length; at += 7000)
            {
                await imap.SendAsync(Encoding.ASCII.GetString(bytes, at, Math.Min(7000, bytes.Length - at)));
                await Task.Delay(5);
            }
            await imap.SendAsync("\r\n");
            var answer = await imap.ReadLineAsync();
            Assert.StartsWith("a2 OK [APPENDUID ", answer, StringComparison.Ordinal);

            // A second literal whose connection ends 100 KB in: nothing is filed.
            await imap.SendAsync($"a3 APPEND {folder.FullName} {{{bytes.Length}+}}\r\n");
            await imap.SendAsync(Encoding.ASCII.GetString(bytes, 0, 100_000));
        }

        await folder.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(1, folder.Count);
        using var fetched = new MemoryStream();
        using (var stream = await folder.GetStreamAsync(0, string.Empty))
        {
            await stream.CopyToAsync(fetched);
        }
        Assert.Equal(bytes, fetched.ToArray());
    }
    [Fact]
    public async Task Flags_are_stored_and_expunge_removes_only_deleted_messages()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        var uids = new List<UniqueId>();
        for (var i = 0; i < 3; i++)
        {
            uids.Add((await folder.AppendAsync(new AppendRequest(Message($"m{i}"))))!.Value);
        }
        await folder.OpenAsync(FolderAccess.ReadWrite);

        await folder.AddFlagsAsync(uids[1], MessageFlags.Deleted | MessageFlags.Flagged, silent: false);
        await folder.StoreAsync(uids[0], new StoreFlagsRequest(StoreAction.Add, MessageFlags.None) { Keywords = { "Invoice" }, Silent = true });
        await folder.ExpungeAsync();
        var remaining = await folder.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags);

        Assert.Equal(2, folder.Count);
        Assert.Equal([uids[0], uids[2]], remaining.Select(m => m.UniqueId));
        Assert.Contains("Invoice", remaining[0].Keywords);
        Assert.True(uids[0] < uids[1] && uids[1] < uids[2]);
    }

    [Fact]
    public async Task Copy_and_move_keep_one_document_and_report_copyuid()
    {
        using var client = await SignInAsync();
        var source = await NewFolderAsync(client);
        var target = await NewFolderAsync(client);
        var first = (await source.AppendAsync(new AppendRequest(Message("copied")) { Flags = MessageFlags.Flagged }))!.Value;
        var second = (await source.AppendAsync(new AppendRequest(Message("moved"))))!.Value;
        await source.OpenAsync(FolderAccess.ReadWrite);

        var copied = await source.CopyToAsync([first], target);
        var moved = await source.MoveToAsync([second], target);
        var stayed = await source.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.EmailId);
        await target.OpenAsync(FolderAccess.ReadOnly);
        var arrived = await target.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.Envelope | MessageSummaryItems.EmailId);

        Assert.Equal(first, copied.Source[0]);
        Assert.Equal(arrived[0].UniqueId, copied.Destination[0]);
        Assert.Equal(arrived[1].UniqueId, moved.Destination[0]);
        Assert.Equal([first], stayed.Select(m => m.UniqueId));
        Assert.Equal(["copied", "moved"], arrived.Select(m => m.Envelope!.Subject));
        Assert.True(arrived[0].Flags!.Value.HasFlag(MessageFlags.Flagged));
        // The same document, not a copy of its bytes: RFC 8474 EMAILID is equal in both mailboxes.
        Assert.Equal(stayed[0].EmailId, arrived[0].EmailId);
    }

    [Fact]
    public async Task Status_counts_messages_unseen_and_size()
    {
        using var client = await SignInAsync();
        var folder = await NewFolderAsync(client);
        await folder.AppendAsync(new AppendRequest(Message("seen")) { Flags = MessageFlags.Seen });
        await folder.AppendAsync(new AppendRequest(Message("unseen")));

        await folder.StatusAsync(StatusItems.Count | StatusItems.Unread | StatusItems.UidNext | StatusItems.UidValidity | StatusItems.Size);

        Assert.Equal(2, folder.Count);
        Assert.Equal(1, folder.Unread);
        Assert.True(folder.Size > 0);
        Assert.True(folder.UidValidity > 0);
    }

    [Fact]
    public async Task An_idle_session_hears_of_a_message_another_session_appends()
    {
        using var watcher = await SignInAsync();
        var folder = await NewFolderAsync(watcher);
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var arrived = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        folder.CountChanged += (_, _) => arrived.TrySetResult(folder.Count);
        using var done = new CancellationTokenSource();
        var idle = watcher.IdleAsync(done.Token);

        using (var other = await SignInAsync())
        {
            await (await other.GetFolderAsync(folder.FullName)).AppendAsync(new AppendRequest(Message("pushed")));
        }
        var count = await arrived.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await done.CancelAsync();
        await idle;

        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Refusals_say_why()
    {
        await using var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        await imap.CommandAsync("a1", $"LOGIN admin \"{fixture.AdminPassword}\"");

        var append = await imap.CommandAsync("a2", "APPEND Nowhere {5+}\r\nhello");
        var select = await imap.CommandAsync("a3", "SELECT Nowhere");
        var deleteInbox = await imap.CommandAsync("a4", "DELETE INBOX");
        var createTwice = await imap.CommandAsync("a5", "CREATE Archive");
        var fetchUnselected = await imap.CommandAsync("a6", "FETCH 1 FLAGS");

        Assert.StartsWith("a2 NO [TRYCREATE] ", append[^1], StringComparison.Ordinal);
        Assert.StartsWith("a3 NO [NONEXISTENT] ", select[^1], StringComparison.Ordinal);
        Assert.StartsWith("a4 NO [CANNOT] ", deleteInbox[^1], StringComparison.Ordinal);
        Assert.StartsWith("a5 NO [ALREADYEXISTS] ", createTwice[^1], StringComparison.Ordinal);
        Assert.StartsWith("a6 BAD ", fetchUnselected[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_answers_sections_partials_and_sequence_errors()
    {
        await using var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        await imap.CommandAsync("a1", $"LOGIN admin \"{fixture.AdminPassword}\"");
        var name = "Raw" + Guid.NewGuid().ToString("N")[..8];
        await imap.CommandAsync("a2", $"CREATE {name}");
        const string message = "Subject: hi\r\nX-Extra: yes\r\n\r\nbody text\r\n";
        var append = await imap.CommandAsync("a3", $"APPEND {name} (\\Flagged) {{{message.Length}+}}\r\n{message}");
        await imap.CommandAsync("a4", $"SELECT {name}");

        var header = await imap.CommandAsync("a5", "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
        var partial = await imap.CommandAsync("a6", "UID FETCH 1:* (BODY.PEEK[TEXT]<0.4>)");
        var flags = await imap.CommandAsync("a7", "FETCH 1 (FLAGS)");
        var outOfRange = await imap.CommandAsync("a8", "FETCH 2 FLAGS");
        var binary = await imap.CommandAsync("a10", "FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1])");
        var seen = await imap.CommandAsync("a9", "FETCH 1 BODY[TEXT]");

        Assert.Matches(@"^a3 OK \[APPENDUID \d+ 1\] ", append[^1]);
        Assert.Equal("* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {15}", header[0]);
        Assert.Equal("Subject: hi", header[1]);
        Assert.Equal("* 1 FETCH (UID 1 BODY[TEXT]<0> {4}", partial[0]);
        Assert.Equal("* 1 FETCH (FLAGS (\\Flagged))", flags[0]);
        Assert.StartsWith("a8 BAD ", outOfRange[^1], StringComparison.Ordinal);
        Assert.Equal("* 1 FETCH (FLAGS (\\Flagged \\Seen) BODY[TEXT] {11}", seen[0]);
        Assert.Equal("* 1 FETCH (BINARY.SIZE[1] 11 BINARY[1] {11}", binary[0]);
    }

    [Fact]
    public async Task Search_finds_by_text_flags_and_returns_esearch_and_saved_results()
    {
        await using var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        await imap.CommandAsync("a1", $"LOGIN admin \"{fixture.AdminPassword}\"");
        var name = "Search" + Guid.NewGuid().ToString("N")[..8];
        await imap.CommandAsync("a2", $"CREATE {name}");
        string[] subjects = ["Contract Alpha", "Invoice =?utf-8?q?M=C3=BCller?=", "contract beta"];
        for (var i = 0; i < subjects.Length; i++)
        {
            var message = $"From: a{i}@example.com\r\nSubject: {subjects[i]}\r\n\r\nBody number {i}\r\n";
            var filed = await imap.CommandAsync($"b{i}", $"APPEND {name} {(i == 1 ? "(\\Seen) " : "")}{{{message.Length}+}}\r\n{message}");
            Assert.StartsWith($"b{i} OK", filed[^1], StringComparison.Ordinal);
        }
        await imap.CommandAsync("a3", $"SELECT {name}");

        var subject = await imap.CommandAsync("a4", "SEARCH SUBJECT contract");
        var umlaut = await imap.CommandAsync("a5", "SEARCH CHARSET UTF-8 SUBJECT {7+}\r\nmüller");
        var combined = await imap.CommandAsync("a6", "UID SEARCH RETURN (MIN MAX COUNT ALL) OR UNSEEN BODY \"number 1\"");
        var saved = await imap.CommandAsync("a7", "SEARCH RETURN (SAVE) FROM a2@example.com");
        var fetchSaved = await imap.CommandAsync("a8", "FETCH $ (UID)");
        var badCharset = await imap.CommandAsync("a9", "SEARCH CHARSET KOI8-R ALL");

        Assert.Equal("* SEARCH 1 3", subject[0]);
        Assert.Equal("* SEARCH 2", umlaut[0]);
        Assert.Equal("* ESEARCH (TAG \"a6\") UID MIN 1 MAX 3 COUNT 3 ALL 1:3", combined[0]);
        Assert.Single(saved);
        Assert.Equal("* 3 FETCH (UID 3)", fetchSaved[0]);
        Assert.StartsWith("a9 NO [BADCHARSET", badCharset[^1], StringComparison.Ordinal);
    }

    private async Task<ImapClient> SignInAsync()
    {
        var client = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("admin", fixture.AdminPassword);
        return client;
    }

    private static async Task<IMailFolder> NewFolderAsync(ImapClient client)
    {
        var root = client.GetFolder(client.PersonalNamespaces[0]);
        return await root.CreateAsync("Test" + Guid.NewGuid().ToString("N")[..8], isMessageFolder: true)
            ?? throw new InvalidOperationException("CREATE gave no folder");
    }

    private static MimeMessage Message(string subject)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Alice", "alice@example.com"));
        message.To.Add(new MailboxAddress("Bob", "bob@example.com"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = $"Body of {subject}." };
        return message;
    }
}
