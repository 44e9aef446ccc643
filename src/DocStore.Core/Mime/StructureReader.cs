using MimeKit;

namespace DocStore.Core.Mime;

/// <summary>
/// Walks a message with MimeKit's forward-only <see cref="MimeReader"/> and records, per entity,
/// its header lines and the offsets of its header and body. Content is never buffered, so a
/// 64 MiB message costs no more than its headers.
/// </summary>
internal sealed class StructureReader : MimeReader
{
    private readonly Stack<PartNode?> open = new();
    private readonly int maxParts;
    private List<Header> headers = [];
    private long headersEnd;
    private long separatorBegin = -1;
    private PartNode? lastLeaf;
    private int parts;

    public StructureReader(Stream stream, int maxDepth, int maxParts)
        : base(new ParserOptions { MaxMimeDepth = maxDepth }, stream, MimeFormat.Entity)
    {
        this.maxParts = maxParts;
    }

    /// <summary>The top-level entity once the message has been read.</summary>
    public PartNode? Root { get; private set; }

    protected override void OnHeadersBegin(long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
    {
        headers = [];
        separatorBegin = -1;
    }

    protected override void OnBodySeparator(long beginOffset, int lineNumber, long endOffset, CancellationToken cancellationToken) =>
        separatorBegin = beginOffset;

    protected override void OnHeaderRead(Header header, int beginLineNumber, CancellationToken cancellationToken) =>
        headers.Add(header);

    protected override void OnHeadersEnd(long beginOffset, int beginLineNumber, long endOffset, int endLineNumber, CancellationToken cancellationToken) =>
        headersEnd = endOffset;

    protected override void OnMimePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) =>
        Begin(PartKind.Leaf, contentType, beginOffset);

    protected override void OnMimePartContentEnd(long beginOffset, int beginLineNumber, long endOffset, int lines, NewLineFormat? newLineFormat, CancellationToken cancellationToken)
    {
        if (open.Peek() is { } node)
        {
            node.BodyOffset = beginOffset;
            node.EndOffset = endOffset;
            node.Lines = lines;
        }
    }

    protected override void OnMimePartEnd(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken) =>
        lastLeaf = open.Pop();

    protected override void OnMultipartBoundaryBegin(long beginOffset, int lineNumber, CancellationToken cancellationToken) =>
        AttachLineBreakToBoundary(beginOffset);

    protected override void OnMultipartEndBoundaryBegin(long beginOffset, int lineNumber, CancellationToken cancellationToken) =>
        AttachLineBreakToBoundary(beginOffset);

