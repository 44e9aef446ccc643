using DocStore.Imap.Protocol;

namespace DocStore.Imap.Commands;

/// <summary>
/// How a command ends: the tagged status line, written by <see cref="CommandTable"/> after any
/// untagged updates the session owes the client (RFC 9051 §7: updates precede the completion).
/// </summary>
internal sealed record Completion(ImapStatus Status, string? Code, string Text)
{
    /// <summary>The handler wrote its own tagged line already (STARTTLS must, before the handshake).</summary>
    public static Completion Written { get; } = new(ImapStatus.Ok, null, "");

    public static Completion Ok(string text, string? code = null) => new(ImapStatus.Ok, code, text);

    public static Completion No(string text, string? code = null) => new(ImapStatus.No, code, text);

    public static Completion Bad(string text, string? code = null) => new(ImapStatus.Bad, code, text);
}
