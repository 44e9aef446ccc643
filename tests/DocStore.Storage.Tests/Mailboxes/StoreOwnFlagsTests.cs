using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Npgsql;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// The lean STORE of migration 0029 (<c>store_own_flags</c>: system flags added or removed in the
/// user's own mailbox) against the general one (<c>store_flags</c>, 0027), step by step on two
/// mailboxes filled alike: the same flags, modseqs, \Seen rows and change rows.
/// </summary>
public sealed class StoreOwnFlagsTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MailboxStore store = new(database.DataSource);

    private static readonly (string Name, bool Add, string[] Flags, int[] Indexes)[] Steps =
    [
        ("seen on one", true, [@"\Seen"], [0]),
        ("seen again and flagged on two", true, [@"\Seen", @"\Flagged"], [0, 1]),
        ("unseen on a read and an unread one", false, [@"\Seen"], [0, 2]),
        ("three flags on three", true, [@"\Deleted", @"\Draft", @"\Answered"], [1, 2, 3]),
        ("two flags off everywhere", false, [@"\Flagged", @"\Draft"], [0, 1, 2, 3]),
        ("a missing uid beside one", true, [@"\Flagged", @"\Seen"], [3, 99]),
        ("nothing changes", true, [@"\Flagged"], [3]),
        ("only unknown flags", true, [@"\Recent", @"\Whatever"], [0, 1]),
        ("everything off", false, [@"\Seen", @"\Answered", @"\Deleted", @"\Flagged"], [0, 1, 2, 3]),
    ];

    [Fact]
    public async Task Every_step_gives_what_the_general_store_gives()
    {
        var user = await NewUserAsync(database.DataSource);
        var lean = await FilledAsync(user, "Lean");
        var general = await FilledAsync(user, "General");
        await using var connection = await database.DataSource.OpenConnectionAsync();

        foreach (var (name, add, flags, indexes) in Steps)
        {
            var byLean = await CallAsync(connection, "store_own_flags", user, lean, add, flags, indexes);
            var byGeneral = await CallAsync(connection, "store_flags", user, general, add, flags, indexes);

            Assert.True(byGeneral.SequenceEqual(byLean), $"{name}: store_own_flags answered\n  {string.Join("\n  ", byLean)}\nstore_flags\n  {string.Join("\n  ", byGeneral)}");
            Assert.Equal(await SeenAsync(connection, user, general), await SeenAsync(connection, user, lean));
            Assert.Equal(await ChangesAsync(connection, general), await ChangesAsync(connection, lean));
            Assert.Equal(await StateAsync(connection, general), await StateAsync(connection, lean));
        }
    }

    [Fact]
    public async Task A_pipelined_group_of_system_flags_is_one_audit_row_that_counts_its_commands()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Grouped");
        var uids = new uint[3];
        for (var i = 0; i < uids.Length; i++)
        {
            uids[i] = await AppendAsync(store, user, mailbox, Message());
        }
        var highest = (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq;

        IReadOnlyCollection<uint>[] commands = [[uids[0]], [uids[1]], [uids[0]], [uids[2] + 100]];
        var stored = await store.StoreFlagsAsync(user, mailbox.Id, commands, new FlagChange(FlagOperation.Add, [@"\Seen"]), ActorFor(user), None);

        Assert.Equal([uids[0], uids[1]], stored.Select(r => r.Uid));
        Assert.All(stored, r => Assert.Equal(highest + 1, r.ModSeq));
        Assert.Equal((highest, highest + 1), (stored.ModSeqBefore, stored.ModSeqAfter));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var audited = await connection.QuerySingleAsync<(string Operation, string Flags, string Commands, string Uids, string Changed)>("""
            SELECT details->>'operation', details->>'flags', details->>'commands', details->>'uids', details->>'changed'
              FROM audit WHERE action = 'flags' AND collection_id = @id
            """, new { id = mailbox.Id });
        Assert.Equal(("Add", @"\Seen", "4", "2", "2"), audited);
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM change WHERE kind = 'flags' AND collection_id = @id", new { id = mailbox.Id }));
    }

    [Fact]
    public async Task Another_users_mailbox_is_left_to_the_general_store_and_its_rights()
    {
        // Bob may set \Seen (s) but not \Flagged (w): store_own_flags hands his STORE to store_flags.
        var alice = await NewUserAsync(database.DataSource);
        var bob = await NewUserAsync(database.DataSource);
        var shared = await CreateMailboxAsync(store, alice, "Shared-lean");
        var uid = await AppendAsync(store, alice, shared, Message());
        var filled = new Filled(shared, [uid], 0);
        await store.SetAclAsync(alice, shared.Id, bob.Name, Core.Sharing.RightsEdit.Replace, "lrs", ActorFor(alice), None);
        await using var connection = await database.DataSource.OpenConnectionAsync();

        var stored = Assert.Single(await CallAsync(connection, "store_own_flags", bob, filled, add: true, [@"\Seen", @"\Flagged"], [0]));

        Assert.True(stored.Seen);
        Assert.False(stored.Flagged);
        Assert.False(Assert.Single(await store.MessagesAsync(alice, shared.Id, None)).Flags.Seen);
        Assert.Equal(uid, Assert.Single(await store.MessagesAsync(bob, shared.Id, None)).Uid);
        await store.SetAclAsync(alice, shared.Id, bob.Name, Core.Sharing.RightsEdit.Replace, "l", ActorFor(alice), None);
        Assert.Empty(await CallAsync(connection, "store_own_flags", bob, filled, add: false, [@"\Seen"], [0]));
    }

    [Theory]
    [InlineData("uidnext = uidnext - 1")]
    [InlineData("highestmodseq = highestmodseq - 1")]
    [InlineData("uidvalidity = uidvalidity + 1")]
    public async Task The_collection_counters_still_only_grow_and_uidvalidity_stays(string assignment)
    {
        // 0029 calls the invariant's trigger function only when its WHEN clause finds a violation.
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Counters");
        await AppendAsync(store, user, mailbox, Message());
        await using var connection = await database.DataSource.OpenConnectionAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            connection.ExecuteAsync($"UPDATE collection SET {assignment} WHERE id = @id", new { id = mailbox.Id }));

        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
        Assert.Equal(1, await connection.ExecuteAsync("UPDATE collection SET highestmodseq = highestmodseq + 1 WHERE id = @id", new { id = mailbox.Id }));
    }

    /// <summary>One row of a STORE's answer, its modseqs counted from the mailbox's start.</summary>
    private sealed record Row(int Index, long ModSeq, bool Seen, bool Answered, bool Flagged, bool Deleted, bool Draft, string Keywords, long? Before, long After);

    private sealed class Returned
    {
        public long Uid { get; init; }

        public long ModSeq { get; init; }

        public bool Seen { get; init; }

        public bool Answered { get; init; }

        public bool Flagged { get; init; }

        public bool Deleted { get; init; }

        public bool Draft { get; init; }

        public string[] Keywords { get; init; } = [];

        public long? Before { get; init; }

        public long After { get; init; }
    }

    private sealed record Filled(Mailbox Mailbox, uint[] Uids, long Start);

    private async Task<Filled> FilledAsync(User user, string name)
    {
        var mailbox = await CreateMailboxAsync(store, user, name);
        var uids = new uint[4];
        for (var i = 0; i < uids.Length; i++)
        {
            uids[i] = await AppendAsync(store, user, mailbox, Message($"{name} {i}"));
        }
        return new Filled(mailbox, uids, (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq);
    }

    private static async Task<List<Row>> CallAsync(NpgsqlConnection connection, string function, User user, Filled filled, bool add, string[] flags, int[] indexes)
    {
        var uids = indexes.Select(i => i < filled.Uids.Length ? (long)filled.Uids[i] : 100_000L + i).ToArray();
        bool Has(string flag) => flags.Contains(flag, StringComparer.OrdinalIgnoreCase);
        var arguments = function == "store_own_flags"
            ? "@uids, @add, @seen, @answered, @flagged, @deleted, @draft, 1"
            : "@uids, CASE WHEN @add THEN 'add' ELSE 'remove' END, @seen, @answered, @flagged, @deleted, @draft, '{}', @uids, @commandOf";
        var rows = await connection.QueryAsync<Returned>($"""
            SELECT o_uid AS Uid, o_modseq AS ModSeq, o_seen AS Seen, o_answered AS Answered, o_flagged AS Flagged,
                   o_deleted AS Deleted, o_draft AS Draft, o_keywords AS Keywords, o_before AS Before, o_after AS After
              FROM {function}(@mailbox, @owner, {arguments}, @owner, 'tester', NULL, 'storage-tests', @text, false)
            """, new
        {
            mailbox = filled.Mailbox.Id,
            owner = user.Id,
            uids,
            add,
            seen = Has(@"\Seen"),
            answered = Has(@"\Answered"),
            flagged = Has(@"\Flagged"),
            deleted = Has(@"\Deleted"),
            draft = Has(@"\Draft"),
            commandOf = uids.Select(_ => 1).ToArray(),
            text = string.Join(' ', flags),
        });
        return rows.Select(r => new Row(Array.IndexOf(filled.Uids, (uint)r.Uid), r.ModSeq - filled.Start, r.Seen, r.Answered, r.Flagged, r.Deleted, r.Draft,
            string.Join(' ', r.Keywords), r.Before - filled.Start, r.After - filled.Start)).ToList();
    }

    private static async Task<List<(long Uid, long ModSeq)>> SeenAsync(NpgsqlConnection connection, User user, Filled filled) =>
        (await connection.QueryAsync<(long, long)>(
            "SELECT uid, modseq FROM entry_seen WHERE collection_id = @id AND principal_id = @user ORDER BY uid",
            new { id = filled.Mailbox.Id, user = user.Id }))
        .Select(r => ((long)Array.IndexOf(filled.Uids, (uint)r.Item1), r.Item2 - filled.Start)).ToList();

    private static async Task<List<(long Uid, string Kind)>> ChangesAsync(NpgsqlConnection connection, Filled filled) =>
        (await connection.QueryAsync<(long, string)>(
            "SELECT uid, kind FROM change WHERE collection_id = @id AND kind = 'flags' ORDER BY seq", new { id = filled.Mailbox.Id }))
        .Select(r => ((long)Array.IndexOf(filled.Uids, (uint)r.Item1), r.Item2)).ToList();

    private static async Task<List<(long Uid, long ModSeq, bool Answered, bool Flagged, bool Deleted, bool Draft)>> StateAsync(NpgsqlConnection connection, Filled filled) =>
        (await connection.QueryAsync<(long, long, bool, bool, bool, bool)>(
            "SELECT uid, modseq, answered, flagged, deleted, draft FROM entry WHERE collection_id = @id ORDER BY uid", new { id = filled.Mailbox.Id }))
        .Select(r => ((long)Array.IndexOf(filled.Uids, (uint)r.Item1), r.Item2 - filled.Start, r.Item3, r.Item4, r.Item5, r.Item6)).ToList();
}
