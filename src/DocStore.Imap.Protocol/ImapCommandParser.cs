using System.Buffers;

namespace DocStore.Imap.Protocol;

/// <summary>
/// An incremental parser of client commands (RFC 9051 §2.2.1, §9). Feed it whatever the pipe
/// holds; it consumes every byte it is given, keeps its state between calls, and so works
/// whatever the split of the input. Bad input is a result, never an exception.
/// </summary>
/// <remarks>
/// <para>The caller loops: <c>Parse(ref reader)</c>, then acts on the status:</para>
/// <list type="bullet">
/// <item><see cref="ImapParseStatus.NeedMoreData"/>: advance the pipe to the reader's position and read.</item>
/// <item><see cref="ImapParseStatus.SynchronizingLiteral"/>: write <c>+ Ready for literal data</c> and call
/// <see cref="AcceptLiteral"/>, or write a tagged NO/BAD and call <see cref="RejectLiteral"/>.</item>
/// <item><see cref="ImapParseStatus.StreamLiteral"/>: consume exactly <c>LiteralSize</c> bytes from the
/// reader's position on, then call <see cref="EndStreamedLiteral"/> and parse on.</item>
/// <item><see cref="ImapParseStatus.Complete"/>: execute the command; the reader stands after its CRLF.</item>
/// <item><see cref="ImapParseStatus.Error"/>: write the BAD; unless it says to close, parse on: the parser
/// discards the rest of the bad command itself, non-synchronizing literals included.</item>
/// </list>
/// <para>A line over the limit is answered at once and the rest of it discarded, so the connection
/// continues. The one error that says to close is a non-synchronizing literal too large even to
/// stream.</para>
/// </remarks>
public sealed partial class ImapCommandParser
{
    private LexState lex;
    private long literalSize;
    private bool literalNonSynchronizing;
    private bool literalBinary;
    private byte[]? literalBuffer;
    private int literalFilled;

    public ImapCommandParser(ImapParserLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        Limits = limits;
        ResetCommand();
    }

    private enum LexState
    {
        Start,
        Atom,
        Tilde,
        Quoted,
        QuotedEscape,
        LiteralSize,
        LiteralPlus,
        LiteralClose,
        LiteralCr,
        Cr,
        LiteralData,
        AwaitingLiteralDecision,
        PendingStream,
        Streaming,
        Skipping,
        SkippingLiteral,
    }

    /// <summary>The limits; change them between commands, e.g. after LOGIN.</summary>
    public ImapParserLimits Limits { get; set; }

    /// <summary>
    /// Decides which literals the caller streams itself instead of the parser buffering them,
    /// e.g. <see cref="ImapLiteralContext.IsAppendMessage"/>. Null: none.
    /// </summary>
    public Func<ImapLiteralContext, bool>? StreamLiteral { get; set; }

    /// <summary>The tag of the command being parsed, once read.</summary>
    public string? CurrentTag => tag;

    /// <summary>The name of the command being parsed, once read (e.g. to check APPENDLIMIT).</summary>
    public string? CurrentCommandName => commandName;

    /// <summary>
    /// The top-level arguments read so far: on <see cref="ImapParseStatus.StreamLiteral"/> the
    /// caller finds APPEND's mailbox, flags and date here before the message bytes arrive.
    /// </summary>
    public IReadOnlyList<ImapArgument> CurrentArguments => arguments;

    /// <summary>Parses from the reader's position; see the class remarks for the protocol.</summary>
    public ImapParseResult Parse(ref SequenceReader<byte> reader)
    {
        while (true)
        {
            switch (lex)
            {
                case LexState.AwaitingLiteralDecision:
                    throw new InvalidOperationException("A synchronizing literal awaits AcceptLiteral or RejectLiteral.");
                case LexState.Streaming:
                    throw new InvalidOperationException("A streamed literal awaits EndStreamedLiteral.");
                case LexState.PendingStream:
                    lex = LexState.Streaming;
                    return ImapParseResult.Stream(literalSize, literalBinary);
                case LexState.LiteralData:
                    if (!ReadLiteralData(ref reader, out var literalResult))
                    {
                        return ImapParseResult.NeedMoreData;
                    }

                    if (literalResult is { } failed)
                    {
                        return failed;
                    }

                    continue;
                case LexState.SkippingLiteral:
                    var skipped = Math.Min(skipLiteralRemaining, reader.Remaining);
                    reader.Advance(skipped);
                    skipLiteralRemaining -= skipped;
                    if (skipLiteralRemaining > 0)
                    {
                        return ImapParseResult.NeedMoreData;
                    }

                    lex = LexState.Skipping;
                    continue;
                case LexState.Skipping:
                    if (!SkipLine(ref reader))
                    {
                        return ImapParseResult.NeedMoreData;
                    }

                    continue;
            }

            if (!reader.TryRead(out var b))
            {
                return ImapParseResult.NeedMoreData;
            }

            if (++lineLength > Limits.MaxLineLength)
            {
                return FailLineTooLong(b);
            }

            if (Step(b, ref reader) is { } result)
            {
                return result;
            }
        }
    }

