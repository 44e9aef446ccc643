using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using DocStore.Storage.Auditing;
using DocStore.Storage.Mailboxes;
using Npgsql;

namespace DocStore.Storage.Sharing;

/// <summary>A group and its members' names.</summary>
public sealed record GroupListing(string Name, IReadOnlyList<string> Members);

/// <summary>
/// What the operator does from the command line: groups and their members, rights and quotas on
/// collections named as users see them (<c>Shared/...</c>, <c>Users/owner/...</c>). No rights
/// check: the operator stands above them. Every change is audited.
/// </summary>
public sealed class SharingAdminStore(NpgsqlDataSource dataSource)
{
    // Names the collections of every tree with no personal tree of its own (no principal has id 0).
    private static readonly User Operator = new(0, "", null, IsAdmin: true, Disabled: false, DateTimeOffset.UnixEpoch);

    public async Task<UserChange> AddGroupAsync(string name, Actor actor, CancellationToken cancellationToken)
    {
        if (!UserNames.IsValid(name))
        {
            return UserChange.InvalidName;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var added = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO principal (kind, name) SELECT 'group', @name
             WHERE NOT EXISTS (SELECT 1 FROM principal WHERE lower(name) = lower(@name))
            """, new { name }, cancellationToken: cancellationToken));
        if (added == 0)
        {
            return UserChange.AlreadyExists;
        }
        await Audit(connection, actor, "group-add", name, null, cancellationToken);
        return UserChange.Done;
    }

    /// <summary>Adds or removes a user; <see cref="UserChange.NotFound"/> when the group or the user does not exist.</summary>
    public async Task<UserChange> SetMemberAsync(string group, string user, bool member, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var ids = await connection.QuerySingleOrDefaultAsync<(long? Group, long? User)>(new CommandDefinition("""
            SELECT (SELECT id FROM principal WHERE kind = 'group' AND lower(name) = lower(@group)),
                   (SELECT id FROM principal WHERE kind = 'user' AND lower(name) = lower(@user))
            """, new { group, user }, cancellationToken: cancellationToken));
        if (ids.Group is null || ids.User is null)
        {
            return UserChange.NotFound;
        }
        await connection.ExecuteAsync(new CommandDefinition(member
                ? "INSERT INTO group_member (group_id, member_id) VALUES (@group, @user) ON CONFLICT DO NOTHING"
                : "DELETE FROM group_member WHERE group_id = @group AND member_id = @user",
            new { group = ids.Group, user = ids.User }, cancellationToken: cancellationToken));
        await Audit(connection, actor, member ? "group-member-add" : "group-member-remove", group, user, cancellationToken);
        return UserChange.Done;
    }

    public async Task<IReadOnlyList<GroupListing>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Group, string? Member)>(new CommandDefinition("""
            SELECT g.name, u.name FROM principal g
              LEFT JOIN group_member m ON m.group_id = g.id LEFT JOIN principal u ON u.id = m.member_id
             WHERE g.kind = 'group'
             ORDER BY lower(g.name), lower(u.name)
            """, cancellationToken: cancellationToken));
        return rows.GroupBy(r => r.Group, StringComparer.Ordinal)
            .Select(g => new GroupListing(g.Key, g.Where(r => r.Member is not null).Select(r => r.Member!).ToList()))
            .ToList();
    }

    /// <summary>Replaces the identifier's rights on the mailbox (empty rights: an entry granting nothing); <paramref name="rights"/> null deletes it.</summary>
    public async Task<AclChange> SetAclAsync(string mailbox, string identifier, string? rights, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await FindAsync(connection, mailbox, cancellationToken) is not { } found)
        {
            return AclChange.NotFound;
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await MailboxStore.ChangeAclAsync(connection, transaction, found.Id, identifier, rights is null ? null : RightsEdit.Replace, rights ?? "",
            null, actor, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>The effective ACL of the mailbox, or null when it does not exist.</summary>
    public async Task<IReadOnlyList<AclEntry>?> GetAclAsync(string mailbox, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FindAsync(connection, mailbox, cancellationToken) is { } found
            ? await MailboxStore.ReadAclAsync(connection, found.Id, cancellationToken)
            : null;
    }

    /// <summary>Sets a user's storage limit (<c>#user/name</c>) or a collection's (its mailbox name); null removes it.</summary>
    public async Task<QuotaChange> SetQuotaAsync(string root, long? limitBytes, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        int changed;
        long? collection = null;
        if (root.StartsWith(MailboxStore.UserQuotaRootPrefix, StringComparison.Ordinal))
        {
            changed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE principal SET quota_bytes = @limitBytes WHERE kind = 'user' AND lower(name) = lower(@name)",
                new { limitBytes, name = root[MailboxStore.UserQuotaRootPrefix.Length..] }, cancellationToken: cancellationToken));
        }
        else
        {
            collection = (await FindAsync(connection, root, cancellationToken))?.Id;
            changed = collection is null ? 0 : await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE collection SET quota_bytes = @limitBytes WHERE id = @collection", new { limitBytes, collection }, cancellationToken: cancellationToken));
        }
        if (changed == 0)
        {
            return QuotaChange.NotFound;
        }
        await AuditLog.RecordAsync(connection, null, new AuditRecord(actor, MailboxAuditActions.QuotaSet, collection, null,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["root"] = root,
                ["bytes"] = limitBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none",
            }), cancellationToken);
        return QuotaChange.Done;
    }

    private static async Task<Mailbox?> FindAsync(NpgsqlConnection connection, string mailbox, CancellationToken cancellationToken) =>
        MailboxPath.TryParse(mailbox, out var path) && path.Kind != TreeKind.Personal
            ? await MailboxStore.ResolveAsync(connection, Operator, path, cancellationToken)
            : null;

    private static Task Audit(NpgsqlConnection connection, Actor actor, string action, string group, string? member, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["group"] = group };
        if (member is not null)
        {
            details["member"] = member;
        }
        return AuditLog.RecordAsync(connection, null, new AuditRecord(actor, action, null, null, details), cancellationToken);
    }
}
