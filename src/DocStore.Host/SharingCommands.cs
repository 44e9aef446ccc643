using System.CommandLine;
using System.Globalization;
using DocStore.Core.Auditing;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using DocStore.Storage.Sharing;

namespace DocStore.Host;

/// <summary>
/// <c>docstore group add|list|member add|member remove</c>, <c>docstore acl get|set|delete</c> and
/// <c>docstore quota set</c>: sharing from the command line. Mailboxes are named as users see them:
/// <c>Shared/...</c> or <c>Users/owner/...</c>.
/// </summary>
internal static class SharingCommands
{
    // The command line acts as the operating-system user who ran it.
    private static Actor Operator => new(null, Environment.UserName, null, "docstore-cli");

    private static readonly Argument<string> GroupArgument = new("group") { Description = "The group name (in rights: $group)." };

    private static readonly Argument<string> MailboxArgument = new("mailbox") { Description = "The mailbox: Shared/... or Users/<owner>/...." };

    private static readonly Argument<string> IdentifierArgument = new("identifier")
    {
        Description = "A user name, $group, or anyone; a leading - for negative rights.",
    };

    public static IEnumerable<Command> Create() => [Group(), Acl(), Quota()];

    private static Command Group()
    {
        var group = new Command("group", "Manage groups (name them in rights as $group).");
        var add = new Command("add", "Add a group.") { GroupArgument };
        add.SetAction((parse, cancellationToken) => WithStore(parse, async store =>
        {
            var name = parse.GetValue(GroupArgument)!;
            var result = await store.AddGroupAsync(name, Operator, cancellationToken);
            return await ReportAsync(result, $"Added group {name}.", $"'{name}' is not a valid group name ({UserNames.Rule}).",
                $"a user or group named '{name}' already exists.", "");
        }, cancellationToken));

        var list = new Command("list", "List groups and their members.");
        list.SetAction((parse, cancellationToken) => WithStore(parse, async store =>
        {
            Console.WriteLine($"{"GROUP",-24} MEMBERS");
            foreach (var g in await store.ListGroupsAsync(cancellationToken))
            {
                Console.WriteLine($"{g.Name,-24} {string.Join(' ', g.Members)}");
            }
            return 0;
        }, cancellationToken));

        var member = new Command("member", "Add users to a group or remove them.");
        member.Subcommands.Add(Member("add", "Add a user to a group.", true));
        member.Subcommands.Add(Member("remove", "Remove a user from a group.", false));
        group.Subcommands.Add(add);
        group.Subcommands.Add(list);
        group.Subcommands.Add(member);
        return group;
    }

    private static Command Member(string verb, string description, bool isMember)
    {
        var user = new Argument<string>("user") { Description = "The user name." };
        var command = new Command(verb, description) { GroupArgument, user };
        command.SetAction((parse, cancellationToken) => WithStore(parse, async store =>
        {
            var (groupName, userName) = (parse.GetValue(GroupArgument)!, parse.GetValue(user)!);
            var result = await store.SetMemberAsync(groupName, userName, isMember, Operator, cancellationToken);
            return await ReportAsync(result, isMember ? $"Added {userName} to {groupName}." : $"Removed {userName} from {groupName}.", "", "",
                $"there is no group '{groupName}' or no user '{userName}' (see: docstore group list, docstore user list).");
        }, cancellationToken));
        return command;
    }

    private static Command Acl()
    {
        var acl = new Command("acl", "Read and change rights (RFC 4314 letters lrswipkxtea) on shared mailboxes.");
        var get = new Command("get", "Print the rights that apply to a mailbox (own and inherited entries).") { MailboxArgument };
        get.SetAction((parse, cancellationToken) => WithStore(parse, async store =>
        {
            var mailbox = parse.GetValue(MailboxArgument)!;
            if (await store.GetAclAsync(mailbox, cancellationToken) is not { } entries)
            {
                await Console.Error.WriteLineAsync($"docstore: there is no mailbox '{mailbox}' (name it Shared/... or Users/<owner>/...).");
                return 1;
            }
            foreach (var entry in entries)
            {
                Console.WriteLine($"{entry.Identifier,-24} {entry.Rights}");
            }
            return 0;
        }, cancellationToken));

        var rights = new Argument<string>("rights") { Description = "The rights, e.g. lrs for read-only, lrswite for read-write; \"\" for none." };
        var set = new Command("set", "Set an identifier's rights on a mailbox; its subtree inherits them unless it sets its own.")
        {
            MailboxArgument, IdentifierArgument, rights,
        };
        set.SetAction((parse, cancellationToken) => WithStore(parse, async store =>
        {
            var letters = parse.GetValue(rights)!;
            if (letters.Any(c => !RightsText.Letters.Contains(c, StringComparison.Ordinal)))
            {
                await Console.Error.WriteLineAsync($"docstore: rights are letters of {RightsText.Letters}, not '{letters}'.");
                return 2;
            }
            return await AclResultAsync(await store.SetAclAsync(parse.GetValue(MailboxArgument)!, parse.GetValue(IdentifierArgument)!, letters, Operator, cancellationToken), parse);
        }, cancellationToken));

        var delete = new Command("delete", "Remove an identifier's entry from a mailbox (an inherited one applies again).") { MailboxArgument, IdentifierArgument };
        delete.SetAction((parse, cancellationToken) => WithStore(parse, async store =>
            await AclResultAsync(await store.SetAclAsync(parse.GetValue(MailboxArgument)!, parse.GetValue(IdentifierArgument)!, null, Operator, cancellationToken), parse),
            cancellationToken));
        acl.Subcommands.Add(get);
        acl.Subcommands.Add(set);
        acl.Subcommands.Add(delete);
        return acl;
    }

