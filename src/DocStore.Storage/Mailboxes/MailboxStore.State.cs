using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

public sealed partial class MailboxStore
{
    private const string SelectState = """
        SELECT uidnext AS UidNext, highestmodseq AS HighestModSeq FROM collection WHERE id = @collection AND strpos(collection_rights(@collection, @owner), 'r') > 0
        """;

    private const string SelectExpungedSince = """
        SELECT x.uid FROM expunged_entry x JOIN collection c ON c.id = x.collection_id AND strpos(collection_rights(@collection, @owner), 'r') > 0
         WHERE x.collection_id = @collection AND x.modseq > @modSeq
         ORDER BY x.uid
        """;

    private const string DeltaQuery = SelectState + ";\n" + SelectMessages + ";\n" + SelectExpungedSince;

    public async Task<MailboxDelta> DeltaAsync(User user, long mailboxId, long sinceModSeq, CancellationToken cancellationToken)
    {
        // One round trip, three result sets, read by hand (see ReadSummary): this is the read that
        // every session idling on the mailbox waits for after a change.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(DeltaQuery, connection);
        AddViewParameters(command.Parameters, mailboxId, user.Id, sinceModSeq);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        MailboxState? state = null;
        if (await reader.ReadAsync(cancellationToken))
        {
            state = new MailboxState(reader.GetInt64(0), reader.GetInt64(1));
        }
        if (state is null || state.HighestModSeq == sinceModSeq)
        {
            return new MailboxDelta(state, [], []);
        }
        var changed = new List<MessageSummary>();
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changed.Add(ReadSummary(reader));
        }
        var expunged = new List<uint>();
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            expunged.Add(checked((uint)reader.GetInt64(0)));
        }
        return new MailboxDelta(state, changed, expunged);
    }

    public async Task<MailboxState?> StateAsync(User user, long mailboxId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MailboxState>(new CommandDefinition(SelectState,
            new { collection = mailboxId, owner = user.Id }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<uint>> ExpungedSinceAsync(User user, long mailboxId, long modSeq, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var uids = await connection.QueryAsync<long>(new CommandDefinition(SelectExpungedSince,
            new { collection = mailboxId, owner = user.Id, modSeq }, cancellationToken: cancellationToken));
        return uids.Select(u => checked((uint)u)).ToList();
    }
}
