using System.Text;

namespace DocStore.Imap.Tests.Fetch;

/// <summary>
/// Rewrites an IMAP response value so that a quoted string and a literal holding the same
/// octets read the same (RFC 9051 §4.3: both are a string; the server may pick either).
/// Strings come out quoted with their bytes escaped; everything else is kept.
/// </summary>
internal static class ImapValueNormalizer
{
    public static string Normalize(ReadOnlySpan<byte> value)
    {
        var output = new StringBuilder();
        var position = 0;
        while (position < value.Length)
        {
            var b = value[position];
            if (b == (byte)'"')
            {
                var content = new List<byte>();
                position++;
                while (position < value.Length && value[position] != (byte)'"')
                {
                    if (value[position] == (byte)'\\')
                    {
                        position++;
                    }

                    content.Add(value[position++]);
                }

                position++;
                AppendString(output, [.. content]);
            }
            else if (b == (byte)'{')
            {
                var close = value[position..].IndexOf((byte)'}') + position;
                var length = int.Parse(Encoding.ASCII.GetString(value[(position + 1)..close]), System.Globalization.CultureInfo.InvariantCulture);
                var start = close + 3;
                AppendString(output, value.Slice(start, length));
                position = start + length;
            }
            else
            {
                output.Append((char)b);
                position++;
            }
        }

        return output.ToString();
    }

    private static void AppendString(StringBuilder output, ReadOnlySpan<byte> content)
    {
        output.Append('"');
        foreach (var b in content)
        {
            if (b is < 0x20 or >= 0x7F or (byte)'"' or (byte)'\\')
            {
                output.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:X2}");
            }
            else
            {
                output.Append((char)b);
            }
        }

        output.Append('"');
    }
}
