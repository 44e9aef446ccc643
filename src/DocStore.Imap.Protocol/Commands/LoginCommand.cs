using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>RFC 9051 §6.2.3: <c>LOGIN userid password</c>, both astrings.</summary>
public sealed class LoginCommand
{
    private LoginCommand(string userName, string password)
    {
        UserName = userName;
        Password = password;
    }

    public string UserName { get; }

    public string Password { get; }

    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out LoginCommand? result, [NotNullWhen(false)] out string? error)
    {
        var arguments = new ImapArgumentReader(command.Arguments);
        result = null;
        if (!arguments.TryReadAString(out var userName) || !arguments.TryReadAString(out var password) || !arguments.IsAtEnd)
        {
            error = "Expected LOGIN user-name password (astrings, UTF-8)";
            return false;
        }

        result = new LoginCommand(userName, password);
        error = null;
        return true;
    }

    /// <summary>Never shows the password, so the command is safe to log.</summary>
    public override string ToString() => $"LOGIN {UserName} ***";
}
