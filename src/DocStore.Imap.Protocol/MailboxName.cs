using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace DocStore.Imap.Protocol;

/// <summary>
/// Mailbox names as they arrive in commands (RFC 9051 §5.1): INBOX is case-insensitive, other
/// names are modified UTF-7 before UTF-8 is enabled and UTF-8 after (RFC 6855 §3).
/// </summary>
public static class MailboxName
{
    public const string Inbox = "INBOX";

    /// <summary>RFC 9051 §9: all case variants of INBOX are INBOX.</summary>
    public static bool IsInbox(string name) => name.Equals(Inbox, StringComparison.OrdinalIgnoreCase);

    /// <summary>Decodes a mailbox argument's wire bytes into the name the store uses.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> wire, bool utf8Accept, [NotNullWhen(true)] out string? name, [NotNullWhen(false)] out string? error)
    {
        name = null;
        if (utf8Accept)
        {
            if (!Utf8.IsValid(wire))
            {
                error = "Mailbox name is not valid UTF-8";
                return false;
            }

            name = Encoding.UTF8.GetString(wire);
        }
        else
        {
            if (!Ascii.IsValid(wire))
            {
                error = "Mailbox name has 8-bit characters but UTF-8 is not enabled (modified UTF-7 expected)";
                return false;
            }

            if (!ModifiedUtf7.TryDecode(Encoding.ASCII.GetString(wire), out name, out error))
            {
                return false;
            }
        }

        // RFC 9051 §5.1 and RFC 5198: control characters have no place in a mailbox name.
        if (name.AsSpan().ContainsAnyInRange('\0', '\u001f') || name.Contains('\u007f', StringComparison.Ordinal))
        {
            name = null;
            error = "Mailbox name contains a control character";
            return false;
        }

        name = IsInbox(name) ? Inbox : name;
        error = null;
        return true;
    }
}
