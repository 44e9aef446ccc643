using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>RFC 9051 §9 flags: system flags and extensions (<c>\atom</c>) and keywords (atoms).</summary>
public static class ImapFlags
{
    /// <summary>RFC 9051 §9 flag-extension: <c>"\" atom</c>.</summary>
    public static bool IsExtensionFlag(string text) => text.Length > 1 && text[0] == '\\' && IsAtom(text.AsSpan(1));

    /// <summary>A flag as APPEND and STORE take it: <c>\atom</c> or a keyword atom.</summary>
    public static bool IsFlag(string text) => IsExtensionFlag(text) || IsAtom(text);

    /// <summary>RFC 9051 §9 flag-list: <c>"(" [flag *(SP flag)] ")"</c>; \Recent cannot be set (§2.3.2).</summary>
    public static bool TryParseList(IReadOnlyList<ImapArgument> items, [NotNullWhen(true)] out IReadOnlyList<string>? flags, [NotNullWhen(false)] out string? error)
    {
        var result = new List<string>(items.Count);
        flags = null;
        foreach (var item in items)
        {
            if (item.Kind != ImapArgumentKind.Atom || !IsFlag(item.Atom!))
            {
                error = "Invalid flag";
                return false;
            }

            if (item.Atom!.Equals("\\Recent", StringComparison.OrdinalIgnoreCase))
            {
                error = "\\Recent cannot be set";
                return false;
            }

            result.Add(item.Atom!);
        }

        flags = result;
        error = null;
        return true;
    }

    private static bool IsAtom(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!ImapCharacters.IsAtomChar(c))
            {
                return false;
            }
        }

        return !text.IsEmpty;
    }
}
