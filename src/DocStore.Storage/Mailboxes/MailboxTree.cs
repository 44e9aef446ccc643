using Dapper;
using DocStore.Core.Mailboxes;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

/// <summary>
/// One tree's collections (a user's, or the shared repository's with owner null), read with one query and linked in memory (a user has at most a few
/// thousand), so that full names are built without a recursive query per lookup.
/// </summary>
internal sealed class MailboxTree
{
    private const string SelectTree = """
        SELECT id AS Id, object_id AS ObjectId, parent_id AS ParentId, name AS Name, special_use AS SpecialUse,
               uidvalidity AS UidValidity, uidnext AS UidNext, highestmodseq AS HighestModSeq
          FROM collection
         WHERE owner_id = @owner OR (@owner::bigint IS NULL AND owner_id IS NULL)
        """;

    private readonly Dictionary<string, Node> byName;

    private MailboxTree(IReadOnlyList<Node> ordered)
    {
        Ordered = ordered;
        byName = ordered.ToDictionary(n => n.Mailbox.Name, StringComparer.Ordinal);
    }

    /// <summary>Every mailbox, parents before children: INBOX first, then siblings in ordinal order.</summary>
    public IReadOnlyList<Node> Ordered { get; }

    public static async Task<MailboxTree> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long? owner, CancellationToken cancellationToken)
    {
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(
            SelectTree, new { owner }, transaction, cancellationToken: cancellationToken))).ToList();
        var children = rows.ToLookup(r => r.ParentId);
        var ordered = new List<Node>(rows.Count);

        void Visit(Row row, string? parentName)
        {
            var name = parentName is null ? TopLevelName(row.Name) : parentName + MailboxNames.Delimiter + row.Name;
            var kids = Sorted(children[row.Id]);
            ordered.Add(new Node(row.ToMailbox(name), row.ParentId, kids.Count > 0));
            foreach (var child in kids)
            {
                Visit(child, name);
            }
        }

        // A parent outside the user's tree (never made by this store) would hide its children, which is the safe side.
        foreach (var root in Sorted(children[null]))
        {
            Visit(root, null);
        }
        return new MailboxTree(ordered);
    }

    public Node? Find(string canonicalName) => byName.GetValueOrDefault(canonicalName);

    private static string TopLevelName(string name) => MailboxNames.IsInbox(name) ? MailboxNames.Inbox : name;

    private static List<Row> Sorted(IEnumerable<Row> rows) =>
        rows.OrderBy(r => r.ParentId is null && MailboxNames.IsInbox(r.Name) ? 0 : 1)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>A collection with its full name.</summary>
    public sealed record Node(Mailbox Mailbox, long? ParentId, bool HasChildren);

    private sealed record Row(long Id, Guid ObjectId, long? ParentId, string Name, string? SpecialUse, long UidValidity, long UidNext, long HighestModSeq)
    {
        public Mailbox ToMailbox(string fullName) => new(Id, ObjectId, fullName, SpecialUse, UidValidity, UidNext, HighestModSeq);
    }
}
