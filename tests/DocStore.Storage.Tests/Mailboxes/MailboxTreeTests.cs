using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

public sealed class MailboxTreeTests : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MigratedDatabase database;
    private readonly MailboxStore store;

    public MailboxTreeTests(MigratedDatabase database)
    {
        this.database = database;
        store = new MailboxStore(database.DataSource);
    }

    [Fact]
    public async Task Creating_a_nested_name_creates_its_parents_and_the_list_has_parents_before_children()
    {
        var user = await NewUserAsync(database.DataSource);

        Assert.Equal(MailboxChange.Done, await store.CreateAsync(user, "Zeta/One/Two", null, ActorFor(user), None));
        Assert.Equal(MailboxChange.Done, await store.CreateAsync(user, "Alpha", null, ActorFor(user), None));

        var listing = await store.ListAsync(user, None);
        var names = listing.Select(l => l.Mailbox.Name).ToList();
        Assert.Equal(["INBOX", "Alpha", "Archive", "Drafts", "Junk", "Sent", "Trash", "Zeta", "Zeta/One", "Zeta/One/Two"], names);
        var withChildren = listing.Where(l => l.HasChildren).Select(l => l.Mailbox.Name);
        Assert.Equal(["Zeta", "Zeta/One"], withChildren, StringComparer.Ordinal);
        Assert.Equal(@"\Sent", Named(listing, "Sent").Mailbox.SpecialUse);
    }

    [Fact]
    public async Task Creating_an_existing_name_is_refused_and_special_use_is_kept()
    {
        var user = await NewUserAsync(database.DataSource);

        Assert.Equal(MailboxChange.Done, await store.CreateAsync(user, "Everything", @"\all", ActorFor(user), None));
        Assert.Equal(MailboxChange.AlreadyExists, await store.CreateAsync(user, "Everything", null, ActorFor(user), None));
        Assert.Equal(MailboxChange.InvalidName, await store.CreateAsync(user, "Odd", @"\Important", ActorFor(user), None));

        Assert.Equal(@"\All", (await store.FindAsync(user, "Everything", None))!.SpecialUse);
        Assert.Null(await store.FindAsync(user, "Odd", None));
    }

    [Fact]
    public async Task Inbox_is_found_in_any_case_at_the_top_level_only()
    {
        var user = await NewUserAsync(database.DataSource);

        var inbox = await store.FindAsync(user, "iNbOx", None);
        Assert.Equal("INBOX", inbox!.Name);
        Assert.Equal(MailboxChange.AlreadyExists, await store.CreateAsync(user, "Inbox", null, ActorFor(user), None));
        Assert.Equal(MailboxChange.Done, await store.CreateAsync(user, "inbox/Receipts", null, ActorFor(user), None));
        Assert.Equal(MailboxChange.Done, await store.CreateAsync(user, "Box/inbox", null, ActorFor(user), None));
        Assert.Equal(MailboxChange.Done, await store.CreateAsync(user, "Box/INBOX", null, ActorFor(user), None));

        var listing = await store.ListAsync(user, None);
        Assert.NotNull(Named(listing, "INBOX/Receipts"));
        Assert.True(Named(listing, "INBOX").HasChildren);
        Assert.Equal(inbox.Id, Named(listing, "INBOX").Mailbox.Id);
        Assert.Null(await store.FindAsync(user, "box/inbox", None));
        Assert.NotEqual((await store.FindAsync(user, "Box/inbox", None))!.Id, (await store.FindAsync(user, "Box/INBOX", None))!.Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a//b")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("a/ /b")]
    [InlineData("tab\there")]
    [InlineData("nul\0")]
    [InlineData("del\u007F")]
    public async Task Invalid_names_are_refused(string name)
    {
        var user = await NewUserAsync(database.DataSource);
        var before = await store.ListAsync(user, None);

        Assert.Equal(MailboxChange.InvalidName, await store.CreateAsync(user, name, null, ActorFor(user), None));

        Assert.Equal(before.Count, (await store.ListAsync(user, None)).Count);
    }

    [Fact]
    public async Task A_level_may_have_255_characters_but_not_256()
    {
        var user = await NewUserAsync(database.DataSource);

        Assert.Equal(MailboxChange.Done, await store.CreateAsync(user, "P/" + new string('x', 255), null, ActorFor(user), None));
        Assert.Equal(MailboxChange.InvalidName, await store.CreateAsync(user, "P/" + new string('y', 256), null, ActorFor(user), None));
    }

    [Fact]
    public async Task Renaming_moves_the_subtree_and_keeps_uidvalidity_and_messages()
    {
        var user = await NewUserAsync(database.DataSource);
        var alpha = await CreateMailboxAsync(store, user, "Projects/Alpha");
        var docs = await CreateMailboxAsync(store, user, "Projects/Alpha/Docs");
        var projects = await store.FindAsync(user, "Projects", None);
        var message = Message();
        await AppendAsync(store, user, docs, message);

        Assert.Equal(MailboxChange.Done, await store.RenameAsync(user, "Projects", "Old/2024/Projects", ActorFor(user), None));

        Assert.Null(await store.FindAsync(user, "Projects", None));
        Assert.Null(await store.FindAsync(user, "Projects/Alpha/Docs", None));
        var movedProjects = await store.FindAsync(user, "Old/2024/Projects", None);
        var movedAlpha = await store.FindAsync(user, "Old/2024/Projects/Alpha", None);
        var movedDocs = await store.FindAsync(user, "Old/2024/Projects/Alpha/Docs", None);
        Assert.Equal((projects!.Id, projects.UidValidity), (movedProjects!.Id, movedProjects.UidValidity));
        Assert.Equal((alpha.Id, alpha.UidValidity), (movedAlpha!.Id, movedAlpha.UidValidity));
        Assert.Equal((docs.Id, docs.UidValidity), (movedDocs!.Id, movedDocs.UidValidity));
        var moved = Assert.Single(await store.MessagesAsync(user, movedDocs.Id, None));
        Assert.Equal(message, (await store.ReadAsync(moved.DocumentId, moved.Version, None))!.Bytes.ToArray());
        Assert.NotNull(await store.FindAsync(user, "Old/2024", None));
    }

    [Fact]
    public async Task Renaming_into_itself_onto_an_existing_name_or_from_inbox_is_refused()
    {
        var user = await NewUserAsync(database.DataSource);
        await CreateMailboxAsync(store, user, "A/B");

        Assert.Equal(MailboxChange.IntoItself, await store.RenameAsync(user, "A", "A/B/C", ActorFor(user), None));
        Assert.Equal(MailboxChange.AlreadyExists, await store.RenameAsync(user, "A", "A", ActorFor(user), None));
        Assert.Equal(MailboxChange.AlreadyExists, await store.RenameAsync(user, "A/B", "Sent", ActorFor(user), None));
        Assert.Equal(MailboxChange.AlreadyExists, await store.RenameAsync(user, "A/B", "inbox", ActorFor(user), None));
        Assert.Equal(MailboxChange.Inbox, await store.RenameAsync(user, "inbox", "Other", ActorFor(user), None));
        Assert.Equal(MailboxChange.NotFound, await store.RenameAsync(user, "Missing", "Other", ActorFor(user), None));
        Assert.Equal(MailboxChange.InvalidName, await store.RenameAsync(user, "A/B", "X//Y", ActorFor(user), None));

        Assert.NotNull(await store.FindAsync(user, "A/B", None));
        Assert.Null(await store.FindAsync(user, "A/B/C", None));
    }

    [Fact]
    public async Task Deleting_refuses_inbox_and_mailboxes_with_children()
    {
        var user = await NewUserAsync(database.DataSource);
        await CreateMailboxAsync(store, user, "Parent/Child");

        Assert.Equal(MailboxChange.Inbox, await store.DeleteAsync(user, "Inbox", ActorFor(user), None));
        Assert.Equal(MailboxChange.AlreadyExists, await store.DeleteAsync(user, "Parent", ActorFor(user), None));
        Assert.Equal(MailboxChange.NotFound, await store.DeleteAsync(user, "Nowhere", ActorFor(user), None));

        Assert.NotNull(await store.FindAsync(user, "INBOX", None));
        Assert.NotNull(await store.FindAsync(user, "Parent", None));
        Assert.Equal(MailboxChange.Done, await store.DeleteAsync(user, "Parent/Child", ActorFor(user), None));
        Assert.Equal(MailboxChange.Done, await store.DeleteAsync(user, "Parent", ActorFor(user), None));
        Assert.Null(await store.FindAsync(user, "Parent", None));
    }

    [Fact]
    public async Task Deleting_a_mailbox_trashes_documents_no_other_mailbox_holds_and_loses_nothing()
    {
        var user = await NewUserAsync(database.DataSource);
        var old = await CreateMailboxAsync(store, user, "Old");
        var keep = await CreateMailboxAsync(store, user, "Keep");
        var onlyHere = Message("only here");
        var alsoElsewhere = Message("also elsewhere");
        await AppendAsync(store, user, old, onlyHere);
        await AppendAsync(store, user, old, alsoElsewhere);
        var messages = await store.MessagesAsync(user, old.Id, None);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO entry (collection_id, document_id, version_number) VALUES (@keep, @document, 1)",
            new { keep = keep.Id, document = messages[1].DocumentId });

        Assert.Equal(MailboxChange.Done, await store.DeleteAsync(user, "Old", ActorFor(user), None));

        Assert.Null(await store.FindAsync(user, "Old", None));
        var trashed = await connection.QuerySingleAsync<(DateTime? At, long? By)>(
            "SELECT trashed_at, trashed_by FROM document WHERE id = @id", new { id = messages[0].DocumentId });
        Assert.NotNull(trashed.At);
        Assert.Equal(user.Id, trashed.By);
        Assert.Null(await connection.ExecuteScalarAsync<DateTime?>(
            "SELECT trashed_at FROM document WHERE id = @id", new { id = messages[1].DocumentId }));
        Assert.Equal(onlyHere, (await store.ReadAsync(messages[0].DocumentId, 1, None))!.Bytes.ToArray());
        Assert.Equal(alsoElsewhere, (await store.ReadAsync(messages[1].DocumentId, 1, None))!.Bytes.ToArray());
        Assert.Single(await store.MessagesAsync(user, keep.Id, None));
        var audit = await connection.QuerySingleAsync<string>(
            "SELECT details->>'trashed' FROM audit WHERE action = 'mailbox-delete' AND collection_id = @id", new { id = old.Id });
        Assert.Equal("1", audit);
    }

    [Fact]
    public async Task Subscriptions_are_by_name_idempotent_and_ordered()
    {
        var user = await NewUserAsync(database.DataSource);

        await store.SetSubscribedAsync(user, "b", subscribed: true, None);
        await store.SetSubscribedAsync(user, "a", subscribed: true, None);
        await store.SetSubscribedAsync(user, "a", subscribed: true, None);
        await store.SetSubscribedAsync(user, "Not/There", subscribed: true, None);
        await store.SetSubscribedAsync(user, "inbox", subscribed: true, None);
        await store.SetSubscribedAsync(user, "b", subscribed: false, None);
        await store.SetSubscribedAsync(user, "never", subscribed: false, None);

        Assert.Equal(["INBOX", "Not/There", "a"], await store.SubscriptionsAsync(user, None));
    }

    [Fact]
    public async Task A_user_sees_and_changes_nothing_of_another_users_tree()
    {
        var owner = await NewUserAsync(database.DataSource);
        var other = await NewUserAsync(database.DataSource);
        var secret = await CreateMailboxAsync(store, owner, "Secret");
        var uid = await AppendAsync(store, owner, secret, Message(), new MessageFlags(false, false, false, true, false, []));

        Assert.Null(await store.FindAsync(other, "Secret", None));
        Assert.DoesNotContain(await store.ListAsync(other, None), l => l.Mailbox.Id == secret.Id);
        Assert.Equal(MailboxChange.NotFound, await store.DeleteAsync(other, "Secret", ActorFor(other), None));
        Assert.Empty(await store.MessagesAsync(other, secret.Id, None));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.CountAsync(other, secret.Id, None));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => AppendAsync(store, other, secret, Message()));
        Assert.Empty(await store.StoreFlagsAsync(other, secret.Id, [uid], new FlagChange(FlagOperation.Add, [@"\Flagged"]), ActorFor(other), None));
        Assert.Empty(await store.ExpungeAsync(other, secret.Id, null, ActorFor(other), None));

        var message = Assert.Single(await store.MessagesAsync(owner, secret.Id, None));
        Assert.False(message.Flags.Flagged);
        Assert.True(message.Flags.Deleted);
    }
}
