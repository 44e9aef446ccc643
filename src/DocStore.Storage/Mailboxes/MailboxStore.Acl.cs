using System.Text.Json;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using DocStore.Storage.Auditing;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

/// <summary>GETACL, SETACL, DELETEACL and LISTRIGHTS (RFC 4314 §3) on the <c>acl</c> table.</summary>
public sealed partial class MailboxStore
{
    // The entry per identifier that applies to the collection: its own, else the nearest inherited one.
    private const string SelectEffectiveAcl = """
        WITH RECURSIVE up AS (
            SELECT id, parent_id, 0 AS depth FROM collection WHERE id = @collection
            UNION ALL
            SELECT c.id, c.parent_id, up.depth + 1 FROM collection c JOIN up ON c.id = up.parent_id
        ), nearest AS (
            SELECT DISTINCT ON (a.principal_id, a.negative) a.principal_id, a.negative, a.rights
              FROM up JOIN acl a ON a.collection_id = up.id
             WHERE up.depth = 0 OR a.inherit
             ORDER BY a.principal_id, a.negative, up.depth
        )
        SELECT n.principal_id AS PrincipalId, n.negative AS Negative, n.rights AS Rights, p.name AS Name, p.kind AS Kind
          FROM nearest n LEFT JOIN principal p ON p.id = n.principal_id
         ORDER BY n.principal_id NULLS LAST, p.name, n.negative
        """;

    private const string SelectOwner = """
        SELECT p.id AS Id, p.name AS Name FROM collection c JOIN principal p ON p.id = c.owner_id WHERE c.id = @collection
        """;

    private const string SelectPrincipal = """
        SELECT id FROM principal WHERE kind = @kind AND lower(name) = lower(@name)
        """;

    private const string UpsertAcl = """
        INSERT INTO acl (collection_id, principal_id, negative, rights) VALUES (@collection, @principal, @negative, @rights)
        ON CONFLICT (collection_id, principal_id, negative) DO UPDATE SET rights = EXCLUDED.rights
        """;

    private const string DeleteAclEntry = """
        DELETE FROM acl WHERE collection_id = @collection AND principal_id IS NOT DISTINCT FROM @principal AND negative = @negative
        """;

    private const string InsertAclChange = """
        INSERT INTO change (kind, collection_id, principal_id, data) VALUES ('acl', @collection, @user, @data::jsonb)
        """;

    public async Task<(AclChange Result, IReadOnlyList<AclEntry> Entries)> GetAclAsync(User user, long mailboxId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var refused = AclRefusal(await RightsInAsync(connection, null, user, mailboxId, cancellationToken));
        if (refused is not null)
        {
            return (refused.Value, []);
        }
        return (AclChange.Done, await ReadAclAsync(connection, mailboxId, cancellationToken));
    }

    /// <summary>The owner (all rights) first, then the entry per identifier that applies: own or inherited.</summary>
    internal static async Task<IReadOnlyList<AclEntry>> ReadAclAsync(NpgsqlConnection connection, long mailboxId, CancellationToken cancellationToken)
    {
        var entries = new List<AclEntry>();
        if (await connection.QuerySingleOrDefaultAsync<OwnerRow>(new CommandDefinition(SelectOwner,
                new { collection = mailboxId }, cancellationToken: cancellationToken)) is { } owner)
        {
            entries.Add(new AclEntry(owner.Name, RightsText.Letters));
        }
        var rows = await connection.QueryAsync<AclRow>(new CommandDefinition(SelectEffectiveAcl,
            new { collection = mailboxId }, cancellationToken: cancellationToken));
        entries.AddRange(rows.Select(r => new AclEntry(r.Identifier, r.Rights)));
        return entries;
    }

