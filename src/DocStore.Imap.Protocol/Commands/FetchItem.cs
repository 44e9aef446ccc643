using System.Text;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>A FETCH data item (RFC 9051 §6.4.5 and the extensions DocStore implements).</summary>
public enum FetchItemKind
{
    Flags,
    InternalDate,

    /// <summary><c>RFC822.SIZE</c>.</summary>
    Rfc822Size,
    Envelope,

    /// <summary><c>BODY</c> without a section: the non-extensible BODYSTRUCTURE.</summary>
    Body,
    BodyStructure,
    Uid,

    /// <summary><c>RFC822</c>: like <c>BODY[]</c>, answered as <c>RFC822</c>.</summary>
    Rfc822,

    /// <summary><c>RFC822.HEADER</c>: like <c>BODY.PEEK[HEADER]</c>.</summary>
    Rfc822Header,

    /// <summary><c>RFC822.TEXT</c>: like <c>BODY[TEXT]</c>.</summary>
    Rfc822Text,

    /// <summary><c>BODY[section]&lt;partial&gt;</c> or its <c>.PEEK</c> form.</summary>
    BodySection,

    /// <summary>RFC 3516 <c>BINARY[part]&lt;partial&gt;</c> or its <c>.PEEK</c> form.</summary>
    Binary,

    /// <summary>RFC 3516 <c>BINARY.SIZE[part]</c>.</summary>
    BinarySize,

    /// <summary>RFC 7162 §3.1.4.2.</summary>
    ModSeq,

    /// <summary>RFC 8474 §5.1.</summary>
    EmailId,

    /// <summary>RFC 8474 §5.2.</summary>
    ThreadId,

    /// <summary>RFC 8514 §4.</summary>
    SaveDate,

    /// <summary>RFC 8970 §3.</summary>
    Preview,
}

/// <summary>
/// One item of a FETCH: its kind, and for the body items the section, the partial and whether
/// it is a <c>.PEEK</c>. <see cref="WriteResponseName"/> writes the name the response uses.
/// </summary>
public sealed class FetchItem
{
    internal FetchItem(FetchItemKind kind, FetchSection? section = null, FetchPartial? partial = null, bool peek = false, bool lazy = false)
    {
        Kind = kind;
        Section = section;
        Partial = partial;
        Peek = peek;
        Lazy = lazy;
    }

    public FetchItemKind Kind { get; }

    /// <summary>For <see cref="FetchItemKind.BodySection"/>, <see cref="FetchItemKind.Binary"/> and <see cref="FetchItemKind.BinarySize"/>.</summary>
    public FetchSection? Section { get; }

    public FetchPartial? Partial { get; }

    /// <summary><c>BODY.PEEK</c> or <c>BINARY.PEEK</c>: the item does not set \Seen.</summary>
    public bool Peek { get; }

    /// <summary>RFC 8970 §3.1 <c>PREVIEW (LAZY)</c>: answer NIL rather than compute a preview now.</summary>
    public bool Lazy { get; }

    /// <summary>RFC 9051 §6.4.5: BODY[...], BINARY[...], RFC822 and RFC822.TEXT set \Seen.</summary>
    public bool SetsSeen => !Peek && Kind is FetchItemKind.BodySection or FetchItemKind.Binary or FetchItemKind.Rfc822 or FetchItemKind.Rfc822Text;

    /// <summary>
    /// Writes the item's name as the FETCH response has it (RFC 9051 §7.5.2): <c>.PEEK</c>
    /// dropped, the section echoed and of a partial only <c>&lt;origin&gt;</c>.
    /// </summary>
    public void WriteResponseName(ImapResponseWriter writer)
    {
        writer.WriteAtom(Keyword(Kind));
        Section?.Write(writer);
        if (Partial is { } partial)
        {
            writer.WriteRaw("<"u8);
            writer.WriteNumber(partial.Origin);
            writer.WriteRaw(">"u8);
        }
    }

    /// <summary>The item as a client writes it, e.g. <c>BODY.PEEK[1.MIME]&lt;0.100&gt;</c>, for logs and tests.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(Kind switch
        {
            FetchItemKind.BodySection => Peek ? "BODY.PEEK" : "BODY",
            FetchItemKind.Binary => Peek ? "BINARY.PEEK" : "BINARY",
            FetchItemKind.Preview when Lazy => "PREVIEW (LAZY)",
            _ => Keyword(Kind),
        });
        if (Section is not null)
        {
            builder.Append('[').Append(Section).Append(']');
        }

        if (Partial is { } partial)
        {
            builder.Append('<').Append(partial.Origin).Append('.').Append(partial.Length).Append('>');
        }

        return builder.ToString();
    }

    private static string Keyword(FetchItemKind kind) => kind switch
    {
        FetchItemKind.Flags => "FLAGS",
        FetchItemKind.InternalDate => "INTERNALDATE",
        FetchItemKind.Rfc822Size => "RFC822.SIZE",
        FetchItemKind.Envelope => "ENVELOPE",
        FetchItemKind.Body or FetchItemKind.BodySection => "BODY",
        FetchItemKind.BodyStructure => "BODYSTRUCTURE",
        FetchItemKind.Uid => "UID",
        FetchItemKind.Rfc822 => "RFC822",
        FetchItemKind.Rfc822Header => "RFC822.HEADER",
        FetchItemKind.Rfc822Text => "RFC822.TEXT",
        FetchItemKind.Binary => "BINARY",
        FetchItemKind.BinarySize => "BINARY.SIZE",
        FetchItemKind.ModSeq => "MODSEQ",
        FetchItemKind.EmailId => "EMAILID",
        FetchItemKind.ThreadId => "THREADID",
        FetchItemKind.SaveDate => "SAVEDATE",
        _ => "PREVIEW",
    };
}