    /// <summary>The continuation was sent: the client's literal bytes come next.</summary>
    public void AcceptLiteral()
    {
        if (lex != LexState.AwaitingLiteralDecision)
        {
            throw new InvalidOperationException("No synchronizing literal is pending.");
        }

        BeginLiteral(streamed: streamPending);
    }

    /// <summary>
    /// The literal was refused with a tagged NO or BAD: the client abandons the command (RFC 9051
    /// §7.5) and the next bytes start a new one.
    /// </summary>
    public void RejectLiteral()
    {
        if (lex != LexState.AwaitingLiteralDecision)
        {
            throw new InvalidOperationException("No synchronizing literal is pending.");
        }

        ResetCommand();
    }

    /// <summary>The caller consumed the streamed literal's bytes; parsing of the line goes on.</summary>
    public void EndStreamedLiteral()
    {
        if (lex != LexState.Streaming)
        {
            throw new InvalidOperationException("No streamed literal is pending.");
        }

        lex = LexState.Start;
    }

    /// <summary>
    /// Abandons the command being parsed and discards input up to the end of its line (and any
    /// non-synchronizing literal announced at that end), e.g. after a failed streamed literal.
    /// </summary>
    public void DiscardCommand()
    {
        ResetCommand();
        EnterSkip();
    }

    /// <summary>Forgets everything, e.g. after STARTTLS, where no byte of before may be parsed.</summary>
    public void Reset() => ResetCommand();

    private ImapParseResult? Step(byte b, ref SequenceReader<byte> reader)
    {
        switch (lex)
        {
            case LexState.Start:
                return OnStart(b);
            case LexState.Atom:
                if (IsAtomByte(b))
                {
                    token.Add(b);
                    return null;
                }

                if (b == '[' && fetchMode)
                {
                    lex = LexState.Start;
                    return OnSectionOpen(TakeAtom());
                }

                reader.Rewind(1);
                lineLength--;
                lex = LexState.Start;
                return OnAtom(TakeAtom());
            case LexState.Tilde:
                if (b == '{')
                {
                    BeginLiteralHeader(binary: true);
                    return null;
                }

                token.Add((byte)'~');
                reader.Rewind(1);
                lineLength--;
                lex = LexState.Atom;
                return null;
            case LexState.Quoted:
                return OnQuotedByte(b);
            case LexState.QuotedEscape:
                if (b is (byte)'"' or (byte)'\\')
                {
                    token.Add(b);
                    lex = LexState.Quoted;
                    return null;
                }

                return FailAt(b, "Invalid escape in quoted string");
            case LexState.LiteralSize:
                return OnLiteralSizeByte(b);
            case LexState.LiteralPlus:
                if (b == '}')
                {
                    lex = LexState.LiteralClose;
                    return null;
                }

                return FailAt(b, "Invalid literal header");
            case LexState.LiteralClose:
                if (b == '\r')
                {
                    lex = LexState.LiteralCr;
                    return null;
                }

                return b == '\n' ? OnLiteralHeader() : FailAt(b, "A literal header must end its line");
            case LexState.LiteralCr:
                return b == '\n' ? OnLiteralHeader() : FailAt(b, "CR without LF");
            default:
                if (b == '\n')
                {
                    lex = LexState.Start;
                    return OnEndOfLine();
                }

                return FailAt(b, "CR without LF");
        }
    }

    private ImapParseResult? OnStart(byte b)
    {
        switch (b)
        {
            case (byte)' ':
                return OnSpace();
            case (byte)'(':
                return OnOpenList();
            case (byte)')':
                return OnCloseList();
            case (byte)'"':
                lex = LexState.Quoted;
                return null;
            case (byte)'{':
                BeginLiteralHeader(binary: false);
                return null;
            case (byte)'~':
                lex = LexState.Tilde;
                return null;
            case (byte)'\r':
                lex = LexState.Cr;
                return null;
            case (byte)'\n':
                // Note: some clients and most test scripts end lines with a bare LF; every
                // major server accepts it.
                return OnEndOfLine();
            case (byte)']' when InSection:
                return OnSectionClose();
            case (byte)'[' when fetchMode:
                return OnSectionOpen(string.Empty);
            case 0:
                return Fail("NUL byte in command");
            case >= 0x80:
                return Fail("8-bit character outside a quoted string or literal");
            case < 0x20 or 0x7F:
                return Fail("Control character in command");
            default:
                token.Add(b);
                lex = LexState.Atom;
                return null;
        }
    }

    private bool IsAtomByte(byte b) =>
        ImapCharacters.IsTokenAtomChar(b) && !(b == '[' && fetchMode) && !(b == ']' && InSection);

    private ImapParseResult? OnQuotedByte(byte b)
    {
        switch (b)
        {
            case (byte)'"':
                lex = LexState.Start;
                return OnQuoted(TakeBytes());
            case (byte)'\\':
                lex = LexState.QuotedEscape;
                return null;
            case (byte)'\r' or (byte)'\n':
                return FailAt(b, "Unterminated quoted string");
            case 0:
                return Fail("NUL byte in quoted string");
            default:
                // RFC 9051 §9 QUOTED-CHAR: UTF-8 is allowed; each command decodes strictly.
                token.Add(b);
                return null;
        }
    }
}
