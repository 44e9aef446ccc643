using DocStore.Core.Mailboxes;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>
/// RFC 9051 §6.3.12 APPEND with RFC 4315 APPENDUID. The message literal was streamed to a
/// temporary file while it arrived; the store files it in one transaction before the OK.
/// </summary>
internal static class AppendHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!AppendCommand.TryParse(command, session.Writer.Utf8Accept, out var append, out var error))
        {
            return Completion.Bad(error);
        }
        if (append.Messages.Count != 1)
        {
            // RFC 3502 needs all-or-nothing over several messages; not offered (no MULTIAPPEND).
            return Completion.No("One message per APPEND: MULTIAPPEND is not offered.", "CANNOT");
        }
        var mailbox = await session.Backend.Mailboxes.FindAsync(session.User!, append.Mailbox, cancellationToken);
        if (mailbox is null)
        {
            // RFC 9051 §6.3.12: TRYCREATE tells the client that CREATE may help.
            return Completion.No("No such mailbox; create it first.", "TRYCREATE");
        }

        var message = append.Messages[0];
        var streamed = 0;
        await using var data = message.Data.Kind == ImapArgumentKind.StreamedLiteral
            ? session.StreamedLiterals[streamed++]
            : new MemoryStream(message.Data.Bytes.ToArray(), writable: false);
        var result = await session.Backend.Mailboxes.AppendAsync(session.User!, mailbox.Id, data, ToFlags(message.Flags),
            message.InternalDate ?? DateTimeOffset.UtcNow, session.Actor, cancellationToken);
        session.Backend.Notifier.Changed(mailbox.Id);
        return Completion.Ok("APPEND completed", $"APPENDUID {result.UidValidity} {result.Uid}");
    }

    /// <summary>System flags by name (case-insensitive); \Recent is the server's own; the rest are keywords.</summary>
    internal static MessageFlags ToFlags(IReadOnlyList<string> flags)
    {
        bool Has(string flag) => flags.Contains(flag, StringComparer.OrdinalIgnoreCase);
        var keywords = flags.Where(f => !f.StartsWith('\\')).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return new MessageFlags(Has(@"\Seen"), Has(@"\Answered"), Has(@"\Flagged"), Has(@"\Deleted"), Has(@"\Draft"), keywords);
    }
}
