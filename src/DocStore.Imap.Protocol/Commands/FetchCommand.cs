using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// RFC 9051 §6.4.5: <c>[UID] FETCH set (items) [(modifiers)]</c>, one item bare or the macros
/// ALL, FAST, FULL; the RFC 7162 modifiers CHANGEDSINCE and VANISHED. <see cref="Items"/> holds
/// the items the response must carry: those sent, and UID and MODSEQ where the RFCs imply them.
/// </summary>
public sealed class FetchCommand
{
    private FetchCommand(bool uid, SequenceSet set, IReadOnlyList<FetchItem> items, ulong? changedSince, bool vanished)
    {
        Uid = uid;
        Set = set;
        Items = items;
        ChangedSince = changedSince;
        Vanished = vanished;
    }

    public bool Uid { get; }

    public SequenceSet Set { get; }

    public IReadOnlyList<FetchItem> Items { get; }

    /// <summary>RFC 7162 §3.1.4.1: only messages with a greater mod-sequence are reported.</summary>
    public ulong? ChangedSince { get; }

    /// <summary>RFC 7162 §3.2.6: also report expunged UIDs in a VANISHED (EARLIER) response.</summary>
    public bool Vanished { get; }

    /// <summary>Whether fetching sets \Seen on the messages (RFC 9051 §6.4.5).</summary>
    public bool SetsSeen => Items.Any(i => i.SetsSeen);

    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out FetchCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadAtom(out var setText) || !SequenceSet.TryParse(setText, out var set))
        {
            error = "Expected FETCH sequence-set items";
            return false;
        }

        var items = new List<FetchItem>();
        if (arguments.TryReadList(out var list))
        {
            if (list.Count == 0)
            {
                error = "Empty FETCH item list";
                return false;
            }

            var reader = new ImapArgumentReader(list);
            while (!reader.IsAtEnd)
            {
                if (!TryReadItem(reader, out var item, out error))
                {
                    return false;
                }

                items.Add(item);
            }
        }
        else if (!TryReadMacro(arguments, items))
        {
            if (!TryReadItem(arguments, out var item, out error))
            {
                return false;
            }

            items.Add(item);
        }

        ulong? changedSince = null;
        var vanished = false;
        if (arguments.TryReadList(out var modifiers) && !TryParseModifiers(modifiers, command.IsUid, out changedSince, out vanished, out error))
        {
            return false;
        }

        if (!arguments.IsAtEnd)
        {
            error = "Unexpected argument after the FETCH items";
            return false;
        }

        // RFC 9051 §6.4.9: UID FETCH answers with UID; RFC 7162 §3.1.4.1: CHANGEDSINCE with MODSEQ.
        if (changedSince is not null && !items.Exists(i => i.Kind == FetchItemKind.ModSeq))
        {
            items.Insert(0, new FetchItem(FetchItemKind.ModSeq));
        }

        if (command.IsUid && !items.Exists(i => i.Kind == FetchItemKind.Uid))
        {
            items.Insert(0, new FetchItem(FetchItemKind.Uid));
        }

        result = new FetchCommand(command.IsUid, set, items, changedSince, vanished);
        error = null;
        return true;
    }

    /// <summary>RFC 9051 §6.4.5: the macros stand alone, never inside a list.</summary>
    private static bool TryReadMacro(ImapArgumentReader arguments, List<FetchItem> items)
    {
        FetchItemKind[]? kinds = arguments.Peek() is { Kind: ImapArgumentKind.Atom } argument ? argument.Atom!.ToUpperInvariant() switch
        {
            "ALL" => [FetchItemKind.Flags, FetchItemKind.InternalDate, FetchItemKind.Rfc822Size, FetchItemKind.Envelope],
            "FAST" => [FetchItemKind.Flags, FetchItemKind.InternalDate, FetchItemKind.Rfc822Size],
            "FULL" => [FetchItemKind.Flags, FetchItemKind.InternalDate, FetchItemKind.Rfc822Size, FetchItemKind.Envelope, FetchItemKind.Body],
            _ => null,
        } : null;
        if (kinds is null)
        {
            return false;
        }

        arguments.TryRead(out _);
        items.AddRange(kinds.Select(k => new FetchItem(k)));
        return true;
    }

    private static bool TryReadItem(ImapArgumentReader reader, [NotNullWhen(true)] out FetchItem? item, [NotNullWhen(false)] out string? error)
    {
        item = null;
        reader.TryRead(out var argument);
        if (argument is { Kind: ImapArgumentKind.Section })
        {
            return TryParseSectionItem(argument, out item, out error);
        }

        FetchItemKind? kind = argument is { Kind: ImapArgumentKind.Atom } ? argument.Atom!.ToUpperInvariant() switch
        {
            "FLAGS" => FetchItemKind.Flags,
            "INTERNALDATE" => FetchItemKind.InternalDate,
            "RFC822.SIZE" => FetchItemKind.Rfc822Size,
            "ENVELOPE" => FetchItemKind.Envelope,
            "BODY" => FetchItemKind.Body,
            "BODYSTRUCTURE" => FetchItemKind.BodyStructure,
            "UID" => FetchItemKind.Uid,
            "RFC822" => FetchItemKind.Rfc822,
            "RFC822.HEADER" => FetchItemKind.Rfc822Header,
            "RFC822.TEXT" => FetchItemKind.Rfc822Text,
            "MODSEQ" => FetchItemKind.ModSeq,
            "EMAILID" => FetchItemKind.EmailId,
            "THREADID" => FetchItemKind.ThreadId,
            "SAVEDATE" => FetchItemKind.SaveDate,
            "PREVIEW" => FetchItemKind.Preview,
            _ => null,
        } : null;
        if (kind is null)
        {
            error = argument is { Kind: ImapArgumentKind.Atom } ? $"Unknown FETCH item {argument.Atom}" : "Expected a FETCH item";
            return false;
        }

        var lazy = false;
        if (kind == FetchItemKind.Preview && reader.Peek() is { Kind: ImapArgumentKind.List } modifiers && modifiers.Items.Count > 0 && modifiers.Items[0].IsAtom("LAZY"))
        {
            // RFC 8970 §7: preview-mod = "LAZY", the only one there is.
            if (!modifiers.Items.All(m => m.IsAtom("LAZY")))
            {
                error = "PREVIEW takes only the LAZY modifier";
                return false;
            }

            reader.TryRead(out _);
            lazy = true;
        }

        item = new FetchItem(kind.Value, lazy: lazy);
        error = null;
        return true;
    }

    private static bool TryParseSectionItem(ImapArgument argument, [NotNullWhen(true)] out FetchItem? item, [NotNullWhen(false)] out string? error)
    {
        item = null;
        (FetchItemKind Kind, bool Peek)? name = argument.Atom!.ToUpperInvariant() switch
        {
            "BODY" => (FetchItemKind.BodySection, false),
            "BODY.PEEK" => (FetchItemKind.BodySection, true),
            "BINARY" => (FetchItemKind.Binary, false),
            "BINARY.PEEK" => (FetchItemKind.Binary, true),
            "BINARY.SIZE" => (FetchItemKind.BinarySize, false),
            _ => null,
        };
        if (name is not { } known)
        {
            error = "Only BODY, BODY.PEEK, BINARY, BINARY.PEEK and BINARY.SIZE take a section";
            return false;
        }

        if (!FetchSection.TryParse(argument.Items, binary: known.Kind != FetchItemKind.BodySection, out var section, out error))
        {
            return false;
        }

        FetchPartial? partial = null;
        if (argument.Partial is not null)
        {
            if (known.Kind == FetchItemKind.BinarySize)
            {
                error = "BINARY.SIZE takes no partial";
                return false;
            }

            if (!FetchPartial.TryParse(argument.Partial, out var parsed))
            {
                error = "Invalid partial; expected <origin.length> with a length of at least 1";
                return false;
            }

            partial = parsed;
        }

        item = new FetchItem(known.Kind, section, partial, known.Peek);
        return true;
    }

    /// <summary>RFC 4466 §2.4 fetch-modifiers, with RFC 7162's CHANGEDSINCE and VANISHED.</summary>
    private static bool TryParseModifiers(IReadOnlyList<ImapArgument> modifiers, bool uid, out ulong? changedSince, out bool vanished, [NotNullWhen(false)] out string? error)
    {
        changedSince = null;
        vanished = false;
        var reader = new ImapArgumentReader(modifiers);
        while (!reader.IsAtEnd)
        {
            if (changedSince is null && reader.TryReadWord("CHANGEDSINCE"))
            {
                // RFC 7162 §7: mod-sequence-value, 1 to 2^63 - 1.
                if (!reader.TryReadNumber(out var modSeq) || modSeq is 0 or > long.MaxValue)
                {
                    error = "CHANGEDSINCE takes a mod-sequence from 1 to 2^63-1";
                    return false;
                }

                changedSince = modSeq;
            }
            else if (!vanished && reader.TryReadWord("VANISHED"))
            {
                vanished = true;
            }
            else
            {
                error = "Unknown or repeated FETCH modifier";
                return false;
            }
        }

        // RFC 7162 §3.2.6: VANISHED only in UID FETCH, only with CHANGEDSINCE; RFC 4466 §2.4:
        // the modifier list is never empty.
        error = modifiers.Count == 0 ? "Empty FETCH modifier list"
            : vanished && !uid ? "VANISHED is only allowed in UID FETCH"
            : vanished && changedSince is null ? "VANISHED requires CHANGEDSINCE"
            : null;
        return error is null;
    }
}
