using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>LIST selection options (RFC 5258 §3.1, RFC 6154 §3).</summary>
[Flags]
public enum ListSelectOptions
{
    None = 0,
    Subscribed = 1,
    Remote = 2,
    RecursiveMatch = 4,
    SpecialUse = 8,
}

/// <summary>LIST return options (RFC 5258 §3.2, RFC 6154 §3, RFC 5819, RFC 8440).</summary>
[Flags]
public enum ListReturnOptions
{
    None = 0,
    Subscribed = 1,
    Children = 2,
    SpecialUse = 4,

    /// <summary>RFC 5819: a STATUS response per listed mailbox, items in <see cref="ListCommand.StatusItems"/>.</summary>
    Status = 8,

    /// <summary>RFC 8440: a MYRIGHTS response per listed mailbox.</summary>
    MyRights = 16,
}

/// <summary>
/// RFC 9051 §6.3.9 with RFC 5258 LIST-EXTENDED: <c>LIST [(selection)] reference pattern|(patterns)
/// [RETURN (options)]</c>. Names decode like <see cref="MailboxName"/>; patterns keep their
/// wildcards for <see cref="MailboxPattern"/>.
/// </summary>
public sealed class ListCommand
{
    private ListCommand(string reference, IReadOnlyList<string> patterns, ListSelectOptions selection, ListReturnOptions returnOptions, IReadOnlyList<string> statusItems, bool isExtended)
    {
        Reference = reference;
        Patterns = patterns;
        Selection = selection;
        Return = returnOptions;
        StatusItems = statusItems;
        IsExtended = isExtended;
    }

    public string Reference { get; }

    /// <summary>The patterns as sent; in the extended syntax empty ones are dropped (RFC 9051 §6.3.9).</summary>
    public IReadOnlyList<string> Patterns { get; }

    /// <summary>
    /// The patterns the names must match: the reference with each pattern appended (RFC 9051
    /// §6.3.9: DocStore has no break-out characters).
    /// </summary>
    public IEnumerable<string> CanonicalPatterns => Patterns.Select(p => Reference + p);

    public ListSelectOptions Selection { get; }

    /// <summary>The return options, with those the selection implies (RFC 5258 §3.1, RFC 6154 §3).</summary>
    public ListReturnOptions Return { get; }

    /// <summary>For <see cref="ListReturnOptions.Status"/>: the STATUS items, upper case, once each.</summary>
    public IReadOnlyList<string> StatusItems { get; }

    /// <summary>RFC 5258 §3: selection options, a pattern list or return options make the extended form.</summary>
    public bool IsExtended { get; }

    /// <summary>RFC 9051 §6.3.9: basic <c>LIST ref ""</c> asks for the hierarchy delimiter and root.</summary>
    public bool IsDelimiterRequest => !IsExtended && Patterns is [""];

    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out ListCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        var selection = ListSelectOptions.None;
        var extended = false;
        if (arguments.TryReadList(out var selectItems))
        {
            extended = true;
            if (!TryParseSelection(selectItems, out selection, out error))
            {
                return false;
            }
        }

        if (!arguments.TryReadMailbox(utf8Accept, out var reference, out error))
        {
            return false;
        }

        var patterns = new List<string>();
        if (arguments.TryReadList(out var patternItems))
        {
            extended = true;
            if (patternItems.Count == 0)
            {
                error = "Empty LIST pattern list";
                return false;
            }

            foreach (var item in patternItems)
            {
                if (!TryDecodePattern(item, utf8Accept, out var pattern, out error))
                {
                    return false;
                }

                patterns.Add(pattern);
            }
        }
        else if (!arguments.TryRead(out var patternArgument))
        {
            error = "Expected LIST [(options)] reference pattern [RETURN (options)]";
            return false;
        }
        else if (TryDecodePattern(patternArgument, utf8Accept, out var pattern, out error))
        {
            patterns.Add(pattern);
        }
        else
        {
            return false;
        }

        var returnOptions = ListReturnOptions.None;
        IReadOnlyList<string> statusItems = [];
        if (arguments.TryReadWord("RETURN"))
        {
            extended = true;
            if (!arguments.TryReadList(out var returnItems))
            {
                error = "RETURN takes a list of options";
                return false;
            }

            if (!TryParseReturn(returnItems, out returnOptions, out statusItems, out error))
            {
                return false;
            }
        }

        if (!arguments.IsAtEnd)
        {
            error = "Expected LIST [(options)] reference pattern [RETURN (options)]";
            return false;
        }

