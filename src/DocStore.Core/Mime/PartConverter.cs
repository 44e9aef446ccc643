namespace DocStore.Core.Mime;

/// <summary>Turns the entities MimeKit's reader found into the stored body structure.</summary>
internal static class PartConverter
{
    public static MessageStructure ToMessage(PartNode root) =>
        new(EnvelopeReader.Read(root.Headers), ToPart(root));

    private static BodyPart ToPart(PartNode node)
    {
        var content = ContentHeaders.Read(node.Headers, node.InDigest);
        var part = new BodyPart
        {
            Type = content.Type,
            Subtype = content.Subtype,
            Parameters = content.Parameters,
            Id = content.Id,
            Description = content.Description,
            Encoding = content.Encoding,
            Md5 = content.Md5,
            Disposition = content.Disposition,
            Language = content.Language,
            Location = content.Location,
            HeaderOffset = node.HeaderOffset,
            BodyOffset = node.BodyOffset,
            EndOffset = node.EndOffset,
            Lines = node.Lines,
        };

        switch (node.Kind)
        {
            case PartKind.Multipart when node.ContentType.Boundary is null:
                // RFC 2046 §5.1.1: without a boundary the body cannot be split; it stays one
                // opaque part instead of becoming an empty multipart that hides it.
                return part;
            case PartKind.Multipart:
                return part with
                {
                    // The reader split it by its boundary, so it is a multipart whatever our
                    // stricter reading of the Content-Type says.
                    Type = node.ContentType.MediaType,
                    Subtype = node.ContentType.MediaSubtype,
                    Lines = 0,
                    Parts = node.Children.Count > 0 ? node.Children.ConvertAll(ToPart) : [EmptyPart(node)],
                };
            case PartKind.Message when node.Embedded is { } embedded:
                return part with { Message = ToMessage(embedded) };
            default:
                return part;
        }
    }

    /// <summary>
    /// RFC 9051 §9: body-type-mpart needs at least one body. A multipart without any part
    /// (no boundary line at all) is sent with one empty text/plain part.
    /// </summary>
    private static BodyPart EmptyPart(PartNode multipart) => new()
    {
        Type = "text",
        Subtype = "plain",
        Parameters = [new MimeParameter("charset", "us-ascii")],
        HeaderOffset = multipart.EndOffset,
        BodyOffset = multipart.EndOffset,
        EndOffset = multipart.EndOffset,
    };
}
