using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// RFC 9051 §6.3.4: <c>CREATE mailbox</c>, with RFC 6154 §3's <c>(USE (\Sent ...))</c>. The
/// special-use attributes are returned as sent; the handler refuses ones it does not support
/// with <c>NO [USEATTR]</c>.
/// </summary>
public sealed record CreateCommand(string Mailbox, IReadOnlyList<string> SpecialUse)
{
    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out CreateCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadMailbox(utf8Accept, out var mailbox, out error))
        {
            return false;
        }

        var uses = new List<string>();
        if (arguments.TryReadList(out var parameters))
        {
            var reader = new ImapArgumentReader(parameters);
            if (!reader.TryReadWord("USE") || !reader.TryReadList(out var attributes) || !reader.IsAtEnd)
            {
                error = "Expected CREATE mailbox [(USE (attributes))]";
                return false;
            }

            foreach (var attribute in attributes)
            {
                if (attribute.Kind != ImapArgumentKind.Atom || !ImapFlags.IsExtensionFlag(attribute.Atom!))
                {
                    error = "Special-use attributes are \\atoms";
                    return false;
                }

                uses.Add(attribute.Atom!);
            }
        }

        if (!arguments.IsAtEnd)
        {
            error = "Expected CREATE mailbox [(USE (attributes))]";
            return false;
        }

        result = new CreateCommand(mailbox, uses);
        return true;
    }
}
