using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Storage.Auditing;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

public sealed partial class MailboxStore
{
    // Entries are locked in UID order before anything else, as EXPUNGE does, so two commands on
    // overlapping UIDs queue instead of deadlocking.
    private const string SelectForStore = """
        SELECT e.uid AS Uid, e.document_id AS DocumentId, e.modseq AS ModSeq, s.uid IS NOT NULL AS Seen,
               e.answered AS Answered, e.flagged AS Flagged, e.deleted AS Deleted, e.draft AS Draft,
               COALESCE(t.tags, '{}') AS Keywords
          FROM entry e
          JOIN collection c ON c.id = e.collection_id AND strpos(collection_rights(@collection, @owner), 'r') > 0
          LEFT JOIN entry_seen s ON s.collection_id = e.collection_id AND s.uid = e.uid AND s.principal_id = @owner
          LEFT JOIN LATERAL (SELECT array_agg(tag ORDER BY tag COLLATE "C") AS tags FROM document_tag WHERE document_id = e.document_id) t ON true
         WHERE e.collection_id = @collection AND e.uid = ANY(@uids)
         ORDER BY e.uid
           FOR UPDATE OF e
        """;

    internal const string DeleteTags = """
        DELETE FROM document_tag t USING unnest(@documents::bigint[], @tags::text[]) AS r(document_id, tag)
         WHERE t.document_id = r.document_id AND t.tag = r.tag
        """;

    internal const string AddTags = """
        INSERT INTO document_tag (document_id, tag) SELECT * FROM unnest(@documents::bigint[], @tags::text[]) ON CONFLICT DO NOTHING
        """;

    // Rewriting the row is what gives it a new modseq (the entry trigger), also when only this
    // user's \Seen or the document's tags changed.
    private const string UpdateEntries = """
        WITH updated AS (
            UPDATE entry e SET answered = n.answered, flagged = n.flagged, deleted = n.deleted, draft = n.draft
              FROM unnest(@uids::bigint[], @answered::boolean[], @flagged::boolean[], @deleted::boolean[], @draft::boolean[])
                   AS n(uid, answered, flagged, deleted, draft)
             WHERE e.collection_id = @collection AND e.uid = n.uid
            RETURNING e.collection_id, e.uid, e.document_id, e.modseq
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
            SELECT 'flags', collection_id, document_id, uid, @owner FROM updated
        )
        SELECT uid AS Uid, modseq AS ModSeq FROM updated
        """;

    // Keywords are on the document: every other entry holding it shows the change, so it gets a new modseq too.
    private const string TouchOtherEntries = """
        WITH touched AS (
            UPDATE entry e SET answered = e.answered
             WHERE e.document_id = ANY(@documents) AND NOT (e.collection_id = @collection AND e.uid = ANY(@uids))
            RETURNING e.collection_id, e.uid, e.document_id
        )
        INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
        SELECT 'flags', collection_id, document_id, uid, @owner FROM touched
        """;

    private const string AddSeen = """
        INSERT INTO entry_seen (collection_id, uid, principal_id, modseq)
        SELECT collection_id, uid, @owner, modseq FROM entry WHERE collection_id = @collection AND uid = ANY(@uids)
        ON CONFLICT DO NOTHING
        """;

    private const string RemoveSeen = "DELETE FROM entry_seen WHERE collection_id = @collection AND principal_id = @owner AND uid = ANY(@uids)";

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
    /// An entry whose flags do not change keeps its modseq.
    /// </summary>
    public async Task<IReadOnlyList<FlagResult>> StoreFlagsAsync(User user, long mailboxId, IReadOnlyCollection<uint> uids, FlagChange change, Actor actor, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return [];
        }

