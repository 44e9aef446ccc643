using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// One message of an APPEND: its flags, its internal date if given, and its data, an in-memory
/// literal (<see cref="ImapArgument.Bytes"/>) or one the caller streamed
/// (<see cref="ImapArgumentKind.StreamedLiteral"/>, <see cref="ImapArgument.Size"/>).
/// </summary>
public sealed record AppendMessage(IReadOnlyList<string> Flags, DateTimeOffset? InternalDate, ImapArgument Data)
{
    /// <summary>Sent as literal8 (RFC 3516 §4.4): the data may hold NUL and bare 8-bit.</summary>
    public bool IsBinary => Data.IsBinary;
}

/// <summary>
/// RFC 9051 §6.3.12: <c>APPEND mailbox [flags] [date-time] literal</c>, repeated for RFC 3502
/// MULTIAPPEND. CATENATE (RFC 4469) is not supported and is refused.
/// </summary>
public sealed record AppendCommand(string Mailbox, IReadOnlyList<AppendMessage> Messages)
{
    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out AppendCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadMailbox(utf8Accept, out var mailbox, out error))
        {
            return false;
        }

        var messages = new List<AppendMessage>();
        while (!arguments.IsAtEnd)
        {
            if (!TryReadMessage(arguments, out var message, out error))
            {
                return false;
            }

            messages.Add(message);
        }

        if (messages.Count == 0)
        {
            error = "Expected APPEND mailbox [(flags)] [date-time] literal";
            return false;
        }

        result = new AppendCommand(mailbox, messages);
        return true;
    }

    internal static bool TryReadMessage(ImapArgumentReader arguments, [NotNullWhen(true)] out AppendMessage? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        IReadOnlyList<string> flags = [];
        if (arguments.TryReadList(out var flagItems))
        {
            if (!ImapFlags.TryParseList(flagItems, out var parsedFlags, out error))
            {
                return false;
            }

            flags = parsedFlags;
        }

        DateTimeOffset? date = null;
        if (arguments.Peek() is { Kind: ImapArgumentKind.Quoted })
        {
            if (!arguments.TryReadString(out var dateText) || !ImapDates.TryParseDateTime(dateText, out var parsed))
            {
                error = "Invalid date-time";
                return false;
            }

            date = parsed;
        }

        if (!arguments.TryRead(out var data) || data.Kind is not (ImapArgumentKind.Literal or ImapArgumentKind.Literal8 or ImapArgumentKind.StreamedLiteral))
        {
            error = "Expected the message as a literal";
            return false;
        }

        message = new AppendMessage(flags, date, data);
        error = null;
        return true;
    }
}
