using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Storage.Auditing;
using Npgsql;

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

    // STORE in one round trip: two statements sent together run as one implicit transaction.
    // Several STOREs with the same change (a client's pipelined commands) run as one: @uids is
    // their union, and @requested/@commandOf name each command's UIDs so that each still gets its
    // own audit row, counting as changed only what it changed itself (the first command naming
    // a message changes it; the same change again by a later command is no change).
    // The first locks the entries in UID order before anything else, as EXPUNGE does, so two
    // commands on overlapping UIDs queue instead of deadlocking; the second (a fresh snapshot,
    // so it reads the locked rows as they are now) computes the new flags, applies them and
    // writes the change feed and the audit row. RFC 4314 §4: \Seen needs "s", \Deleted "t",
    // every other flag and keyword "w"; the rest is left as it is. Rewriting an entry row is
    // what gives it a new modseq (the entry trigger), also when only this user's \Seen or the
    // document's tags changed; keywords are on the document, so every other entry holding it
    // gets a new modseq too. A tag already present keeps its spelling when asked for in
    // another case. The trigger (migration 0018) raises the mailbox's modseq once for the whole
    // UPDATE and holds the collection row from then on, so every entry this statement rewrites
    // in the mailbox has the one new modseq, and that minus one is where the mailbox stood just
    // before.
    private const string StoreFlags = """
        SELECT count(*) FROM (
            SELECT 1 FROM entry
             WHERE collection_id = @collection AND uid = ANY(@uids) AND strpos(collection_rights(@collection, @owner), 'r') > 0
             ORDER BY uid FOR UPDATE) locked;
        WITH may AS (
            SELECT strpos(r, 'r') > 0 AS r, strpos(r, 's') > 0 AS s, strpos(r, 'w') > 0 AS w, strpos(r, 't') > 0 AS t
              FROM collection_rights(@collection, @owner) AS rights(r)
        ), cur AS MATERIALIZED (
            SELECT e.uid, e.document_id, e.modseq, s.seen IS NOT NULL AS seen, e.answered, e.flagged, e.deleted, e.draft,
                   COALESCE(t.tags, '{}') AS tags
              FROM entry e
              LEFT JOIN LATERAL (SELECT true AS seen FROM entry_seen s
                                  WHERE s.collection_id = e.collection_id AND s.uid = e.uid AND s.principal_id = @owner LIMIT 1) s ON true
              LEFT JOIN LATERAL (SELECT array_agg(tag ORDER BY tag COLLATE "C") AS tags FROM document_tag WHERE document_id = e.document_id) t ON true
             WHERE e.collection_id = @collection AND e.uid = ANY(@uids) AND (SELECT r FROM may)
        ), tagged AS MATERIALIZED (
            SELECT d.document_id, d.tags AS before,
                   CASE WHEN NOT (SELECT w FROM may) THEN d.tags ELSE ARRAY(
                       SELECT x FROM (
                           SELECT t FROM unnest(d.tags) t
                            WHERE CASE @operation WHEN 'add' THEN true WHEN 'remove' THEN NOT lower(t) = ANY(@lowered) ELSE lower(t) = ANY(@lowered) END
                           UNION ALL
                           SELECT k FROM unnest(@keywords::text[]) k
                            WHERE @operation <> 'remove' AND NOT lower(k) = ANY(SELECT lower(t) FROM unnest(d.tags) t)) n(x)
                        ORDER BY x COLLATE "C") END AS after
              FROM (SELECT DISTINCT ON (document_id) document_id, tags FROM cur) d
        ), plan AS MATERIALIZED (
            SELECT c.uid, c.document_id, c.modseq, c.seen AS was_seen, x.seen, x.answered, x.flagged, x.deleted, x.draft,
                   g.after AS tags, g.after <> g.before AS retagged,
                   x.seen <> c.seen OR x.answered <> c.answered OR x.flagged <> c.flagged OR x.deleted <> c.deleted
                       OR x.draft <> c.draft OR g.after <> g.before AS changed
              FROM cur c
              JOIN tagged g ON g.document_id = c.document_id
             CROSS JOIN may m
             CROSS JOIN LATERAL (SELECT
                   CASE WHEN NOT m.s THEN c.seen WHEN @operation = 'add' THEN c.seen OR @seen WHEN @operation = 'remove' THEN c.seen AND NOT @seen ELSE @seen END,
                   CASE WHEN NOT m.w THEN c.answered WHEN @operation = 'add' THEN c.answered OR @answered WHEN @operation = 'remove' THEN c.answered AND NOT @answered ELSE @answered END,
                   CASE WHEN NOT m.w THEN c.flagged WHEN @operation = 'add' THEN c.flagged OR @flagged WHEN @operation = 'remove' THEN c.flagged AND NOT @flagged ELSE @flagged END,
                   CASE WHEN NOT m.t THEN c.deleted WHEN @operation = 'add' THEN c.deleted OR @deleted WHEN @operation = 'remove' THEN c.deleted AND NOT @deleted ELSE @deleted END,
                   CASE WHEN NOT m.w THEN c.draft WHEN @operation = 'add' THEN c.draft OR @draft WHEN @operation = 'remove' THEN c.draft AND NOT @draft ELSE @draft END
                   ) x(seen, answered, flagged, deleted, draft)
        ), untagged AS (
            DELETE FROM document_tag t
             WHERE t.document_id = ANY(ARRAY(SELECT document_id FROM tagged WHERE after <> before))
               AND NOT EXISTS (SELECT 1 FROM tagged g WHERE g.document_id = t.document_id AND t.tag = ANY(g.after))
        ), newtags AS (
            INSERT INTO document_tag (document_id, tag)
            SELECT g.document_id, x FROM tagged g CROSS JOIN unnest(g.after) x WHERE g.after <> g.before AND NOT x = ANY(g.before)
            ON CONFLICT DO NOTHING
        ), updated AS (
            UPDATE entry e SET answered = p.answered, flagged = p.flagged, deleted = p.deleted, draft = p.draft
              FROM plan p
             WHERE e.collection_id = @collection AND e.uid = p.uid AND p.changed
            RETURNING e.uid, e.document_id, e.modseq
        ), seen AS (
            INSERT INTO entry_seen (collection_id, uid, principal_id, modseq)
            SELECT @collection, u.uid, @owner, u.modseq FROM updated u JOIN plan p ON p.uid = u.uid WHERE p.seen AND NOT p.was_seen
            ON CONFLICT DO NOTHING
        ), unseen AS (
            DELETE FROM entry_seen s USING plan p
             WHERE s.collection_id = @collection AND s.principal_id = @owner AND s.uid = p.uid AND p.changed AND p.was_seen AND NOT p.seen
        ), touched AS (
            UPDATE entry e SET answered = e.answered
             WHERE e.document_id IN (SELECT document_id FROM plan WHERE changed AND retagged)
               AND NOT (e.collection_id = @collection AND e.uid IN (SELECT uid FROM plan WHERE changed))
            RETURNING e.collection_id, e.uid, e.document_id
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
            SELECT 'flags', @collection, document_id, uid, @owner FROM updated
            UNION ALL
            SELECT 'flags', collection_id, document_id, uid, @owner FROM touched
        ), requested AS (
            SELECT r.uid, r.command FROM unnest(@requested::bigint[], @commandOf::int[]) AS r(uid, command)
        ), audited AS (
            INSERT INTO audit (principal_id, principal_name, action, collection_id, address, client, details)
            SELECT @principalId, @principalName, 'flags', @collection, @address::inet, @client,
                   jsonb_build_object('operation', @operationName::text, 'flags', @flagsText::text,
                                      'uids', c.uids::text, 'changed', c.changed::text)
              FROM (SELECT r.command, count(*) AS uids,
                           count(*) FILTER (WHERE p.changed AND NOT EXISTS (
                               SELECT 1 FROM requested e WHERE e.uid = r.uid AND e.command < r.command)) AS changed
                      FROM requested r JOIN plan p ON p.uid = r.uid
                     GROUP BY r.command) c
             ORDER BY c.command
        ), mailbox AS (
            SELECT (SELECT highestmodseq FROM collection WHERE id = @collection) AS highest,
                   (SELECT min(modseq) FROM updated) AS first_ours, (SELECT max(modseq) FROM updated) AS last_ours,
                   (SELECT count(*) FROM touched WHERE collection_id = @collection) AS touched_here
        )
        SELECT p.uid AS Uid, COALESCE(u.modseq, p.modseq) AS ModSeq, p.seen AS Seen, p.answered AS Answered, p.flagged AS Flagged,
               p.deleted AS Deleted, p.draft AS Draft, p.tags AS Keywords,
               CASE WHEN m.touched_here > 0 THEN NULL WHEN m.first_ours IS NULL THEN m.highest ELSE m.first_ours - 1 END AS Before,
               COALESCE(m.last_ours, m.highest) AS After
          FROM plan p
          LEFT JOIN updated u ON u.uid = p.uid
         CROSS JOIN mailbox m
         ORDER BY p.uid
        """;

    // A STORE of a few UIDs (a client's STORE names one nearly always) runs both statements on
    // their prepared generic plans: PostgreSQL otherwise re-plans the second for every command
    // (it cannot cost a generic "uid = ANY($n)" below a custom plan), and planning it took longer
    // than running it (pg_stat_statements: 2.6 ms of planning against 1.9 ms of execution per
    // STORE). The lookups into tables are written so that a generic plan can only be index-driven
    // (LATERAL ... LIMIT 1, = ANY(ARRAY(...))). Many UIDs (FETCH's \Seen over a whole mailbox)
    // get a plan for the actual numbers: a generic plan may join the CTEs by nested loops, which
    // took 11 s instead of 3 s for 5,000 UIDs. Both statements are shared by the two texts, so
    // the mode is always set explicitly; the setting is the session's, reset by the last
    // statement, and if the STORE fails the aborted transaction undoes it.
    private const int GenericPlanMaxUids = 64;

    private const string StoreFlagsWithGenericPlan = "SET plan_cache_mode = force_generic_plan;\n" + StoreFlags + ";\nRESET plan_cache_mode";

    private const string StoreFlagsWithCustomPlan = "SET plan_cache_mode = force_custom_plan;\n" + StoreFlags + ";\nRESET plan_cache_mode";

    // FlagDurability.Fast: this transaction alone commits without waiting for its WAL flush. The
    // setting is local to the transaction (the statements above run as one implicit transaction,
    // committed after the last), read at its commit and gone after it; every other transaction,
    // documents included, still waits. Its result column is read and dropped like the lock count.
    private const string NoFlushAtCommit = "SELECT set_config('synchronous_commit', 'off', true);\n";

    private static string StoreFlagsText(int uids, FlagDurability durability) => (durability, uids <= GenericPlanMaxUids) switch
    {
        (FlagDurability.Fast, true) => NoFlushAtCommit + StoreFlagsWithGenericPlan,
        (FlagDurability.Fast, false) => NoFlushAtCommit + StoreFlagsWithCustomPlan,
        (_, true) => StoreFlagsWithGenericPlan,
        _ => StoreFlagsWithCustomPlan,
    };

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
    /// An entry whose flags do not change keeps its modseq. One round trip (see <see cref="StoreFlags"/>;
    /// adding or removing system flags on a few UIDs, nearly every client STORE, is one call of
    /// <c>store_system_flags</c>, migration 0026).
    /// </summary>
    public Task<FlagStoreResult> StoreFlagsAsync(User user, long mailboxId, IReadOnlyCollection<uint> uids, FlagChange change, Actor actor, CancellationToken cancellationToken) =>
        StoreFlagsAsync(user, mailboxId, [uids], change, actor, cancellationToken);

    /// <summary>
    /// Applies the same STORE for several commands in one transaction (see the interface): the
    /// union of their UIDs is changed once, and each command that reached a message gets its own
    /// audit row.
    /// </summary>
    public async Task<FlagStoreResult> StoreFlagsAsync(User user, long mailboxId, IReadOnlyList<IReadOnlyCollection<uint>> commands, FlagChange change, Actor actor, CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var command in commands)
        {
            total += command.Count;
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
        if (IsSystemFlagStore(requested, change.Operation, uids.Length))
        {
            return await StoreSystemFlagsAsync(mailboxId, user.Id, uids, requestedUids, commandOf, requested, change, actor, cancellationToken);
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        using var results = await connection.QueryMultipleAsync(new CommandDefinition(StoreFlagsText(uids.Length, flagDurability), new
        {
            collection = mailboxId,
            owner = user.Id,
            uids,
            requested = requestedUids,
            commandOf,
            operation = change.Operation switch { FlagOperation.Add => "add", FlagOperation.Remove => "remove", _ => "replace" },
            requested.Seen,
            requested.Answered,
            requested.Flagged,
            requested.Deleted,
            requested.Draft,
            keywords = requested.Keywords.ToArray(),
            lowered = requested.Keywords.Select(k => k.ToLowerInvariant()).ToArray(),
            actor.PrincipalId,
            actor.PrincipalName,
            address = actor.Address?.ToString(),
            client = actor.Client,
            operationName = change.Operation.ToString(),
            flagsText = string.Join(' ', change.Flags),
        }, cancellationToken: cancellationToken));
        if (flagDurability == FlagDurability.Fast)
        {
            await results.ReadSingleAsync<string>();
        }
        await results.ReadSingleAsync<long>();
        var rows = (await results.ReadAsync<StoredFlagRow>()).ToList();
        if (rows.Count == 0)
        {
            return FlagStoreResult.None;
        }
        return new FlagStoreResult(
            rows.Select(r => new FlagResult(checked((uint)r.Uid), r.ModSeq, new MessageFlags(r.Seen, r.Answered, r.Flagged, r.Deleted, r.Draft, r.Keywords))).ToList(),
            rows[0].Before, rows[0].After);
    }

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

    // A class rather than a positional record: Npgsql reports text[] as System.Array, which
    // Dapper's constructor matching refuses.
    private sealed class StoredFlagRow
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
}
