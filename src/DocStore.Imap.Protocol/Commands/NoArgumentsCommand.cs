using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// The commands that take no arguments: CAPABILITY, NOOP, LOGOUT, STARTTLS (RFC 9051 §6.1,
/// §6.2.1), CHECK, CLOSE, UNSELECT, EXPUNGE, IDLE, NAMESPACE. Anything after the name is BAD.
/// </summary>
public static class NoArgumentsCommand
{
    public static bool TryParse(ImapCommand command, [NotNullWhen(false)] out string? error)
    {
        error = command.Arguments.Count == 0 ? null : $"{command.Name} takes no arguments";
        return error is null;
    }
}
