using System.Globalization;
using System.Text;

namespace DocStore.Search.Extraction;

/// <summary>
/// The visible text of an RTF document: control words dropped, <c>\par</c> and <c>\line</c> as
/// line breaks, <c>\'hh</c> as Windows-1252 (Latin-1 where they agree), <c>\uN</c> as Unicode,
/// destinations (<c>{\*...}</c>, font and colour tables, pictures) skipped.
/// </summary>
internal static class RtfText
{
    private static readonly HashSet<string> SkippedDestinations = new(StringComparer.Ordinal)
    {
        "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header", "footer", "themedata", "colorschememapping", "datastore", "latentstyles", "listtable", "listoverridetable", "rsidtbl", "generator", "xmlnstbl",
    };

    public static string ToText(string rtf)
    {
        var text = new StringBuilder(rtf.Length / 2);
        // Per group: whether its text is skipped, and how many characters follow a \uN as its fallback.
        var skip = new Stack<bool>();
        var skipping = false;
        var unicodeSkip = 1;
        var pendingFallback = 0;
        for (var i = 0; i < rtf.Length; i++)
        {
            var c = rtf[i];
            switch (c)
            {
                case '{':
                    skip.Push(skipping);
                    break;
                case '}':
                    skipping = skip.Count > 0 && skip.Pop();
                    break;
                case '\\' when i + 1 < rtf.Length:
                    var next = rtf[i + 1];
                    if (next == '\'' && i + 3 < rtf.Length)
                    {
                        if (byte.TryParse(rtf.AsSpan(i + 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b) && !skipping && !ConsumeFallback(ref pendingFallback))
                        {
                            text.Append((char)b);
                        }
                        i += 3;
                    }
                    else if (char.IsAsciiLetter(next))
                    {
                        var start = i + 1;
                        var end = start;
                        while (end < rtf.Length && char.IsAsciiLetter(rtf[end]))
                        {
                            end++;
                        }
                        var word = rtf[start..end];
                        var numberStart = end;
                        if (end < rtf.Length && (rtf[end] == '-' || char.IsAsciiDigit(rtf[end])))
                        {
                            end++;
                            while (end < rtf.Length && char.IsAsciiDigit(rtf[end]))
                            {
                                end++;
                            }
                        }
                        int? number = end > numberStart && int.TryParse(rtf.AsSpan(numberStart, end - numberStart), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;
                        if (end < rtf.Length && rtf[end] == ' ')
                        {
                            end++;
                        }
                        i = end - 1;
                        if (SkippedDestinations.Contains(word))
                        {
                            skipping = true;
                        }
                        else if (!skipping)
                        {
                            switch (word)
                            {
                                case "par" or "line" or "row" or "sect" or "page":
                                    text.Append('\n');
                                    break;
                                case "tab" or "cell":
                                    text.Append('\t');
                                    break;
                                case "uc" when number is { } count:
                                    unicodeSkip = count;
                                    break;
                                case "u" when number is { } code:
                                    text.Append((char)(code < 0 ? code + 65536 : code));
                                    pendingFallback = unicodeSkip;
                                    break;
                            }
                        }
                    }
                    else
                    {
                        if (next == '*')
                        {
                            skipping = true;
                        }
                        else if (!skipping && next is '\\' or '{' or '}')
                        {
                            text.Append(next);
                        }
                        else if (!skipping && next == '~')
                        {
                            text.Append('\u00A0');
                        }
                        i++;
                    }
                    break;
                case '\r' or '\n':
                    break;
                default:
                    if (!skipping && !ConsumeFallback(ref pendingFallback))
                    {
                        text.Append(c);
                    }
                    break;
            }
        }
        return text.ToString();
    }

    private static bool ConsumeFallback(ref int pending)
    {
        if (pending == 0)
        {
            return false;
        }
        pending--;
        return true;
    }
}
