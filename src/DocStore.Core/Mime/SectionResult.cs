namespace DocStore.Core.Mime;

/// <summary>Whether a section could be served, and why not.</summary>
public enum SectionStatus
{
    /// <summary>The bytes are in <see cref="SectionResult.Data"/>.</summary>
    Ok,

    /// <summary>
    /// The message has no such part; RFC 9051 §6.4.5 leaves the answer to the server, which
    /// sends an empty string.
    /// </summary>
    NoSuchPart,

    /// <summary>RFC 3516 §4.3: the transfer encoding is unknown; the answer is NO [UNKNOWN-CTE].</summary>
    UnknownEncoding,
}

/// <summary>The bytes of one section, usually a slice of the stored message (not a copy).</summary>
public readonly record struct SectionResult(SectionStatus Status, ReadOnlyMemory<byte> Data)
{
    public static SectionResult NoSuchPart => new(SectionStatus.NoSuchPart, ReadOnlyMemory<byte>.Empty);

    public static SectionResult UnknownEncoding => new(SectionStatus.UnknownEncoding, ReadOnlyMemory<byte>.Empty);

    public static SectionResult Of(ReadOnlyMemory<byte> data) => new(SectionStatus.Ok, data);
}
