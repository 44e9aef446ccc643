using DocStore.Core.Mailboxes;
using DocStore.Core.Sharing;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Sharing;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Sharing;

/// <summary>Storage quotas per user and per collection, under, at and over the limit.</summary>
public sealed class QuotaTests : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MigratedDatabase database;
    private readonly MailboxStore store;
    private readonly SharingAdminStore admin;

    public QuotaTests(MigratedDatabase database)
    {
        this.database = database;
        store = new MailboxStore(database.DataSource);
        admin = new SharingAdminStore(database.DataSource);
    }

    [Fact]
    public async Task A_user_files_up_to_the_limit_and_not_a_byte_more()
    {
        var user = await NewUserAsync(database.DataSource);
        var inbox = (await store.FindAsync(user, "INBOX", None))!;
        var first = Message("first");
        var second = Message("secnd");
        Assert.Equal(first.Length, second.Length);
        await admin.SetQuotaAsync("#user/" + user.Name, first.Length * 2L, ActorFor(user), None);

        await AppendAsync(store, user, inbox, first);
        await AppendAsync(store, user, inbox, second);
        var root = (await store.GetQuotaAsync(user, "#user/" + user.Name, None))!;
        Assert.Equal(first.Length * 2L, root.UsageBytes);
        Assert.Equal(root.LimitBytes, root.UsageBytes);

        await Assert.ThrowsAsync<QuotaExceededException>(() => AppendAsync(store, user, inbox, Encoding("x")));
        Assert.Equal(2, (await store.MessagesAsync(user, inbox.Id, None)).Count);
    }

    [Fact]
    public async Task A_collection_quota_refuses_a_copy_over_it_and_counts_a_document_once()
    {
        var user = await NewUserAsync(database.DataSource);
        var inbox = (await store.FindAsync(user, "INBOX", None))!;
        var archive = await CreateMailboxAsync(store, user, "Small");
        var message = Message();
        var uid = await AppendAsync(store, user, inbox, message);
        var other = await AppendAsync(store, user, inbox, Message("Other"));
        Assert.Equal(QuotaChange.NoPermission, await store.SetQuotaAsync(user, "Small", message.Length, ActorFor(user), None));
        await admin.SetQuotaAsync($"Users/{user.Name}/Small", message.Length, ActorFor(user), None);
        Assert.Equal(QuotaChange.NotFound, await admin.SetQuotaAsync("Users/nobody-here/Small", 1, ActorFor(user), None));

        Assert.NotNull(await store.CopyAsync(user, inbox.Id, [uid], archive.Id, move: false, ActorFor(user), None));
        Assert.NotNull(await store.CopyAsync(user, inbox.Id, [uid], archive.Id, move: false, ActorFor(user), None));
        await Assert.ThrowsAsync<QuotaExceededException>(() => store.CopyAsync(user, inbox.Id, [other], archive.Id, move: true, ActorFor(user), None));

        Assert.Equal(2, (await store.MessagesAsync(user, archive.Id, None)).Count);
        Assert.Equal(2, (await store.MessagesAsync(user, inbox.Id, None)).Count);
        var roots = await store.QuotaRootsAsync(user, archive, None);
        Assert.Equal(["#user/" + user.Name, "Small"], roots.Select(r => r.Name));
        Assert.Equal(message.Length, roots[1].UsageBytes);
    }

    private static byte[] Encoding(string body) => System.Text.Encoding.ASCII.GetBytes($"Subject: {body}\r\n\r\n{body}\r\n");
}
