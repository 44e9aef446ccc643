using System.Buffers;
using MimeKit.Encodings;

namespace DocStore.Core.Mime;

/// <summary>
/// Serves BODY[section] (RFC 9051 §6.4.5) and BINARY[section] (RFC 3516) from the stored bytes
/// and their <see cref="MessageStructure"/>, by slicing: MIME is never parsed again. A partial
/// fetch (&lt;origin.length&gt;) is a further slice of the result.
/// </summary>
public static class MessageSections
{
    private const int DecodeChunk = 64 * 1024;

    /// <summary>The bytes of BODY[<paramref name="section"/>].</summary>
    public static SectionResult GetBody(ReadOnlyMemory<byte> message, MessageStructure structure, SectionSpec section)
    {
        ArgumentNullException.ThrowIfNull(structure);
        ArgumentNullException.ThrowIfNull(section);
        if (section.Part.Count == 0)
        {
            return section.Text == SectionText.None
                ? SectionResult.Of(Slice(message, structure.HeaderOffset, structure.EndOffset))
                : FromMessage(message, structure, section);
        }

        var part = Resolve(structure, section.Part);
        if (part is null)
        {
            return SectionResult.NoSuchPart;
        }

        return section.Text switch
        {
            SectionText.None => SectionResult.Of(Slice(message, part.BodyOffset, part.EndOffset)),
            SectionText.Mime => SectionResult.Of(Slice(message, part.HeaderOffset, part.BodyOffset)),

            // RFC 9051 §6.4.5: HEADER and TEXT after part numbers need a message/rfc822 part.
            _ => part.Message is { } embedded ? FromMessage(message, embedded, section) : SectionResult.NoSuchPart,
        };
    }

    /// <summary>
    /// Writes BODY[HEADER.FIELDS (...)] or BODY[HEADER.FIELDS.NOT (...)] of the message itself (no
    /// part numbers) to <paramref name="output"/>, the same bytes <see cref="GetBody(ReadOnlyMemory{byte}, MessageStructure, SectionSpec)"/>
    /// returns, without an array per message. False, writing nothing, for any other section.
    /// </summary>
    public static bool TryWriteHeaderFields(ReadOnlyMemory<byte> message, MessageStructure structure, SectionSpec section, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(structure);
        ArgumentNullException.ThrowIfNull(section);
        if (section.Part.Count != 0 || section.Text is not (SectionText.HeaderFields or SectionText.HeaderFieldsNot))
        {
            return false;
        }
        var header = Slice(message, structure.HeaderOffset, structure.BodyOffset);
        HeaderFieldFilter.Filter(header.Span, section.Fields, keep: section.Text == SectionText.HeaderFields, output);
        return true;
    }

    /// <summary>The bytes of BODY[<paramref name="section"/>], the specifier given as text.</summary>
    public static SectionResult GetBody(ReadOnlyMemory<byte> message, MessageStructure structure, string section) =>
        SectionSpec.TryParse(section, out var spec) ? GetBody(message, structure, spec) : SectionResult.NoSuchPart;

    /// <summary>
    /// The bytes of BINARY[<paramref name="part"/>] (RFC 3516 §4.2): the part's body with its
    /// Content-Transfer-Encoding undone. Multiparts and messages carry no encoding of their
    /// own (RFC 2045 §6.4) and are returned as they are.
    /// </summary>
    public static SectionResult GetBinary(ReadOnlyMemory<byte> message, MessageStructure structure, IReadOnlyList<int> part)
    {
        ArgumentNullException.ThrowIfNull(structure);
        ArgumentNullException.ThrowIfNull(part);
        if (part.Count == 0)
        {
            return SectionResult.Of(Slice(message, structure.HeaderOffset, structure.EndOffset));
        }

        var body = Resolve(structure, part);
        if (body is null)
        {
            return SectionResult.NoSuchPart;
        }

        var raw = Slice(message, body.BodyOffset, body.EndOffset);
        if (body.IsMultipart || body.Message is not null)
        {
            return SectionResult.Of(raw);
        }

        return (body.Encoding ?? "7bit").ToUpperInvariant() switch
        {
            "7BIT" or "8BIT" or "BINARY" => SectionResult.Of(raw),
            "BASE64" => SectionResult.Of(Decode(raw.Span, new Base64Decoder())),
            "QUOTED-PRINTABLE" => SectionResult.Of(Decode(raw.Span, new QuotedPrintableDecoder())),
            _ => SectionResult.UnknownEncoding,
        };
    }

    /// <summary>BINARY.SIZE[<paramref name="part"/>] (RFC 3516 §4.2): the decoded size.</summary>
    public static long? GetBinarySize(ReadOnlyMemory<byte> message, MessageStructure structure, IReadOnlyList<int> part)
    {
        var result = GetBinary(message, structure, part);
        return result.Status == SectionStatus.Ok ? result.Data.Length : null;
    }

    /// <summary>
    /// RFC 9051 §6.4.5 part numbering: in a multipart, n is its nth part; in a message/rfc822,
    /// numbers refer to the parts of the embedded message's body; a body that is not a
    /// multipart is its own part 1.
    /// </summary>
    public static BodyPart? Resolve(MessageStructure structure, IReadOnlyList<int> part)
    {
        ArgumentNullException.ThrowIfNull(structure);
        ArgumentNullException.ThrowIfNull(part);
        BodyPart? current = null;
        foreach (var number in part)
        {
            var container = current switch
            {
                null => structure.Body,
                { Message: { } embedded } => embedded.Body,
                { Parts: not null } => current,
                _ => null,
            };
            if (container is null)
            {
                return null;
            }

            if (container.Parts is { } parts)
            {
                if (number < 1 || number > parts.Count)
                {
                    return null;
                }

                current = parts[number - 1];
            }
            else if (number == 1)
            {
                current = container;
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static SectionResult FromMessage(ReadOnlyMemory<byte> message, MessageStructure structure, SectionSpec section)
    {
        var header = Slice(message, structure.HeaderOffset, structure.BodyOffset);
        return section.Text switch
        {
            SectionText.Header => SectionResult.Of(header),
            SectionText.Text => SectionResult.Of(Slice(message, structure.BodyOffset, structure.EndOffset)),
            SectionText.HeaderFields => SectionResult.Of(HeaderFieldFilter.Filter(header.Span, section.Fields, keep: true)),
            SectionText.HeaderFieldsNot => SectionResult.Of(HeaderFieldFilter.Filter(header.Span, section.Fields, keep: false)),
            _ => SectionResult.NoSuchPart,
        };
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> message, long start, long end)
    {
        var from = (int)Math.Clamp(start, 0, message.Length);
        var to = (int)Math.Clamp(end, from, message.Length);
        return message[from..to];
    }

    /// <summary>Decodes in chunks so that a large part is never copied whole just to be read.</summary>
    private static byte[] Decode(ReadOnlySpan<byte> encoded, IMimeDecoder decoder)
    {
        var output = new byte[decoder.EstimateOutputLength(encoded.Length)];
        var input = new byte[Math.Min(DecodeChunk, Math.Max(encoded.Length, 1))];
        var chunkOutput = new byte[decoder.EstimateOutputLength(input.Length)];
        var written = 0;
        for (var offset = 0; offset < encoded.Length; offset += input.Length)
        {
            var length = Math.Min(input.Length, encoded.Length - offset);
            encoded.Slice(offset, length).CopyTo(input);
            var decoded = decoder.Decode(input, 0, length, chunkOutput);
            chunkOutput.AsSpan(0, decoded).CopyTo(output.AsSpan(written));
            written += decoded;
        }

        return written == output.Length ? output : output[..written];
    }
}
