using System.Text;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Principals;
using DocStore.Testing;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary><c>docstore trash</c>, <c>audit</c> and <c>check</c> against a database of the test cluster.</summary>
public sealed class DocumentCommandLineTests : IClassFixture<MigratedDatabase>
{
    private static readonly Actor Tester = new(null, "tester", null, "DocumentCommandLineTests");
    private readonly MigratedDatabase database;

    public DocumentCommandLineTests(MigratedDatabase database) => this.database = database;

    [Fact]
    public async Task An_expunged_mail_is_listed_in_the_trash_and_restored_with_the_same_emailid()
    {
        var (store, user, inbox) = await UserWithInboxAsync("tina");
        var appended = await store.AppendAsync(user, inbox.Id, new MemoryStream(DocumentFilingTests.Mail(DocumentFilingTests.Unique("cli-trash"))),
            new MessageFlags(false, false, false, true, false, []), DateTimeOffset.UtcNow, Tester, CancellationToken.None);
        var before = Assert.Single(await store.MessagesAsync(user, inbox.Id, CancellationToken.None));
        await store.ExpungeAsync(user, inbox.Id, null, Tester, CancellationToken.None);

        var list = await Run("trash", "list");
        var restore = await Run("trash", "restore", before.DocumentId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var after = Assert.Single(await store.MessagesAsync(user, inbox.Id, CancellationToken.None));
        var audit = await Run("audit", "--document", before.DocumentId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var check = await Run("check", "--skip-index");

        Assert.Contains("Filing cli-trash", list.Output, StringComparison.Ordinal);
        Assert.True(restore.ExitCode == 0, restore.Output);
        var emailIds = await store.EmailIdsAsync([before.DocumentId, after.DocumentId], CancellationToken.None);
        Assert.Equal(emailIds[before.DocumentId], emailIds[after.DocumentId]);
        Assert.True(after.Uid > appended.Uid);
        Assert.Contains("\trestore\t", audit.Output, StringComparison.Ordinal);
        Assert.Contains("\ttrash\t", audit.Output, StringComparison.Ordinal);
        Assert.Contains("\tappend\t", audit.Output, StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.Output);
    }

    [Fact]
    public async Task Check_finds_a_damaged_blob_and_exits_non_zero()
    {
        var (store, user, inbox) = await UserWithInboxAsync("carl");
        var bytes = DocumentFilingTests.Mail(DocumentFilingTests.Unique("damaged"));
        await store.AppendAsync(user, inbox.Id, new MemoryStream(bytes), new MessageFlags(false, false, false, false, false, []), DateTimeOffset.UtcNow, Tester, CancellationToken.None);
        var sha256 = System.Security.Cryptography.SHA256.HashData(bytes);
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE blob_chunk SET data = @data WHERE sha256 = @sha256 AND chunk_no = 0",
                new { sha256, data = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("The document", "A forgery!!", StringComparison.Ordinal)) });
        }

        var check = await Run("check", "--skip-index");

        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE blob_chunk SET data = @bytes WHERE sha256 = @sha256 AND chunk_no = 0", new { sha256, bytes });
        }
        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"blob {Convert.ToHexStringLower(sha256)}: its bytes hash to", check.Output, StringComparison.Ordinal);
        Assert.Equal(0, (await Run("check", "--skip-index")).ExitCode);
    }

    [Fact]
    public async Task Import_files_a_maildir_once_however_often_and_an_mbox_and_a_folder_of_files()
    {
        var (store, user, _) = await UserWithInboxAsync("ivan");
        using var scratch = new ScratchDirectory("docstore-import-");
        var maildir = Path.Combine(scratch.Path, "maildir");
        Directory.CreateDirectory(Path.Combine(maildir, "cur"));
        Directory.CreateDirectory(Path.Combine(maildir, "new"));
        var first = DocumentFilingTests.Mail(DocumentFilingTests.Unique("maildir-1"));
        await File.WriteAllBytesAsync(Path.Combine(maildir, "cur", "1.host:2,FS"), first);
        await File.WriteAllBytesAsync(Path.Combine(maildir, "new", "2.host"), DocumentFilingTests.Mail(DocumentFilingTests.Unique("maildir-2")));
        var mbox = Path.Combine(scratch.Path, "archive.mbox");
        await File.WriteAllTextAsync(mbox,
            "From alice@example.com Thu Nov 26 10:00:00 2026\nSubject: one\n\nbody one\n>From the quoted line\n\n" +
            "From bob@example.com Thu Nov 26 11:00:00 2026\nSubject: two\n\nbody two\n");
        var files = Path.Combine(scratch.Path, "files");
        Directory.CreateDirectory(files);
        await File.WriteAllBytesAsync(Path.Combine(files, "report.pdf"), [0x25, 0x50, 0x44, 0x46, 0x00, 0xFF]);

        var maildirImport = await Run("import", maildir, "--into", "Imported/Mail", "--user", user.Name);
        var again = await Run("import", maildir, "--into", "Imported/Mail", "--user", user.Name);
        var mboxImport = await Run("import", mbox, "--into", "Imported/Mbox", "--user", user.Name);
        var filesImport = await Run("import", files, "--into", "Imported/Files", "--user", user.Name);

        Assert.True(maildirImport.ExitCode == 0, maildirImport.Output);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.True(mboxImport.ExitCode == 0, mboxImport.Output);
        Assert.True(filesImport.ExitCode == 0, filesImport.Output);
        var mail = await store.MessagesAsync(user, (await store.FindAsync(user, "Imported/Mail", CancellationToken.None))!.Id, CancellationToken.None);
        Assert.Equal(2, mail.Count);
        var flagged = mail.Single(m => m.Flags.Flagged);
        Assert.True(flagged.Flags.Seen);
        Assert.Equal(first, (await store.ReadAsync(flagged.DocumentId, flagged.Version, CancellationToken.None))!.Bytes.ToArray());
        var mboxMessages = await store.MessagesAsync(user, (await store.FindAsync(user, "Imported/Mbox", CancellationToken.None))!.Id, CancellationToken.None);
        Assert.Equal(2, mboxMessages.Count);
        Assert.Equal("Subject: one\n\nbody one\nFrom the quoted line\n",
            Encoding.Latin1.GetString((await store.ReadAsync(mboxMessages[0].DocumentId, 1, CancellationToken.None))!.Bytes.Span));
        var uploaded = Assert.Single(await store.MessagesAsync(user, (await store.FindAsync(user, "Imported/Files", CancellationToken.None))!.Id, CancellationToken.None));
        Assert.Contains("report.pdf", Encoding.ASCII.GetString((await store.ReadAsync(uploaded.DocumentId, 1, CancellationToken.None))!.Bytes.Span), StringComparison.Ordinal);
        Assert.Equal(0, (await Run("check", "--skip-index")).ExitCode);
    }

    private async Task<(MailboxStore Store, Core.Principals.User User, Mailbox Inbox)> UserWithInboxAsync(string prefix)
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..6];
        var added = await Run("user", "add", name, "--password", "a password");
        Assert.True(added.ExitCode == 0, added.Output);
        var user = (await new UserStore(database.DataSource).FindAsync(name, CancellationToken.None))!.User;
        var store = new MailboxStore(database.DataSource);
        return (store, user, (await store.FindAsync(user, "INBOX", CancellationToken.None))!);
    }

    private Task<(int ExitCode, string Output)> Run(params string[] arguments) =>
        DocStoreProcess.RunAsync(null, [.. arguments, "--connection-string", database.ConnectionString]);
}
