using Dapper;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

/// <summary>
/// Other users' collections and the shared repository: finding and listing them with the user's
/// rights, and the rights checks of tree changes outside the personal tree.
/// </summary>
public sealed partial class MailboxStore
{
    // Arbitrary constant naming "the shared repository's tree" in pg_advisory_xact_lock's key space.
    private const long SharedTreeLock = 0x446f6353_68617265;

    private const string SelectRights = "SELECT collection_rights(@collection, @user)";

    private const string SelectUserId = "SELECT id FROM principal WHERE kind = 'user' AND lower(name) = lower(@name)";

    // Walks the levels of a name down one tree (by the indexed sibling names), then reads the
    // rights: one round-trip, and never more than the levels of the name.
    private static readonly string SelectByPath = MailboxPath.WalkSql("@levels::text[]", "(c.owner_id = @owner OR (@owner::bigint IS NULL AND c.owner_id IS NULL))") + """

        SELECT c.id AS Id, c.object_id AS ObjectId, c.special_use AS SpecialUse, c.uidvalidity AS UidValidity,
               c.uidnext AS UidNext, c.highestmodseq AS HighestModSeq, collection_rights(c.id, @user) AS Rights
          FROM walk w JOIN collection c ON c.id = w.id
         WHERE w.depth = cardinality(@levels::text[])
        """;

    // The collections outside the user's tree that the user may see, with every ancestor (for
    // their names). Only subtrees below an entry that names the user, one of their groups or
    // anyone are candidates (and the whole shared repository for administrators), so the cost
    // follows what the user can see, not the size of the repository.
    private const string SelectVisibleOthers = """
        WITH RECURSIVE me AS (
            SELECT @user::bigint AS id UNION ALL SELECT group_id FROM group_member WHERE member_id = @user
        ), admin AS (
            SELECT is_admin AS yes FROM principal WHERE id = @user
        ), candidates AS (
            SELECT a.collection_id AS id FROM acl a WHERE a.principal_id IS NULL OR a.principal_id IN (SELECT id FROM me)
            UNION
            SELECT c.id FROM collection c WHERE c.owner_id IS NULL AND c.parent_id IS NULL AND (SELECT yes FROM admin)
            UNION
            SELECT c.id FROM collection c JOIN candidates k ON c.parent_id = k.id
        ), chain AS (
            SELECT c.id, c.id AS ancestor, c.parent_id, 0 AS depth
              FROM candidates k JOIN collection c ON c.id = k.id
             WHERE c.owner_id IS DISTINCT FROM @user
            UNION ALL
            SELECT ch.id, p.id, p.parent_id, ch.depth + 1 FROM chain ch JOIN collection p ON p.id = ch.parent_id
        ), nearest AS (
            SELECT DISTINCT ON (ch.id, a.principal_id, a.negative) ch.id, a.negative, a.rights
              FROM chain ch JOIN acl a ON a.collection_id = ch.ancestor
             WHERE (a.principal_id IS NULL OR a.principal_id IN (SELECT id FROM me)) AND (ch.depth = 0 OR a.inherit)
             ORDER BY ch.id, a.principal_id, a.negative, ch.depth
        ), rights AS (
            -- Granted minus denied is taken in memory (RightsText): a function call per row costs more than the rest.
            SELECT c.id, c.owner_id IS NULL AND (SELECT yes FROM admin) AS everything,
                   COALESCE(string_agg(n.rights, '') FILTER (WHERE NOT n.negative), '') AS granted,
                   COALESCE(string_agg(n.rights, '') FILTER (WHERE n.negative), '') AS denied
              FROM candidates k JOIN collection c ON c.id = k.id LEFT JOIN nearest n ON n.id = c.id
             WHERE c.owner_id IS DISTINCT FROM @user
             GROUP BY c.id, c.owner_id
        ), shown AS (
            SELECT DISTINCT ch.ancestor AS id FROM chain ch JOIN rights r ON r.id = ch.id
             WHERE r.everything OR (strpos(r.granted, 'l') > 0 AND strpos(r.denied, 'l') = 0)
        )
        SELECT c.id AS Id, c.object_id AS ObjectId, c.parent_id AS ParentId, p.name AS OwnerName, c.name AS Name,
               c.special_use AS SpecialUse, c.uidvalidity AS UidValidity, c.uidnext AS UidNext, c.highestmodseq AS HighestModSeq,
               CASE WHEN r.everything THEN 'lrswipkxtea' ELSE COALESCE(r.granted, '') END AS Granted, COALESCE(r.denied, '') AS Denied
          FROM shown s JOIN collection c ON c.id = s.id
          LEFT JOIN principal p ON p.id = c.owner_id
          LEFT JOIN rights r ON r.id = c.id
        """;

