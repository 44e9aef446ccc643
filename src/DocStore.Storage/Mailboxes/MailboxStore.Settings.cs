using Dapper;
using DocStore.Core.Administration;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using DocStore.Storage.Auditing;

namespace DocStore.Storage.Mailboxes;

/// <summary>
/// <see cref="ICollectionSettings"/>: the console's special-use and per-collection quota, with
/// the same validation, locks and audit as CREATE and SETQUOTA. LIST and GETQUOTAROOT read the
/// rows fresh, so mail clients see a change at once.
/// </summary>
public sealed partial class MailboxStore : ICollectionSettings
{
    public async Task<MailboxChange> SetSpecialUseAsync(User owner, string name, string? specialUse, Actor actor, CancellationToken cancellationToken)
    {
        string? stored = null;
        if (specialUse is not null)
        {
            stored = Array.Find(SpecialUses, s => s.Equals(specialUse, StringComparison.OrdinalIgnoreCase));
            if (stored is null)
            {
                return MailboxChange.InvalidName;
            }
        }
        if (!MailboxPath.TryParse(name, out var path) || path.Kind != TreeKind.Personal || path.Levels.Length == 0)
        {
            return MailboxChange.NotFound;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await OpenTreeAsync(connection, transaction, owner, path, cancellationToken) is not { } opened
            || opened.Tree.Find(string.Join(MailboxNames.Delimiter, path.Levels)) is not { } node)
        {
            return MailboxChange.NotFound;
        }
        await connection.ExecuteAsync(new CommandDefinition("UPDATE collection SET special_use = @stored WHERE id = @collection",
            new { stored, collection = node.Mailbox.Id }, transaction, cancellationToken: cancellationToken));
        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, MailboxAuditActions.SpecialUse, node.Mailbox.Id, null,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = node.Mailbox.Name, ["specialUse"] = stored ?? "none" }), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return MailboxChange.Done;
    }

    public async Task<QuotaRoot?> QuotaAsync(Mailbox collection, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var limits = (await connection.QueryAsync<long?>(new CommandDefinition(
            "SELECT quota_bytes FROM collection WHERE id = @collection", new { collection = collection.Id }, cancellationToken: cancellationToken))).ToList();
        return limits.Count == 0 ? null : new QuotaRoot(collection.Name, await CollectionUsageAsync(connection, collection.Id, cancellationToken), limits[0]);
    }

    public async Task<QuotaChange> SetQuotaAsync(User user, Mailbox collection, long? limitBytes, Actor actor, CancellationToken cancellationToken)
    {
        if (!user.IsAdmin)
        {
            return QuotaChange.NoPermission;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition("UPDATE collection SET quota_bytes = @limitBytes WHERE id = @collection",
            new { limitBytes, collection = collection.Id }, transaction, cancellationToken: cancellationToken));
        if (changed == 0)
        {
            return QuotaChange.NotFound;
        }
        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, MailboxAuditActions.QuotaSet, collection.Id, null,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["root"] = collection.Name,
                ["bytes"] = limitBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none",
            }), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return QuotaChange.Done;
    }
}
