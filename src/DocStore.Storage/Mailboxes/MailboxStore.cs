using System.Text.Json;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using DocStore.Storage.Auditing;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

/// <summary>
/// <see cref="IMailboxStore"/> on PostgreSQL: a user's collections (<c>owner_id</c> = the user),
/// other users' and the shared repository's as far as the user's rights go, as trees of
/// mailboxes, their entries as messages. This part holds the tree; the messages
/// are in <c>MailboxStore.Messages.cs</c> and <c>MailboxStore.Flags.cs</c>.
/// </summary>
/// <remarks>
/// A mailbox id of a collection the user lacks the right for is treated as missing:
/// <see cref="CountAsync"/> and <see cref="AppendAsync"/> throw <see cref="KeyNotFoundException"/>,
/// the queries answer nothing and the changes change nothing. Rights come from the database
/// function <c>collection_rights</c> (migration 0004), read in the statement that acts.
/// </remarks>
public sealed partial class MailboxStore(NpgsqlDataSource dataSource, FlagDurability flagDurability = FlagDurability.Durable) : IMailboxStore
{
    private static readonly string[] SpecialUses = [@"\All", @"\Archive", @"\Drafts", @"\Flagged", @"\Junk", @"\Sent", @"\Trash"];

    // Tree changes of one user run one at a time, so the tree read at their start stays true.
    // NO KEY UPDATE leaves the foreign-key checks of concurrent APPENDs (KEY SHARE) unblocked.
    private const string LockUserTree = "SELECT 1 FROM principal WHERE id = @owner FOR NO KEY UPDATE";

    private const string InsertCollection = """
        INSERT INTO collection (owner_id, parent_id, name, special_use)
        VALUES (@owner, @parent, @name, @specialUse)
        RETURNING id
        """;

    // Entries first, then the collection row: the order STORE and EXPUNGE take them in (the entry
    // trigger locks the collection row), so DELETE cannot deadlock with them. Holding the row
    // keeps APPENDs out; one that committed meanwhile is seen by the next statement and removed too.
    private const string LockMailbox = """
        SELECT count(*) FROM (SELECT 1 FROM entry WHERE collection_id = @collection ORDER BY uid FOR UPDATE) locked;
        SELECT 1 FROM collection WHERE id = @collection FOR UPDATE;
        """;

    private const string DeleteEntries = """
        WITH removed AS (
            DELETE FROM entry WHERE collection_id = @collection RETURNING document_id, uid
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
            SELECT 'expunge', @collection, document_id, uid, @owner FROM removed
        )
        SELECT DISTINCT document_id FROM removed
        """;

    // DESIGN.md, nothing is lost: a document that no collection holds any more goes to the trash.
    private const string TrashOrphans = """
        WITH trashed AS (
            UPDATE document d SET trashed_at = now(), trashed_by = @owner, trashed_from = @collection
             WHERE d.id = ANY(@documents) AND d.trashed_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM entry e WHERE e.document_id = d.id)
            RETURNING d.id
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, principal_id) SELECT 'trash', @collection, id, @owner FROM trashed
        )
        SELECT id FROM trashed ORDER BY id
        """;

    private const string InsertTreeChange = """
        INSERT INTO change (kind, collection_id, principal_id, data) VALUES (@kind, @collection, @owner, @data::jsonb)
        """;

    public Task<IReadOnlyList<MailboxListing>> ListAsync(User user, CancellationToken cancellationToken) => ListAsync(user, null, cancellationToken);

    public async Task<IReadOnlyList<MailboxListing>> ListAsync(User user, IReadOnlyCollection<string>? patterns, CancellationToken cancellationToken)
    {
        var (personal, others) = patterns is null ? (true, true) : MailboxPath.TreesMatching(patterns);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var listing = new List<MailboxListing>();
        if (personal)
        {
            var tree = await MailboxTree.LoadAsync(connection, null, user.Id, cancellationToken);
            listing.AddRange(tree.Ordered.Select(n => new MailboxListing(n.Mailbox with { Rights = MailboxRights.All, Owned = true }, n.HasChildren)));
        }
        if (others)
        {
            listing.AddRange(await ListOthersAsync(connection, user, cancellationToken));
        }
        return listing;
    }