    /// <summary>
    /// Sets the identifier's entry on this collection: <see cref="RightsEdit.Add"/> and
    /// <see cref="RightsEdit.Remove"/> start from the entry that applies now (own or inherited).
    /// Rights outside <c>lrswipkxtea</c> (digits) are not kept.
    /// </summary>
    public async Task<AclChange> SetAclAsync(User user, long mailboxId, string identifier, RightsEdit edit, string rights, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (AclRefusal(await RightsInAsync(connection, transaction, user, mailboxId, cancellationToken)) is { } refused)
        {
            return refused;
        }
        var result = await ChangeAclAsync(connection, transaction, mailboxId, identifier, edit, rights, user.Id, actor, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public async Task<AclChange> DeleteAclAsync(User user, long mailboxId, string identifier, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (AclRefusal(await RightsInAsync(connection, transaction, user, mailboxId, cancellationToken)) is { } refused)
        {
            return refused;
        }
        var result = await ChangeAclAsync(connection, transaction, mailboxId, identifier, null, "", user.Id, actor, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Sets (<paramref name="edit"/> given) or deletes the identifier's entry on the collection,
    /// without a rights check: the caller made it (IMAP: the <c>a</c> right; the CLI: the operator).
    /// <see cref="RightsEdit.Add"/> and <see cref="RightsEdit.Remove"/> start from the entry that
    /// applies now (own or inherited). Rights outside <c>lrswipkxtea</c> (digits) are not kept.
    /// </summary>
    internal static async Task<AclChange> ChangeAclAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long mailboxId, string identifier,
        RightsEdit? edit, string rights, long? actingUser, Actor actor, CancellationToken cancellationToken)
    {
        var (result, principal, negative) = await ResolveIdentifierAsync(connection, transaction, mailboxId, identifier, cancellationToken);
        if (result != AclChange.Done)
        {
            return result;
        }
        string? stored = null;
        if (edit is null)
        {
            await connection.ExecuteAsync(new CommandDefinition(DeleteAclEntry,
                new { collection = mailboxId, principal, negative }, transaction, cancellationToken: cancellationToken));
        }
        else
        {
            var current = RightsText.Parse((await connection.QueryAsync<AclRow>(new CommandDefinition(SelectEffectiveAcl,
                    new { collection = mailboxId }, transaction, cancellationToken: cancellationToken)))
                .FirstOrDefault(r => r.PrincipalId == principal && r.Negative == negative)?.Rights ?? "");
            var asked = RightsText.Parse(rights);
            stored = RightsText.Format(edit switch
            {
                RightsEdit.Add => current | asked,
                RightsEdit.Remove => current & ~asked,
                _ => asked,
            });
            await connection.ExecuteAsync(new CommandDefinition(UpsertAcl,
                new { collection = mailboxId, principal, negative, rights = stored }, transaction, cancellationToken: cancellationToken));
        }

        var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["identifier"] = identifier };
        if (stored is not null)
        {
            details["rights"] = stored;
        }
        // The change row wakes every session on the collection (pg_notify), on every node.
        await connection.ExecuteAsync(new CommandDefinition(InsertAclChange,
            new { collection = mailboxId, user = actingUser, data = JsonSerializer.Serialize(details) }, transaction, cancellationToken: cancellationToken));
        await AuditLog.RecordAsync(connection, transaction,
            new AuditRecord(actor, stored is null ? MailboxAuditActions.AclDelete : MailboxAuditActions.AclSet, mailboxId, null, details), cancellationToken);
        return AclChange.Done;
    }

    public async Task<bool?> IsOwnerAsync(long mailboxId, string identifier, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var owner = await connection.QuerySingleOrDefaultAsync<OwnerRow>(new CommandDefinition(SelectOwner,
            new { collection = mailboxId }, cancellationToken: cancellationToken));
        return owner is not null && string.Equals(owner.Name, identifier, StringComparison.OrdinalIgnoreCase);
    }

    private static AclChange? AclRefusal(MailboxRights rights) =>
        rights.HasFlag(MailboxRights.Administer) ? null : rights.IsVisible() ? AclChange.NoPermission : AclChange.NotFound;

    /// <summary>
    /// The identifier: <c>anyone</c>, <c>$group</c> or a user name, with a leading <c>-</c> for
    /// negative rights (RFC 4314 §2). The owner's own entry cannot change.
    /// </summary>
    private static async Task<(AclChange Result, long? Principal, bool Negative)> ResolveIdentifierAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        long mailboxId, string identifier, CancellationToken cancellationToken)
    {
        var negative = identifier.StartsWith('-');
        var name = negative ? identifier[1..] : identifier;
        if (string.Equals(name, "anyone", StringComparison.OrdinalIgnoreCase))
        {
            return (AclChange.Done, null, negative);
        }
        var isGroup = name.StartsWith('$');
        var principal = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectPrincipal,
            new { kind = isGroup ? "group" : "user", name = isGroup ? name[1..] : name }, transaction, cancellationToken: cancellationToken));
        if (principal is null)
        {
            return (AclChange.UnknownIdentifier, null, negative);
        }
        var owner = await connection.QuerySingleOrDefaultAsync<OwnerRow>(new CommandDefinition(SelectOwner,
            new { collection = mailboxId }, transaction, cancellationToken: cancellationToken));
        return owner?.Id == principal ? (AclChange.Owner, principal, negative) : (AclChange.Done, principal, negative);
    }

    private sealed record OwnerRow(long Id, string Name);

    private sealed class AclRow
    {
        public long? PrincipalId { get; init; }
        public bool Negative { get; init; }
        public string Rights { get; init; } = "";
        public string? Name { get; init; }
        public string? Kind { get; init; }

        public string Identifier => (Negative ? "-" : "") + (PrincipalId is null ? "anyone" : string.Equals(Kind, "group", StringComparison.Ordinal) ? "$" + Name : Name);
    }
}
