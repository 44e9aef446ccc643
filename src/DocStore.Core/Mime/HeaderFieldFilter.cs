using System.Buffers;

namespace DocStore.Core.Mime;

/// <summary>
/// HEADER.FIELDS and HEADER.FIELDS.NOT (RFC 9051 §6.4.5): the header fields whose names match
/// (or do not match) the list, ignoring case, as the original bytes with their continuation
/// lines, followed by the blank line that ends a header.
/// </summary>
internal static class HeaderFieldFilter
{
    public static byte[] Filter(ReadOnlySpan<byte> header, IReadOnlyList<string> names, bool keep)
    {
        var output = new ArrayBufferWriter<byte>(header.Length + 2);
        Filter(header, names, keep, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the filtered header to <paramref name="output"/>: each kept field is copied whole
    /// (its continuation lines included) straight from <paramref name="header"/>, without a
    /// buffer of its own; a first sync filters every message's header this way.
    /// </summary>
    public static void Filter(ReadOnlySpan<byte> header, IReadOnlyList<string> names, bool keep, IBufferWriter<byte> output)
    {
        var position = 0;
        while (position < header.Length)
        {
            var fieldEnd = FieldEnd(header, position);
            var field = header[position..fieldEnd];
            if (IsBlankLine(field))
            {
                break;
            }

            if (Matches(field, names) == keep)
            {
                output.Write(field);
                if (field[^1] != (byte)'\n')
                {
                    output.Write("\r\n"u8);
                }
            }

            position = fieldEnd;
        }

        output.Write("\r\n"u8);
    }

    /// <summary>The end of a field: past its line and every continuation line (RFC 5322 §2.2.3).</summary>
    private static int FieldEnd(ReadOnlySpan<byte> header, int start)
    {
        var position = start;
        while (true)
        {
            var lineFeed = header[position..].IndexOf((byte)'\n');
            if (lineFeed < 0)
            {
                return header.Length;
            }

            position += lineFeed + 1;
            if (position >= header.Length || header[position] is not ((byte)' ' or (byte)'\t'))
            {
                return position;
            }
        }
    }

    private static bool IsBlankLine(ReadOnlySpan<byte> line) =>
        line.SequenceEqual("\r\n"u8) || line.SequenceEqual("\n"u8);

    private static bool Matches(ReadOnlySpan<byte> field, IReadOnlyList<string> names)
    {
        var colon = field.IndexOf((byte)':');
        if (colon < 0)
        {
            return false;
        }

        var name = field[..colon].TrimEnd(" \t"u8);
        // By index: a foreach over the interface would allocate an enumerator per header field.
        for (var i = 0; i < names.Count; i++)
        {
            var candidate = names[i];
            if (name.Length == candidate.Length && System.Text.Ascii.EqualsIgnoreCase(name, candidate))
            {
                return true;
            }
        }

        return false;
    }
}
