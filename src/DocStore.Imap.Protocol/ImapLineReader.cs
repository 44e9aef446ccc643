using System.Buffers;

namespace DocStore.Imap.Protocol;

/// <summary>What <see cref="ImapLineReader.TryReadLine"/> found.</summary>
public enum ImapLineStatus
{
    /// <summary>A whole line was read and consumed.</summary>
    Complete,

    /// <summary>No line end yet; nothing was consumed.</summary>
    NeedMoreData,

    /// <summary>
    /// The line is over the limit; nothing was consumed. Answer BAD, call
    /// <see cref="ImapCommandParser.DiscardCommand"/> and let the parser eat the line.
    /// </summary>
    TooLong,
}

/// <summary>
/// Reads the raw lines that are not commands: AUTHENTICATE's client responses (RFC 9051
/// §6.2.2) and IDLE's <c>DONE</c> (RFC 2177).
/// </summary>
public static class ImapLineReader
{
    /// <summary>Reads one line; <paramref name="line"/> excludes the CRLF (or bare LF).</summary>
    public static ImapLineStatus TryReadLine(ref SequenceReader<byte> reader, int maxLength, out ReadOnlySequence<byte> line)
    {
        var start = reader;
        if (!reader.TryReadTo(out line, (byte)'\n', advancePastDelimiter: true))
        {
            line = default;
            return reader.Remaining > maxLength ? ImapLineStatus.TooLong : ImapLineStatus.NeedMoreData;
        }

        if (line.Length + 1 > maxLength)
        {
            reader = start;
            line = default;
            return ImapLineStatus.TooLong;
        }

        if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == '\r')
        {
            line = line.Slice(0, line.Length - 1);
        }

        return ImapLineStatus.Complete;
    }

    /// <summary>RFC 2177: the line that ends IDLE, in any case.</summary>
    public static bool IsDone(in ReadOnlySequence<byte> line) =>
        line.Length == 4 && System.Text.Ascii.EqualsIgnoreCase(line.IsSingleSegment ? line.FirstSpan : line.ToArray(), "DONE"u8);
}
