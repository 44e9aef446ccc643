using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Storage.Auditing;

namespace DocStore.Storage.Mailboxes;

public sealed partial class MailboxStore
{
    // Source entries locked in UID order, as STORE and EXPUNGE lock them.
    private const string SelectForCopy = """
        SELECT e.uid AS Uid, e.document_id AS DocumentId, e.version_number AS Version, e.answered AS Answered,
               e.flagged AS Flagged, e.deleted AS Deleted, e.draft AS Draft, e.internal_date AS InternalDate, e.internal_date_offset AS InternalDateOffset,
               s.uid IS NOT NULL AS Seen
          FROM entry e
          JOIN collection c ON c.id = e.collection_id AND strpos(collection_rights(@collection, @owner), 'r') > 0
          LEFT JOIN entry_seen s ON s.collection_id = e.collection_id AND s.uid = e.uid AND s.principal_id = @owner
         WHERE e.collection_id = @collection AND e.uid = ANY(@uids)
         ORDER BY e.uid
           FOR UPDATE OF e
        """;

    public async Task<CopyResult?> CopyAsync(User user, long fromMailboxId, IReadOnlyCollection<uint> uids, long toMailboxId, bool move, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var uidValidity = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectOwnedUidValidity,
            new { collection = toMailboxId, owner = user.Id }, transaction, cancellationToken: cancellationToken));
        if (uidValidity is null)
        {
            return null;
        }

        var sources = (await connection.QueryAsync<CopySource>(new CommandDefinition(SelectForCopy,
            new { collection = fromMailboxId, owner = user.Id, uids = uids.Select(u => (long)u).ToArray() },
            transaction, cancellationToken: cancellationToken))).ToList();
        var pairs = new List<(uint Source, uint Target)>(sources.Count);
        // RFC 4314 §4: only the flags the user may set in the target are copied.
        var targetRights = await RightsInAsync(connection, transaction, user, toMailboxId, cancellationToken);
        foreach (var source in sources.Select(s => s.MaskedBy(targetRights)))
        {
            // One row at a time, so the UIDs the trigger hands out follow the source order (COPYUID pairs them).
            var uid = await connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertEntry, new
            {
                collection = toMailboxId,
                kind = "copy",
                document = source.DocumentId,
                version = source.Version,
                source.Answered,
                source.Flagged,
                source.Deleted,
                source.Draft,
                internalDate = source.InternalDate,
                internalDateOffset = source.InternalDateOffset,
                seen = source.Seen,
                owner = user.Id,
            }, transaction, cancellationToken: cancellationToken));
            pairs.Add((checked((uint)source.Uid), checked((uint)uid)));
        }

        if (move && sources.Count > 0)
        {
            await EnsureNotHeldAsync(connection, transaction, fromMailboxId, sources.Select(s => s.Uid).ToArray(), "nothing was moved.", cancellationToken);
            // The documents live on in the target: nothing goes to the trash.
            await connection.ExecuteAsync(new CommandDefinition(ExpungeEntries,
                new { collection = fromMailboxId, owner = user.Id, uids = sources.Select(s => s.Uid).ToArray() }, transaction, cancellationToken: cancellationToken));
        }
        if (sources.Count > 0)
        {
            await EnsureQuotaAsync(connection, transaction, user.Id, toMailboxId, checkUser: false, cancellationToken);
            await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, move ? MailboxAuditActions.Move : MailboxAuditActions.Copy, fromMailboxId, null,
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["to"] = toMailboxId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["uids"] = sources.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new CopyResult(uidValidity.Value, pairs);
    }

    private sealed class CopySource
    {
        public long Uid { get; init; }
        public long DocumentId { get; init; }
        public int Version { get; init; }
        public bool Answered { get; init; }
        public bool Flagged { get; init; }
        public bool Deleted { get; init; }
        public bool Draft { get; init; }
        public DateTime InternalDate { get; init; }
        public short InternalDateOffset { get; init; }
        public bool Seen { get; init; }

        public CopySource MaskedBy(Core.Sharing.MailboxRights rights)
        {
            var write = rights.HasFlag(Core.Sharing.MailboxRights.Write);
            return new CopySource
            {
                Uid = Uid, DocumentId = DocumentId, Version = Version, InternalDate = InternalDate, InternalDateOffset = InternalDateOffset,
                Answered = write && Answered, Flagged = write && Flagged, Draft = write && Draft,
                Deleted = rights.HasFlag(Core.Sharing.MailboxRights.DeleteMessages) && Deleted,
                Seen = rights.HasFlag(Core.Sharing.MailboxRights.Seen) && Seen,
            };
        }
    }
}
