using System.Text;

namespace DocStore.Core.Mime;

/// <summary>
/// A cursor over an unfolded structured header value (RFC 5322 §3.2, RFC 2045 §5.1). Methods
/// consume one token and the CFWS after it; they are lenient, because mail in the wild is not
/// well formed and filing must never fail on it.
/// </summary>
internal sealed class Rfc822Lexer(string text)
{
    public int Position { get; set; }

    /// <summary>The text of the last comment skipped, used as a name for <c>user@host (Name)</c>.</summary>
    public string? LastComment { get; private set; }

    public bool AtEnd => Position >= text.Length;

    public char Current => text[Position];

    public bool Is(char c) => Position < text.Length && text[Position] == c;

    /// <summary>RFC 5322 §3.2.3 atext, with RFC 6532 8-bit (UTF-8) text.</summary>
    public static bool IsAtext(char c) => c >= 0x80 || (c > ' ' && c < 0x7F && !IsSpecial(c));

    /// <summary>RFC 2045 §5.1 token: atext without tspecials, plus the dot.</summary>
    public static bool IsTokenChar(char c) => c == '.' || (IsAtext(c) && c is not ('/' or '?' or '='));

    /// <summary>Skips white space and (nested) comments; false at the end or on an open comment.</summary>
    public bool SkipCfws()
    {
        while (Position < text.Length)
        {
            var c = text[Position];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                Position++;
            }
            else if (c == '(')
            {
                if (!SkipComment())
                {
                    return false;
                }
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    public void ClearLastComment() => LastComment = null;

    /// <summary>RFC 2045 token; empty when none.</summary>
    public string ReadToken() => ReadWhile(IsTokenChar);

    /// <summary>RFC 5322 dot-atom, allowing CFWS around the dots as RFC 822 did.</summary>
    public string? ReadDotAtom()
    {
        if (AtEnd || !IsAtext(Current))
        {
            return null;
        }

        var result = new StringBuilder();
        while (true)
        {
            result.Append(ReadWhile(IsAtext));
            if (!Is('.'))
            {
                return result.ToString();
            }

            Position++;
            result.Append('.');
            SkipCfws();
            if (AtEnd || !IsAtext(Current))
            {
                return result.ToString();
            }
        }
    }

    /// <summary>RFC 5322 quoted-string: the content without quotes, quoted-pairs undone.</summary>
    public string? ReadQuotedString()
    {
        var result = new StringBuilder();
        Position++;
        while (Position < text.Length)
        {
            var c = text[Position++];
            if (c == '"')
            {
                SkipCfws();
                return result.ToString();
            }

            if (c == '\\')
            {
                if (Position >= text.Length)
                {
                    return null;
                }

                c = text[Position++];
            }

            result.Append(c);
        }

        return null;
    }

    /// <summary>
    /// RFC 5322 phrase (with obs-phrase's dots): words joined by one space, quoted-strings
    /// unquoted, encoded-words left as they are. Null when there is no word.
    /// </summary>
    public string? ReadPhrase()
    {
        if (AtEnd || Current == '.')
        {
            return null;
        }

        var result = new StringBuilder();
        var first = true;
        while (!AtEnd)
        {
            string? word;
            if (Current == '"')
            {
                word = ReadQuotedString();
                if (word is null)
                {
                    return null;
                }
            }
            else
            {
                word = ReadWhile(c => IsAtext(c) || c == '.');
                if (word.Length == 0)
                {
                    break;
                }
            }

            if (!first)
            {
                result.Append(' ');
            }

            result.Append(word);
            first = false;
            if (AtEnd || !(IsAtext(Current) || Current is '"' or '.'))
            {
                break;
            }
        }

        return result.ToString();
    }

    /// <summary>RFC 5322 domain after the '@': a dot-atom or a [domain-literal] kept with brackets.</summary>
    public string? ReadDomain()
    {
        Position++;
        if (!SkipCfws())
        {
            return null;
        }

        if (Current != '[')
        {
            return ReadDotAtom();
        }

        var start = Position;
        while (Position < text.Length)
        {
            var c = text[Position++];
            if (c == '\\')
            {
                Position++;
            }
            else if (c == ']')
            {
                var literal = text[start..Position];
                SkipCfws();
                return literal;
            }
        }

        return null;
    }

    /// <summary>The rest of the text from the current position up to a stop character.</summary>
    public string ReadUntil(Func<char, bool> stop) => ReadWhile(c => !stop(c));

    private static bool IsSpecial(char c) =>
        c is '(' or ')' or '<' or '>' or '[' or ']' or ':' or ';' or '@' or '\\' or ',' or '.' or '"';

    private string ReadWhile(Func<char, bool> accept)
    {
        var start = Position;
        while (Position < text.Length && accept(text[Position]))
        {
            Position++;
        }

        var token = text[start..Position];
        SkipCfws();
        return token;
    }

    private bool SkipComment()
    {
        var depth = 0;
        var comment = new StringBuilder();
        while (Position < text.Length)
        {
            var c = text[Position++];
            if (c == '\\' && Position < text.Length)
            {
                comment.Append(text[Position++]);
                continue;
            }

            if (c == '(')
            {
                depth++;
                if (depth == 1)
                {
                    continue;
                }
            }
            else if (c == ')')
            {
                depth--;
                if (depth == 0)
                {
                    LastComment = comment.ToString();
                    return true;
                }
            }

            comment.Append(c);
        }

        return false;
    }
}
