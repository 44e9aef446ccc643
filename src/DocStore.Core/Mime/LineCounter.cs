namespace DocStore.Core.Mime;

/// <summary>
/// Counts the lines of every entity as the number of line feeds in its body, as IMAP servers
/// report body-fld-lines (RFC 9051 §7.5.2): a last line without a line break, or the line
/// break that belongs to the next boundary (RFC 2046 §5.1.1), is not counted. One forward pass
/// over the message records the running count at each offset of interest.
/// </summary>
internal static class LineCounter
{
    public static void Count(ReadOnlySpan<byte> message, PartNode root)
    {
        var nodes = Collect(root);
        var counts = new Dictionary<long, long>();
        long previous = 0, lineFeeds = 0;
        foreach (var offset in Offsets(nodes))
        {
            var end = (int)Math.Min(offset, message.Length);
            lineFeeds += message[(int)previous..end].Count((byte)'\n');
            counts[offset] = lineFeeds;
            previous = end;
        }

        Apply(nodes, counts, lineFeeds);
    }

    public static async Task CountAsync(Stream message, PartNode root, CancellationToken cancellationToken)
    {
        var nodes = Collect(root);
        var offsets = Offsets(nodes);
        var counts = new Dictionary<long, long>(offsets.Length);
        var buffer = new byte[64 * 1024];
        long position = 0, lineFeeds = 0;
        var next = 0;
        while (next < offsets.Length)
        {
            var read = await message.ReadAsync(buffer, cancellationToken);
            var chunk = buffer.AsSpan(0, read);
            while (next < offsets.Length && offsets[next] <= position + read)
            {
                var within = (int)(offsets[next] - position);
                counts[offsets[next]] = lineFeeds + chunk[..within].Count((byte)'\n');
                next++;
            }

            if (read == 0)
            {
                break;
            }

            lineFeeds += chunk.Count((byte)'\n');
            position += read;
        }

        Apply(nodes, counts, lineFeeds);
    }

    private static long[] Offsets(List<PartNode> nodes) =>
        nodes.SelectMany(n => new[] { n.BodyOffset, n.EndOffset }).Distinct().Order().ToArray();

    private static void Apply(List<PartNode> nodes, Dictionary<long, long> counts, long total)
    {
        foreach (var node in nodes)
        {
            node.Lines = counts.GetValueOrDefault(node.EndOffset, total) - counts.GetValueOrDefault(node.BodyOffset, total);
        }
    }

    private static List<PartNode> Collect(PartNode node)
    {
        var nodes = new List<PartNode>();
        var pending = new Stack<PartNode>();
        pending.Push(node);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            nodes.Add(current);
            foreach (var child in current.Children)
            {
                pending.Push(child);
            }

            if (current.Embedded is { } embedded)
            {
                pending.Push(embedded);
            }
        }

        return nodes;
    }
}
