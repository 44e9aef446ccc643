using System.Text;

namespace DocStore.LoadGenerator.Imap;

/// <summary>
/// Reads server responses: lines ending in CRLF, where a line ending in a literal <c>{n}</c>
/// goes on after n bytes (RFC 9051 §4.3). Literal bytes are counted and skipped, never kept, so
/// a FETCH BODY[] of a whole mailbox streams through a fixed buffer.
/// </summary>
internal sealed class ImapResponseReader(Stream stream)
{
    // 64 KiB per connection (1,000 idle ones), grown for the rare long line: a SEARCH ALL of
    // 20,000 UIDs is about 110 KB.
    private const int MaxLine = 16 * 1024 * 1024;
    private byte[] buffer = new byte[64 * 1024];
    private readonly StringBuilder text = new();
    private int start;
    private int end;

    /// <summary>How long a read may wait for data before the connection counts as stuck; infinite for IDLE.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(120);

    public async ValueTask<ImapResponse> ReadAsync(CancellationToken cancellationToken)
    {
        text.Clear();
        long literalBytes = 0;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            text.Append(line);
            var literal = TrailingLiteralLength(line);
            if (literal < 0)
            {
                return new ImapResponse(text.ToString(), literalBytes);
            }

            await SkipAsync(literal, cancellationToken);
            literalBytes += literal;
        }
    }

    /// <summary>RFC 9051 §4.3: <c>{n}</c> (or <c>{n+}</c>, <c>~{n}</c>) at the end of a line announces n bytes.</summary>
    private static long TrailingLiteralLength(string line)
    {
        if (!line.EndsWith('}'))
        {
            return -1;
        }

        var open = line.LastIndexOf('{');
        if (open < 0)
        {
            return -1;
        }

        var digits = line.AsSpan(open + 1, line.Length - open - 2).TrimEnd('+');
        return long.TryParse(digits, out var length) && length >= 0 ? length : -1;
    }

    private async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var scanned = start;
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', scanned, end - scanned);
            if (newline >= 0)
            {
                var length = newline - start;
                if (length > 0 && buffer[newline - 1] == (byte)'\r')
                {
                    length--;
                }

                var line = Encoding.Latin1.GetString(buffer, start, length);
                start = newline + 1;
                return line;
            }

            scanned = end - start;
            await FillAsync(cancellationToken);
            scanned += start;
        }
    }

    private async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (start == end)
            {
                await FillAsync(cancellationToken);
            }

            var take = (int)Math.Min(count, end - start);
            start += take;
            count -= take;
        }
    }

    /// <summary>Moves unread bytes to the front and reads more; a line (literals aside) must fit the buffer, which grows to <see cref="MaxLine"/>.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var unread = end - start;
        if (unread == buffer.Length)
        {
            if (buffer.Length >= MaxLine)
            {
                throw new InvalidDataException($"The server sent a line longer than {buffer.Length} bytes.");
            }
            Array.Resize(ref buffer, buffer.Length * 2);
        }

        Buffer.BlockCopy(buffer, start, buffer, 0, unread);
        start = 0;
        end = unread;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        int read;
        try
        {
            read = await stream.ReadAsync(buffer.AsMemory(end), timeout.Token);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The server sent nothing for {ReadTimeout.TotalSeconds:0} s.", exception);
        }

        if (read == 0)
        {
            throw new EndOfStreamException("The server closed the connection.");
        }

        end += read;
    }
}
