using System.Text;

namespace DocStore.Imap.Search;

/// <summary>
/// The "base subject" of RFC 5256 §2.1, which SORT (SUBJECT) and THREAD compare, and whether the
/// extraction removed a reply or forward marker (what the REFERENCES algorithm calls "a reply or
/// forward"): a subj-refwd, a "(fwd)" trailer, or a "[fwd: ...]" wrapper.
/// </summary>
internal static class BaseSubject
{
    /// <summary>Extracts the base subject from a decoded (RFC 2047) subject; null is the empty subject.</summary>
    public static string Extract(string? subject, out bool isReplyOrForward)
    {
        isReplyOrForward = false;
        var s = Normalize(subject ?? "");
        while (true)
        {
            // (2) Remove trailing "(fwd)" and WSP, repeatedly.
            while (true)
            {
                if (s.EndsWith(' '))
                {
                    s = s[..^1];
                }
                else if (s.EndsWith("(fwd)", StringComparison.OrdinalIgnoreCase))
                {
                    s = s[..^5];
                    isReplyOrForward = true;
                }
                else
                {
                    break;
                }
            }

            // (3) subj-leader and (4) a leading subj-blob, until neither matches (5).
            bool changed;
            do
            {
                changed = false;
                if (s.StartsWith(' '))
                {
                    s = s[1..];
                    changed = true;
                }
                else if (MatchLeader(s) is var leader and > 0)
                {
                    s = s[leader..];
                    isReplyOrForward = true;
                    changed = true;
                }

                // (4) Only when what remains is a non-empty subj-base.
                if (MatchBlob(s, 0) is var blob and > 0 && s.AsSpan(blob).ContainsAnyExcept(' '))
                {
                    s = s[blob..];
                    changed = true;
                }
            }
            while (changed);

            // (6) "[fwd:" subject "]": unwrap and start again from (2).
            if (s.Length >= 6 && s.StartsWith("[fwd:", StringComparison.OrdinalIgnoreCase) && s.EndsWith(']'))
            {
                s = s[5..^1];
                isReplyOrForward = true;
                continue;
            }
            return s;
        }
    }

    /// <summary>
    /// The collation key of RFC 5256 §7, compared by code point: every character upper-cased by
    /// Unicode's simple case mapping. This is i;unicode-casemap (RFC 5051) without its
    /// compatibility decomposition, which the host's invariant globalization does not offer:
    /// "Müller" and "MÜLLER" collate together, a ligature and its letters do not.
    /// </summary>
    public static string CollationKey(string? value) => string.IsNullOrEmpty(value) ? "" : value.ToUpperInvariant();

    // (1) Tabs and continuations become a space; runs of spaces become one.
    private static string Normalize(string subject)
    {
        var text = new StringBuilder(subject.Length);
        foreach (var c in subject)
        {
            var space = c is ' ' or '\t' or '\r' or '\n';
            if (!space)
            {
                text.Append(c);
            }
            else if (text.Length == 0 || text[^1] != ' ')
            {
                text.Append(' ');
            }
        }
        return text.ToString();
    }

    // subj-leader = *subj-blob subj-refwd; subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
    private static int MatchLeader(string s)
    {
        var i = 0;
        while (MatchBlob(s, i) is var blob and > 0)
        {
            i += blob;
        }
        int word;
        if (string.Compare(s, i, "re", 0, 2, StringComparison.OrdinalIgnoreCase) == 0)
        {
            word = 2;
        }
        else if (string.Compare(s, i, "fwd", 0, 3, StringComparison.OrdinalIgnoreCase) == 0)
        {
            word = 3;
        }
        else if (string.Compare(s, i, "fw", 0, 2, StringComparison.OrdinalIgnoreCase) == 0)
        {
            word = 2;
        }
        else
        {
            return 0;
        }
        i += word;
        while (i < s.Length && s[i] == ' ')
        {
            i++;
        }
        i += MatchBlob(s, i);
        return i < s.Length && s[i] == ':' ? i + 1 : 0;
    }

    // subj-blob = "[" *BLOBCHAR "]" *WSP: its length at position i, 0 when none.
    private static int MatchBlob(string s, int i)
    {
        if (i >= s.Length || s[i] != '[')
        {
            return 0;
        }
        var close = s.IndexOfAny(['[', ']'], i + 1);
        if (close < 0 || s[close] != ']')
        {
            return 0;
        }
        var end = close + 1;
        while (end < s.Length && s[end] == ' ')
        {
            end++;
        }
        return end - i;
    }
}
