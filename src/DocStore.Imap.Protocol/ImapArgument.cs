using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace DocStore.Imap.Protocol;

/// <summary>What an <see cref="ImapArgument"/> is on the wire.</summary>
public enum ImapArgumentKind
{
    /// <summary>An atom, e.g. <c>FLAGS</c>, <c>\Seen</c>, <c>1:*</c>.</summary>
    Atom,

    /// <summary>An unquoted <c>NIL</c>.</summary>
    Nil,

    /// <summary>A quoted string.</summary>
    Quoted,

    /// <summary>A literal held in memory, <c>{n}</c> or <c>{n+}</c>.</summary>
    Literal,

    /// <summary>A literal8 held in memory, <c>~{n}</c> (RFC 3516).</summary>
    Literal8,

    /// <summary>A literal whose bytes the caller consumed itself (streaming).</summary>
    StreamedLiteral,

    /// <summary>A parenthesised list.</summary>
    List,

    /// <summary>
    /// A FETCH section such as <c>BODY.PEEK[HEADER.FIELDS (A B)]&lt;0.100&gt;</c>: the atom before the
    /// bracket, the arguments inside it and the optional partial.
    /// </summary>
    Section,
}

/// <summary>One node of a parsed command's argument tree.</summary>
public sealed class ImapArgument
{
    private static readonly IReadOnlyList<ImapArgument> NoItems = [];

    private ImapArgument(ImapArgumentKind kind, string? atom, ReadOnlyMemory<byte> bytes, IReadOnlyList<ImapArgument> items, string? partial, long size)
    {
        Kind = kind;
        Atom = atom;
        Bytes = bytes;
        Items = items;
        Partial = partial;
        Size = size;
    }

    public ImapArgumentKind Kind { get; }

    /// <summary>The text of an atom, or the atom before the bracket of a section.</summary>
    public string? Atom { get; }

    /// <summary>The bytes of a quoted string or an in-memory literal.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The elements of a list, or the arguments inside a section's brackets.</summary>
    public IReadOnlyList<ImapArgument> Items { get; }

    /// <summary>A section's partial without the angle brackets, e.g. <c>0.100</c>; null if absent.</summary>
    public string? Partial { get; }

    /// <summary>The announced size of a literal.</summary>
    public long Size { get; }

    /// <summary>A literal8, in memory or streamed (RFC 3516 §4.2): it may hold NUL.</summary>
    public bool IsBinary { get; private init; }

    /// <summary>
    /// RFC 9051 §9 string: quoted or literal. Not literal8, which RFC 3516 §4.2 allows only where
    /// the grammar names it (APPEND data).
    /// </summary>
    public bool IsString => Kind is ImapArgumentKind.Quoted or ImapArgumentKind.Literal;

    public static ImapArgument CreateAtom(string text) =>
        text.Equals("NIL", StringComparison.OrdinalIgnoreCase)
            ? new(ImapArgumentKind.Nil, text, default, NoItems, null, 0)
            : new(ImapArgumentKind.Atom, text, default, NoItems, null, 0);

    public static ImapArgument CreateQuoted(ReadOnlyMemory<byte> bytes) => new(ImapArgumentKind.Quoted, null, bytes, NoItems, null, bytes.Length);

    public static ImapArgument CreateLiteral(ReadOnlyMemory<byte> bytes, bool binary) =>
        new(binary ? ImapArgumentKind.Literal8 : ImapArgumentKind.Literal, null, bytes, NoItems, null, bytes.Length) { IsBinary = binary };

    public static ImapArgument CreateStreamedLiteral(long size, bool binary) =>
        new(ImapArgumentKind.StreamedLiteral, null, default, NoItems, null, size) { IsBinary = binary };

    public static ImapArgument CreateList(IReadOnlyList<ImapArgument> items) => new(ImapArgumentKind.List, null, default, items, null, 0);

    public static ImapArgument CreateSection(string atom, IReadOnlyList<ImapArgument> items, string? partial) =>
        new(ImapArgumentKind.Section, atom, default, items, partial, 0);

    internal ImapArgument WithPartial(string partial) => new(Kind, Atom, Bytes, Items, partial, Size);

    /// <summary>True for an atom equal to <paramref name="word"/>, ignoring ASCII case.</summary>
    public bool IsAtom(string word) =>
        Kind is ImapArgumentKind.Atom or ImapArgumentKind.Nil && string.Equals(Atom, word, StringComparison.OrdinalIgnoreCase);

    /// <summary>A quoted string or literal as strict UTF-8 (RFC 9051 §4.3).</summary>
    public bool TryGetString([NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!IsString || !Utf8.IsValid(Bytes.Span))
        {
            return false;
        }

        value = Encoding.UTF8.GetString(Bytes.Span);
        return true;
    }

    /// <summary>RFC 9051 §9 astring: an atom (NIL included, as the word) or a string.</summary>
    public bool TryGetAString([NotNullWhen(true)] out string? value)
    {
        if (Kind is ImapArgumentKind.Atom or ImapArgumentKind.Nil)
        {
            value = Atom!;
            return true;
        }

        return TryGetString(out value);
    }

    /// <summary>RFC 9051 §9 nstring: NIL as null, or a string.</summary>
    public bool TryGetNString(out string? value)
    {
        if (Kind == ImapArgumentKind.Nil)
        {
            value = null;
            return true;
        }

        return TryGetString(out value);
    }

    /// <summary>RFC 9051 §9 number64: an atom of digits only.</summary>
    public bool TryGetNumber(out ulong value)
    {
        value = 0;
        return Kind == ImapArgumentKind.Atom && Atom!.Length is > 0 and <= 20 && Atom.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0 &&
            ulong.TryParse(Atom, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Renders the argument the way it would be written back, for logs and tests.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        Render(builder);
        return builder.ToString();
    }

    internal void Render(StringBuilder builder)
    {
        switch (Kind)
        {
            case ImapArgumentKind.Atom or ImapArgumentKind.Nil:
                builder.Append(Atom);
                break;
            case ImapArgumentKind.Quoted:
                builder.Append('"').Append(Encoding.UTF8.GetString(Bytes.Span).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                break;
            case ImapArgumentKind.Literal or ImapArgumentKind.Literal8:
                builder.Append(Kind == ImapArgumentKind.Literal8 ? "~{" : "{").Append(Size).Append("}\r\n").Append(Encoding.UTF8.GetString(Bytes.Span));
                break;
            case ImapArgumentKind.StreamedLiteral:
                builder.Append(IsBinary ? "~{" : "{").Append(Size).Append("}<streamed>");
                break;
            case ImapArgumentKind.List:
                builder.Append('(');
                RenderItems(builder, Items);
                builder.Append(')');
                break;
            default:
                builder.Append(Atom).Append('[');
                RenderItems(builder, Items);
                builder.Append(']');
                if (Partial is not null)
                {
                    builder.Append('<').Append(Partial).Append('>');
                }

                break;
        }
    }

    internal static void RenderItems(StringBuilder builder, IReadOnlyList<ImapArgument> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            items[i].Render(builder);
        }
    }
}
