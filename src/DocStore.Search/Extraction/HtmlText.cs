using System.Net;
using System.Text.RegularExpressions;

namespace DocStore.Search.Extraction;

/// <summary>The visible text of HTML: scripts, styles and comments dropped, tags removed, entities decoded.</summary>
internal static partial class HtmlText
{
    public static string ToText(string html)
    {
        var withoutHidden = Hidden().Replace(html, " ");
        var lines = BlockTag().Replace(withoutHidden, "\n");
        return WebUtility.HtmlDecode(Tag().Replace(lines, ""));
    }

    [GeneratedRegex(@"<(?<tag>script|style|head)\b.*?</\k<tag>\s*>|<!--.*?-->", RegexOptions.ExplicitCapture | RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Hidden();

    [GeneratedRegex(@"</?(p|div|br|li|tr|td|th|h[1-6]|table|ul|ol|blockquote|pre)\b[^>]*>", RegexOptions.ExplicitCapture | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Tag();
}
