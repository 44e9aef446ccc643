using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Storage.Auditing;
using Npgsql;
using NpgsqlTypes;

namespace DocStore.Storage.Mailboxes;

public sealed partial class MailboxStore
{
    internal const string DeleteTags = """
        DELETE FROM document_tag t USING unnest(@documents::bigint[], @tags::text[]) AS r(document_id, tag)
         WHERE t.document_id = r.document_id AND t.tag = r.tag
        """;

    internal const string AddTags = """
        INSERT INTO document_tag (document_id, tag) SELECT * FROM unnest(@documents::bigint[], @tags::text[]) ON CONFLICT DO NOTHING
        """;

    // One short statement with numbered parameters: Npgsql sends it as written (no named-parameter
    // rewriting), and it is auto-prepared on each pooled connection like the rest.
    private const string StoreFlagsCall = """
        SELECT o_uid, o_modseq, o_seen, o_answered, o_flagged, o_deleted, o_draft, o_keywords, o_before, o_after
          FROM store_flags($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::inet, $16, $17, $18)
        """;

    // The common STORE (system flags added or removed on at most LeanUids UIDs): migration 0029.
    private const string StoreOwnFlagsCall = """
        SELECT o_uid, o_modseq, o_seen, o_answered, o_flagged, o_deleted, o_draft, o_keywords, o_before, o_after
          FROM store_own_flags($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::inet, $14, $15, $16)
        """;

    /// <summary>The most UIDs <c>store_own_flags</c> runs on its cached generic plans (as <c>store_flags</c> does).</summary>
    internal const int LeanUids = 64;

    private const string SelectExpungeable = """
        SELECT e.uid AS Uid, e.document_id AS DocumentId
          FROM entry e
          JOIN collection c ON c.id = e.collection_id AND strpos(collection_rights(@collection, @owner), 'e') > 0
         WHERE e.collection_id = @collection AND e.deleted AND (@all OR e.uid = ANY(@uids))
         ORDER BY e.uid
           FOR UPDATE OF e
        """;

    // RFC 7162 §3.2.10: the tombstones carry a modseq above every one the mailbox has handed out.
    internal const string ExpungeEntries = """
        WITH removed AS (
            DELETE FROM entry WHERE collection_id = @collection AND uid = ANY(@uids) RETURNING uid, document_id
        ), bumped AS (
            UPDATE collection SET highestmodseq = highestmodseq + 1 WHERE id = @collection RETURNING highestmodseq
        ), tombstones AS (
            INSERT INTO expunged_entry (collection_id, uid, modseq)
            SELECT @collection, r.uid, b.highestmodseq FROM removed r CROSS JOIN bumped b
        )
        INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
        SELECT 'expunge', @collection, document_id, uid, @owner FROM removed
        """;

    /// <summary>
    /// Applies STORE to the given UIDs (UIDs the mailbox does not have are skipped) and returns
    /// the new state of each existing one. \Seen is this user's (<c>entry_seen</c>); keywords are
    /// the document's tags, so entries of the same document elsewhere get a new modseq as well.
    /// An entry whose flags do not change keeps its modseq. One call of <c>store_own_flags</c>
    /// (migration 0029) for system flags added or removed on a few UIDs, otherwise of
    /// <c>store_flags</c> (migration 0027).
    /// </summary>
    public Task<FlagStoreResult> StoreFlagsAsync(User user, long mailboxId, IReadOnlyCollection<uint> uids, FlagChange change, Actor actor, CancellationToken cancellationToken) =>
        StoreFlagsAsync(user, mailboxId, [uids], change, actor, cancellationToken);

    /// <summary>
    /// Applies the same STORE for several commands in one transaction (see the interface): the
    /// union of their UIDs is changed once, and audited as the interface says.
    /// </summary>
    public async Task<FlagStoreResult> StoreFlagsAsync(User user, long mailboxId, IReadOnlyList<IReadOnlyCollection<uint>> commands, FlagChange change, Actor actor, CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var uidsOfCommand in commands)
        {
            total += uidsOfCommand.Count;
        }
        if (total == 0)
        {
            return FlagStoreResult.None;
        }

        var requestedUids = new long[total];
        var commandOf = new int[total];
        var at = 0;
        for (var i = 0; i < commands.Count; i++)
        {
            foreach (var uid in commands[i])
            {
                requestedUids[at] = uid;
                commandOf[at++] = i + 1;
            }
        }
        var uids = commands.Count == 1 ? requestedUids : requestedUids.Distinct().ToArray();
        var requested = FlagSet.Parse(change.Flags);

