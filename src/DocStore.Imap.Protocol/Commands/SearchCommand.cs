using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>The ESEARCH return options of <c>SEARCH RETURN (...)</c> (RFC 4731 §3.1).</summary>
[Flags]
public enum SearchReturnOptions
{
    None = 0,
    Min = 1,
    Max = 2,
    All = 4,
    Count = 8,

    /// <summary>RFC 5182 §2.1: keep the result for <c>$</c>.</summary>
    Save = 16,

    /// <summary>RFC 6203 §4: the relevancy scores of a FUZZY search.</summary>
    Relevancy = 32,
}

/// <summary>
/// RFC 9051 §6.4.4: <c>[UID] SEARCH [RETURN (options)] [CHARSET charset] keys</c>. Strings are
/// UTF-8 (RFC 9051 §6.4.4; US-ASCII is accepted and refuses 8-bit); any other charset is refused
/// with <c>NO [BADCHARSET (UTF-8 US-ASCII)]</c>, which is why the parser also returns a response code.
/// </summary>
public sealed class SearchCommand
{
    /// <summary>How deep NOT, OR, FUZZY and parentheses may nest.</summary>
    public const int MaxKeyDepth = 256;

    private SearchCommand(bool uid, SearchReturnOptions? returnOptions, string? charset, SearchKey key)
    {
        Uid = uid;
        Return = returnOptions;
        Charset = charset;
        Key = key;
    }

    public bool Uid { get; }

    /// <summary>
    /// Null without RETURN: the answer is a SEARCH response. Otherwise an ESEARCH one (RFC 4731
    /// §3.1; <c>RETURN ()</c> is <see cref="SearchReturnOptions.All"/>).
    /// </summary>
    public SearchReturnOptions? Return { get; }

    /// <summary><c>UTF-8</c>, <c>US-ASCII</c>, or null when the client named none.</summary>
    public string? Charset { get; }

    /// <summary>The keys; several top-level keys arrive as one <see cref="AndKey"/>.</summary>
    public SearchKey Key { get; }

    /// <summary>
    /// RFC 7162 §3.1.5: a MODSEQ key enables CONDSTORE and adds the highest mod-sequence to the
    /// response.
    /// </summary>
    public bool UsesModSeq => Key.Contains<ModSeqKey>();

    /// <summary>
    /// Parses the command. On failure <paramref name="responseCode"/> is BADCHARSET when the
    /// charset alone was refused: RFC 9051 §6.4.4 answers that with a tagged NO, everything else
    /// with BAD.
    /// </summary>
    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out SearchCommand? result, [NotNullWhen(false)] out string? error, out string? responseCode)
    {
        result = null;
        responseCode = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        SearchReturnOptions? returnOptions = null;
        if (arguments.TryReadWord("RETURN"))
        {
            if (!arguments.TryReadList(out var options))
            {
                error = "RETURN takes a list of options";
                return false;
            }

            if (!TryParseReturnOptions(options, out var parsed, out error))
            {
                return false;
            }

            returnOptions = parsed;
        }

        if (!SearchKeyParser.TryParseCriteria(arguments, out var charset, out var key, out error, out responseCode))
        {
            return false;
        }
        if (returnOptions is { } requested && !CheckRelevancy(requested, key, out error))
        {
            return false;
        }

        result = new SearchCommand(command.IsUid, returnOptions, charset, key);
        return true;
    }

    /// <summary>RFC 6203 §4: the RELEVANCY return option MUST NOT be used without a FUZZY search key.</summary>
    internal static bool CheckRelevancy(SearchReturnOptions options, SearchKey key, [NotNullWhen(false)] out string? error)
    {
        error = options.HasFlag(SearchReturnOptions.Relevancy) && !key.Contains<FuzzyKey>() ? "RETURN (RELEVANCY) needs a FUZZY search key" : null;
        return error is null;
    }

    /// <summary>RFC 4731 §3.1 and RFC 5182 §2.1: MIN, MAX, ALL, COUNT, SAVE; RFC 6203: RELEVANCY.</summary>
    internal static bool TryParseReturnOptions(IReadOnlyList<ImapArgument> items, out SearchReturnOptions options, [NotNullWhen(false)] out string? error)
    {
        options = SearchReturnOptions.None;
        foreach (var item in items)
        {
            SearchReturnOptions? option = item.Kind == ImapArgumentKind.Atom ? item.Atom!.ToUpperInvariant() switch
            {
                "MIN" => SearchReturnOptions.Min,
                "MAX" => SearchReturnOptions.Max,
                "ALL" => SearchReturnOptions.All,
                "COUNT" => SearchReturnOptions.Count,
                "SAVE" => SearchReturnOptions.Save,
                "RELEVANCY" => SearchReturnOptions.Relevancy,
                _ => null,
            } : null;
            if (option is null)
            {
                error = "Unknown SEARCH return option";
                return false;
            }

            options |= option.Value;
        }

        // RFC 4731 §3.1: RETURN () means RETURN (ALL).
        if (options == SearchReturnOptions.None)
        {
            options = SearchReturnOptions.All;
        }

        error = null;
        return true;
    }
}
