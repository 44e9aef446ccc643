using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

public sealed class MailboxFlagTests : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MigratedDatabase database;
    private readonly MailboxStore store;

    public MailboxFlagTests(MigratedDatabase database)
    {
        this.database = database;
        store = new MailboxStore(database.DataSource);
    }

    [Fact]
    public async Task System_flags_are_added_removed_and_replaced_in_any_case()
    {
        var (user, mailbox) = await NewMailboxAsync();
        var uid = await AppendAsync(store, user, mailbox, Message());

        var added = await StoreAsync(user, mailbox, [uid], FlagOperation.Add, @"\SEEN", @"\flagged", @"\Deleted");
        Assert.Equal(new MessageFlags(true, false, true, true, false, []), Assert.Single(added).Flags, FlagsComparer.Instance);

        var removed = await StoreAsync(user, mailbox, [uid], FlagOperation.Remove, @"\Flagged", @"\Answered");
        Assert.Equal(new MessageFlags(true, false, false, true, false, []), Assert.Single(removed).Flags, FlagsComparer.Instance);

        var replaced = await StoreAsync(user, mailbox, [uid], FlagOperation.Replace, @"\Answered", @"\Draft", @"\Recent");
        Assert.Equal(new MessageFlags(false, true, false, false, true, []), Assert.Single(replaced).Flags, FlagsComparer.Instance);

        var message = Assert.Single(await store.MessagesAsync(user, mailbox.Id, None));
        Assert.Equal(replaced[0].Flags, message.Flags, FlagsComparer.Instance);
        Assert.Equal(replaced[0].ModSeq, message.ModSeq);
    }

    [Fact]
    public async Task Keywords_are_document_tags_seen_from_every_mailbox_holding_the_document()
    {
        var (user, mailbox) = await NewMailboxAsync();
        var other = await CreateMailboxAsync(store, user, "Other");
        var uid = await AppendAsync(store, user, mailbox, Message());
        var document = Assert.Single(await store.MessagesAsync(user, mailbox.Id, None)).DocumentId;
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO entry (collection_id, document_id, version_number) VALUES (@other, @document, 1)", new { other = other.Id, document });
        var copyBefore = Assert.Single(await store.MessagesAsync(user, other.Id, None));

        await StoreAsync(user, mailbox, [uid], FlagOperation.Add, "Project", "$Label1");
        var copy = Assert.Single(await store.MessagesAsync(user, other.Id, None));
        Assert.Equal(["$Label1", "Project"], copy.Flags.Keywords);
        Assert.True(copy.ModSeq > copyBefore.ModSeq, "the other mailbox's entry shows the new keywords, so it needs a new modseq");

        var sameInOtherCase = Assert.Single(await StoreAsync(user, mailbox, [uid], FlagOperation.Add, "PROJECT"));
        Assert.Equal(["$Label1", "Project"], sameInOtherCase.Flags.Keywords);
        Assert.Equal(copy.ModSeq, Assert.Single(await store.MessagesAsync(user, other.Id, None)).ModSeq);

        Assert.Equal(["$Label1"], Assert.Single(await StoreAsync(user, mailbox, [uid], FlagOperation.Remove, "project")).Flags.Keywords);
        Assert.Equal(["Final"], Assert.Single(await StoreAsync(user, mailbox, [uid], FlagOperation.Replace, @"\Seen", "Final")).Flags.Keywords);
        Assert.Equal(["Final"], Assert.Single(await store.MessagesAsync(user, other.Id, None)).Flags.Keywords);
        Assert.Equal(["Final"], await connection.QueryAsync<string>("SELECT tag FROM document_tag WHERE document_id = @document", new { document }), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Seen_is_private_to_each_user()
    {
        var (user, mailbox) = await NewMailboxAsync();
        var reader = await NewUserAsync(database.DataSource);
        var read = await AppendAsync(store, user, mailbox, Message());
        var unread = await AppendAsync(store, user, mailbox, Message());
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO entry_seen (collection_id, uid, principal_id) VALUES (@collection, @uid, @reader)",
            new { collection = mailbox.Id, uid = (long)unread, reader = reader.Id });

        await StoreAsync(user, mailbox, [read], FlagOperation.Add, @"\Seen");

        Assert.Equal(1, (await store.CountAsync(user, mailbox.Id, None)).Unseen);
        var messages = await store.MessagesAsync(user, mailbox.Id, None);
        Assert.Equal([true, false], messages.Select(m => m.Flags.Seen));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM entry_seen WHERE collection_id = @collection AND uid = @uid",
            new { collection = mailbox.Id, uid = (long)unread }));
    }

    [Fact]
    public async Task Only_entries_whose_flags_change_get_a_new_modseq()
    {
        var (user, mailbox) = await NewMailboxAsync();
        uint[] uids = [await AppendAsync(store, user, mailbox, Message()), await AppendAsync(store, user, mailbox, Message()), await AppendAsync(store, user, mailbox, Message())];
        var before = (await store.MessagesAsync(user, mailbox.Id, None)).ToDictionary(m => m.Uid, m => m.ModSeq);
        var highest = (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq;

        var first = await StoreAsync(user, mailbox, [uids[1]], FlagOperation.Add, @"\Flagged");
        var second = await StoreAsync(user, mailbox, [uids[1], uids[2]], FlagOperation.Add, @"\Flagged");
        var third = await StoreAsync(user, mailbox, [uids[0]], FlagOperation.Add, @"\Seen");

        var after = (await store.MessagesAsync(user, mailbox.Id, None)).ToDictionary(m => m.Uid, m => m.ModSeq);
        Assert.True(first[0].ModSeq > highest);
        Assert.Equal(first[0].ModSeq, second[0].ModSeq);
        Assert.True(second[1].ModSeq > first[0].ModSeq);
        Assert.True(third[0].ModSeq > second[1].ModSeq, "a \\Seen change needs a new modseq too");
        Assert.Equal([third[0].ModSeq, first[0].ModSeq, second[1].ModSeq], uids.Select(u => after[u]));
        Assert.Equal(uids, (await store.ChangedSinceAsync(user, mailbox.Id, highest, None)).Select(m => m.Uid));
        Assert.Equal([uids[0]], (await store.ChangedSinceAsync(user, mailbox.Id, second[1].ModSeq, None)).Select(m => m.Uid));
        Assert.All(uids, u => Assert.True(after[u] > before[u]));
    }

    [Fact]
    public async Task A_store_of_many_uids_changes_each_of_them_as_a_store_of_one_does()
    {
        // Up to 64 UIDs run on the prepared generic plan, more on a plan for the actual numbers.
        var (user, mailbox) = await NewMailboxAsync();
        var uids = new List<uint>();
        for (var i = 0; i < 70; i++)
        {
            uids.Add(await AppendAsync(store, user, mailbox, Message($"Message {i}")));
        }

        var one = Assert.Single(await StoreAsync(user, mailbox, [uids[0]], FlagOperation.Add, @"\Seen", "Project"));
        var many = await StoreAsync(user, mailbox, [.. uids], FlagOperation.Add, @"\Seen", @"\Flagged", "Project");

        Assert.Equal(uids, many.Select(r => r.Uid));
        Assert.All(many, r => Assert.Equal(new MessageFlags(true, false, true, false, false, ["Project"]), r.Flags, FlagsComparer.Instance));
        Assert.Equal(uids, (await store.ChangedSinceAsync(user, mailbox.Id, one.ModSeq, None)).Select(m => m.Uid));

        var removed = await StoreAsync(user, mailbox, [.. uids], FlagOperation.Remove, @"\Seen", "Project");
        Assert.All(removed, r => Assert.Equal(new MessageFlags(false, false, true, false, false, []), r.Flags, FlagsComparer.Instance));
        Assert.All(await store.MessagesAsync(user, mailbox.Id, None),
            m => Assert.Equal(new MessageFlags(false, false, true, false, false, []), m.Flags, FlagsComparer.Instance));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var tags = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM document_tag WHERE document_id = ANY(@documents)",
            new { documents = (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => m.DocumentId).ToArray() });
        Assert.Equal(0, tags);
    }

    [Fact]
    public async Task Storing_to_uids_the_mailbox_does_not_have_answers_only_the_existing_ones()
    {
        var (user, mailbox) = await NewMailboxAsync();
        var uid = await AppendAsync(store, user, mailbox, Message());

        var results = await StoreAsync(user, mailbox, [uid, 999], FlagOperation.Add, @"\Answered");

        Assert.Equal([uid], results.Select(r => r.Uid));
        Assert.True(results[0].Flags.Answered);
    }

    [Fact]
    public async Task Expunge_removes_only_deleted_messages_in_the_given_uids_and_leaves_tombstones()
    {
        var (user, mailbox) = await NewMailboxAsync();
        var deleted = new MessageFlags(false, false, false, true, false, []);
        var bytes = Enumerable.Range(0, 4).Select(i => Message($"message {i}")).ToList();
        var uids = new List<uint>();
        foreach (var (message, index) in bytes.Select((b, i) => (b, i)))
        {
            uids.Add(await AppendAsync(store, user, mailbox, message, index == 2 ? MessageFlags.None : deleted));
        }
        var documents = (await store.MessagesAsync(user, mailbox.Id, None)).ToDictionary(m => m.Uid, m => m.DocumentId);
        var highestBefore = (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq;

        Assert.Equal([uids[1]], await store.ExpungeAsync(user, mailbox.Id, [uids[1], uids[2]], ActorFor(user), None));
        Assert.Equal([uids[0], uids[3]], await store.ExpungeAsync(user, mailbox.Id, null, ActorFor(user), None));
        Assert.Empty(await store.ExpungeAsync(user, mailbox.Id, null, ActorFor(user), None));

        Assert.Equal([uids[2]], (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => m.Uid));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var tombstones = (await connection.QueryAsync<(long Uid, long ModSeq)>(
            "SELECT uid, modseq FROM expunged_entry WHERE collection_id = @id ORDER BY uid", new { id = mailbox.Id })).ToList();
        Assert.Equal([uids[0], uids[1], uids[3]], tombstones.Select(t => (uint)t.Uid));
        Assert.All(tombstones, t => Assert.True(t.ModSeq > highestBefore));
        Assert.Equal((await store.CountAsync(user, mailbox.Id, None)).HighestModSeq, tombstones.Max(t => t.ModSeq));
        foreach (var index in new[] { 0, 1, 3 })
        {
            var document = documents[uids[index]];
            Assert.NotNull(await connection.ExecuteScalarAsync<DateTime?>("SELECT trashed_at FROM document WHERE id = @document", new { document }));
            Assert.Equal(bytes[index], (await store.ReadAsync(document, 1, None))!.Bytes.ToArray());
        }
        Assert.Null(await connection.ExecuteScalarAsync<DateTime?>("SELECT trashed_at FROM document WHERE id = @document", new { document = documents[uids[2]] }));
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM change WHERE kind = 'expunge' AND collection_id = @id", new { id = mailbox.Id }));
    }

    [Fact]
    public async Task Seen_on_five_thousand_messages_raises_the_mailbox_modseq_once()
    {
        // Migration 0018: one STORE rewrites 5,000 entries with one new modseq, not 5,000.
        var (user, mailbox) = await NewMailboxAsync();
        await AppendAsync(store, user, mailbox, Message());
        var document = Assert.Single(await store.MessagesAsync(user, mailbox.Id, None)).DocumentId;
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO entry (collection_id, document_id, version_number) SELECT @id, @document, 1 FROM generate_series(1, 4999)",
            new { id = mailbox.Id, document });
        var uids = (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => m.Uid).ToArray();
        Assert.Equal(5000, uids.Length);
        var highest = (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq;

        var stored = await store.StoreFlagsAsync(user, mailbox.Id, uids, new FlagChange(FlagOperation.Add, [@"\Seen"]), ActorFor(user), None);

        Assert.Equal(uids, stored.Select(r => r.Uid));
        Assert.All(stored, r => Assert.Equal(new MessageFlags(true, false, false, false, false, []), r.Flags, FlagsComparer.Instance));
        Assert.All(stored, r => Assert.Equal(highest + 1, r.ModSeq));
        Assert.Equal(highest, stored.ModSeqBefore);
        Assert.Equal(highest + 1, stored.ModSeqAfter);
        Assert.Equal(highest + 1, (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq);
        var messages = await store.MessagesAsync(user, mailbox.Id, None);
        Assert.All(messages, m => Assert.True(m.Flags.Seen));
        Assert.All(messages, m => Assert.Equal(highest + 1, m.ModSeq));
        Assert.Equal(uids, (await store.ChangedSinceAsync(user, mailbox.Id, highest, None)).Select(m => m.Uid));
        Assert.Empty(await store.ChangedSinceAsync(user, mailbox.Id, highest + 1, None));
        Assert.Equal(5000, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM entry_seen WHERE collection_id = @id AND principal_id = @user", new { id = mailbox.Id, user = user.Id }));
        Assert.Equal(5000, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM change WHERE kind = 'flags' AND collection_id = @id", new { id = mailbox.Id }));

        var again = await StoreAsync(user, mailbox, [uids[0], uids[4999]], FlagOperation.Remove, @"\Seen");
        Assert.All(again, r => Assert.Equal(highest + 2, r.ModSeq));
    }

    [Fact]
    public async Task Stores_of_the_same_change_grouped_in_one_transaction_get_one_modseq_and_one_audit_row()
    {
        var (user, mailbox) = await NewMailboxAsync();
        var uids = new uint[4];
        for (var i = 0; i < uids.Length; i++)
        {
            uids[i] = await AppendAsync(store, user, mailbox, Message());
        }
        await StoreAsync(user, mailbox, [uids[3]], FlagOperation.Add, @"\Flagged");
        var highest = (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq;

        // Pipelined: +\Flagged on 1, on 1 and 2 again, on 4 (already flagged), on a UID the mailbox lacks.
        IReadOnlyCollection<uint>[] commands = [[uids[0]], [uids[0], uids[1]], [uids[3]], [uids[3] + 100]];
        var stored = await store.StoreFlagsAsync(user, mailbox.Id, commands, new FlagChange(FlagOperation.Add, [@"\Flagged"]), ActorFor(user), None);

        Assert.Equal([uids[0], uids[1], uids[3]], stored.Select(r => r.Uid));
        Assert.All(stored, r => Assert.True(r.Flags.Flagged));
        Assert.Equal(highest + 1, stored[0].ModSeq);
        Assert.Equal(highest + 1, stored[1].ModSeq);
        Assert.True(stored[2].ModSeq <= highest, "an entry the change leaves as it was keeps its modseq");
        Assert.Equal(highest, stored.ModSeqBefore);
        Assert.Equal(highest + 1, stored.ModSeqAfter);
        Assert.Equal([uids[0], uids[1]], (await store.ChangedSinceAsync(user, mailbox.Id, highest, None)).Select(m => m.Uid));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var audited = (await connection.QueryAsync<(string? Commands, string Uids, string Changed)>(
            "SELECT details->>'commands', details->>'uids', details->>'changed' FROM audit WHERE action = 'flags' AND collection_id = @id ORDER BY id",
            new { id = mailbox.Id })).ToList();
        // The first row is the STORE before; then the group's (migration 0029): its four commands
        // reached three messages and changed two.
        Assert.Equal([(null, "1", "1"), ("4", "3", "2")], audited);
    }

    [Fact]
    public async Task Each_update_statement_of_one_transaction_gets_its_own_modseq()
    {
        var (user, mailbox) = await NewMailboxAsync();
        uint[] uids = [await AppendAsync(store, user, mailbox, Message()), await AppendAsync(store, user, mailbox, Message())];
        var highest = (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq;

        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            foreach (var uid in uids)
            {
                await connection.ExecuteAsync("UPDATE entry SET flagged = true WHERE collection_id = @id AND uid = @uid",
                    new { id = mailbox.Id, uid = (long)uid }, transaction);
            }
            await transaction.CommitAsync();
        }

        var modseqs = (await store.MessagesAsync(user, mailbox.Id, None)).Select(m => m.ModSeq).ToArray();
        Assert.Equal([highest + 1, highest + 2], modseqs);
        Assert.Equal(highest + 2, (await store.CountAsync(user, mailbox.Id, None)).HighestModSeq);
    }

    [Theory]
    [InlineData(FlagDurability.Durable, "on")]
    [InlineData(FlagDurability.Fast, "off")]
    public async Task Flag_durability_decides_the_flush_of_flag_changes_only(FlagDurability durability, string flagCommit)
    {
        // What each transaction commits with, seen from inside it: its audit row records the setting.
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS commit_probe (action text, collection_id bigint, synchronous_commit text);
            CREATE OR REPLACE FUNCTION commit_probe() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO commit_probe VALUES (NEW.action, NEW.collection_id, current_setting('synchronous_commit'));
                RETURN NULL;
            END $$;
            CREATE OR REPLACE TRIGGER commit_probe AFTER INSERT ON audit FOR EACH ROW EXECUTE FUNCTION commit_probe();
            """);
        var tuned = new MailboxStore(database.DataSource, durability);
        var user = await NewUserAsync(database.DataSource);
        var mailbox = (await tuned.FindAsync(user, "INBOX", None))!;
        var uid = await AppendAsync(tuned, user, mailbox, Message());

        var stored = await tuned.StoreFlagsAsync(user, mailbox.Id, [uid], new FlagChange(FlagOperation.Add, [@"\Seen", @"\Flagged", "Project"]), ActorFor(user), None);
        await tuned.StoreFlagsAsync(user, mailbox.Id, [uid], new FlagChange(FlagOperation.Add, [@"\Deleted"]), ActorFor(user), None);
        Assert.Single(await tuned.ExpungeAsync(user, mailbox.Id, [uid], ActorFor(user), None));

        Assert.Equal(new MessageFlags(true, false, true, false, false, ["Project"]), Assert.Single(stored).Flags, FlagsComparer.Instance);
        var probes = (await connection.QueryAsync<(string Action, string Setting)>(
            "SELECT action, synchronous_commit FROM commit_probe WHERE collection_id = @id", new { id = mailbox.Id })).ToList();
        Assert.Equal(2, probes.Count(p => p.Action == "flags"));
        Assert.All(probes.Where(p => p.Action == "flags"), p => Assert.Equal(flagCommit, p.Setting));
        var others = probes.Where(p => p.Action != "flags").ToList();
        Assert.Contains(others, p => p.Action == "append");
        Assert.Contains(others, p => p.Action == "expunge");
        Assert.All(others, p => Assert.Equal("on", p.Setting));
        // The setting ends with its transaction: the pooled connection is back to the server's.
        Assert.Equal("on", await connection.ExecuteScalarAsync<string>("SHOW synchronous_commit"));
    }

    [Fact]
    public async Task The_delta_since_a_modseq_holds_what_the_listing_holds_for_changed_messages_and_the_expunged_uids()
    {
        var (user, mailbox) = await NewMailboxAsync();
        var deleted = new MessageFlags(false, false, false, true, false, []);
        var kept = await AppendAsync(store, user, mailbox, Message("kept"));
        var gone = await AppendAsync(store, user, mailbox, Message("gone"), deleted);
        var start = (await store.StateAsync(user, mailbox.Id, None))!;
        var unchanged = await store.DeltaAsync(user, mailbox.Id, start.HighestModSeq, None);
        Assert.Equal(start, unchanged.State);
        Assert.Empty(unchanged.Changed);
        Assert.Empty(unchanged.Expunged);

        // After the starting point: keywords and \Seen on one, an expunge, a new message with a zone offset.
        await StoreAsync(user, mailbox, [kept], FlagOperation.Add, @"\Seen", @"\Answered", "Project", "$Label1");
        Assert.Equal([gone], await store.ExpungeAsync(user, mailbox.Id, null, ActorFor(user), None));
        var internalDate = new DateTimeOffset(2024, 3, 1, 9, 30, 15, TimeSpan.FromHours(2));
        using (var stream = new MemoryStream(Message("new"), writable: false))
        {
            await store.AppendAsync(user, mailbox.Id, stream, new MessageFlags(false, false, true, false, true, []), internalDate, ActorFor(user), None);
        }

        var delta = await store.DeltaAsync(user, mailbox.Id, start.HighestModSeq, None);
        Assert.Equal(await store.StateAsync(user, mailbox.Id, None), delta.State);
        var listing = await store.MessagesAsync(user, mailbox.Id, None);
        Assert.Equal(2, listing.Count);
        Assert.Equal(listing.Count, delta.Changed.Count);
        foreach (var (expected, actual) in listing.Zip(delta.Changed))
        {
            Assert.Equal(expected with { Flags = actual.Flags }, actual);
            Assert.Equal(expected.Flags, actual.Flags, FlagsComparer.Instance);
        }
        Assert.Equal(["$Label1", "Project"], delta.Changed[0].Flags.Keywords);
        Assert.True(delta.Changed[0].Flags.Seen && delta.Changed[0].Flags.Answered);
        Assert.Equal(internalDate, delta.Changed[1].InternalDate);
        Assert.Equal(internalDate.Offset, delta.Changed[1].InternalDate.Offset);
        Assert.Equal([gone], delta.Expunged);

        // From the newest modseq on, nothing; another user without rights sees no mailbox.
        Assert.Empty((await store.DeltaAsync(user, mailbox.Id, delta.State!.HighestModSeq, None)).Changed);
        var stranger = await NewUserAsync(database.DataSource);
        Assert.Null((await store.DeltaAsync(stranger, mailbox.Id, 0, None)).State);
    }

    [Fact]
    public async Task The_whole_mailbox_read_returns_what_the_change_read_returns_from_the_start()
    {
        // SELECT's read (MessagesAsync) aggregates the keywords of the mailbox's documents once;
        // the change read (a modseq above 0 is never reached here, -1 takes every entry) per entry.
        var (user, mailbox) = await NewMailboxAsync();
        var other = await CreateMailboxAsync(store, user, "Tagged elsewhere");
        var uids = new List<uint>();
        for (var i = 0; i < 4; i++)
        {
            uids.Add(await AppendAsync(store, user, mailbox, Message($"whole {i}")));
        }
        await StoreAsync(user, mailbox, [uids[0]], FlagOperation.Add, "Zeta", "alpha", "$Label1", @"\Seen");
        await StoreAsync(user, mailbox, [uids[2]], FlagOperation.Add, "Project", @"\Flagged");
        var document = (await store.MessagesAsync(user, mailbox.Id, None)).Single(m => m.Uid == uids[3]).DocumentId;
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO entry (collection_id, document_id, version_number) VALUES (@other, @document, 1)", new { other = other.Id, document });
        }
        var copy = Assert.Single(await store.MessagesAsync(user, other.Id, None));
        await StoreAsync(user, other, [copy.Uid], FlagOperation.Add, "Shared");

        var whole = await store.MessagesAsync(user, mailbox.Id, None);
        var changed = await store.ChangedSinceAsync(user, mailbox.Id, -1, None);
        Assert.Equal(uids, whole.Select(m => m.Uid));
        Assert.Equal(changed.Select(m => m with { Flags = MessageFlags.None }), whole.Select(m => m with { Flags = MessageFlags.None }));
        Assert.Equal(changed.Select(m => m.Flags), whole.Select(m => m.Flags), FlagsComparer.Instance);
        Assert.Equal(["$Label1", "Zeta", "alpha"], whole[0].Flags.Keywords);
        Assert.Equal(["Shared"], whole[3].Flags.Keywords);
        Assert.Empty(whole[1].Flags.Keywords);
    }

    private async Task<(User User, Mailbox Mailbox)> NewMailboxAsync()
    {
        var user = await NewUserAsync(database.DataSource);
        return (user, (await store.FindAsync(user, "INBOX", None))!);
    }

    private async Task<IReadOnlyList<FlagResult>> StoreAsync(User user, Mailbox mailbox, uint[] uids, FlagOperation operation, params string[] flags) =>
        await store.StoreFlagsAsync(user, mailbox.Id, uids, new FlagChange(operation, flags), ActorFor(user), None);

    /// <summary>MessageFlags compares its keyword list by reference; here by content.</summary>
    private sealed class FlagsComparer : IEqualityComparer<MessageFlags>
    {
        public static FlagsComparer Instance { get; } = new();

        public bool Equals(MessageFlags? x, MessageFlags? y) =>
            x is not null && y is not null
            && (x.Seen, x.Answered, x.Flagged, x.Deleted, x.Draft) == (y.Seen, y.Answered, y.Flagged, y.Deleted, y.Draft)
            && x.Keywords.SequenceEqual(y.Keywords, StringComparer.Ordinal);

        public int GetHashCode(MessageFlags obj) => HashCode.Combine(obj.Seen, obj.Answered, obj.Flagged, obj.Deleted, obj.Draft);
    }
}