        // RFC 5258 §3.1 and RFC 6154 §3: these selection options imply the return option.
        returnOptions |= selection.HasFlag(ListSelectOptions.Subscribed) ? ListReturnOptions.Subscribed : ListReturnOptions.None;
        returnOptions |= selection.HasFlag(ListSelectOptions.SpecialUse) ? ListReturnOptions.SpecialUse : ListReturnOptions.None;
        result = new ListCommand(reference, extended ? patterns.FindAll(p => p.Length > 0) : patterns, selection, returnOptions, statusItems, extended);
        error = null;
        return true;
    }

    /// <summary>RFC 9051 §9 list-mailbox: <c>1*list-char</c> (ATOM-CHAR, <c>%</c>, <c>*</c>, <c>]</c>) or a string.</summary>
    internal static bool TryDecodePattern(ImapArgument argument, bool utf8Accept, [NotNullWhen(true)] out string? pattern, [NotNullWhen(false)] out string? error)
    {
        pattern = null;
        ReadOnlySpan<byte> wire;
        if (argument.IsString)
        {
            wire = argument.Bytes.Span;
        }
        else if (argument.Kind is ImapArgumentKind.Atom or ImapArgumentKind.Nil && argument.Atom!.All(c => ImapCharacters.IsAtomChar(c) || c is '%' or '*' or ']'))
        {
            wire = Encoding.ASCII.GetBytes(argument.Atom!);
        }
        else
        {
            error = "Invalid mailbox pattern";
            return false;
        }

        return MailboxName.TryDecode(wire, utf8Accept, out pattern, out error);
    }

    private static bool TryParseSelection(IReadOnlyList<ImapArgument> items, out ListSelectOptions selection, [NotNullWhen(false)] out string? error)
    {
        selection = ListSelectOptions.None;
        foreach (var item in items)
        {
            ListSelectOptions? option = item.Kind == ImapArgumentKind.Atom ? item.Atom!.ToUpperInvariant() switch
            {
                "SUBSCRIBED" => ListSelectOptions.Subscribed,
                "REMOTE" => ListSelectOptions.Remote,
                "RECURSIVEMATCH" => ListSelectOptions.RecursiveMatch,
                "SPECIAL-USE" => ListSelectOptions.SpecialUse,
                _ => null,
            } : null;
            if (option is null)
            {
                // RFC 5258 §3: an unrecognised selection option is a BAD.
                error = "Unknown LIST selection option";
                return false;
            }

            selection |= option.Value;
        }

        // RFC 5258 §3.1: RECURSIVEMATCH alone, or with REMOTE only, is a BAD.
        if (selection.HasFlag(ListSelectOptions.RecursiveMatch) && (selection & ~(ListSelectOptions.RecursiveMatch | ListSelectOptions.Remote)) == ListSelectOptions.None)
        {
            error = "RECURSIVEMATCH needs another selection option such as SUBSCRIBED";
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryParseReturn(IReadOnlyList<ImapArgument> items, out ListReturnOptions options, out IReadOnlyList<string> statusItems, [NotNullWhen(false)] out string? error)
    {
        options = ListReturnOptions.None;
        statusItems = [];
        var reader = new ImapArgumentReader(items);
        while (!reader.IsAtEnd)
        {
            ListReturnOptions? option = reader.TryReadAtom(out var name) ? name.ToUpperInvariant() switch
            {
                "SUBSCRIBED" => ListReturnOptions.Subscribed,
                "CHILDREN" => ListReturnOptions.Children,
                "SPECIAL-USE" => ListReturnOptions.SpecialUse,
                "STATUS" => ListReturnOptions.Status,
                "MYRIGHTS" => ListReturnOptions.MyRights,
                _ => null,
            } : null;
            if (option is null)
            {
                error = "Unknown LIST return option";
                return false;
            }

            // RFC 5819 §2: STATUS (status-att ...), at least one, given once.
            if (option == ListReturnOptions.Status &&
                (options.HasFlag(ListReturnOptions.Status) || !reader.TryReadList(out var list) || !TryParseStatusItems(list, out statusItems)))
            {
                error = "STATUS takes one list of STATUS items";
                return false;
            }

            options |= option.Value;
        }

        error = null;
        return true;
    }

    private static bool TryParseStatusItems(IReadOnlyList<ImapArgument> list, out IReadOnlyList<string> items)
    {
        var names = new List<string>(list.Count);
        items = names;
        foreach (var item in list)
        {
            var name = item.Kind == ImapArgumentKind.Atom ? item.Atom!.ToUpperInvariant() : null;
            if (name is null || !StatusCommand.KnownItems.Contains(name))
            {
                return false;
            }

            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }

        return names.Count > 0;
    }
}

/// <summary>RFC 3501 §6.3.9: <c>LSUB reference pattern</c> (deprecated by RFC 9051, still used).</summary>
public sealed record LsubCommand(string Reference, string Pattern)
{
    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out LsubCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadMailbox(utf8Accept, out var reference, out error))
        {
            return false;
        }

        if (!arguments.TryRead(out var argument) || !ListCommand.TryDecodePattern(argument, utf8Accept, out var pattern, out error) || !arguments.IsAtEnd)
        {
            error = "Expected LSUB reference pattern";
            return false;
        }

        result = new LsubCommand(reference, pattern);
        return true;
    }
}
