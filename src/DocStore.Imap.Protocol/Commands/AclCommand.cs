using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// RFC 4314 §2 rights: the standard <c>lrswipkxtea</c>, digits for site-defined rights, and the
/// obsolete <c>c</c> and <c>d</c> of RFC 2086, which clients still send (§2.1.1).
/// </summary>
public static class AclRights
{
    /// <summary>The standard rights of RFC 4314 §2.1, in the RFC's order.</summary>
    public const string Standard = "lrswipkxtea";

    /// <summary>
    /// Validates a rights string and returns it with <c>c</c> read as <c>kx</c> and <c>d</c> as
    /// <c>et</c> (RFC 4314 §2.1.1, the reading of its own example), each right once, in the order
    /// first given. Upper case is refused (§2.1: rights are lower case).
    /// </summary>
    public static bool TryNormalize(string text, [NotNullWhen(true)] out string? rights)
    {
        rights = null;
        var result = string.Empty;
        foreach (var c in text)
        {
            var expanded = c switch
            {
                'c' => "kx",
                'd' => "et",
                _ when Standard.Contains(c, StringComparison.Ordinal) || char.IsAsciiDigit(c) => c.ToString(),
                _ => null,
            };
            if (expanded is null)
            {
                return false;
            }

            foreach (var right in expanded)
            {
                if (!result.Contains(right, StringComparison.Ordinal))
                {
                    result += right;
                }
            }
        }

        rights = result;
        return true;
    }
}

/// <summary>How SETACL changes an identifier's rights (RFC 4314 §3.1).</summary>
public enum AclModification
{
    /// <summary>Bare rights: replace.</summary>
    Replace,

    /// <summary><c>+rights</c>: add.</summary>
    Add,

    /// <summary><c>-rights</c>: remove.</summary>
    Remove,
}

/// <summary>
/// RFC 4314 §3.1: <c>SETACL mailbox identifier mod-rights</c>. The identifier is as sent; a
/// leading <c>-</c> on it means negative rights (§2), which the handler may refuse.
/// </summary>
public sealed record SetAclCommand(string Mailbox, string Identifier, AclModification Modification, string Rights)
{
    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out SetAclCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadMailbox(utf8Accept, out var mailbox, out error))
        {
            return false;
        }

        if (!arguments.TryReadAString(out var identifier) || !arguments.TryReadAString(out var modRights) || !arguments.IsAtEnd)
        {
            error = "Expected SETACL mailbox identifier rights";
            return false;
        }

        var modification = modRights.StartsWith('+') ? AclModification.Add : modRights.StartsWith('-') ? AclModification.Remove : AclModification.Replace;
        if (!AclRights.TryNormalize(modification == AclModification.Replace ? modRights : modRights[1..], out var rights))
        {
            error = "Rights are the letters lrswipkxtea (and c, d) or digits, optionally after + or -";
            return false;
        }

        result = new SetAclCommand(mailbox, identifier, modification, rights);
        return true;
    }
}

/// <summary>RFC 4314 §3.2 and §3.4: <c>DELETEACL mailbox identifier</c> and <c>LISTRIGHTS mailbox identifier</c>.</summary>
public sealed record AclIdentifierCommand(string Mailbox, string Identifier)
{
    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out AclIdentifierCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadMailbox(utf8Accept, out var mailbox, out error))
        {
            return false;
        }

        if (!arguments.TryReadAString(out var identifier) || !arguments.IsAtEnd)
        {
            error = $"Expected {command.Name} mailbox identifier";
            return false;
        }

        result = new AclIdentifierCommand(mailbox, identifier);
        return true;
    }
}
