using System.Text;

namespace DocStore.Core.Mime;

/// <summary>Turns raw header bytes into the strings IMAP sends: unfolded, never decoded.</summary>
internal static class HeaderText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The field value after the colon: leading white space skipped, folding line breaks removed
    /// (RFC 5322 §2.2.3 unfolding keeps the white space that follows them).
    /// </summary>
    public static string Unfold(ReadOnlySpan<byte> rawValue)
    {
        var start = 0;
        while (start < rawValue.Length && rawValue[start] is (byte)' ' or (byte)'\t')
        {
            start++;
        }

        var value = rawValue[start..];
        Span<byte> buffer = value.Length <= 1024 ? stackalloc byte[value.Length] : new byte[value.Length];
        var length = 0;
        foreach (var b in value)
        {
            if (b is not ((byte)'\r' or (byte)'\n'))
            {
                buffer[length++] = b;
            }
        }

        return Decode(buffer[..length]);
    }

    /// <summary>
    /// RFC 6532 allows UTF-8 in header fields; anything else 8-bit is legacy mail in an unknown
    /// charset, read as ISO-8859-1 so that no byte is lost. NUL cannot be stored in a PostgreSQL
    /// jsonb string and becomes U+FFFD.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            text = Encoding.Latin1.GetString(bytes);
        }

        return text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;
    }

    /// <summary>
    /// Text meant for people (the subject, display names): runs of spaces and tabs become one
    /// space and the ends are trimmed, so that clients show what the sender meant.
    /// </summary>
    public static string ForHumans(string value)
    {
        var result = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                pendingSpace = result.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                result.Append(' ');
                pendingSpace = false;
            }

            result.Append(c);
        }

        return result.ToString();
    }
}
