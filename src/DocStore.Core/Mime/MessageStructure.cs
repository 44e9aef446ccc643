using System.Text.Json.Serialization;

namespace DocStore.Core.Mime;

/// <summary>
/// What FETCH needs of a message without reading it again (DESIGN.md: computed once at filing):
/// the ENVELOPE, the body structure and, per part, where its bytes lie in the stored message.
/// The top-level message and every embedded message/rfc822 have one.
/// </summary>
/// <param name="Envelope">RFC 9051 §7.5.2 ENVELOPE fields.</param>
/// <param name="Body">The message's body: the MIME entity whose header is the message header.</param>
public sealed record MessageStructure(Envelope Envelope, BodyPart Body)
{
    /// <summary>Offset of the first byte of the message header within the stored bytes.</summary>
    [JsonIgnore]
    public long HeaderOffset => Body.HeaderOffset;

    /// <summary>Offset of the first byte of the message body (just past the blank line).</summary>
    [JsonIgnore]
    public long BodyOffset => Body.BodyOffset;

    /// <summary>Offset just past the last byte of the message.</summary>
    [JsonIgnore]
    public long EndOffset => Body.EndOffset;
}

/// <summary>
/// The ENVELOPE of RFC 9051 §7.5.2 as the server sends it: header values unfolded but not
/// decoded (encoded-words stay as they are), Sender and Reply-To already defaulted to From.
/// An address list is null for NIL.
/// </summary>
public sealed record Envelope(
    string? Date,
    string? Subject,
    IReadOnlyList<EnvelopeAddress>? From,
    IReadOnlyList<EnvelopeAddress>? Sender,
    IReadOnlyList<EnvelopeAddress>? ReplyTo,
    IReadOnlyList<EnvelopeAddress>? To,
    IReadOnlyList<EnvelopeAddress>? Cc,
    IReadOnlyList<EnvelopeAddress>? Bcc,
    string? InReplyTo,
    string? MessageId)
{
    /// <summary>The envelope of a message without any of the fields: ten NILs.</summary>
    public static Envelope Empty { get; } = new(null, null, null, null, null, null, null, null, null, null);
}

/// <summary>
/// One address of an ENVELOPE list (RFC 9051 §7.5.2): name, source route, mailbox, host. A group
/// starts with a null host and the group name as mailbox, and ends with all four null.
/// </summary>
public sealed record EnvelopeAddress(string? Name, string? Route, string? Mailbox, string? Host);

/// <summary>A MIME parameter (RFC 2045 §5.1) as written in the header, after RFC 2231 joining.</summary>
public sealed record MimeParameter(string Name, string Value);

/// <summary>A Content-Disposition (RFC 2183): its type and parameters.</summary>
public sealed record ContentDisposition(string Type, IReadOnlyList<MimeParameter> Parameters);

/// <summary>
/// One MIME entity of the body structure (RFC 9051 §7.5.2 BODYSTRUCTURE) and the offsets of its
/// bytes: <see cref="HeaderOffset"/> to <see cref="BodyOffset"/> is its MIME header including
/// the blank line; <see cref="BodyOffset"/> to <see cref="EndOffset"/> its body, without the
/// line break that belongs to the next boundary (RFC 2046 §5.1.1).
/// </summary>
public sealed record BodyPart
{
    /// <summary>Media type as written, e.g. <c>text</c>, <c>multipart</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Media subtype as written, e.g. <c>plain</c>, <c>mixed</c>.</summary>
    public required string Subtype { get; init; }

    /// <summary>Content-Type parameters in header order; RFC 2231 continuations joined.</summary>
    public IReadOnlyList<MimeParameter> Parameters { get; init; } = [];

    /// <summary>Content-ID, unfolded.</summary>
    public string? Id { get; init; }

    /// <summary>Content-Description, unfolded and not decoded.</summary>
    public string? Description { get; init; }

    /// <summary>Content-Transfer-Encoding as written; null when absent (7bit, RFC 2045 §6.1).</summary>
    public string? Encoding { get; init; }

    /// <summary>Content-MD5 (RFC 1864).</summary>
    public string? Md5 { get; init; }

    /// <summary>Content-Disposition (RFC 2183).</summary>
    public ContentDisposition? Disposition { get; init; }

    /// <summary>Content-Language tags (RFC 3282).</summary>
    public IReadOnlyList<string>? Language { get; init; }

    /// <summary>Content-Location (RFC 2557).</summary>
    public string? Location { get; init; }

    /// <summary>Offset of the first byte of the part's MIME header.</summary>
    public long HeaderOffset { get; init; }

    /// <summary>Offset of the first byte of the part's body.</summary>
    public long BodyOffset { get; init; }

    /// <summary>Offset just past the last byte of the part's body.</summary>
    public long EndOffset { get; init; }

    /// <summary>Number of lines of the body, for text/* and message/rfc822 (RFC 9051 §7.5.2).</summary>
    public long Lines { get; init; }

    /// <summary>The parts of a multipart, in order; null for other parts.</summary>
    public IReadOnlyList<BodyPart>? Parts { get; init; }

    /// <summary>The embedded message of a message/rfc822 (or message/global) part.</summary>
    public MessageStructure? Message { get; init; }

    /// <summary>The size of the body in octets, in its transfer encoding.</summary>
    [JsonIgnore]
    public long Size => EndOffset - BodyOffset;

    /// <summary>True for a multipart whose body was split into parts.</summary>
    [JsonIgnore]
    public bool IsMultipart => Parts is not null;

    /// <summary>True when the media type is <c>text</c>, which carries a line count.</summary>
    [JsonIgnore]
    public bool IsText => Type.Equals("text", StringComparison.OrdinalIgnoreCase);
}
