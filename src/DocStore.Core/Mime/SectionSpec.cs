namespace DocStore.Core.Mime;

/// <summary>The text part of a section specifier (RFC 9051 §6.4.5 section-text).</summary>
public enum SectionText
{
    /// <summary>No text part: the whole message, or the body of the numbered part.</summary>
    None,

    /// <summary>HEADER: the header of the message or of an embedded message.</summary>
    Header,

    /// <summary>HEADER.FIELDS (list): only the named header fields.</summary>
    HeaderFields,

    /// <summary>HEADER.FIELDS.NOT (list): all but the named header fields.</summary>
    HeaderFieldsNot,

    /// <summary>TEXT: the body of the message or of an embedded message.</summary>
    Text,

    /// <summary>MIME: the MIME header of the numbered part.</summary>
    Mime,
}

/// <summary>
/// A parsed section specifier of BODY[...] and BINARY[...] (RFC 9051 §6.4.5, RFC 3516 §4.1):
/// part numbers, an optional text part and, for HEADER.FIELDS, the field names.
/// </summary>
public sealed record SectionSpec(IReadOnlyList<int> Part, SectionText Text, IReadOnlyList<string> Fields)
{
    /// <summary>The empty specifier: the whole message.</summary>
    public static SectionSpec Whole { get; } = new([], SectionText.None, []);

    /// <summary>
    /// Parses what stands between the brackets, e.g. <c>1.2.HEADER.FIELDS (From To)</c>;
    /// false when it is not a valid section-spec.
    /// </summary>
    public static bool TryParse(string text, out SectionSpec section)
    {
        section = Whole;
        var parts = new List<int>();
        var position = 0;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            var start = position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            // RFC 9051 §9: section-part = nz-number *("." nz-number).
            if (text[start] == '0' || !int.TryParse(text.AsSpan(start, position - start), out var number))
            {
                return false;
            }

            parts.Add(number);
            if (position < text.Length && text[position] == '.')
            {
                position++;
            }
            else
            {
                break;
            }
        }

        var rest = text[position..];
        if (rest.Length == 0)
        {
            // A trailing dot ("1.") is not a section.
            if (text.Length > 0 && text[^1] == '.')
            {
                return false;
            }

            section = new SectionSpec(parts, SectionText.None, []);
            return true;
        }

        SectionText kind;
        IReadOnlyList<string> fields = [];
        switch (rest.ToUpperInvariant())
        {
            case "HEADER":
                kind = SectionText.Header;
                break;
            case "TEXT":
                kind = SectionText.Text;
                break;
            case "MIME" when parts.Count > 0:
                kind = SectionText.Mime;
                break;
            default:
                if (!TryParseFieldList(rest, out kind, out fields))
                {
                    return false;
                }

                break;
        }

        section = new SectionSpec(parts, kind, fields);
        return true;
    }

    private static bool TryParseFieldList(string rest, out SectionText kind, out IReadOnlyList<string> fields)
    {
        fields = [];
        kind = SectionText.HeaderFields;
        const string fieldsPrefix = "HEADER.FIELDS ";
        const string notPrefix = "HEADER.FIELDS.NOT ";
        string list;
        if (rest.StartsWith(notPrefix, StringComparison.OrdinalIgnoreCase))
        {
            kind = SectionText.HeaderFieldsNot;
            list = rest[notPrefix.Length..];
        }
        else if (rest.StartsWith(fieldsPrefix, StringComparison.OrdinalIgnoreCase))
        {
            list = rest[fieldsPrefix.Length..];
        }
        else
        {
            return false;
        }

        if (list.Length < 2 || list[0] != '(' || list[^1] != ')')
        {
            return false;
        }

        var names = list[1..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(n => n.Length >= 2 && n[0] == '"' && n[^1] == '"' ? n[1..^1] : n)
            .ToList();
        fields = names;
        return names.Count > 0;
    }
}
