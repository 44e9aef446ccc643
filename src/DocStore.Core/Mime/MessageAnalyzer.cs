namespace DocStore.Core.Mime;

/// <summary>
/// Computes a message's <see cref="MessageStructure"/> once, at filing time, from its bytes
/// exactly as received. Malformed MIME never makes it throw: the worst case is a single
/// text/plain body. Beyond <see cref="MaxDepth"/> levels or <see cref="MaxParts"/> parts the
/// rest is opaque body (DESIGN.md, Limits).
/// </summary>
public static class MessageAnalyzer
{
    /// <summary>Deepest nesting of multiparts and embedded messages that is split into parts.</summary>
    public const int MaxDepth = 100;

    /// <summary>Most MIME entities recorded for one message, embedded messages included.</summary>
    public const int MaxParts = 10_000;

    /// <summary>Analyzes a message held in memory; the bytes are read in place, not copied.</summary>
    public static MessageStructure Analyze(ReadOnlyMemory<byte> message)
    {
        using var stream = new ReadOnlyMemoryStream(message);
        var reader = new StructureReader(stream, MaxDepth, MaxParts);
        try
        {
            reader.ReadMessage(CancellationToken.None);
        }
        catch (FormatException)
        {
            return Fallback(message.Length);
        }

        if (reader.Root is not { } root)
        {
            return Fallback(message.Length);
        }

        LineCounter.Count(message.Span, root);
        return PartConverter.ToMessage(root);
    }

    /// <summary>
    /// Analyzes the message in <paramref name="message"/>, a seekable stream (a spooled APPEND
    /// literal, a stored blob), from its start. It is read twice, forward, never held whole.
    /// </summary>
    public static async Task<MessageStructure> AnalyzeAsync(Stream message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.CanSeek)
        {
            throw new ArgumentException("The message stream must be seekable.", nameof(message));
        }

        message.Position = 0;
        var reader = new StructureReader(message, MaxDepth, MaxParts);
        try
        {
            await reader.ReadMessageAsync(cancellationToken);
        }
        catch (FormatException)
        {
            return Fallback(message.Length);
        }

        if (reader.Root is not { } root)
        {
            return Fallback(message.Length);
        }

        message.Position = 0;
        await LineCounter.CountAsync(message, root, cancellationToken);
        return PartConverter.ToMessage(root);
    }

    /// <summary>
    /// RFC 2045 §5.2: what cannot be read as MIME is plain US-ASCII text; header and body cannot
    /// be told apart, so it is all body.
    /// </summary>
    private static MessageStructure Fallback(long length) =>
        new(Envelope.Empty, new BodyPart
        {
            Type = "text",
            Subtype = "plain",
            Parameters = [new MimeParameter("charset", "us-ascii")],
            EndOffset = length,
        });
}
