using MimeKit;

namespace DocStore.Core.Mime;

/// <summary>
/// The Content-* fields of one MIME entity (RFC 2045 §5-8, RFC 2183, RFC 3282, RFC 2557),
/// read from the raw header lines; the first occurrence of each field counts.
/// </summary>
internal sealed class ContentHeaders
{
    public string Type { get; private set; } = "text";

    public string Subtype { get; private set; } = "plain";

    public IReadOnlyList<MimeParameter> Parameters { get; private set; } = [];

    public string? Id { get; private set; }

    public string? Description { get; private set; }

    public string? Encoding { get; private set; }

    public string? Md5 { get; private set; }

    public ContentDisposition? Disposition { get; private set; }

    public IReadOnlyList<string>? Language { get; private set; }

    public string? Location { get; private set; }

    /// <param name="headers">The entity's header lines.</param>
    /// <param name="inDigest">
    /// RFC 2046 §5.1.5: in a multipart/digest the default type is message/rfc822.
    /// </param>
    public static ContentHeaders Read(IReadOnlyList<Header> headers, bool inDigest)
    {
        var result = new ContentHeaders();
        var seenType = false;
        foreach (var header in headers)
        {
            var field = header.Field;
            if (!field.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = HeaderText.Unfold(header.RawValue);
            switch (field[8..].ToUpperInvariant())
            {
                case "TYPE" when !seenType:
                    seenType = true;
                    result.ReadType(value);
                    break;
                case "TRANSFER-ENCODING" when result.Encoding is null:
                    result.Encoding = ReadEncoding(value);
                    break;
                case "ID" when result.Id is null:
                    result.Id = value;
                    break;
                case "DESCRIPTION" when result.Description is null:
                    result.Description = value;
                    break;
                case "MD5" when result.Md5 is null:
                    result.Md5 = value;
                    break;
                case "DISPOSITION" when result.Disposition is null:
                    result.Disposition = ReadDisposition(value);
                    break;
                case "LANGUAGE" when result.Language is null:
                    result.Language = ReadLanguage(value);
                    break;
                case "LOCATION" when result.Location is null:
                    result.Location = value;
                    break;
            }
        }

        if (!seenType && inDigest)
        {
            result.Type = "message";
            result.Subtype = "rfc822";
        }

        if (result.Type.Equals("text", StringComparison.OrdinalIgnoreCase) &&
            !result.Parameters.Any(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)))
        {
            // RFC 2046 §4.1.2: a text part without charset is US-ASCII; clients are told so.
            result.Parameters = [.. result.Parameters, new MimeParameter("charset", "us-ascii")];
        }

        return result;
    }

    /// <summary>
    /// RFC 2045 §5.2: a syntactically invalid Content-Type is taken as text/plain; US-ASCII.
    /// </summary>
    private void ReadType(string value)
    {
        var lexer = new Rfc822Lexer(value);
        lexer.SkipCfws();
        var type = lexer.ReadToken();
        if (type.Length == 0 || !lexer.Is('/'))
        {
            return;
        }

        lexer.Position++;
        lexer.SkipCfws();
        var subtype = lexer.ReadToken();
        if (subtype.Length == 0)
        {
            return;
        }

        Type = type;
        Subtype = subtype;
        Parameters = MimeParameterParser.Parse(lexer);
    }

    private static string? ReadEncoding(string value)
    {
        var lexer = new Rfc822Lexer(value);
        lexer.SkipCfws();
        var token = lexer.ReadToken();
        return token.Length > 0 && lexer.AtEnd ? token : null;
    }

    private static ContentDisposition? ReadDisposition(string value)
    {
        var lexer = new Rfc822Lexer(value);
        lexer.SkipCfws();
        var type = lexer.ReadToken();
        return type.Length == 0 ? null : new ContentDisposition(type, MimeParameterParser.Parse(lexer));
    }

    /// <summary>RFC 3282: Content-Language = 1#Language-tag.</summary>
    private static List<string>? ReadLanguage(string value)
    {
        var lexer = new Rfc822Lexer(value);
        lexer.SkipCfws();
        var tags = new List<string>();
        while (true)
        {
            var tag = lexer.ReadDotAtom();
            if (tag is null)
            {
                break;
            }

            tags.Add(tag);
            if (!lexer.Is(','))
            {
                break;
            }

            lexer.Position++;
            lexer.SkipCfws();
        }

        return tags.Count > 0 ? tags : null;
    }
}
