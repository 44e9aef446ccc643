namespace DocStore.Imap.Protocol;

/// <summary>
/// Matches mailbox names against LIST patterns (RFC 9051 §6.3.9): <c>*</c> matches any
/// characters, <c>%</c> any but the hierarchy delimiter; INBOX matches in any case (§5.1).
/// </summary>
public static class MailboxPattern
{
    /// <summary>DocStore's hierarchy delimiter (DESIGN.md: mailbox hierarchy is '/').</summary>
    public const char Delimiter = '/';

    /// <summary>Whether <paramref name="name"/> matches the canonical <paramref name="pattern"/>.</summary>
    public static bool IsMatch(string pattern, string name, char delimiter = Delimiter)
    {
        // matches[j]: pattern[i..] matches name[j..], computed from the end of the pattern
        // backwards; O(pattern × name) whatever the wildcards, so no pattern can blow up.
        var inboxLength = InboxPrefixLength(name, delimiter);
        var matches = new bool[name.Length + 1];
        matches[name.Length] = true;
        for (var i = pattern.Length - 1; i >= 0; i--)
        {
            var p = pattern[i];
            if (p is '*' or '%')
            {
                // matches[j] = matches[j] (match nothing) || (name[j] may be consumed && matches[j + 1]).
                for (var j = name.Length - 1; j >= 0; j--)
                {
                    matches[j] = matches[j] || (p == '*' || name[j] != delimiter) && matches[j + 1];
                }
            }
            else
            {
                for (var j = 0; j < name.Length; j++)
                {
                    matches[j] = matches[j + 1] && (p == name[j] || j < inboxLength && char.ToUpperInvariant(p) == char.ToUpperInvariant(name[j]));
                }

                matches[name.Length] = false;
            }
        }

        return matches[0];
    }

    /// <summary>5 when the name is INBOX or below it (in any case), else 0.</summary>
    private static int InboxPrefixLength(string name, char delimiter) =>
        name.StartsWith(MailboxName.Inbox, StringComparison.OrdinalIgnoreCase) && (name.Length == 5 || name[5] == delimiter) ? 5 : 0;
}
