using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;

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

    public async Task<MailboxDelta> DeltaAsync(User user, long mailboxId, long sinceModSeq, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            SelectState + ";\n" + SelectMessages + ";\n" + SelectExpungedSince,
            new { collection = mailboxId, owner = user.Id, modSeq = sinceModSeq }, cancellationToken: cancellationToken));
        var state = await results.ReadSingleOrDefaultAsync<MailboxState>();
        var changed = (await results.ReadAsync<MessageRow>()).Select(r => r.ToSummary()).ToList();
        var expunged = (await results.ReadAsync<long>()).Select(u => checked((uint)u)).ToList();
        return state is null || state.HighestModSeq == sinceModSeq ? new MailboxDelta(state, [], []) : new MailboxDelta(state, changed, expunged);
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
