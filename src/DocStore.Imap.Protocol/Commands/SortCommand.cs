using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>What SORT orders by (RFC 5256 §3, RFC 5957 §3, RFC 6203 §4).</summary>
public enum SortField
{
    Arrival,
    Cc,
    Date,
    From,
    Size,
    Subject,
    To,

    /// <summary>RFC 5957: the display name of the first From address, else its address.</summary>
    DisplayFrom,

    /// <summary>RFC 5957: the display name of the first To address, else its address.</summary>
    DisplayTo,

    /// <summary>RFC 6203 §4: the FUZZY relevancy score.</summary>
    Relevancy,
}

/// <summary>One sort criterion: <c>[REVERSE] key</c>.</summary>
public readonly record struct SortCriterion(SortField Field, bool Reverse);

/// <summary>
/// RFC 5256 §3: <c>[UID] SORT (criteria) charset keys</c>; the charset is required and the
/// keys are SEARCH's (see <see cref="SearchCommand"/> for charsets and BADCHARSET).
/// </summary>
public sealed class SortCommand
{
    private SortCommand(bool uid, IReadOnlyList<SortCriterion> criteria, string charset, SearchKey key)
    {
        Uid = uid;
        Criteria = criteria;
        Charset = charset;
        Key = key;
    }

    public bool Uid { get; }

    /// <summary>The criteria, most significant first.</summary>
    public IReadOnlyList<SortCriterion> Criteria { get; }

    public string Charset { get; }

    public SearchKey Key { get; }

    /// <summary>As <see cref="SearchCommand.TryParse"/>: a BADCHARSET response code means NO.</summary>
    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out SortCommand? result, [NotNullWhen(false)] out string? error, out string? responseCode)
    {
        result = null;
        responseCode = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadList(out var items) || items.Count == 0)
        {
            error = "Expected SORT (criteria) charset keys";
            return false;
        }

        var criteria = new List<SortCriterion>(items.Count);
        var reader = new ImapArgumentReader(items);
        while (!reader.IsAtEnd)
        {
            var reverse = reader.TryReadWord("REVERSE");
            SortField? field = reader.TryReadAtom(out var name) ? name.ToUpperInvariant() switch
            {
                "ARRIVAL" => SortField.Arrival,
                "CC" => SortField.Cc,
                "DATE" => SortField.Date,
                "FROM" => SortField.From,
                "SIZE" => SortField.Size,
                "SUBJECT" => SortField.Subject,
                "TO" => SortField.To,
                "DISPLAYFROM" => SortField.DisplayFrom,
                "DISPLAYTO" => SortField.DisplayTo,
                "RELEVANCY" => SortField.Relevancy,
                _ => null,
            } : null;
            if (field is null)
            {
                error = reverse ? "REVERSE must be followed by a sort key" : "Unknown sort key";
                return false;
            }

            criteria.Add(new SortCriterion(field.Value, reverse));
        }

        arguments.TryRead(out var charsetArgument);
        if (!SearchKeyParser.TryParseCharset(charsetArgument, out var charset, out error, out responseCode) ||
            !SearchKeyParser.TryParseProgram(arguments, charset, out var key, out error))
        {
            return false;
        }
        // RFC 6203 §6: the RELEVANCY sort key MUST NOT be used without a FUZZY search key.
        if (criteria.Any(c => c.Field == SortField.Relevancy) && !key.Contains<FuzzyKey>())
        {
            error = "Sort key RELEVANCY needs a FUZZY search key";
            return false;
        }

        result = new SortCommand(command.IsUid, criteria, charset, key);
        return true;
    }
}
