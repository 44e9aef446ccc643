using System.Buffers;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Imap.Commands;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Fetch;

/// <summary>
/// Writes the <c>* n FETCH (...)</c> lines of one FETCH command. What is the same for every
/// message is worked out once per command: each item's response name as bytes (e.g.
/// <c>BODY[HEADER.FIELDS (From To ...)]</c>), its section as a <see cref="SectionSpec"/>; header
/// fields are filtered into one buffer reused for every message. A first sync writes 20,000 lines.
/// </summary>
internal sealed class FetchResponseWriter
{
    private readonly ImapResponseWriter writer;
    private readonly IReadOnlyList<FetchItem> items;
    private readonly byte[][] names;
    private readonly SectionSpec?[] specs;
    private readonly ArrayBufferWriter<byte> scratch = new();

    public FetchResponseWriter(ImapResponseWriter writer, IReadOnlyList<FetchItem> items)
    {
        this.writer = writer;
        this.items = items;
        names = new byte[items.Count][];
        specs = new SectionSpec?[items.Count];
        var name = new ArrayBufferWriter<byte>();
        var nameWriter = new ImapResponseWriter(name) { Utf8Accept = writer.Utf8Accept };
        for (var i = 0; i < items.Count; i++)
        {
            name.ResetWrittenCount();
            items[i].WriteResponseName(nameWriter);
            names[i] = name.WrittenSpan.ToArray();
            specs[i] = items[i].Section is { } section ? ToSpec(section) : null;
        }
    }

    /// <summary>
    /// Writes one <c>* n FETCH (...)</c>, with <paramref name="emailId"/> for an EMAILID item;
    /// false when a BINARY item met an unknown encoding.
    /// </summary>
    public bool Write(int number, MessageSummary message, Guid emailId, StoredMessage? content, bool includeFlags)
    {
        var ok = true;
        writer.BeginUntagged();
        writer.WriteNumber(number);
        writer.WriteRaw(" FETCH ("u8);
        var first = true;
        void Next()
        {
            if (!first)
            {
                writer.WriteSpace();
            }
            first = false;
        }
        if (includeFlags)
        {
            Next();
            writer.WriteRaw("FLAGS "u8);
            FlagsWriter.WriteFlagList(writer, message.Flags);
        }
        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];
            Next();
            switch (item.Kind)
            {
                case FetchItemKind.Flags:
                    writer.WriteRaw("FLAGS "u8);
                    FlagsWriter.WriteFlagList(writer, message.Flags);
                    break;
                case FetchItemKind.Uid:
                    writer.WriteRaw("UID "u8);
                    writer.WriteNumber(message.Uid);
                    break;
                case FetchItemKind.InternalDate:
                    writer.WriteRaw("INTERNALDATE "u8);
                    writer.WriteDateTime(message.InternalDate);
                    break;
                case FetchItemKind.Rfc822Size:
                    writer.WriteRaw("RFC822.SIZE "u8);
                    writer.WriteNumber(message.Size);
                    break;
                case FetchItemKind.ModSeq:
                    writer.WriteRaw("MODSEQ ("u8);
                    writer.WriteNumber(message.ModSeq);
                    writer.CloseList();
                    break;
                case FetchItemKind.EmailId:
                    writer.WriteRaw("EMAILID ("u8);
                    writer.WriteAtom(emailId.ToString("N"));
                    writer.CloseList();
                    break;
                case FetchItemKind.ThreadId:
                    writer.WriteRaw("THREADID NIL"u8);
                    break;
                case FetchItemKind.SaveDate:
                    writer.WriteRaw("SAVEDATE NIL"u8);
                    break;
                case FetchItemKind.Envelope:
                    writer.WriteRaw("ENVELOPE "u8);
                    EnvelopeWriter.Write(writer, content!.Structure.Envelope);
                    break;
                case FetchItemKind.Body:
                    writer.WriteRaw("BODY "u8);
                    BodyStructureWriter.WriteBody(writer, content!.Structure.Body);
                    break;
                case FetchItemKind.BodyStructure:
                    writer.WriteRaw("BODYSTRUCTURE "u8);
                    BodyStructureWriter.WriteBodyStructure(writer, content!.Structure.Body);
                    break;
                case FetchItemKind.Rfc822:
                    writer.WriteRaw("RFC822 "u8);
                    writer.WriteLiteral(content!.Bytes.Span);
                    break;
                case FetchItemKind.Rfc822Header:
                    writer.WriteRaw("RFC822.HEADER "u8);
                    writer.WriteLiteral(MessageSections.GetBody(content!.Bytes, content.Structure, new SectionSpec([], SectionText.Header, [])).Data.Span);
                    break;
                case FetchItemKind.Rfc822Text:
                    writer.WriteRaw("RFC822.TEXT "u8);
                    writer.WriteLiteral(MessageSections.GetBody(content!.Bytes, content.Structure, new SectionSpec([], SectionText.Text, [])).Data.Span);
                    break;
                case FetchItemKind.BodySection:
                    writer.WriteRaw(names[index]);
                    writer.WriteSpace();
                    if (MessageSections.TryWriteHeaderFields(content!.Bytes, content.Structure, specs[index]!, scratch))
                    {
                        writer.WriteLiteral(Slice(scratch.WrittenMemory, item.Partial).Span);
                        scratch.ResetWrittenCount();
                        break;
                    }
                    var body = MessageSections.GetBody(content.Bytes, content.Structure, specs[index]!);
                    // RFC 9051 §6.4.5: a part that does not exist is an empty string, not an error.
                    writer.WriteLiteral(Slice(body.Data, item.Partial).Span);
                    break;
                case FetchItemKind.Binary:
                    writer.WriteRaw(names[index]);
                    writer.WriteSpace();
                    var binary = MessageSections.GetBinary(content!.Bytes, content.Structure, specs[index]!.Part);
                    ok &= binary.Status != SectionStatus.UnknownEncoding;
                    var data = Slice(binary.Data, item.Partial).Span;
                    // RFC 3516 §4.2: literal8 only when the decoded bytes hold NUL.
                    if (data.Contains((byte)0))
                    {
                        writer.WriteLiteral8(data);
                    }
                    else
                    {
                        writer.WriteLiteral(data);
                    }
                    break;
                case FetchItemKind.BinarySize:
                    writer.WriteRaw(names[index]);
                    writer.WriteSpace();
                    var size = MessageSections.GetBinarySize(content!.Bytes, content.Structure, specs[index]!.Part);
                    ok &= size is not null;
                    writer.WriteNumber(size ?? 0);
                    break;
                default:
                    writer.WriteRaw("PREVIEW NIL"u8);
                    break;
            }
        }
        writer.CloseList();
        writer.WriteCrlf();
        return ok;
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> data, FetchPartial? partial)
    {
        if (partial is not { } p)
        {
            return data;
        }
        if (p.Origin >= (ulong)data.Length)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        var length = (int)Math.Min(p.Length, (ulong)data.Length - p.Origin);
        return data.Slice((int)p.Origin, length);
    }

    private static int[] ToPart(FetchSection section) => section.Part.Select(n => (int)n).ToArray();

    private static SectionSpec ToSpec(FetchSection section) => new(ToPart(section), section.Text switch
    {
        FetchSectionText.Header => SectionText.Header,
        FetchSectionText.HeaderFields => SectionText.HeaderFields,
        FetchSectionText.HeaderFieldsNot => SectionText.HeaderFieldsNot,
        FetchSectionText.Text => SectionText.Text,
        FetchSectionText.Mime => SectionText.Mime,
        _ => SectionText.None,
    }, section.HeaderFields);
}
