using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using DocStore.Storage.Auditing;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

/// <summary>
/// RFC 9208 QUOTA, resource STORAGE: per user, the documents they filed (current version, once
/// per document, trash excluded); per collection, the documents its entries hold (once each).
/// </summary>
public sealed partial class MailboxStore
{
    /// <summary>The prefix of a user's quota root: <c>#user/alice</c>.</summary>
    public const string UserQuotaRootPrefix = QuotaRoot.UserPrefix;

    private const string UserUsage = """
        SELECT COALESCE(sum(v.size), 0)::bigint FROM document d JOIN version v ON v.document_id = d.id AND v.number = d.current_version
         WHERE d.created_by = @user AND d.trashed_at IS NULL
        """;

    private const string CollectionUsage = """
        SELECT COALESCE(sum(v.size), 0)::bigint
          FROM (SELECT DISTINCT document_id, version_number FROM entry WHERE collection_id = @collection) e
          JOIN version v ON v.document_id = e.document_id AND v.number = e.version_number
        """;

    // Usage is summed only where a limit is set: a user without quota pays nothing for the check.
    private const string SelectQuotaState = $"""
        SELECT u.quota_bytes AS UserLimit,
               CASE WHEN u.quota_bytes IS NULL THEN 0 ELSE ({UserUsage}) END AS UserUsage,
               c.quota_bytes AS CollectionLimit,
               CASE WHEN c.quota_bytes IS NULL THEN 0 ELSE ({CollectionUsage}) END AS CollectionUsage
          FROM principal u, collection c
         WHERE u.id = @user AND c.id = @collection
        """;

    // Two filings of one user into different collections would each miss the other's uncommitted
    // bytes: the user's row queues them (only users with a quota), taken before any collection's
    // row as tree changes and file_mail take the two, and the quota's sum afterwards, a later
    // statement, sees what the one before committed.
    private const string QueueOnUserQuota = "SELECT 1 FROM principal WHERE id = @user AND quota_bytes IS NOT NULL FOR NO KEY UPDATE";

    /// <summary>
    /// Called first in the transaction of a filing that <see cref="EnsureQuotaAsync"/> checks with
    /// <c>checkUser</c>: concurrent filings of a user with a quota queue here (file_mail does the same).
    /// </summary>
    internal static Task QueueOnUserQuotaAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long user, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(QueueOnUserQuota, new { user }, transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// Throws <see cref="QuotaExceededException"/> when the filing just made (uncommitted) exceeds a
    /// quota. Called inside the transaction of an upload (<paramref name="checkUser"/>, after
    /// <see cref="QueueOnUserQuotaAsync"/>), COPY and MOVE after their inserts (APPEND checks in
    /// file_mail): usage at the limit is allowed, over it throws and the caller rolls back. COPY
    /// and MOVE file no new document, so the user's usage stays; the collection's row, locked by
    /// their entries' inserts, queues them for the collection's quota.
    /// </summary>
    internal static async Task EnsureQuotaAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long user, long collection, bool checkUser,
        CancellationToken cancellationToken)
    {
        var state = await connection.QuerySingleOrDefaultAsync<QuotaState>(new CommandDefinition(SelectQuotaState,
            new { user, collection }, transaction, cancellationToken: cancellationToken));
        if (state is null)
        {
            return;
        }
        if (checkUser && state.UserLimit is { } userLimit && state.UserUsage > userLimit)
        {
            throw new QuotaExceededException($"The user's storage quota of {userLimit} bytes would be exceeded ({state.UserUsage} bytes).");
        }
        if (state.CollectionLimit is { } collectionLimit && state.CollectionUsage > collectionLimit)
        {
            throw new QuotaExceededException($"The mailbox's storage quota of {collectionLimit} bytes would be exceeded ({state.CollectionUsage} bytes).");
        }
    }

    public async Task<IReadOnlyList<QuotaRoot>> QuotaRootsAsync(User user, Mailbox mailbox, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var roots = new List<QuotaRoot> { await UserRootAsync(connection, user.Id, user.Name, cancellationToken) };
        var limit = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT quota_bytes FROM collection WHERE id = @collection", new { collection = mailbox.Id }, cancellationToken: cancellationToken));
        if (limit is not null)
        {
            roots.Add(new QuotaRoot(mailbox.Name, await CollectionUsageAsync(connection, mailbox.Id, cancellationToken), limit));
        }
        return roots;
    }

    /// <summary>
    /// A user's root (their own; any for administrators) or a collection's by mailbox name (one
    /// the user may read; any for administrators); null when it is neither or not theirs to see.
    /// </summary>
    public async Task<QuotaRoot?> GetQuotaAsync(User user, string root, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (root.StartsWith(UserQuotaRootPrefix, StringComparison.Ordinal))
        {
            var name = root[UserQuotaRootPrefix.Length..];
            if (!user.IsAdmin && !string.Equals(name, user.Name, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectUserId, new { name }, cancellationToken: cancellationToken));
            return id is null ? null : await UserRootAsync(connection, id.Value, name, cancellationToken);
        }
        if (!MailboxPath.TryParse(root, out var path) || await ResolveAsync(connection, user, path, cancellationToken) is not { } mailbox
            || !(user.IsAdmin || mailbox.Rights.HasFlag(MailboxRights.Read)))
        {
            return null;
        }
        var limit = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT quota_bytes FROM collection WHERE id = @collection", new { collection = mailbox.Id }, cancellationToken: cancellationToken));
        return new QuotaRoot(mailbox.Name, await CollectionUsageAsync(connection, mailbox.Id, cancellationToken), limit);
    }

    public async Task<QuotaChange> SetQuotaAsync(User user, string root, long? limitBytes, Actor actor, CancellationToken cancellationToken)
    {
        if (!user.IsAdmin)
        {
            return QuotaChange.NoPermission;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long? collection = null;
        int changed;
        if (root.StartsWith(UserQuotaRootPrefix, StringComparison.Ordinal))
        {
            changed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE principal SET quota_bytes = @limitBytes WHERE kind = 'user' AND lower(name) = lower(@name)",
                new { limitBytes, name = root[UserQuotaRootPrefix.Length..] }, transaction, cancellationToken: cancellationToken));
        }
        else
        {
            if (!MailboxPath.TryParse(root, out var path) || await ResolveAsync(connection, user, path, cancellationToken) is not { } mailbox)
            {
                return QuotaChange.NotFound;
            }
            collection = mailbox.Id;
            changed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE collection SET quota_bytes = @limitBytes WHERE id = @collection",
                new { limitBytes, collection }, transaction, cancellationToken: cancellationToken));
        }
        if (changed == 0)
        {
            return QuotaChange.NotFound;
        }
        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, MailboxAuditActions.QuotaSet, collection, null,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["root"] = root,
                ["bytes"] = limitBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none",
            }), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return QuotaChange.Done;
    }

    private static async Task<QuotaRoot> UserRootAsync(NpgsqlConnection connection, long id, string name, CancellationToken cancellationToken)
    {
        var limit = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT quota_bytes FROM principal WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        var usage = await connection.ExecuteScalarAsync<long>(new CommandDefinition(UserUsage, new { user = id }, cancellationToken: cancellationToken));
        return new QuotaRoot(UserQuotaRootPrefix + name, usage, limit);
    }

    private static Task<long> CollectionUsageAsync(NpgsqlConnection connection, long collection, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(CollectionUsage, new { collection }, cancellationToken: cancellationToken));

    private sealed record QuotaState(long? UserLimit, long UserUsage, long? CollectionLimit, long CollectionUsage);
}
