using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>What of a body part a FETCH section names (RFC 9051 §6.4.5, section-text).</summary>
public enum FetchSectionText
{
    /// <summary>The whole part (or the whole message for an empty part path).</summary>
    None,

    /// <summary><c>HEADER</c>: the RFC 5322 header of the message or of a message/rfc822 part.</summary>
    Header,

    /// <summary><c>HEADER.FIELDS (names)</c>: only the named header fields.</summary>
    HeaderFields,

    /// <summary><c>HEADER.FIELDS.NOT (names)</c>: all header fields but the named ones.</summary>
    HeaderFieldsNot,

    /// <summary><c>TEXT</c>: the body without the header.</summary>
    Text,

    /// <summary><c>MIME</c>: the MIME header of a part; only after a part number.</summary>
    Mime,
}

/// <summary>
/// A FETCH section (RFC 9051 §6.4.5 section-spec, RFC 3516 section-binary): the part path
/// (<c>1.2</c>; empty for the message itself) and the text it names. Header field names keep
/// the client's spelling, for the response echoes them.
/// </summary>
public sealed class FetchSection
{
    private static readonly IReadOnlyList<string> NoFields = [];

    private FetchSection(uint[] part, FetchSectionText text, IReadOnlyList<string> headerFields)
    {
        Part = part;
        Text = text;
        HeaderFields = headerFields;
    }

    /// <summary>The part numbers from the outside in; empty for the whole message.</summary>
    public uint[] Part { get; }

    public FetchSectionText Text { get; }

    /// <summary>The names of HEADER.FIELDS or HEADER.FIELDS.NOT as sent; empty otherwise.</summary>
    public IReadOnlyList<string> HeaderFields { get; }

    /// <summary>
    /// Whether the section includes a header field of this name: field names compare without
    /// regard to case (RFC 5322 §1.2.2). True for every field unless HEADER.FIELDS[.NOT].
    /// </summary>
    public bool IncludesHeaderField(string name) => Text switch
    {
        FetchSectionText.HeaderFields => HeaderFields.Contains(name, StringComparer.OrdinalIgnoreCase),
        FetchSectionText.HeaderFieldsNot => !HeaderFields.Contains(name, StringComparer.OrdinalIgnoreCase),
        _ => true,
    };

    /// <summary>
    /// Parses the arguments inside the brackets. <paramref name="binary"/>: RFC 3516 §4.3's
    /// section-binary, a part path and nothing else.
    /// </summary>
    internal static bool TryParse(IReadOnlyList<ImapArgument> items, bool binary, [NotNullWhen(true)] out FetchSection? section, [NotNullWhen(false)] out string? error)
    {
        section = null;
        if (items.Count == 0)
        {
            section = new FetchSection([], FetchSectionText.None, NoFields);
            error = null;
            return true;
        }

        if (items[0].Kind != ImapArgumentKind.Atom)
        {
            error = "Invalid section";
            return false;
        }

        var components = items[0].Atom!.Split('.');
        var part = new List<uint>();
        var index = 0;
        while (index < components.Length && components[index].Length > 0 && char.IsAsciiDigit(components[index][0]))
        {
            if (!TryParseNzNumber(components[index], out var number))
            {
                error = "Section part numbers are 1 to 4294967295";
                return false;
            }

            part.Add(number);
            index++;
        }

        var textName = string.Join('.', components[index..]).ToUpperInvariant();
        FetchSectionText? text = textName switch
        {
            "" => FetchSectionText.None,
            "HEADER" => FetchSectionText.Header,
            "HEADER.FIELDS" => FetchSectionText.HeaderFields,
            "HEADER.FIELDS.NOT" => FetchSectionText.HeaderFieldsNot,
            "TEXT" => FetchSectionText.Text,
            "MIME" when part.Count > 0 => FetchSectionText.Mime,
            _ => null,
        };
        if (text is null || Array.Exists(components, c => c.Length == 0) || binary && text != FetchSectionText.None)
        {
            error = binary ? "A BINARY section is a part number only" : "Unknown section; expected HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or part.MIME";
            return false;
        }

        var fields = NoFields;
        if (text is FetchSectionText.HeaderFields or FetchSectionText.HeaderFieldsNot)
        {
            if (items.Count != 2)
            {
                error = "HEADER.FIELDS takes one list of field names";
                return false;
            }

            if (!TryParseHeaderList(items[1], out fields, out error))
            {
                return false;
            }
        }
        else if (items.Count != 1)
        {
            error = "Unexpected argument in section";
            return false;
        }

        section = new FetchSection([.. part], text.Value, fields);
        error = null;
        return true;
    }

