using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>The mailbox specifiers of ESEARCH's IN (RFC 7377 §2.2, filter-mailboxes of RFC 5465 §6).</summary>
public enum SearchSourceKind
{
    Selected,
    Inboxes,
    Personal,
    Subscribed,

    /// <summary>The named mailboxes and every mailbox below them.</summary>
    Subtree,

    /// <summary>The named mailboxes and their children, one level down.</summary>
    SubtreeOne,

    /// <summary>Exactly the named mailboxes.</summary>
    Mailboxes,
}

/// <summary>One source of an ESEARCH: a specifier and, for the last three kinds, its mailbox names.</summary>
public sealed record SearchSource(SearchSourceKind Kind, IReadOnlyList<string> Mailboxes);

/// <summary>
/// RFC 7377 §2: <c>ESEARCH [IN (sources)] [RETURN (options)] [CHARSET c] keys</c>: a UID SEARCH
/// over several mailboxes, answered with ESEARCH responses that carry the mailbox.
/// </summary>
public sealed class EsearchCommand
{
    private EsearchCommand(IReadOnlyList<SearchSource> sources, SearchReturnOptions returnOptions, string? charset, SearchKey key)
    {
        Sources = sources;
        Return = returnOptions;
        Charset = charset;
        Key = key;
    }

    /// <summary>The sources; <c>selected</c> alone when the command named none (RFC 7377 §2.2).</summary>
    public IReadOnlyList<SearchSource> Sources { get; }

    /// <summary>The result options; ALL when the command named none (RFC 7377 §2.1).</summary>
    public SearchReturnOptions Return { get; }

    public string? Charset { get; }

    public SearchKey Key { get; }

    public bool OnlySelected => Sources.All(s => s.Kind == SearchSourceKind.Selected);

    /// <summary>As <see cref="SearchCommand.TryParse"/>: a BADCHARSET response code means NO.</summary>
    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out EsearchCommand? result, [NotNullWhen(false)] out string? error, out string? responseCode)
    {
        result = null;
        responseCode = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        IReadOnlyList<SearchSource> sources = [new SearchSource(SearchSourceKind.Selected, [])];
        if (arguments.TryReadWord("IN"))
        {
            if (!arguments.TryReadList(out var items) || items.Count == 0)
            {
                error = "IN takes a list of mailbox specifiers";
                return false;
            }
            if (!TryParseSources(new ImapArgumentReader(items), utf8Accept, out var parsed, out error))
            {
                return false;
            }
            sources = parsed;
        }

        var returnOptions = SearchReturnOptions.All;
        if (arguments.TryReadWord("RETURN"))
        {
            if (!arguments.TryReadList(out var options))
            {
                error = "RETURN takes a list of options";
                return false;
            }
            if (!SearchCommand.TryParseReturnOptions(options, out returnOptions, out error))
            {
                return false;
            }
        }

        if (!SearchKeyParser.TryParseCriteria(arguments, out var charset, out var key, out error, out responseCode))
        {
            return false;
        }

        if (!SearchCommand.CheckRelevancy(returnOptions, key, out error))
        {
            return false;
        }

        var onlySelected = sources.All(s => s.Kind == SearchSourceKind.Selected);
        // RFC 7377 §2.2: SAVE only when the selected mailbox alone is searched; $ likewise, as it
        // names messages of the selected mailbox.
        if (!onlySelected && returnOptions.HasFlag(SearchReturnOptions.Save))
        {
            error = "RETURN (SAVE) needs IN (selected) alone";
            return false;
        }
        if (!onlySelected && UsesSavedResult(key))
        {
            error = "$ refers to the selected mailbox; search it alone";
            return false;
        }

        result = new EsearchCommand(sources, returnOptions, charset, key);
        return true;
    }

    private static bool TryParseSources(ImapArgumentReader reader, bool utf8Accept, out List<SearchSource> sources, [NotNullWhen(false)] out string? error)
    {
        sources = [];
        while (!reader.IsAtEnd)
        {
            SearchSourceKind? kind = reader.TryReadAtom(out var name) ? name.ToUpperInvariant() switch
            {
                "SELECTED" => SearchSourceKind.Selected,
                "INBOXES" => SearchSourceKind.Inboxes,
                "PERSONAL" => SearchSourceKind.Personal,
                "SUBSCRIBED" => SearchSourceKind.Subscribed,
                "SUBTREE" => SearchSourceKind.Subtree,
                "SUBTREE-ONE" => SearchSourceKind.SubtreeOne,
                "MAILBOXES" => SearchSourceKind.Mailboxes,
                _ => null,
            } : null;
            if (kind is null)
            {
                // RFC 7377 §2.2: selected-delayed is NOTIFY's and not valid here.
                error = "Unknown mailbox specifier; expected selected, inboxes, personal, subscribed, subtree, subtree-one or mailboxes";
                return false;
            }

            var names = new List<string>();
            if (kind is SearchSourceKind.Subtree or SearchSourceKind.SubtreeOne or SearchSourceKind.Mailboxes)
            {
                // one-or-more-mailbox = mailbox / "(" mailbox *(SP mailbox) ")"
                var list = reader.TryReadList(out var items) ? new ImapArgumentReader(items) : null;
                if (list is null)
                {
                    if (!reader.TryReadMailbox(utf8Accept, out var single, out error))
                    {
                        error = $"{name} needs a mailbox name";
                        return false;
                    }
                    names.Add(single);
                }
                else
                {
                    while (!list.IsAtEnd)
                    {
                        if (!list.TryReadMailbox(utf8Accept, out var one, out error))
                        {
                            return false;
                        }
                        names.Add(one);
                    }
                    if (names.Count == 0)
                    {
                        error = $"{name} needs a mailbox name";
                        return false;
                    }
                }
            }
            sources.Add(new SearchSource(kind.Value, names));
        }
        error = null;
        return true;
    }

    private static bool UsesSavedResult(SearchKey key) => key switch
    {
        SequenceKey sequence => sequence.Set.IsSavedResult,
        AndKey and => and.Keys.Any(UsesSavedResult),
        OrKey or => UsesSavedResult(or.Left) || UsesSavedResult(or.Right),
        NotKey not => UsesSavedResult(not.Key),
        FuzzyKey fuzzy => UsesSavedResult(fuzzy.Key),
        _ => false,
    };
}