    public async Task<Mailbox?> FindAsync(User user, string name, CancellationToken cancellationToken)
    {
        if (!MailboxPath.TryParse(name, out var path) || path.Levels.Length == 0)
        {
            return null;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (path.Kind != TreeKind.Personal)
        {
            return await FindOtherAsync(connection, user, path, cancellationToken);
        }
        // Walks the name's levels only: SELECT in a tree of thousands reads a handful of rows.
        return await ResolveAsync(connection, user, path, cancellationToken) is { } mailbox ? mailbox with { Rights = MailboxRights.All, Owned = true } : null;
    }

    /// <summary>
    /// Creates the mailbox and its missing parents; <see cref="MailboxChange.InvalidName"/> also
    /// for a special-use the schema does not know (RFC 6154 would say USEATTR). Outside the
    /// personal tree it needs <c>k</c> on the nearest existing parent (RFC 4314 §4); a top-level
    /// shared collection needs an administrator.
    /// </summary>
    public async Task<MailboxChange> CreateAsync(User user, string name, string? specialUse, Actor actor, CancellationToken cancellationToken)
    {
        if (!MailboxPath.TryParse(name, out var path))
        {
            return MailboxChange.InvalidName;
        }
        string? storedSpecialUse = null;
        if (specialUse is not null)
        {
            storedSpecialUse = Array.Find(SpecialUses, s => s.Equals(specialUse, StringComparison.OrdinalIgnoreCase));
            if (storedSpecialUse is null)
            {
                return MailboxChange.InvalidName;
            }
        }

        var levels = path.Levels;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await OpenTreeAsync(connection, transaction, user, path, cancellationToken) is not { } opened)
        {
            return MailboxChange.NotFound;
        }
        var (owner, tree) = opened;
        if (levels.Length == 0)
        {
            return MailboxChange.AlreadyExists;
        }
        if (path.Kind != TreeKind.Personal
            && await CreateRightsAsync(connection, transaction, user, path, tree, levels, cancellationToken) is { } refused)
        {
            return refused;
        }
        var fullName = string.Join(MailboxNames.Delimiter, levels);
        if (tree.Find(fullName) is not null)
        {
            return MailboxChange.AlreadyExists;
        }

        var id = await CreatePathAsync(connection, transaction, tree, owner, levels, storedSpecialUse, cancellationToken);
        await RecordTreeChangeAsync(connection, transaction, actor, user.Id, MailboxAuditActions.Create, id,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = path.Visible(fullName) }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return MailboxChange.Done;
    }

