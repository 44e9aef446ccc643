using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// RFC 8508 §3: <c>[UID] REPLACE number mailbox [flags] [date-time] literal</c>: APPEND's
/// message (see <see cref="AppendMessage"/>) to the mailbox, then the message replaced is
/// expunged. <see cref="Number"/> is a message number or UID; 0 stands for <c>*</c>.
/// </summary>
public sealed record ReplaceCommand(bool Uid, uint Number, string Mailbox, AppendMessage Message)
{
    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out ReplaceCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadAtom(out var numberText) || !SequenceSet.TryParse(numberText, out var set) || set.Ranges is not [{ First: var number } range] || range.First != range.Last)
        {
            error = "Expected REPLACE message-number mailbox message";
            return false;
        }

        if (!arguments.TryReadMailbox(utf8Accept, out var mailbox, out error) || !AppendCommand.TryReadMessage(arguments, out var message, out error))
        {
            return false;
        }

        if (!arguments.IsAtEnd)
        {
            error = "REPLACE takes one message";
            return false;
        }

        result = new ReplaceCommand(command.IsUid, number, mailbox, message);
        return true;
    }
}
