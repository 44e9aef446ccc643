using Dapper;
using DocStore.Core.Administration;
using DocStore.Core.Auditing;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using DocStore.Storage.Auditing;
using DocStore.Storage.Mailboxes;
using Npgsql;

namespace DocStore.Storage.Sharing;

/// <summary>
/// The console's groups and rights on PostgreSQL: the operator's <see cref="SharingAdminStore"/>
/// for groups and members, and the same ACL code as SETACL, by collection id.
/// </summary>
public sealed class GroupDirectory(NpgsqlDataSource dataSource) : IGroupDirectory
{
    private readonly SharingAdminStore sharing = new(dataSource);

    public async Task<IReadOnlyList<GroupInfo>> GroupsAsync(CancellationToken cancellationToken) =>
        (await sharing.ListGroupsAsync(cancellationToken)).Select(g => new GroupInfo(g.Name, g.Members)).ToList();

    public Task<UserChange> CreateGroupAsync(string name, Actor actor, CancellationToken cancellationToken) =>
        sharing.AddGroupAsync(name, actor, cancellationToken);

    public Task<UserChange> SetMemberAsync(string group, string user, bool member, Actor actor, CancellationToken cancellationToken) =>
        sharing.SetMemberAsync(group, user, member, actor, cancellationToken);

    public async Task<UserChange> DeleteGroupAsync(string name, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Memberships and ACL entries naming the group go with it (ON DELETE CASCADE).
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM principal WHERE kind = 'group' AND lower(name) = lower(@name)", new { name }, transaction, cancellationToken: cancellationToken));
        if (deleted == 0)
        {
            return UserChange.NotFound;
        }
        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, "group-delete", null, null,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["group"] = name }), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return UserChange.Done;
    }

    public async Task<IReadOnlyList<AclEntry>?> AclAsync(long collectionId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ExistsAsync(connection, null, collectionId, cancellationToken)
            ? await MailboxStore.ReadAclAsync(connection, collectionId, cancellationToken)
            : null;
    }

    public async Task<AclChange> SetAclAsync(long collectionId, string identifier, string? rights, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await ExistsAsync(connection, transaction, collectionId, cancellationToken))
        {
            return AclChange.NotFound;
        }
        var result = await MailboxStore.ChangeAclAsync(connection, transaction, collectionId, identifier, rights is null ? null : RightsEdit.Replace, rights ?? "",
            null, actor, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private static Task<bool> ExistsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long collectionId, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM collection WHERE id = @collectionId)",
            new { collectionId }, transaction, cancellationToken: cancellationToken));
}
