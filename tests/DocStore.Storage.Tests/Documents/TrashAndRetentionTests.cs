using Dapper;
using DocStore.Core.Documents;
using DocStore.Core.Mailboxes;
using DocStore.Storage.Documents;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Documents;

/// <summary>DESIGN.md, nothing is lost: the trash, its retention period, and legal hold over both.</summary>
public sealed class TrashAndRetentionTests : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MigratedDatabase database;
    private readonly MailboxStore mailboxes;
    private readonly DocumentStore documents;

    public TrashAndRetentionTests(MigratedDatabase database)
    {
        this.database = database;
        mailboxes = new MailboxStore(database.DataSource);
        documents = new DocumentStore(database.DataSource);
    }

    [Fact]
    public async Task Deleting_a_mailbox_trashes_its_documents_and_restore_puts_them_in_the_inbox()
    {
        var user = await NewUserAsync(database.DataSource);
        var box = await CreateMailboxAsync(mailboxes, user, "Doomed");
        await AppendAsync(mailboxes, user, box, Message("in a doomed mailbox"));
        var document = Assert.Single(await mailboxes.MessagesAsync(user, box.Id, None)).DocumentId;

        await mailboxes.DeleteAsync(user, "Doomed", ActorFor(user), None);
        var trashed = Assert.Single(await documents.TrashListAsync(user, None));
        var restored = await documents.RestoreAsync(user, document, ActorFor(user), None);

        Assert.Equal(document, trashed.Id);
        Assert.Equal("INBOX", Assert.Single(restored!.Entries).Collection);
        Assert.Null(restored.TrashedAt);
    }

    [Fact]
    public async Task Retention_purges_what_has_expired_but_not_what_is_on_hold_or_still_young()
    {
        var user = await NewUserAsync(database.DataSource);
        var box = await CreateMailboxAsync(mailboxes, user, "Short");
        var expired = await TrashedAsync(user, box, "expired");
        var held = await TrashedAsync(user, box, "held");
        var young = await TrashedAsync(user, box, "young");
        await documents.SetCollectionGovernanceAsync(Admin(user), box.Id, new GovernanceChange(null, null, 30), ActorFor(user), None);
        await documents.SetDocumentHoldAsync(Admin(user), held, true, "litigation", ActorFor(user), None);
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE document SET trashed_at = now() - interval '31 days' WHERE id = ANY(@ids)", new { ids = new[] { expired, held } });
        }

        var purged = await documents.PurgeExpiredAsync(ActorFor(user), None);
        var explicitPurge = await Assert.ThrowsAsync<LegalHoldException>(() => documents.PurgeAsync(Admin(user), held, ActorFor(user), None));

        Assert.True(purged >= 1);
        Assert.Null(await documents.GetAsync(Admin(user), expired, None));
        Assert.NotNull(await documents.GetAsync(Admin(user), held, None));
        Assert.NotNull(await documents.GetAsync(Admin(user), young, None));
        Assert.Contains("litigation", explicitPurge.Message, StringComparison.Ordinal);
        await using var check = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM version WHERE document_id = @expired", new { expired }));
    }

    [Fact]
    public async Task A_document_on_hold_is_not_expunged_and_nothing_changes()
    {
        var user = await NewUserAsync(database.DataSource);
        var box = await CreateMailboxAsync(mailboxes, user, "Held");
        var uid = await AppendAsync(mailboxes, user, box, Message("held"), new MessageFlags(false, false, false, true, false, []));
        var document = Assert.Single(await mailboxes.MessagesAsync(user, box.Id, None)).DocumentId;
        await documents.SetDocumentHoldAsync(Admin(user), document, true, null, ActorFor(user), None);

        await Assert.ThrowsAsync<LegalHoldException>(() => mailboxes.ExpungeAsync(user, box.Id, null, ActorFor(user), None));
        await Assert.ThrowsAsync<LegalHoldException>(() => mailboxes.DeleteAsync(user, "Held", ActorFor(user), None));

        Assert.Equal(uid, Assert.Single(await mailboxes.MessagesAsync(user, box.Id, None)).Uid);
    }

    private async Task<long> TrashedAsync(Core.Principals.User user, Mailbox box, string subject)
    {
        await AppendAsync(mailboxes, user, box, Message(subject), new MessageFlags(false, false, false, true, false, []));
        var document = (await mailboxes.MessagesAsync(user, box.Id, None))[^1].DocumentId;
        await mailboxes.ExpungeAsync(user, box.Id, null, ActorFor(user), None);
        return document;
    }

    private static Core.Principals.User Admin(Core.Principals.User user) => user with { IsAdmin = true };
}
