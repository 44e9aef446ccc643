namespace DocStore.Imap.Protocol;

/// <summary>Character classes of the RFC 9051 §9 grammar, on bytes and on chars.</summary>
internal static class ImapCharacters
{
    /// <summary>RFC 9051 §9: ATOM-CHAR is any CHAR except atom-specials.</summary>
    public static bool IsAtomChar(int c) =>
        c is > 0x20 and < 0x7F and not ('(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']');

    /// <summary>RFC 9051 §9: ASTRING-CHAR = ATOM-CHAR / resp-specials.</summary>
    public static bool IsAstringChar(int c) => c == ']' || IsAtomChar(c);

    /// <summary>RFC 9051 §9: tag = 1*&lt;any ASTRING-CHAR except "+"&gt;.</summary>
    public static bool IsTagChar(int c) => c != '+' && IsAstringChar(c);

    /// <summary>
    /// What the tokenizer lets into an atom: everything printable but the delimiters. Wider than
    /// ATOM-CHAR because flags (<c>\Seen</c>), LIST patterns (<c>%</c>, <c>*</c>) and astrings
    /// (<c>]</c>) are atoms on the wire; each command checks its own grammar.
    /// </summary>
    public static bool IsTokenAtomChar(byte b) =>
        b is > 0x20 and < 0x7F and not ((byte)'(' or (byte)')' or (byte)'{' or (byte)'"');

    public static bool IsDigit(int c) => c is >= '0' and <= '9';

    public static bool IsAstring(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsAstringChar(c))
            {
                return false;
            }
        }

        return true;
    }
}
