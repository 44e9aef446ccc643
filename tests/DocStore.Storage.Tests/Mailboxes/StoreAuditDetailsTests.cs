using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// Migration 0038: <c>store_own_flags</c> builds its audit row's details with <c>jsonb_object</c>
/// from text instead of <c>jsonb_build_object</c>; in each of its three statements (no \Seen,
/// \Seen added, \Seen removed), alone or for a pipelined group, the object is the one it was:
/// the same keys, every value a string.
/// </summary>
public sealed class StoreAuditDetailsTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MailboxStore store = new(database.DataSource);

    [Fact]
    public async Task Each_lean_store_records_the_details_it_recorded_before()
    {
        var user = await NewUserAsync(database.DataSource);
        var mailbox = await CreateMailboxAsync(store, user, "Details");
        var uids = new uint[3];
        for (var i = 0; i < uids.Length; i++)
        {
            uids[i] = await AppendAsync(store, user, mailbox, Message($"m{i}"));
        }

        await store.StoreFlagsAsync(user, mailbox.Id, [uids[0], uids[1]], new FlagChange(FlagOperation.Add, [@"\Flagged", @"\Answered"]), ActorFor(user), None);
        await store.StoreFlagsAsync(user, mailbox.Id, [uids[0], uids[2], uids[2] + 50], new FlagChange(FlagOperation.Add, [@"\Seen"]), ActorFor(user), None);
        await store.StoreFlagsAsync(user, mailbox.Id, [[uids[0]], [uids[1]], [uids[0]]], new FlagChange(FlagOperation.Remove, [@"\Seen", @"\Flagged"]), ActorFor(user), None);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            SELECT count(*) FROM store_own_flags(@mailbox, @owner, @uids, true, false, false, false, true, false, 1,
                                                 @owner, 'tester', NULL, 'storage-tests', NULL, false)
            """, new { mailbox = mailbox.Id, owner = user.Id, uids = new[] { (long)uids[1] } });

        // jsonb's text is canonical (keys in its own order, strings quoted): equal text, equal object.
        var details = await connection.QueryAsync<string>(
            "SELECT details::text FROM audit WHERE action = 'flags' AND collection_id = @id ORDER BY id", new { id = mailbox.Id });

        Assert.Equal(
            [
                """{"uids": "2", "flags": "\\Flagged \\Answered", "changed": "2", "operation": "Add"}""",
                """{"uids": "2", "flags": "\\Seen", "changed": "2", "operation": "Add"}""",
                """{"uids": "2", "flags": "\\Seen \\Flagged", "changed": "2", "commands": "3", "operation": "Remove"}""",
                """{"uids": "1", "flags": null, "changed": "1", "operation": "Add"}""",
            ],
            details);
    }
}
