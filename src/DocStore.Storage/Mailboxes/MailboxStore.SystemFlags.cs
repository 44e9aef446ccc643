using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using Npgsql;
using NpgsqlTypes;

namespace DocStore.Storage.Mailboxes;

public sealed partial class MailboxStore
{
    // One statement with numbered parameters: Npgsql sends it as written (no named-parameter
    // rewriting of a long text), and it is auto-prepared on each pooled connection like the rest.
    private const string StoreSystemFlags = """
        SELECT o_uid, o_modseq, o_seen, o_answered, o_flagged, o_deleted, o_draft, o_keywords, o_before, o_after
          FROM store_system_flags($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::inet, $15, $16, $17, $18)
        """;

    /// <summary>
    /// True for the STORE that <c>store_system_flags</c> (migration 0026) runs: adding or removing
    /// system flags only, on a few UIDs. Keywords (document tags, shared by every mailbox holding
    /// the document) and the replacing form, which may remove keywords, take the general statement.
    /// </summary>
    private static bool IsSystemFlagStore(FlagSet requested, FlagOperation operation, int uids) =>
        requested.Keywords.Count == 0 && operation is FlagOperation.Add or FlagOperation.Remove && uids <= GenericPlanMaxUids;

    /// <summary>The common STORE in one function call (migration 0026): the same rows, audit and change feed as <see cref="StoreFlags"/>.</summary>
    private async Task<FlagStoreResult> StoreSystemFlagsAsync(long mailboxId, long owner, long[] uids, long[] requestedUids, int[] commandOf,
        FlagSet requested, FlagChange change, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(StoreSystemFlags, connection)
        {
            Parameters =
            {
                new NpgsqlParameter<long> { TypedValue = mailboxId },
                new NpgsqlParameter<long> { TypedValue = owner },
                new NpgsqlParameter<long[]> { TypedValue = uids },
                new NpgsqlParameter<bool> { TypedValue = change.Operation == FlagOperation.Add },
                new NpgsqlParameter<bool> { TypedValue = requested.Seen },
                new NpgsqlParameter<bool> { TypedValue = requested.Answered },
                new NpgsqlParameter<bool> { TypedValue = requested.Flagged },
                new NpgsqlParameter<bool> { TypedValue = requested.Deleted },
                new NpgsqlParameter<bool> { TypedValue = requested.Draft },
                new NpgsqlParameter<long[]> { TypedValue = requestedUids },
                new NpgsqlParameter<int[]> { TypedValue = commandOf },
                BigintOrNull(actor.PrincipalId),
                Text(actor.PrincipalName),
                Text(actor.Address?.ToString()),
                Text(actor.Client),
                Text(change.Operation.ToString()),
                Text(string.Join(' ', change.Flags)),
                new NpgsqlParameter<bool> { TypedValue = flagDurability == FlagDurability.Fast },
            },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var results = new List<FlagResult>(uids.Length);
        long? before = null;
        long after = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            results.Add(new FlagResult(checked((uint)reader.GetInt64(0)), reader.GetInt64(1), new MessageFlags(
                reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4), reader.GetBoolean(5), reader.GetBoolean(6),
                reader.GetFieldValue<string[]>(7))));
            before = reader.IsDBNull(8) ? null : reader.GetInt64(8);
            after = reader.GetInt64(9);
        }
        return results.Count == 0 ? FlagStoreResult.None : new FlagStoreResult(results, before, after);
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter BigintOrNull(long? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = value is { } v ? v : DBNull.Value };
}
