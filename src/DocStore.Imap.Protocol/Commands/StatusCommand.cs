using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// RFC 9051 §6.3.11: <c>STATUS mailbox (items)</c>. Items: the RFC 9051 and RFC 3501 ones plus
/// HIGHESTMODSEQ (RFC 7162), APPENDLIMIT (RFC 7889) and MAILBOXID (RFC 8474).
/// </summary>
public sealed record StatusCommand(string Mailbox, IReadOnlyList<string> Items)
{
    /// <summary>The items this parser accepts, upper case.</summary>
    public static IReadOnlySet<string> KnownItems { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE", "HIGHESTMODSEQ", "APPENDLIMIT", "MAILBOXID",
    };

    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out StatusCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadMailbox(utf8Accept, out var mailbox, out error))
        {
            return false;
        }

        if (!arguments.TryReadList(out var list) || list.Count == 0 || !arguments.IsAtEnd)
        {
            error = "Expected STATUS mailbox (items)";
            return false;
        }

        var items = new List<string>(list.Count);
        foreach (var item in list)
        {
            var name = item.Kind == ImapArgumentKind.Atom ? item.Atom!.ToUpperInvariant() : null;
            if (name is null || !KnownItems.Contains(name))
            {
                error = "Unknown STATUS item";
                return false;
            }

            if (!items.Contains(name, StringComparer.Ordinal))
            {
                items.Add(name);
            }
        }

        result = new StatusCommand(mailbox, items);
        return true;
    }
}
