using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Principals;
using DocStore.Storage.Sharing;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Sharing;

/// <summary>Effective rights as collection_rights computes them: owner, user, group, anyone, negative, inheritance, override.</summary>
public sealed class RightsTests : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MigratedDatabase database;
    private readonly MailboxStore store;
    private readonly SharingAdminStore admin;

    public RightsTests(MigratedDatabase database)
    {
        this.database = database;
        store = new MailboxStore(database.DataSource);
        admin = new SharingAdminStore(database.DataSource);
    }

    private async Task<MailboxRights> RightsOf(User user, string name) =>
        await store.FindAsync(user, name, None) is { } mailbox ? await store.RightsAsync(user, mailbox.Id, None) : MailboxRights.None;

    private async Task<User> AdminAsync()
    {
        var (_, user) = await new UserStore(database.DataSource).AddAsync($"a{Guid.NewGuid():N}"[..20], "h", isAdmin: true, null, None);
        return user!;
    }

    private async Task<string> SharedAsync(User administrator, string relative)
    {
        var name = "Shared/" + relative;
        Assert.Equal(MailboxChange.Done, await store.CreateAsync(administrator, name, null, ActorFor(administrator), None));
        return name;
    }

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task The_owner_has_every_right_and_nobody_else_sees_a_personal_collection()
    {
        var alice = await NewUserAsync(database.DataSource);
        var bob = await NewUserAsync(database.DataSource);
        var projects = await CreateMailboxAsync(store, alice, "Projects");

        Assert.Equal(MailboxRights.All, await store.RightsAsync(alice, projects.Id, None));
        Assert.Equal(MailboxRights.None, await store.RightsAsync(bob, projects.Id, None));
        Assert.Null(await store.FindAsync(bob, $"Users/{alice.Name}/Projects", None));
        Assert.DoesNotContain(await store.ListAsync(bob, None), l => l.Mailbox.Name.StartsWith("Users/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_user_grant_shows_the_collection_under_Users_and_its_children_inherit_it()
    {
        var alice = await NewUserAsync(database.DataSource);
        var bob = await NewUserAsync(database.DataSource);
        await CreateMailboxAsync(store, alice, "Projects/Alpha");
        var projects = (await store.FindAsync(alice, "Projects", None))!;

        Assert.Equal(AclChange.Done, await store.SetAclAsync(alice, projects.Id, bob.Name, RightsEdit.Replace, "lr", ActorFor(alice), None));

        Assert.Equal(RightsText.Parse("lr"), await RightsOf(bob, $"Users/{alice.Name}/Projects"));
        Assert.Equal(RightsText.Parse("lr"), await RightsOf(bob, $"Users/{alice.Name}/Projects/Alpha"));
        var names = (await store.ListAsync(bob, None)).Select(l => (l.Mailbox.Name, l.NoSelect)).ToList();
        Assert.Contains(("Users", true), names);
        Assert.Contains(($"Users/{alice.Name}", true), names);
        Assert.Contains(($"Users/{alice.Name}/Projects", false), names);
        Assert.Contains(($"Users/{alice.Name}/Projects/Alpha", false), names);
        Assert.DoesNotContain(names, n => n.Name.EndsWith("/INBOX", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_child_entry_overrides_the_inherited_one_for_that_identifier_only()
    {
        var alice = await NewUserAsync(database.DataSource);
        var bob = await NewUserAsync(database.DataSource);
        var carol = await NewUserAsync(database.DataSource);
        await CreateMailboxAsync(store, alice, "Projects/Secret");
        var projects = (await store.FindAsync(alice, "Projects", None))!;
        var secret = (await store.FindAsync(alice, "Projects/Secret", None))!;
        await store.SetAclAsync(alice, projects.Id, bob.Name, RightsEdit.Replace, "lrs", ActorFor(alice), None);
        await store.SetAclAsync(alice, projects.Id, carol.Name, RightsEdit.Replace, "lr", ActorFor(alice), None);

        await store.SetAclAsync(alice, secret.Id, bob.Name, RightsEdit.Replace, "", ActorFor(alice), None);

        Assert.Equal(MailboxRights.None, await store.RightsAsync(bob, secret.Id, None));
        Assert.Equal(RightsText.Parse("lrs"), await store.RightsAsync(bob, projects.Id, None));
        Assert.Equal(RightsText.Parse("lr"), await store.RightsAsync(carol, secret.Id, None));
        Assert.DoesNotContain(await store.ListAsync(bob, None), l => l.Mailbox.Name.EndsWith("/Secret", StringComparison.Ordinal));

        // DELETEACL removes the override: the inherited entry applies again.
        await store.DeleteAclAsync(alice, secret.Id, bob.Name, ActorFor(alice), None);
        Assert.Equal(RightsText.Parse("lrs"), await store.RightsAsync(bob, secret.Id, None));
    }

    [Fact]
    public async Task Negative_rights_subtract_from_anyone_and_from_groups()
    {
        var administrator = await AdminAsync();
        var bob = await NewUserAsync(database.DataSource);
        var carol = await NewUserAsync(database.DataSource);
        var name = await SharedAsync(administrator, Unique("Handbook"));
        var handbook = (await store.FindAsync(administrator, name, None))!;

        await store.SetAclAsync(administrator, handbook.Id, "anyone", RightsEdit.Replace, "lrsw", ActorFor(administrator), None);
        await store.SetAclAsync(administrator, handbook.Id, "-" + bob.Name, RightsEdit.Replace, "sw", ActorFor(administrator), None);

        Assert.Equal(RightsText.Parse("lr"), await store.RightsAsync(bob, handbook.Id, None));
        Assert.Equal(RightsText.Parse("lrsw"), await store.RightsAsync(carol, handbook.Id, None));
        var acl = (await store.GetAclAsync(administrator, handbook.Id, None)).Entries;
        Assert.Contains(new AclEntry("anyone", "lrsw"), acl);
        Assert.Contains(new AclEntry("-" + bob.Name, "sw"), acl);
    }

    [Fact]
    public async Task A_group_grant_applies_to_its_members_and_leaving_the_group_revokes_it_at_once()
    {
        var administrator = await AdminAsync();
        var bob = await NewUserAsync(database.DataSource);
        var carol = await NewUserAsync(database.DataSource);
        var group = Unique("sales");
        Assert.Equal(UserChange.Done, await admin.AddGroupAsync(group, ActorFor(administrator), None));
        Assert.Equal(UserChange.Done, await admin.SetMemberAsync(group, bob.Name, true, ActorFor(administrator), None));
        var name = await SharedAsync(administrator, Unique("Contracts") + "/2026");
        var top = name[..name.LastIndexOf('/')];

        Assert.Equal(AclChange.Done, await admin.SetAclAsync(top, "$" + group, "lrwi", ActorFor(administrator), None));

        Assert.Equal(RightsText.Parse("lrwi"), await RightsOf(bob, name));
        Assert.Equal(MailboxRights.None, await RightsOf(carol, name));
        Assert.Contains(await store.ListAsync(bob, None), l => l.Mailbox.Name == name && !l.NoSelect);
        Assert.Contains(await store.ListAsync(bob, None), l => l.Mailbox.Name == "Shared" && l.NoSelect);

        await admin.SetMemberAsync(group, bob.Name, false, ActorFor(administrator), None);
        Assert.Equal(MailboxRights.None, await RightsOf(bob, name));
        Assert.Null(await store.FindAsync(bob, name, None));
    }

    [Fact]
    public async Task Only_administrators_create_top_level_shared_collections_and_k_allows_children()
    {
        var administrator = await AdminAsync();
        var bob = await NewUserAsync(database.DataSource);
        var top = Unique("Projects");

        Assert.Equal(MailboxChange.NoPermission, await store.CreateAsync(bob, $"Shared/{top}", null, ActorFor(bob), None));
        await SharedAsync(administrator, top);
        Assert.Equal(MailboxChange.NotFound, await store.CreateAsync(bob, $"Shared/{top}/Beta", null, ActorFor(bob), None));
        await admin.SetAclAsync($"Shared/{top}", bob.Name, "lr", ActorFor(administrator), None);
        Assert.Equal(MailboxChange.NoPermission, await store.CreateAsync(bob, $"Shared/{top}/Beta", null, ActorFor(bob), None));
        await admin.SetAclAsync($"Shared/{top}", bob.Name, "lrk", ActorFor(administrator), None);

        Assert.Equal(MailboxChange.Done, await store.CreateAsync(bob, $"Shared/{top}/Beta", null, ActorFor(bob), None));
        Assert.Equal(MailboxChange.NoPermission, await store.DeleteAsync(bob, $"Shared/{top}/Beta", ActorFor(bob), None));
        Assert.Equal(MailboxChange.Done, await store.DeleteAsync(administrator, $"Shared/{top}/Beta", ActorFor(administrator), None));
    }

    [Fact]
    public async Task Without_i_nothing_is_filed_and_without_w_flags_stay_while_seen_stays_private()
    {
        var alice = await NewUserAsync(database.DataSource);
        var bob = await NewUserAsync(database.DataSource);
        var shared = await CreateMailboxAsync(store, alice, "Shared-with-bob");
        var uid = await AppendAsync(store, alice, shared, Message());
        await store.SetAclAsync(alice, shared.Id, bob.Name, RightsEdit.Replace, "lrs", ActorFor(alice), None);

        await Assert.ThrowsAsync<KeyNotFoundException>(() => AppendAsync(store, bob, shared, Message()));
        var flagged = await store.StoreFlagsAsync(bob, shared.Id, [uid], new FlagChange(FlagOperation.Add, [@"\Flagged", @"\Seen", "Urgent"]), ActorFor(bob), None);

        Assert.False(flagged.Single().Flags.Flagged);
        Assert.True(flagged.Single().Flags.Seen);
        Assert.Empty(flagged.Single().Flags.Keywords);
        Assert.False((await store.MessagesAsync(alice, shared.Id, None)).Single().Flags.Seen);
        Assert.True((await store.MessagesAsync(bob, shared.Id, None)).Single().Flags.Seen);
        Assert.Empty(await store.ExpungeAsync(bob, shared.Id, null, ActorFor(bob), None));
    }

    [Fact]
    public async Task A_store_of_system_flags_alone_changes_only_what_the_rights_allow()
    {
        // +FLAGS / -FLAGS without keywords skip store_flags's keyword steps (migration 0027): the same checks.
        var alice = await NewUserAsync(database.DataSource);
        var bob = await NewUserAsync(database.DataSource);
        var shared = await CreateMailboxAsync(store, alice, "System-flags-for-bob");
        var uid = await AppendAsync(store, alice, shared, Message());
        Task<FlagStoreResult> BobStores(FlagOperation operation, params string[] flags) =>
            store.StoreFlagsAsync(bob, shared.Id, [uid], new FlagChange(operation, flags), ActorFor(bob), None);

        Assert.Empty(await BobStores(FlagOperation.Add, @"\Seen"));

        await store.SetAclAsync(alice, shared.Id, bob.Name, RightsEdit.Replace, "lr", ActorFor(alice), None);
        var unchanged = (await BobStores(FlagOperation.Add, @"\Seen", @"\Flagged", @"\Deleted")).Single();
        Assert.False(unchanged.Flags.Seen || unchanged.Flags.Flagged || unchanged.Flags.Deleted);

        await store.SetAclAsync(alice, shared.Id, bob.Name, RightsEdit.Replace, "lrst", ActorFor(alice), None);
        var seen = (await BobStores(FlagOperation.Add, @"\Seen", @"\Flagged", @"\Deleted")).Single();
        Assert.True(seen.Flags.Seen);
        Assert.True(seen.Flags.Deleted);
        Assert.False(seen.Flags.Flagged);
        Assert.True(seen.ModSeq > unchanged.ModSeq);
        Assert.False((await store.MessagesAsync(alice, shared.Id, None)).Single().Flags.Seen);

        var unseen = (await BobStores(FlagOperation.Remove, @"\SEEN")).Single();
        Assert.False(unseen.Flags.Seen);
        Assert.True(unseen.Flags.Deleted);
        Assert.True(unseen.ModSeq > seen.ModSeq);
        Assert.False((await store.MessagesAsync(bob, shared.Id, None)).Single().Flags.Seen);
    }

    [Fact]
    public async Task A_revoked_read_right_empties_every_query_at_once()
    {
        var alice = await NewUserAsync(database.DataSource);
        var bob = await NewUserAsync(database.DataSource);
        var shared = await CreateMailboxAsync(store, alice, "Revoked");
        await AppendAsync(store, alice, shared, Message());
        await store.SetAclAsync(alice, shared.Id, bob.Name, RightsEdit.Replace, "lr", ActorFor(alice), None);
        Assert.Single(await store.MessagesAsync(bob, shared.Id, None));

        await store.SetAclAsync(alice, shared.Id, bob.Name, RightsEdit.Remove, "r", ActorFor(alice), None);

        Assert.Empty(await store.MessagesAsync(bob, shared.Id, None));
        Assert.Null(await store.StateAsync(bob, shared.Id, None));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.CountAsync(bob, shared.Id, None));
    }
}
