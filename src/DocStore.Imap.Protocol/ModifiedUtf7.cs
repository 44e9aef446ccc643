using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace DocStore.Imap.Protocol;

/// <summary>
/// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3): printable ASCII stands for itself,
/// <c>&amp;</c> is <c>&amp;-</c>, everything else is UTF-16BE in modified base64 (',' for '/',
/// no padding) between <c>&amp;</c> and <c>-</c>.
/// </summary>
public static class ModifiedUtf7
{
    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (IsPrintable(c))
            {
                builder.Append(c == '&' ? "&-" : c);
                i++;
                continue;
            }

            var start = i;
            while (i < value.Length && !IsPrintable(value[i]))
            {
                i++;
            }

            var utf16 = Encoding.BigEndianUnicode.GetBytes(value, start, i - start);
            builder.Append('&')
                .Append(Convert.ToBase64String(utf16).TrimEnd('=').Replace('/', ','))
                .Append('-');
        }

        return builder.ToString();
    }

    /// <summary>
    /// Decodes a modified UTF-7 name. Only the canonical encoding is accepted (RFC 3501 §5.1.3:
    /// printable ASCII MUST NOT be encoded, "&amp;" MUST be "&amp;-"), so that one mailbox has
    /// exactly one wire name; a name that does not survive decode and re-encode is refused.
    /// </summary>
    public static bool TryDecode(string encoded, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? error)
    {
        var builder = new StringBuilder(encoded.Length);
        var i = 0;
        while (i < encoded.Length)
        {
            var c = encoded[i];
            if (!IsPrintable(c))
            {
                return Fail("Mailbox name has a character that is not printable ASCII (modified UTF-7 expected)", out value, out error);
            }

            if (c != '&')
            {
                builder.Append(c);
                i++;
                continue;
            }

            var end = encoded.IndexOf('-', i + 1);
            if (end < 0)
            {
                return Fail("Mailbox name has an unterminated modified UTF-7 sequence", out value, out error);
            }

            if (end == i + 1)
            {
                builder.Append('&');
            }
            else if (!TryDecodeBase64(encoded.AsSpan(i + 1, end - i - 1), builder))
            {
                return Fail("Mailbox name has an invalid modified UTF-7 sequence", out value, out error);
            }

            i = end + 1;
        }

        var decoded = builder.ToString();
        if (!string.Equals(Encode(decoded), encoded, StringComparison.Ordinal))
        {
            return Fail("Mailbox name is not in canonical modified UTF-7", out value, out error);
        }

        value = decoded;
        error = null;
        return true;
    }

    private static bool TryDecodeBase64(ReadOnlySpan<char> base64, StringBuilder builder)
    {
        if (base64.Length % 4 == 1 || base64.ContainsAny('/', '='))
        {
            return false;
        }

        var padded = new char[(base64.Length + 3) / 4 * 4];
        base64.CopyTo(padded);
        padded.AsSpan(base64.Length).Fill('=');
        padded.AsSpan().Replace(',', '/');
        var bytes = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64Chars(padded, bytes, out var length) || length % 2 != 0)
        {
            return false;
        }

        builder.Append(Encoding.BigEndianUnicode.GetString(bytes, 0, length));
        return true;
    }

    private static bool IsPrintable(char c) => c is >= ' ' and <= '~';

    private static bool Fail(string reason, out string? value, out string? error)
    {
        value = null;
        error = reason;
        return false;
    }
}