        var requested = FlagSet.Parse(change.Flags);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<FlagRow>(new CommandDefinition(SelectForStore,
            new { collection = mailboxId, owner = user.Id, uids = uids.Select(u => (long)u).ToArray() },
            transaction, cancellationToken: cancellationToken))).ToList();
        if (rows.Count == 0)
        {
            return [];
        }

        // RFC 4314 §4: \Seen needs "s", \Deleted "t", every other flag and keyword "w"; the rest is left as it is.
        var rights = await RightsInAsync(connection, transaction, user, mailboxId, cancellationToken);
        var tags = new Dictionary<long, (List<string> After, string[] Added, string[] Removed)>();
        foreach (var row in rows.DistinctBy(r => r.DocumentId))
        {
            var after = rights.HasFlag(Core.Sharing.MailboxRights.Write)
                ? KeywordTags.Apply(row.Keywords, change.Operation, requested.Keywords)
                : [.. row.Keywords];
            tags[row.DocumentId] = (after,
                after.Except(row.Keywords, StringComparer.OrdinalIgnoreCase).ToArray(),
                row.Keywords.Except(after, StringComparer.OrdinalIgnoreCase).ToArray());
        }
        var retagged = tags.Where(t => t.Value.Added.Length > 0 || t.Value.Removed.Length > 0).Select(t => t.Key).ToArray();

        var results = rows.Select(r => (Row: r, Flags: r.MaskedBy(rights, r.Apply(change.Operation, requested, tags[r.DocumentId].After)))).ToList();
        var changed = results.Where(r => !r.Row.HasSameSystemFlags(r.Flags) || retagged.Contains(r.Row.DocumentId)).ToList();
        await ApplyTagsAsync(connection, transaction, tags, cancellationToken);

        var changedUids = changed.Select(c => c.Row.Uid).ToArray();
        var modSeqs = changed.Count == 0 ? [] : (await connection.QueryAsync<(long Uid, long ModSeq)>(new CommandDefinition(UpdateEntries,
            new
            {
                collection = mailboxId,
                owner = user.Id,
                uids = changedUids,
                answered = changed.Select(c => c.Flags.Answered).ToArray(),
                flagged = changed.Select(c => c.Flags.Flagged).ToArray(),
                deleted = changed.Select(c => c.Flags.Deleted).ToArray(),
                draft = changed.Select(c => c.Flags.Draft).ToArray(),
            },
            transaction, cancellationToken: cancellationToken))).ToDictionary(m => m.Uid, m => m.ModSeq);

        var nowSeen = changed.Where(c => c.Flags.Seen && !c.Row.Seen).Select(c => c.Row.Uid).ToArray();
        var nowUnseen = changed.Where(c => !c.Flags.Seen && c.Row.Seen).Select(c => c.Row.Uid).ToArray();
        if (nowSeen.Length > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(AddSeen,
                new { collection = mailboxId, owner = user.Id, uids = nowSeen }, transaction, cancellationToken: cancellationToken));
        }
        if (nowUnseen.Length > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(RemoveSeen,
                new { collection = mailboxId, owner = user.Id, uids = nowUnseen }, transaction, cancellationToken: cancellationToken));
        }
        if (retagged.Length > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(TouchOtherEntries,
                new { collection = mailboxId, owner = user.Id, documents = retagged, uids = changedUids }, transaction, cancellationToken: cancellationToken));
        }

        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, MailboxAuditActions.Flags, mailboxId, null,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["operation"] = change.Operation.ToString(),
                ["flags"] = string.Join(' ', change.Flags),
                ["uids"] = rows.Count.ToString(),
                ["changed"] = changed.Count.ToString(),
            }), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return results.Select(r => new FlagResult(checked((uint)r.Row.Uid), modSeqs.GetValueOrDefault(r.Row.Uid, r.Row.ModSeq), r.Flags)).ToList();
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

    private static async Task ApplyTagsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        Dictionary<long, (List<string> After, string[] Added, string[] Removed)> tags, CancellationToken cancellationToken)
    {
        var removed = tags.SelectMany(t => t.Value.Removed.Select(tag => (Document: t.Key, Tag: tag))).ToList();
        var added = tags.SelectMany(t => t.Value.Added.Select(tag => (Document: t.Key, Tag: tag))).ToList();
        if (removed.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(DeleteTags,
                new { documents = removed.Select(r => r.Document).ToArray(), tags = removed.Select(r => r.Tag).ToArray() },
                transaction, cancellationToken: cancellationToken));
        }
        if (added.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(AddTags,
                new { documents = added.Select(a => a.Document).ToArray(), tags = added.Select(a => a.Tag).ToArray() },
                transaction, cancellationToken: cancellationToken));
        }
    }

    private sealed class FlagRow
    {
        public long Uid { get; init; }
        public long DocumentId { get; init; }
        public long ModSeq { get; init; }
        public bool Seen { get; init; }
        public bool Answered { get; init; }
        public bool Flagged { get; init; }
        public bool Deleted { get; init; }
        public bool Draft { get; init; }
        public string[] Keywords { get; init; } = [];

        public bool HasSameSystemFlags(MessageFlags flags) =>
            flags.Seen == Seen && flags.Answered == Answered && flags.Flagged == Flagged && flags.Deleted == Deleted && flags.Draft == Draft;

        public MessageFlags MaskedBy(Core.Sharing.MailboxRights rights, MessageFlags next)
        {
            var write = rights.HasFlag(Core.Sharing.MailboxRights.Write);
            return new MessageFlags(rights.HasFlag(Core.Sharing.MailboxRights.Seen) ? next.Seen : Seen, write ? next.Answered : Answered,
                write ? next.Flagged : Flagged, rights.HasFlag(Core.Sharing.MailboxRights.DeleteMessages) ? next.Deleted : Deleted,
                write ? next.Draft : Draft, next.Keywords);
        }

        public MessageFlags Apply(FlagOperation operation, FlagSet requested, IReadOnlyList<string> keywords)
        {
            bool Next(bool current, bool asked) => operation switch
            {
                FlagOperation.Add => current || asked,
                FlagOperation.Remove => current && !asked,
                _ => asked,
            };
            return new MessageFlags(Next(Seen, requested.Seen), Next(Answered, requested.Answered), Next(Flagged, requested.Flagged),
                Next(Deleted, requested.Deleted), Next(Draft, requested.Draft), keywords);
        }
    }
}
