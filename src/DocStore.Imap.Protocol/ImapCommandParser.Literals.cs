using System.Buffers;

namespace DocStore.Imap.Protocol;

/// <summary>Literal headers and in-memory literal data (RFC 9051 §4.3, RFC 7888, RFC 3516).</summary>
public sealed partial class ImapCommandParser
{
    private void BeginLiteralHeader(bool binary)
    {
        literalBinary = binary;
        literalNonSynchronizing = false;
        literalSize = 0;
        literalDigits = 0;
        lex = LexState.LiteralSize;
    }

    private ImapParseResult? OnLiteralSizeByte(byte b)
    {
        if (ImapCharacters.IsDigit(b))
        {
            // RFC 9051 §9: number64, at most 2^63-1.
            if (literalSize > (long.MaxValue - (b - '0')) / 10)
            {
                return FailAt(b, "Literal size too large");
            }

            literalSize = (literalSize * 10) + (b - '0');
            literalDigits++;
            return null;
        }

        if (literalDigits > 0 && b == '+')
        {
            literalNonSynchronizing = true;
            lex = LexState.LiteralPlus;
            return null;
        }

        if (literalDigits > 0 && b == '}')
        {
            lex = LexState.LiteralClose;
            return null;
        }

        return FailAt(b, "Invalid literal header");
    }

    private void BeginLiteral(bool streamed)
    {
        if (streamed)
        {
            AddArgument(ImapArgument.CreateStreamedLiteral(literalSize, literalBinary));
            lex = LexState.PendingStream;
            return;
        }

        literalBuffer = literalSize == 0 ? [] : new byte[literalSize];
        literalFilled = 0;
        lex = LexState.LiteralData;
    }

    /// <summary>Copies literal bytes; false when more are needed, else a failure or null.</summary>
    private bool ReadLiteralData(ref SequenceReader<byte> reader, out ImapParseResult? result)
    {
        result = null;
        var buffer = literalBuffer!;
        while (literalFilled < buffer.Length)
        {
            var available = reader.UnreadSpan;
            if (available.IsEmpty)
            {
                return false;
            }

            var chunk = available[..Math.Min(available.Length, buffer.Length - literalFilled)];
            chunk.CopyTo(buffer.AsSpan(literalFilled));
            reader.Advance(chunk.Length);
            literalFilled += chunk.Length;

            // RFC 9051 §9: a literal is CHAR8, %x01-ff; only literal8 may carry NUL (RFC 3516).
            if (!literalBinary && chunk.Contains((byte)0))
            {
                var remaining = buffer.Length - literalFilled;
                result = Fail("NUL byte in literal (use literal8)");
                skipLiteralRemaining = remaining;
                lex = LexState.SkippingLiteral;
                return true;
            }
        }

        literalBuffer = null;
        inMemoryLiteralBytes += buffer.Length;
        AddArgument(ImapArgument.CreateLiteral(buffer, literalBinary));
        lex = LexState.Start;
        return true;
    }
}
