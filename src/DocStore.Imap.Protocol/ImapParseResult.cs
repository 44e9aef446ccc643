namespace DocStore.Imap.Protocol;

/// <summary>What <see cref="ImapCommandParser.Parse"/> has to tell the caller.</summary>
public enum ImapParseStatus
{
    /// <summary>Everything given was consumed; read more and call again.</summary>
    NeedMoreData,

    /// <summary>
    /// A <c>{n}</c> literal was announced: send a continuation and call
    /// <see cref="ImapCommandParser.AcceptLiteral"/>, or answer NO/BAD and call
    /// <see cref="ImapCommandParser.RejectLiteral"/>.
    /// </summary>
    SynchronizingLiteral,

    /// <summary>
    /// The caller asked to stream this literal: consume exactly <see cref="ImapParseResult.LiteralSize"/>
    /// bytes after the reader's position, then call <see cref="ImapCommandParser.EndStreamedLiteral"/>.
    /// </summary>
    StreamLiteral,

    /// <summary>A command is complete: <see cref="ImapParseResult.Command"/>.</summary>
    Complete,

    /// <summary>The command is malformed or over a limit: <see cref="ImapParseResult.Error"/>.</summary>
    Error,
}

/// <summary>
/// A rejected command: the tag when it was read (else the BAD is untagged), a reason for the
/// client, an optional response code such as <c>TOOBIG</c> and whether the server must close.
/// </summary>
public sealed record ImapParseError(string? Tag, string Reason, string? ResponseCode, bool MustCloseConnection);

/// <summary>One outcome of <see cref="ImapCommandParser.Parse"/>.</summary>
public readonly record struct ImapParseResult
{
    public ImapParseStatus Status { get; private init; }

    public ImapCommand? Command { get; private init; }

    public ImapParseError? Error { get; private init; }

    /// <summary>For the literal statuses: the announced size.</summary>
    public long LiteralSize { get; private init; }

    /// <summary>For the literal statuses: literal8 (<c>~{n}</c>, RFC 3516).</summary>
    public bool LiteralIsBinary { get; private init; }

    /// <summary>For <see cref="ImapParseStatus.SynchronizingLiteral"/>: it will be streamed once accepted.</summary>
    public bool LiteralIsStreamed { get; private init; }

    public static ImapParseResult NeedMoreData { get; } = new() { Status = ImapParseStatus.NeedMoreData };

    public static ImapParseResult Completed(ImapCommand command) => new() { Status = ImapParseStatus.Complete, Command = command };

    public static ImapParseResult Failed(ImapParseError error) => new() { Status = ImapParseStatus.Error, Error = error };

    public static ImapParseResult Synchronizing(long size, bool binary, bool streamed) =>
        new() { Status = ImapParseStatus.SynchronizingLiteral, LiteralSize = size, LiteralIsBinary = binary, LiteralIsStreamed = streamed };

    public static ImapParseResult Stream(long size, bool binary) =>
        new() { Status = ImapParseStatus.StreamLiteral, LiteralSize = size, LiteralIsBinary = binary, LiteralIsStreamed = true };
}

/// <summary>Where a literal sits, for the caller's decision whether to stream it.</summary>
/// <param name="Tag">The command's tag.</param>
/// <param name="CommandName">Upper case, e.g. <c>APPEND</c>.</param>
/// <param name="ArgumentIndex">Index of the top-level argument the literal is (or is inside).</param>
/// <param name="Depth">How many lists or brackets are open around it.</param>
/// <param name="Size">The announced size.</param>
/// <param name="IsBinary">A literal8.</param>
public readonly record struct ImapLiteralContext(string Tag, string CommandName, int ArgumentIndex, int Depth, long Size, bool IsBinary)
{
    /// <summary>
    /// The usual policy: stream APPEND's message literals (RFC 9051 §6.3.12, RFC 3502
    /// MULTIAPPEND, RFC 4469 CATENATE parts), never its mailbox name (argument 0).
    /// </summary>
    public static bool IsAppendMessage(ImapLiteralContext context) =>
        string.Equals(context.CommandName, "APPEND", StringComparison.Ordinal) && context.ArgumentIndex > 0;

    /// <summary>
    /// Streams REPLACE's message literal (RFC 8508 §3), never its mailbox name (argument 1); the
    /// message number is argument 0.
    /// </summary>
    public static bool IsReplaceMessage(ImapLiteralContext context) =>
        context.CommandName is "REPLACE" or "UID REPLACE" && context.ArgumentIndex > 1;
}