    /// <summary>
    /// Deletes a mailbox without children; one with children is refused with
    /// <see cref="MailboxChange.AlreadyExists"/> (RFC 9051 §6.3.5 allows refusing; the IMAP layer
    /// answers it as "has children"). Its entries are removed and their documents that no other
    /// collection holds go to the trash. Outside the personal tree it needs <c>x</c>.
    /// </summary>
    public async Task<MailboxChange> DeleteAsync(User user, string name, Actor actor, CancellationToken cancellationToken)
    {
        if (!MailboxPath.TryParse(name, out var path) || path.Levels.Length == 0)
        {
            return MailboxChange.NotFound;
        }
        var levels = path.Levels;
        if (path.Kind == TreeKind.Personal && levels is [MailboxNames.Inbox])
        {
            return MailboxChange.Inbox;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await OpenTreeAsync(connection, transaction, user, path, cancellationToken) is not { } opened
            || opened.Tree.Find(string.Join(MailboxNames.Delimiter, levels)) is not { } node)
        {
            return MailboxChange.NotFound;
        }
        if (path.Kind != TreeKind.Personal
            && Refusal(await RightsInAsync(connection, transaction, user, node.Mailbox.Id, cancellationToken), MailboxRights.DeleteMailbox) is { } refused)
        {
            return refused;
        }
        if (node.HasChildren)
        {
            return MailboxChange.AlreadyExists;
        }

        var collection = node.Mailbox.Id;
        await connection.ExecuteAsync(new CommandDefinition(
            LockMailbox, new { collection }, transaction, cancellationToken: cancellationToken));
        await EnsureNotHeldAsync(connection, transaction, collection, null, "the mailbox was not deleted.", cancellationToken);
        var documents = (await connection.QueryAsync<long>(new CommandDefinition(
            DeleteEntries, new { collection, owner = user.Id }, transaction, cancellationToken: cancellationToken))).ToArray();
        var trashed = await TrashOrphansAsync(connection, transaction, actor, user.Id, collection, documents, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM collection WHERE id = @collection", new { collection }, transaction, cancellationToken: cancellationToken));
        await RecordTreeChangeAsync(connection, transaction, actor, user.Id, MailboxAuditActions.Delete, collection,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["name"] = path.Visible(node.Mailbox.Name),
                ["documents"] = documents.Length.ToString(),
                ["trashed"] = trashed.Length.ToString(),
            },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return MailboxChange.Done;
    }

    /// <summary>
    /// Moves one collection row; its subtree follows through <c>parent_id</c> and every UIDVALIDITY
    /// stays. Missing parents of the new name are created. Subscriptions keep their names (RFC 9051 §6.3.9).
    /// Both names must lie in the same tree; outside the personal tree it needs <c>x</c> on the
    /// mailbox and <c>k</c> on the new parent (RFC 4314 §4).
    /// </summary>
    public async Task<MailboxChange> RenameAsync(User user, string from, string to, Actor actor, CancellationToken cancellationToken)
    {
        if (!MailboxPath.TryParse(from, out var fromPath) || fromPath.Levels.Length == 0)
        {
            return MailboxChange.NotFound;
        }
        if (!MailboxPath.TryParse(to, out var toPath) || toPath.Levels.Length == 0)
        {
            return MailboxChange.InvalidName;
        }
        var (fromLevels, toLevels) = (fromPath.Levels, toPath.Levels);
        if (fromPath.Kind == TreeKind.Personal && fromLevels is [MailboxNames.Inbox])
        {
            return MailboxChange.Inbox;
        }

        var fromName = string.Join(MailboxNames.Delimiter, fromLevels);
        var toName = string.Join(MailboxNames.Delimiter, toLevels);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await OpenTreeAsync(connection, transaction, user, fromPath, cancellationToken) is not { } opened
            || opened.Tree.Find(fromName) is not { } node)
        {
            return MailboxChange.NotFound;
        }
        var (owner, tree) = opened;
        if (fromPath.Kind != TreeKind.Personal
            && Refusal(await RightsInAsync(connection, transaction, user, node.Mailbox.Id, cancellationToken), MailboxRights.DeleteMailbox) is { } refused)
        {
            return refused;
        }
        if (toPath.Kind != fromPath.Kind || !string.Equals(toPath.Owner, fromPath.Owner, StringComparison.OrdinalIgnoreCase))
        {
            return MailboxChange.OtherTree;
        }
        if (MailboxNames.IsInside(toName, fromName))
        {
            return MailboxChange.IntoItself;
        }
        if (toPath.Kind != TreeKind.Personal
            && await CreateRightsAsync(connection, transaction, user, toPath, tree, toLevels, cancellationToken) is { } refusedTarget)
        {
            return refusedTarget;
        }
        if (tree.Find(toName) is not null)
        {
            return MailboxChange.AlreadyExists;
        }

        var parent = toLevels.Length == 1
            ? (long?)null
            : await CreatePathAsync(connection, transaction, tree, owner, toLevels[..^1], null, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE collection SET parent_id = @parent, name = @name WHERE id = @collection",
            new { parent, name = toLevels[^1], collection = node.Mailbox.Id }, transaction, cancellationToken: cancellationToken));
        await RecordTreeChangeAsync(connection, transaction, actor, user.Id, MailboxAuditActions.Rename, node.Mailbox.Id,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["from"] = fromPath.Visible(fromName), ["to"] = toPath.Visible(toName) }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return MailboxChange.Done;
    }

    /// <summary>Subscribes by name, existing or not (RFC 9051 §6.3.7); INBOX is stored in its canonical case.</summary>
    public async Task SetSubscribedAsync(User user, string name, bool subscribed, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            subscribed
                ? "INSERT INTO subscription (principal_id, mailbox) VALUES (@owner, @mailbox) ON CONFLICT DO NOTHING"
                : "DELETE FROM subscription WHERE principal_id = @owner AND mailbox = @mailbox",
            new { owner = user.Id, mailbox = MailboxNames.Canonical(name) }, cancellationToken: cancellationToken));
    }

    /// <summary>The subscribed names in ordinal order.</summary>
    public async Task<IReadOnlyList<string>> SubscriptionsAsync(User user, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var names = await connection.QueryAsync<string>(new CommandDefinition(
            """SELECT mailbox FROM subscription WHERE principal_id = @owner ORDER BY mailbox COLLATE "C" """,
            new { owner = user.Id }, cancellationToken: cancellationToken));
        return names.ToList();
    }

    /// <summary>Creates the levels of <paramref name="levels"/> that do not exist yet; returns the id of the last.</summary>
    private static async Task<long> CreatePathAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, MailboxTree tree, long? owner,
        string[] levels, string? specialUse, CancellationToken cancellationToken)
    {
        long? parent = null;
        for (var i = 0; i < levels.Length; i++)
        {
            var existing = tree.Find(string.Join(MailboxNames.Delimiter, levels[..(i + 1)]));
            parent = existing is not null
                ? existing.Mailbox.Id
                : await connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertCollection,
                    new { owner, parent, name = levels[i], specialUse = i == levels.Length - 1 ? specialUse : null },
                    transaction, cancellationToken: cancellationToken));
        }
        return parent!.Value;
    }

    /// <summary>Moves the documents no collection holds any more to the trash, noting where they were; returns their ids.</summary>
    private static async Task<long[]> TrashOrphansAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Actor actor, long owner, long collection,
        long[] documents, CancellationToken cancellationToken)
    {
        if (documents.Length == 0)
        {
            return [];
        }
        var trashed = (await connection.QueryAsync<long>(new CommandDefinition(
            TrashOrphans, new { owner, collection, documents }, transaction, cancellationToken: cancellationToken))).ToArray();
        foreach (var document in trashed)
        {
            await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, MailboxAuditActions.Trash, collection, document), cancellationToken);
        }
        return trashed;
    }

    private static async Task RecordTreeChangeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Actor actor, long owner, string action,
        long collection, Dictionary<string, string> details, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(InsertTreeChange,
            new { kind = action, collection, owner, data = JsonSerializer.Serialize(details) }, transaction, cancellationToken: cancellationToken));
        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, action, collection, null, details), cancellationToken);
    }
}
