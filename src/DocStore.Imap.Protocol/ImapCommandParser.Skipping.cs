using System.Buffers;

namespace DocStore.Imap.Protocol;

/// <summary>
/// Discarding the rest of a bad command, so that the connection can go on after a BAD.
/// </summary>
public sealed partial class ImapCommandParser
{
    private long skipLiteralRemaining;
    private SkipHeader skipHeader;
    private long skipHeaderSize;
    private bool skipHeaderNonSynchronizing;

    /// <summary>How much of a literal header the discarded bytes have ended with.</summary>
    private enum SkipHeader
    {
        None,
        Digits,
        Plus,
        Close,
        Cr,
    }

    private void EnterSkip()
    {
        skipHeader = SkipHeader.None;
        lex = LexState.Skipping;
    }

    /// <summary>
    /// A failure in the middle of a literal header (the line limit) must still see that header,
    /// or the literal's bytes would be parsed as commands.
    /// </summary>
    private void SeedSkipFromLiteralHeader()
    {
        skipHeaderSize = literalSize;
        skipHeaderNonSynchronizing = literalNonSynchronizing;
        skipHeader = lex switch
        {
            LexState.LiteralSize => SkipHeader.Digits,
            LexState.LiteralPlus => SkipHeader.Plus,
            LexState.LiteralClose => SkipHeader.Close,
            LexState.LiteralCr => SkipHeader.Cr,
            _ => SkipHeader.None,
        };
    }

    private bool SkipLine(ref SequenceReader<byte> reader)
    {
        while (reader.TryRead(out var b))
        {
            if (SkipByte(b))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Discards one byte of a bad command; true at the end of its line. A line ending in a
    /// non-synchronizing literal header continues after the literal, whose bytes are discarded
    /// too (RFC 7888 §4); one ending in a synchronizing header ends there, since the client
    /// waits for a continuation it will not get.
    /// </summary>
    private bool SkipByte(byte b)
    {
        if (b == '\n')
        {
            if (skipHeader is SkipHeader.Close or SkipHeader.Cr && skipHeaderNonSynchronizing)
            {
                skipLiteralRemaining = skipHeaderSize;
                skipHeader = SkipHeader.None;
                lex = LexState.SkippingLiteral;
            }
            else
            {
                ResetCommand();
            }

            return true;
        }

        var previous = skipHeader;
        skipHeader = (previous, b) switch
        {
            (_, (byte)'{') => SkipHeader.Digits,
            (SkipHeader.Digits, >= (byte)'0' and <= (byte)'9') => SkipHeader.Digits,
            (SkipHeader.Digits, (byte)'+') => SkipHeader.Plus,
            (SkipHeader.Digits or SkipHeader.Plus, (byte)'}') => SkipHeader.Close,
            (SkipHeader.Close, (byte)'\r') => SkipHeader.Cr,
            _ => SkipHeader.None,
        };
        if (b == '{')
        {
            skipHeaderSize = 0;
            skipHeaderNonSynchronizing = false;
        }
        else if (skipHeader == SkipHeader.Digits)
        {
            skipHeaderSize = skipHeaderSize > (long.MaxValue - 9) / 10 ? long.MaxValue : (skipHeaderSize * 10) + (b - '0');
        }
        else if (skipHeader == SkipHeader.Plus)
        {
            skipHeaderNonSynchronizing = true;
        }

        return false;
    }
}