    protected override void OnMessagePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) =>
        Begin(PartKind.Message, contentType, beginOffset);

    protected override void OnMessagePartEnd(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken) =>
        End(endOffset, lines);

    protected override void OnMultipartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) =>
        Begin(PartKind.Multipart, contentType, beginOffset);

    protected override void OnMultipartEnd(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken) =>
        End(endOffset, lines);

    protected override Task OnHeadersBeginAsync(long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
    {
        OnHeadersBegin(beginOffset, beginLineNumber, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnBodySeparatorAsync(long beginOffset, int lineNumber, long endOffset, CancellationToken cancellationToken)
    {
        OnBodySeparator(beginOffset, lineNumber, endOffset, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnMultipartBoundaryBeginAsync(long beginOffset, int lineNumber, CancellationToken cancellationToken)
    {
        OnMultipartBoundaryBegin(beginOffset, lineNumber, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnMultipartEndBoundaryBeginAsync(long beginOffset, int lineNumber, CancellationToken cancellationToken)
    {
        OnMultipartEndBoundaryBegin(beginOffset, lineNumber, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnHeaderReadAsync(Header header, int beginLineNumber, CancellationToken cancellationToken)
    {
        OnHeaderRead(header, beginLineNumber, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnHeadersEndAsync(long beginOffset, int beginLineNumber, long endOffset, int endLineNumber, CancellationToken cancellationToken)
    {
        OnHeadersEnd(beginOffset, beginLineNumber, endOffset, endLineNumber, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnMimePartBeginAsync(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
    {
        OnMimePartBegin(contentType, beginOffset, beginLineNumber, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnMimePartContentEndAsync(long beginOffset, int beginLineNumber, long endOffset, int lines, NewLineFormat? newLineFormat, CancellationToken cancellationToken)
    {
        OnMimePartContentEnd(beginOffset, beginLineNumber, endOffset, lines, newLineFormat, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnMimePartEndAsync(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken)
    {
        OnMimePartEnd(contentType, beginOffset, beginLineNumber, headersEndOffset, endOffset, lines, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnMessagePartBeginAsync(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
    {
        OnMessagePartBegin(contentType, beginOffset, beginLineNumber, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnMessagePartEndAsync(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken)
    {
        OnMessagePartEnd(contentType, beginOffset, beginLineNumber, headersEndOffset, endOffset, lines, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnMultipartBeginAsync(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
    {
        OnMultipartBegin(contentType, beginOffset, beginLineNumber, cancellationToken);
        return Task.CompletedTask;
    }

    protected override Task OnMultipartEndAsync(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken)
    {
        OnMultipartEnd(contentType, beginOffset, beginLineNumber, headersEndOffset, endOffset, lines, cancellationToken);
        return Task.CompletedTask;
    }

    /// <summary>
    /// RFC 2046 §5.1.1: the line break before a boundary belongs to the boundary. When a part's
    /// header is followed directly by the next boundary, the "blank line" MimeKit saw is that
    /// line break: the header ends before it and the body is empty.
    /// </summary>
    private void AttachLineBreakToBoundary(long boundaryOffset)
    {
        if (lastLeaf is { SeparatorBegin: >= 0 } leaf && leaf.BodyOffset == boundaryOffset && leaf.EndOffset == boundaryOffset)
        {
            leaf.BodyOffset = leaf.SeparatorBegin;
            leaf.EndOffset = leaf.SeparatorBegin;
        }

        lastLeaf = null;
    }

    private void Begin(PartKind kind, ContentType contentType, long beginOffset)
    {
        var parent = open.Count > 0 ? open.Peek() : null;
        if (open.Count == 0 && beginOffset > 0 && headers.Count > 0 && headers[0].Offset == beginOffset)
        {
            // Bytes before the first field (a byte order mark, which MimeKit skips) make it
            // no field that RFC 5322 §2.2 knows; the message and its header still start at 0.
            headers.RemoveAt(0);
            beginOffset = 0;
        }

        var attach = open.Count == 0 || (parent is not null && parts < maxParts);
        PartNode? node = null;
        if (attach)
        {
            parts++;
            node = new PartNode(kind, contentType, headers)
            {
                HeaderOffset = beginOffset,
                SeparatorBegin = separatorBegin,
                BodyOffset = headersEnd,
                EndOffset = headersEnd,
                InDigest = parent is { Kind: PartKind.Multipart } &&
                    parent.ContentType.IsMimeType("multipart", "digest"),
            };
            if (parent is null)
            {
                Root = node;
            }
            else if (parent.Kind == PartKind.Multipart)
            {
                parent.Children.Add(node);
            }
            else
            {
                parent.Embedded = node;
            }
        }

        headers = [];
        open.Push(node);
    }

    private void End(long endOffset, int lines)
    {
        if (open.Pop() is { } node)
        {
            node.EndOffset = endOffset;
            node.Lines = lines;
        }
    }
}

/// <summary>How MimeKit's reader saw an entity: a leaf, a multipart or a message/rfc822.</summary>
internal enum PartKind
{
    Leaf,
    Multipart,
    Message,
}

/// <summary>An entity as read, before its header fields are interpreted.</summary>
internal sealed class PartNode(PartKind kind, ContentType contentType, IReadOnlyList<Header> headers)
{
    public PartKind Kind { get; } = kind;

    public ContentType ContentType { get; } = contentType;

    public IReadOnlyList<Header> Headers { get; } = headers;

    public List<PartNode> Children { get; } = [];

    public PartNode? Embedded { get; set; }

    public bool InDigest { get; init; }

    public long HeaderOffset { get; init; }

    /// <summary>Where the blank line after the header starts, or -1 when there is none.</summary>
    public long SeparatorBegin { get; init; }

    public long BodyOffset { get; set; }

    public long EndOffset { get; set; }

    public long Lines { get; set; }
}