    public async Task<MailboxRights> RightsAsync(User user, long mailboxId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await RightsInAsync(connection, null, user, mailboxId, cancellationToken);
    }

    private static async Task<MailboxRights> RightsInAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, User user, long collection, CancellationToken cancellationToken) =>
        RightsText.Parse(await connection.ExecuteScalarAsync<string>(new CommandDefinition(SelectRights,
            new { collection, user = user.Id }, transaction, cancellationToken: cancellationToken)) ?? "");

    /// <summary>Null when the user has <paramref name="needed"/>; otherwise not found (invisible) or no permission.</summary>
    private static MailboxChange? Refusal(MailboxRights rights, MailboxRights needed) =>
        rights.HasFlag(needed) ? null : rights.IsVisible() ? MailboxChange.NoPermission : MailboxChange.NotFound;

    /// <summary>
    /// Locks the tree the path lies in against concurrent tree changes and loads it; null when
    /// it names no user (or the user themself under <c>Users/</c>: their tree is the personal one).
    /// </summary>
    private static async Task<(long? Owner, MailboxTree Tree)?> OpenTreeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, User user,
        MailboxPath path, CancellationToken cancellationToken)
    {
        long? owner = user.Id;
        if (path.Kind == TreeKind.Shared)
        {
            owner = null;
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)",
                new { key = SharedTreeLock }, transaction, cancellationToken: cancellationToken));
        }
        else
        {
            if (path.Kind == TreeKind.OtherUser)
            {
                owner = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectUserId,
                    new { name = path.Owner }, transaction, cancellationToken: cancellationToken));
                if (owner is null || owner == user.Id)
                {
                    return null;
                }
            }
            // NO KEY UPDATE leaves the foreign-key checks of concurrent APPENDs (KEY SHARE) unblocked.
            await connection.ExecuteAsync(new CommandDefinition(LockUserTree, new { owner }, transaction, cancellationToken: cancellationToken));
        }
        return (owner, await MailboxTree.LoadAsync(connection, transaction, owner, cancellationToken));
    }

    /// <summary>
    /// RFC 4314 §4 for CREATE (and RENAME's target) outside the personal tree: <c>k</c> on the
    /// nearest existing parent; a new top level needs an administrator in the shared repository
    /// and is never allowed in another user's tree. A parent the user may not see answers as missing.
    /// </summary>
    private static async Task<MailboxChange?> CreateRightsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, User user,
        MailboxPath path, MailboxTree tree, string[] levels, CancellationToken cancellationToken)
    {
        for (var i = levels.Length - 1; i >= 1; i--)
        {
            if (tree.Find(string.Join(MailboxNames.Delimiter, levels[..i])) is { } parent)
            {
                return Refusal(await RightsInAsync(connection, transaction, user, parent.Mailbox.Id, cancellationToken), MailboxRights.CreateMailbox);
            }
        }
        // A missing top level under a longer name answers as missing, exactly as a top level the
        // user may not see would: whether a shared top level exists is not told.
        return path.Kind == TreeKind.Shared && user.IsAdmin ? null
            : path.Kind == TreeKind.Shared && levels.Length == 1 ? MailboxChange.NoPermission
            : MailboxChange.NotFound;
    }

    /// <summary>A collection of another tree by its visible name, with the user's rights; null when missing or invisible.</summary>
    private static async Task<Mailbox?> FindOtherAsync(NpgsqlConnection connection, User user, MailboxPath path, CancellationToken cancellationToken)
    {
        var found = await ResolveAsync(connection, user, path, cancellationToken);
        return found is { } mailbox && mailbox.Rights.IsVisible() ? mailbox : null;
    }

    /// <summary>A collection of any tree by its visible name with the user's rights (however few), or null.</summary>
    internal static async Task<Mailbox?> ResolveAsync(NpgsqlConnection connection, User user, MailboxPath path, CancellationToken cancellationToken)
    {
        if (path.Levels.Length == 0)
        {
            return null;
        }
        long? owner = path.Kind switch
        {
            TreeKind.Personal => user.Id,
            TreeKind.Shared => null,
            _ => await connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectUserId, new { name = path.Owner }, cancellationToken: cancellationToken)),
        };
        if (path.Kind == TreeKind.OtherUser && (owner is null || owner == user.Id))
        {
            return null;
        }
        var levels = path.StoredLevels;
        var row = await connection.QuerySingleOrDefaultAsync<PathRow>(new CommandDefinition(SelectByPath,
            new { levels, owner, user = user.Id }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }
        // The owner's spelling of their name, as LIST shows it.
        var ownerName = path.Kind == TreeKind.OtherUser
            ? await connection.ExecuteScalarAsync<string>(new CommandDefinition("SELECT name FROM principal WHERE id = @owner", new { owner }, cancellationToken: cancellationToken))
            : null;
        var name = MailboxPath.Visible(path.Kind, ownerName, string.Join(MailboxNames.Delimiter, levels));
        return new Mailbox(row.Id, row.ObjectId, name, row.SpecialUse, row.UidValidity, row.UidNext, row.HighestModSeq) { Rights = RightsText.Parse(row.Rights) };
    }

    /// <summary>
    /// The mailboxes of other trees the user may list (<c>l</c>), named <c>Users/owner/...</c> and
    /// <c>Shared/...</c>, and the namespace levels above them as <c>\Noselect</c> nodes. A parent
    /// the user may not list is left out, as RFC 4314 §4 shows for LIST.
    /// </summary>
    private static async Task<IReadOnlyList<MailboxListing>> ListOthersAsync(NpgsqlConnection connection, User user, CancellationToken cancellationToken)
    {
        var rows = (await connection.QueryAsync<OtherRow>(new CommandDefinition(SelectVisibleOthers,
            new { user = user.Id }, cancellationToken: cancellationToken))).ToDictionary(r => r.Id);
        var names = new Dictionary<long, string>();
        string RelativeName(OtherRow row) =>
            names.TryGetValue(row.Id, out var known) ? known
            : names[row.Id] = row.ParentId is { } parent && rows.TryGetValue(parent, out var up) ? RelativeName(up) + MailboxNames.Delimiter + row.Name : row.Name;

        var listed = new List<(string Name, OtherRow Row)>();
        foreach (var row in rows.Values)
        {
            if (row.Rights.HasFlag(MailboxRights.Lookup))
            {
                var kind = row.OwnerName is null ? TreeKind.Shared : TreeKind.OtherUser;
                listed.Add((MailboxPath.Visible(kind, row.OwnerName, RelativeName(row)), row));
            }
        }
        var parentsOfListed = listed.Where(l => l.Row.ParentId is not null).Select(l => l.Row.ParentId!.Value).ToHashSet();
        var result = listed.Select(l => new MailboxListing(
            new Mailbox(l.Row.Id, l.Row.ObjectId, l.Name, l.Row.SpecialUse, l.Row.UidValidity, l.Row.UidNext, l.Row.HighestModSeq) { Rights = l.Row.Rights },
            parentsOfListed.Contains(l.Row.Id))).ToList();

        // RFC 2342: the namespace prefixes themselves are levels a client can browse.
        var levels = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (name, row) in listed)
        {
            levels.Add(row.OwnerName is null ? MailboxPath.SharedPrefix : MailboxPath.UsersPrefix);
            if (row.OwnerName is not null)
            {
                levels.Add(MailboxPath.UsersPrefix + MailboxNames.Delimiter + row.OwnerName);
            }
        }
        result.AddRange(levels.Select(level => new MailboxListing(new Mailbox(0, Guid.Empty, level, null, 0, 0, 0), HasChildren: true) { NoSelect = true }));
        result.Sort((a, b) => string.CompareOrdinal(a.Mailbox.Name, b.Mailbox.Name));
        return result;
    }

    private sealed record PathRow(long Id, Guid ObjectId, string? SpecialUse, long UidValidity, long UidNext, long HighestModSeq, string Rights);

    private sealed record OtherRow(long Id, Guid ObjectId, long? ParentId, string? OwnerName, string Name, string? SpecialUse,
        long UidValidity, long UidNext, long HighestModSeq, string Granted, string Denied)
    {
        public MailboxRights Rights => RightsText.Parse(Granted) & ~RightsText.Parse(Denied);
    }
}