    private static Command Quota()
    {
        var root = new Argument<string>("root") { Description = "#user/<name> for a user's documents, or a mailbox (Shared/... or Users/<owner>/...)." };
        var limit = new Argument<string>("limit") { Description = "Bytes, with an optional K, M or G suffix (powers of 1024), or none." };
        var set = new Command("set", "Set a storage quota (RFC 9208 STORAGE).") { root, limit };
        set.SetAction((parse, cancellationToken) => WithStore(parse, async store =>
        {
            var (rootName, text) = (parse.GetValue(root)!, parse.GetValue(limit)!);
            if (!TryParseSize(text, out var bytes))
            {
                await Console.Error.WriteLineAsync($"docstore: '{text}' is not a size (e.g. 500M, 2G, 1048576, none).");
                return 2;
            }
            if (await store.SetQuotaAsync(rootName, bytes, Operator, cancellationToken) != QuotaChange.Done)
            {
                await Console.Error.WriteLineAsync($"docstore: there is no quota root '{rootName}' (#user/<name>, Shared/... or Users/<owner>/...).");
                return 1;
            }
            Console.WriteLine(bytes is null ? $"Removed the quota of {rootName}." : $"Set the quota of {rootName} to {bytes} bytes.");
            return 0;
        }, cancellationToken));
        var quota = new Command("quota", "Manage storage quotas.");
        quota.Subcommands.Add(set);
        return quota;
    }

    private static bool TryParseSize(string text, out long? bytes)
    {
        bytes = null;
        if (string.Equals(text, "none", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var unit = text.Length > 0 ? char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1L } : 1L;
        var digits = unit == 1 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > long.MaxValue / unit)
        {
            return false;
        }
        bytes = value * unit;
        return true;
    }

    private static async Task<int> AclResultAsync(AclChange result, ParseResult parse)
    {
        switch (result)
        {
            case AclChange.Done:
                Console.WriteLine($"Changed the rights of {parse.GetValue(IdentifierArgument)} on {parse.GetValue(MailboxArgument)}.");
                return 0;
            case AclChange.UnknownIdentifier:
                await Console.Error.WriteLineAsync($"docstore: '{parse.GetValue(IdentifierArgument)}' names no user, $group or anyone.");
                return 1;
            case AclChange.Owner:
                await Console.Error.WriteLineAsync("docstore: the owner always has every right on their own mailboxes.");
                return 1;
            default:
                await Console.Error.WriteLineAsync($"docstore: there is no mailbox '{parse.GetValue(MailboxArgument)}' (name it Shared/... or Users/<owner>/...).");
                return 1;
        }
    }

    private static async Task<int> ReportAsync(UserChange result, string done, string invalid, string exists, string notFound)
    {
        var message = result switch
        {
            UserChange.Done => null,
            UserChange.InvalidName => invalid,
            UserChange.AlreadyExists => exists,
            _ => notFound,
        };
        if (message is null)
        {
            Console.WriteLine(done);
            return 0;
        }
        await Console.Error.WriteLineAsync($"docstore: {message}");
        return result == UserChange.InvalidName ? 2 : 1;
    }

    private static async Task<int> WithStore(ParseResult parse, Func<SharingAdminStore, Task<int>> action, CancellationToken cancellationToken)
    {
        await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
        return cli is null ? 1 : await action(new SharingAdminStore(cli.Database.DataSource));
    }
}
