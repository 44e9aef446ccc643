using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol;

/// <summary>
/// A cursor over a command's (or a list's) arguments with one <c>TryRead…</c> per grammar
/// element of RFC 9051 §9; a false return leaves the cursor where it was.
/// </summary>
public sealed class ImapArgumentReader(IReadOnlyList<ImapArgument> arguments)
{
    private int position;

    public bool IsAtEnd => position >= arguments.Count;

    /// <summary>The next argument without consuming it; null at the end.</summary>
    public ImapArgument? Peek() => IsAtEnd ? null : arguments[position];

    public bool TryRead([NotNullWhen(true)] out ImapArgument? argument)
    {
        argument = Peek();
        return Advance(argument is not null);
    }

    /// <summary>An atom (not NIL); its text as sent.</summary>
    public bool TryReadAtom([NotNullWhen(true)] out string? atom)
    {
        atom = Peek() is { Kind: ImapArgumentKind.Atom } argument ? argument.Atom : null;
        return Advance(atom is not null);
    }

    /// <summary>Consumes the next argument if it is the atom <paramref name="word"/> (any case).</summary>
    public bool TryReadWord(string word) => Advance(Peek() is { } argument && argument.IsAtom(word));

    public bool TryReadAString([NotNullWhen(true)] out string? value)
    {
        value = null;
        return Advance(Peek() is { } argument && argument.TryGetAString(out value));
    }

    public bool TryReadString([NotNullWhen(true)] out string? value)
    {
        value = null;
        return Advance(Peek() is { } argument && argument.TryGetString(out value));
    }

    public bool TryReadNString(out string? value)
    {
        value = null;
        return Advance(Peek() is { } argument && argument.TryGetNString(out value));
    }

    public bool TryReadNumber(out ulong value)
    {
        value = 0;
        return Advance(Peek() is { } argument && argument.TryGetNumber(out value));
    }

    /// <summary>RFC 9051 §9 nz-number: 1 to 4294967295.</summary>
    public bool TryReadNzNumber(out uint value)
    {
        value = 0;
        if (Peek() is { } argument && argument.TryGetNumber(out var number) && number is > 0 and <= uint.MaxValue)
        {
            value = (uint)number;
            return Advance(true);
        }

        return false;
    }

    public bool TryReadList([NotNullWhen(true)] out IReadOnlyList<ImapArgument>? items)
    {
        items = Peek() is { Kind: ImapArgumentKind.List } argument ? argument.Items : null;
        return Advance(items is not null);
    }

    /// <summary>A mailbox name (astring), decoded per <see cref="MailboxName.TryDecode"/>.</summary>
    public bool TryReadMailbox(bool utf8Accept, [NotNullWhen(true)] out string? name, [NotNullWhen(false)] out string? error)
    {
        name = null;
        var argument = Peek();
        if (argument is null || !(argument.Kind is ImapArgumentKind.Atom or ImapArgumentKind.Nil || argument.IsString))
        {
            error = "Expected a mailbox name";
            return false;
        }

        var wire = argument.IsString ? argument.Bytes.Span : System.Text.Encoding.ASCII.GetBytes(argument.Atom!);
        if (!MailboxName.TryDecode(wire, utf8Accept, out name, out error))
        {
            return false;
        }

        return Advance(true);
    }

    private bool Advance(bool success)
    {
        if (success)
        {
            position++;
        }

        return success;
    }
}
