using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// RFC 9051 §6.4.7/§6.4.8: <c>[UID] COPY set mailbox</c> and <c>[UID] MOVE set mailbox</c>;
/// <see cref="Move"/> tells which.
/// </summary>
public sealed record CopyCommand(bool Uid, bool Move, SequenceSet Set, string Mailbox)
{
    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out CopyCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadAtom(out var setText) || !SequenceSet.TryParse(setText, out var set))
        {
            error = "Expected a sequence set";
            return false;
        }

        if (!arguments.TryReadMailbox(utf8Accept, out var mailbox, out error))
        {
            return false;
        }

        if (!arguments.IsAtEnd)
        {
            error = "Expected set mailbox";
            return false;
        }

        result = new CopyCommand(command.IsUid, command.Name.EndsWith("MOVE", StringComparison.Ordinal), set, mailbox);
        return true;
    }
}

/// <summary>RFC 9051 §6.4.3 and RFC 4315 §2.1: <c>EXPUNGE</c> and <c>UID EXPUNGE set</c>.</summary>
public sealed record ExpungeCommand(SequenceSet? Uids)
{
    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out ExpungeCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (!command.IsUid)
        {
            if (!NoArgumentsCommand.TryParse(command, out error))
            {
                return false;
            }

            result = new ExpungeCommand(Uids: null);
            return true;
        }

        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadAtom(out var setText) || !SequenceSet.TryParse(setText, out var set) || !arguments.IsAtEnd)
        {
            error = "Expected UID EXPUNGE set";
            return false;
        }

        result = new ExpungeCommand(set);
        error = null;
        return true;
    }
}