        // A deadlock rolls the STORE back whole, so it is tried again: an APPEND group that files
        // a revision holds the mailbox's row and then locks entries, while a STORE locks its
        // entries and then the mailbox's row (FilingGroups; review of session 12).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StoreOnceAsync(user, mailboxId, uids, requestedUids, commandOf, commands.Count, change, requested, actor, cancellationToken);
            }
            catch (PostgresException e) when (string.Equals(e.SqlState, PostgresErrorCodes.DeadlockDetected, StringComparison.Ordinal) && attempt < DeadlockAttempts)
            {
            }
        }
    }

    private const int DeadlockAttempts = 3;

    private async Task<FlagStoreResult> StoreOnceAsync(User user, long mailboxId, long[] uids, long[] requestedUids, int[] commandOf, int commands,
        FlagChange change, FlagSet requested, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var call = requested.Keywords.Count == 0 && change.Operation != FlagOperation.Replace && uids.Length <= LeanUids
            ? StoreOwnFlags(connection, user, mailboxId, uids, commands, change, requested, actor)
            : StoreFlags(connection, user, mailboxId, uids, requestedUids, commandOf, change, requested, actor);
        await using var reader = await call.ExecuteReaderAsync(cancellationToken);
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

    /// <summary>
    /// System flags added or removed (no keyword, so no document's tags and no other mailbox
    /// change): <c>store_own_flags</c>, which hands a mailbox the user does not own to <c>store_flags</c>.
    /// </summary>
    private NpgsqlCommand StoreOwnFlags(NpgsqlConnection connection, User user, long mailboxId, long[] uids, int commands, FlagChange change, FlagSet requested, Actor actor) =>
        new(StoreOwnFlagsCall, connection)
        {
            Parameters =
            {
                new NpgsqlParameter<long> { TypedValue = mailboxId },
                new NpgsqlParameter<long> { TypedValue = user.Id },
                new NpgsqlParameter<long[]> { TypedValue = uids },
                new NpgsqlParameter<bool> { TypedValue = change.Operation == FlagOperation.Add },
                new NpgsqlParameter<bool> { TypedValue = requested.Seen },
                new NpgsqlParameter<bool> { TypedValue = requested.Answered },
                new NpgsqlParameter<bool> { TypedValue = requested.Flagged },
                new NpgsqlParameter<bool> { TypedValue = requested.Deleted },
                new NpgsqlParameter<bool> { TypedValue = requested.Draft },
                new NpgsqlParameter<int> { TypedValue = commands },
                BigintOrNull(actor.PrincipalId),
                Text(actor.PrincipalName),
                Text(actor.Address?.ToString()),
                Text(actor.Client),
                Text(string.Join(' ', change.Flags)),
                new NpgsqlParameter<bool> { TypedValue = flagDurability == FlagDurability.Fast },
            },
        };

    private NpgsqlCommand StoreFlags(NpgsqlConnection connection, User user, long mailboxId, long[] uids, long[] requestedUids, int[] commandOf, FlagChange change, FlagSet requested, Actor actor) =>
        new(StoreFlagsCall, connection)
        {
            Parameters =
            {
                new NpgsqlParameter<long> { TypedValue = mailboxId },
                new NpgsqlParameter<long> { TypedValue = user.Id },
                new NpgsqlParameter<long[]> { TypedValue = uids },
                Text(change.Operation switch { FlagOperation.Add => "add", FlagOperation.Remove => "remove", _ => "replace" }),
                new NpgsqlParameter<bool> { TypedValue = requested.Seen },
                new NpgsqlParameter<bool> { TypedValue = requested.Answered },
                new NpgsqlParameter<bool> { TypedValue = requested.Flagged },
                new NpgsqlParameter<bool> { TypedValue = requested.Deleted },
                new NpgsqlParameter<bool> { TypedValue = requested.Draft },
                new NpgsqlParameter<string[]> { TypedValue = [.. requested.Keywords] },
                new NpgsqlParameter<long[]> { TypedValue = requestedUids },
                new NpgsqlParameter<int[]> { TypedValue = commandOf },
                BigintOrNull(actor.PrincipalId),
                Text(actor.PrincipalName),
                Text(actor.Address?.ToString()),
                Text(actor.Client),
                Text(string.Join(' ', change.Flags)),
                new NpgsqlParameter<bool> { TypedValue = flagDurability == FlagDurability.Fast },
            },
        };

    /// <summary>Expunges (see the interface); a mailbox the user does not have expunges nothing.</summary>
    public async Task<IReadOnlyList<uint>> ExpungeAsync(User user, long mailboxId, IReadOnlyCollection<uint>? uids, Actor actor, CancellationToken cancellationToken)
    {
        if (uids is { Count: 0 })
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var expunged = (await connection.QueryAsync<(long Uid, long DocumentId)>(new CommandDefinition(SelectExpungeable,
            new { collection = mailboxId, owner = user.Id, all = uids is null, uids = uids?.Select(u => (long)u).ToArray() ?? [] },
            transaction, cancellationToken: cancellationToken))).ToList();
        if (expunged.Count == 0)
        {
            return [];
        }

        var expungedUids = expunged.Select(e => e.Uid).ToArray();
        await EnsureNotHeldAsync(connection, transaction, mailboxId, expungedUids, "nothing was expunged.", cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(ExpungeEntries,
            new { collection = mailboxId, owner = user.Id, uids = expungedUids }, transaction, cancellationToken: cancellationToken));
        var trashed = await TrashOrphansAsync(connection, transaction, actor, user.Id, mailboxId, expunged.Select(e => e.DocumentId).Distinct().ToArray(), cancellationToken);
        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, MailboxAuditActions.Expunge, mailboxId, null,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["uids"] = expunged.Count.ToString(),
                ["trashed"] = trashed.Length.ToString(),
            }), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return expunged.Select(e => checked((uint)e.Uid)).ToList();
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter BigintOrNull(long? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Bigint, Value = value is { } v ? v : DBNull.Value };
}
