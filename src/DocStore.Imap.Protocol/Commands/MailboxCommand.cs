using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// The commands whose only argument is a mailbox: DELETE, SUBSCRIBE, UNSUBSCRIBE (RFC 9051
/// §6.3.5, §6.3.7, §6.3.8), GETACL and MYRIGHTS (RFC 4314 §3.3, §3.5), GETQUOTAROOT (RFC 9208
/// §4.1.2).
/// </summary>
public sealed record MailboxCommand(string Mailbox)
{
    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out MailboxCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadMailbox(utf8Accept, out var mailbox, out error))
        {
            return false;
        }

        if (!arguments.IsAtEnd)
        {
            error = $"{command.Name} takes one mailbox name";
            return false;
        }

        result = new MailboxCommand(mailbox);
        return true;
    }
}

/// <summary>RFC 9051 §6.3.6: <c>RENAME existing new</c>.</summary>
public sealed record RenameCommand(string From, string To)
{
    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out RenameCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadMailbox(utf8Accept, out var from, out error) || !arguments.TryReadMailbox(utf8Accept, out var to, out error))
        {
            return false;
        }

        if (!arguments.IsAtEnd)
        {
            error = "RENAME takes two mailbox names";
            return false;
        }

        result = new RenameCommand(from, to);
        return true;
    }
}