    /// <summary>Writes the section with its brackets, e.g. <c>[1.HEADER.FIELDS (Subject)]</c>.</summary>
    public void Write(ImapResponseWriter writer)
    {
        writer.WriteRaw("["u8);
        for (var i = 0; i < Part.Length; i++)
        {
            if (i > 0)
            {
                writer.WriteRaw("."u8);
            }

            writer.WriteNumber((ulong)Part[i]);
        }

        if (Text != FetchSectionText.None)
        {
            if (Part.Length > 0)
            {
                writer.WriteRaw("."u8);
            }

            writer.WriteAtom(TextName(Text));
        }

        if (Text is FetchSectionText.HeaderFields or FetchSectionText.HeaderFieldsNot)
        {
            writer.WriteSpace();
            writer.OpenList();
            for (var i = 0; i < HeaderFields.Count; i++)
            {
                if (i > 0)
                {
                    writer.WriteSpace();
                }

                writer.WriteAString(HeaderFields[i]);
            }

            writer.CloseList();
        }

        writer.WriteRaw("]"u8);
    }

    /// <summary>The section as a client writes it, without brackets, e.g. <c>1.2.MIME</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(string.Join('.', Part));
        if (Text != FetchSectionText.None)
        {
            builder.Append(Part.Length > 0 ? "." : "").Append(TextName(Text));
        }

        if (HeaderFields.Count > 0)
        {
            builder.Append(" (").AppendJoin(' ', HeaderFields).Append(')');
        }

        return builder.ToString();
    }

    private static string TextName(FetchSectionText text) => text switch
    {
        FetchSectionText.Header => "HEADER",
        FetchSectionText.HeaderFields => "HEADER.FIELDS",
        FetchSectionText.HeaderFieldsNot => "HEADER.FIELDS.NOT",
        FetchSectionText.Text => "TEXT",
        _ => "MIME",
    };

    private static bool TryParseHeaderList(ImapArgument list, out IReadOnlyList<string> fields, [NotNullWhen(false)] out string? error)
    {
        fields = NoFields;
        if (list.Kind != ImapArgumentKind.List || list.Items.Count == 0)
        {
            error = "HEADER.FIELDS takes a non-empty list of field names";
            return false;
        }

        var names = new List<string>(list.Items.Count);
        foreach (var item in list.Items)
        {
            if (!item.TryGetAString(out var name) || !IsHeaderFieldName(name))
            {
                error = "Invalid header field name";
                return false;
            }

            names.Add(name);
        }

        fields = names;
        error = null;
        return true;
    }

    /// <summary>
    /// RFC 9051 §9 header-fld-name is an astring; RFC 5322 §3.6.8 field-name is printable ASCII
    /// but ':', so anything else could never match and is refused.
    /// </summary>
    internal static bool IsHeaderFieldName(string name) =>
        name.Length > 0 && !name.AsSpan().ContainsAnyExceptInRange('!', '~') && !name.Contains(':', StringComparison.Ordinal);

    /// <summary>RFC 9051 §9 nz-number: no leading zero, 1 to 4294967295.</summary>
    internal static bool TryParseNzNumber(string text, out uint value)
    {
        value = 0;
        return text.Length is > 0 and <= 10 && text[0] != '0' && !text.AsSpan().ContainsAnyExceptInRange('0', '9') &&
            uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}

/// <summary>
/// RFC 9051 §6.4.5 partial, <c>&lt;origin.length&gt;</c>: number64 and nz-number64 (RFC 3516 §4.3
/// has the same form for BINARY). The response echoes only the origin.
/// </summary>
public readonly record struct FetchPartial(ulong Origin, ulong Length)
{
    /// <summary>Parses the text between the angle brackets, e.g. <c>0.1024</c>.</summary>
    internal static bool TryParse(string text, out FetchPartial partial)
    {
        partial = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || !TryParseNumber64(text[..dot], out var origin) || !TryParseNumber64(text[(dot + 1)..], out var length) ||
            length == 0 || text[dot + 1] == '0')
        {
            return false;
        }

        partial = new FetchPartial(origin, length);
        return true;
    }

    /// <summary>RFC 9051 §9 number64: digits, at most 2^63 - 1.</summary>
    internal static bool TryParseNumber64(string text, out ulong value)
    {
        value = 0;
        return text.Length is > 0 and <= 19 && !text.AsSpan().ContainsAnyExceptInRange('0', '9') &&
            ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= long.MaxValue;
    }
}
