using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>How STORE changes the flags (RFC 9051 §6.4.6).</summary>
public enum StoreMode
{
    /// <summary><c>FLAGS</c>: replace.</summary>
    Replace,

    /// <summary><c>+FLAGS</c>: add.</summary>
    Add,

    /// <summary><c>-FLAGS</c>: remove.</summary>
    Remove,
}

/// <summary>
/// RFC 9051 §6.4.6: <c>[UID] STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] flags</c>, the
/// flags as a list or, as RFC 9051 §9 store-att-flags also allows, bare.
/// </summary>
public sealed record StoreCommand(bool Uid, SequenceSet Set, ulong? UnchangedSince, StoreMode Mode, bool Silent, IReadOnlyList<string> Flags)
{
    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out StoreCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        error = "Expected STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] (flags)";
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadAtom(out var setText) || !SequenceSet.TryParse(setText, out var set))
        {
            return false;
        }

        ulong? unchangedSince = null;
        if (arguments.TryReadList(out var modifiers))
        {
            // RFC 7162 §3.1.3: the only store modifier DocStore knows.
            var reader = new ImapArgumentReader(modifiers);
            if (!reader.TryReadWord("UNCHANGEDSINCE") || !reader.TryReadNumber(out var modSeq) || !reader.IsAtEnd)
            {
                return false;
            }

            unchangedSince = modSeq;
        }

        if (!arguments.TryReadAtom(out var item) || !TryParseItem(item, out var mode, out var silent))
        {
            return false;
        }

        IReadOnlyList<ImapArgument> flagItems;
        if (arguments.TryReadList(out var list))
        {
            flagItems = list;
        }
        else
        {
            var bare = new List<ImapArgument>();
            while (arguments.TryRead(out var flag))
            {
                bare.Add(flag);
            }

            flagItems = bare;
        }

        if (!arguments.IsAtEnd || flagItems.Count == 0 && list is null)
        {
            return false;
        }

        if (!ImapFlags.TryParseList(flagItems, out var flags, out var flagError))
        {
            error = flagError;
            return false;
        }

        result = new StoreCommand(command.IsUid, set, unchangedSince, mode, silent, flags);
        error = null;
        return true;
    }

    private static bool TryParseItem(string item, out StoreMode mode, out bool silent)
    {
        var text = item.ToUpperInvariant();
        mode = text[0] switch { '+' => StoreMode.Add, '-' => StoreMode.Remove, _ => StoreMode.Replace };
        if (mode != StoreMode.Replace)
        {
            text = text[1..];
        }

        silent = text.EndsWith(".SILENT", StringComparison.Ordinal);
        return string.Equals(silent ? text[..^7] : text, "FLAGS", StringComparison.Ordinal);
    }
}
