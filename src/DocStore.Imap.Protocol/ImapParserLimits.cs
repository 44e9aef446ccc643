namespace DocStore.Imap.Protocol;

/// <summary>
/// The limits of <see cref="ImapCommandParser"/>. Set <see cref="ImapCommandParser.Limits"/>
/// between commands, e.g. to <see cref="Authenticated"/> after LOGIN (DESIGN.md, Limits and
/// Security).
/// </summary>
public sealed record ImapParserLimits
{
    /// <summary>Before authentication: 8 KiB lines, no nesting beyond ID's list, no streaming.</summary>
    public static ImapParserLimits PreAuthentication { get; } = new()
    {
        MaxLineLength = 8 * 1024,
        MaxLiteralSize = 8 * 1024,
        MaxNestingDepth = 1,
        MaxStreamedLiteralSize = 0,
    };

    /// <summary>After authentication: 64 KiB lines, depth 32, streamed literals up to 64 MiB.</summary>
    public static ImapParserLimits Authenticated { get; } = new();

    /// <summary>
    /// Bytes of command text, CRLFs included, over all the lines of one command; literal data
    /// does not count (it has its own limits).
    /// </summary>
    public int MaxLineLength { get; init; } = 64 * 1024;

    /// <summary>Total bytes of all in-memory literals of one command.</summary>
    public long MaxLiteralSize { get; init; } = 64 * 1024;

    /// <summary>Parentheses and section brackets open at once.</summary>
    public int MaxNestingDepth { get; init; } = 32;

    /// <summary>One literal handed to the caller to stream (APPENDLIMIT, RFC 7889).</summary>
    public long MaxStreamedLiteralSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Largest <c>{n+}</c>: unlimited under LITERAL+, 4096 under LITERAL- (RFC 7888 §5). A bigger
    /// one is refused with <c>BAD [TOOBIG]</c> and its bytes are discarded.
    /// </summary>
    public long MaxNonSynchronizingLiteralSize { get; init; } = long.MaxValue;
}
