using System.Globalization;

namespace DocStore.Core.Mime;

/// <summary>
/// Parses the parameter list of Content-Type and Content-Disposition (RFC 2045 §5.1) and joins
/// RFC 2231 continuations. Values are not decoded: IMAP clients get <c>name*</c> with the
/// charset'language' prefix and the percent-encoding as written (RFC 2231 §4), the way the
/// reference server sends them.
/// </summary>
internal static class MimeParameterParser
{
    public static IReadOnlyList<MimeParameter> Parse(Rfc822Lexer lexer)
    {
        var plain = new List<MimeParameter>();
        var sections = new List<Section>();
        while (!lexer.AtEnd)
        {
            if (!lexer.Is(';'))
            {
                // Garbage between parameters: resynchronise on the next ';'.
                lexer.Position++;
                continue;
            }

            lexer.Position++;
            lexer.SkipCfws();
            var name = lexer.ReadToken();
            if (name.Length == 0 || !lexer.Is('='))
            {
                continue;
            }

            lexer.Position++;
            var value = ReadValue(lexer);
            if (value is null)
            {
                continue;
            }

            if (TryParseSection(name, value, out var section))
            {
                sections.Add(section);
            }
            else
            {
                plain.Add(new MimeParameter(name, value));
            }
        }

        if (sections.Count > 0)
        {
            Join(sections, plain);
        }

        return plain;
    }

    private static string? ReadValue(Rfc822Lexer lexer)
    {
        if (!lexer.SkipCfws())
        {
            return lexer.AtEnd ? string.Empty : null;
        }

        if (lexer.Current == '"')
        {
            return lexer.ReadQuotedString();
        }

        if (lexer.Current == '=')
        {
            // Note: broken senders write name==?utf-8?b?...?= unquoted; take it up to the next
            // separator rather than drop the file name.
            return lexer.ReadUntil(c => c is ';' or ' ' or '\t');
        }

        return lexer.ReadToken();
    }

    /// <summary>RFC 2231 §3-4: <c>name*</c>, <c>name*N</c> and <c>name*N*</c>.</summary>
    private static bool TryParseSection(string name, string value, out Section section)
    {
        section = default;
        var star = name.IndexOf('*', StringComparison.Ordinal);
        if (star <= 0)
        {
            return false;
        }

        var rest = name.AsSpan(star + 1);
        var extended = rest.EndsWith("*");
        var digits = extended ? rest[..^1] : rest;
        if (rest.IsEmpty)
        {
            section = new Section(name[..star], 0, Extended: true, value);
            return true;
        }

        if (digits.IsEmpty || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return false;
        }

        section = new Section(name[..star], index, extended, value);
        return true;
    }

    private static void Join(List<Section> sections, List<MimeParameter> result)
    {
        var ordered = sections
            .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(s => s.Index)
            .ToList();
        for (var i = 0; i < ordered.Count;)
        {
            var end = i;
            var complete = true;
            var extended = false;
            while (end < ordered.Count && ordered[end].Name.Equals(ordered[i].Name, StringComparison.OrdinalIgnoreCase))
            {
                complete &= ordered[end].Index == end - i;
                extended |= ordered[end].Extended;
                end++;
            }

            if (complete)
            {
                var value = string.Concat(ordered.Skip(i).Take(end - i).Select(s => s.Value));
                result.Add(new MimeParameter(extended ? ordered[i].Name + "*" : ordered[i].Name, value));
            }
            else
            {
                // RFC 2231 §3: a gap in the numbering means these are not continuations we can
                // join; keep each under its own name.
                for (var j = i; j < end; j++)
                {
                    var s = ordered[j];
                    var name = string.Create(CultureInfo.InvariantCulture, $"{s.Name}*{s.Index}{(s.Extended ? "*" : "")}");
                    result.Add(new MimeParameter(name, s.Value));
                }
            }

            i = end;
        }
    }

    private readonly record struct Section(string Name, int Index, bool Extended, string Value);
}
