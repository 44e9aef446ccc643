using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>RFC 9051 §6.3.11 STATUS, with SIZE, APPENDLIMIT (RFC 7889) and MAILBOXID (RFC 8474).</summary>
internal static class StatusHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!StatusCommand.TryParse(command, session.Writer.Utf8Accept, out var status, out var error))
        {
            return Completion.Bad(error);
        }
        var mailbox = await session.Backend.Mailboxes.FindAsync(session.User!, status.Mailbox, cancellationToken);
        // RFC 4314 §4: STATUS needs "r"; without it the mailbox answers as nonexistent.
        if (mailbox is null || !mailbox.Rights.HasFlag(Core.Sharing.MailboxRights.Read))
        {
            return MailboxAnswers.NoSuchMailbox;
        }
        await WriteStatusAsync(session, mailbox, status.Items, cancellationToken);
        return Completion.Ok("STATUS completed");
    }

    /// <summary>Writes <c>* STATUS name (items)</c>; LIST's RETURN (STATUS) uses it too (RFC 5819).</summary>
    public static async Task WriteStatusAsync(ImapSession session, Core.Mailboxes.Mailbox mailbox, IReadOnlyList<string> items, CancellationToken cancellationToken)
    {
        var counts = await session.Backend.Mailboxes.CountAsync(session.User!, mailbox.Id, cancellationToken);
        var writer = session.Writer;
        writer.BeginUntagged();
        writer.WriteAtom("STATUS");
        writer.WriteSpace();
        writer.WriteMailbox(mailbox.Name);
        writer.WriteSpace();
        writer.OpenList();
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteSpace();
            }
            var item = items[i];
            writer.WriteAtom(item);
            writer.WriteSpace();
            switch (item)
            {
                case "MESSAGES": writer.WriteNumber(counts.Messages); break;
                case "RECENT": writer.WriteNumber(0); break;
                case "UIDNEXT": writer.WriteNumber(counts.UidNext); break;
                case "UIDVALIDITY": writer.WriteNumber(counts.UidValidity); break;
                case "UNSEEN": writer.WriteNumber(counts.Unseen); break;
                case "DELETED": writer.WriteNumber(counts.Deleted); break;
                case "SIZE": writer.WriteNumber(counts.Size); break;
                case "HIGHESTMODSEQ": writer.WriteNumber(counts.HighestModSeq); break;
                case "APPENDLIMIT": writer.WriteNumber(session.Options.AppendLimit); break;
                default:
                    writer.OpenList();
                    writer.WriteAtom(mailbox.ObjectId.ToString("N"));
                    writer.CloseList();
                    break;
            }
        }
        writer.CloseList();
        writer.WriteCrlf();
    }
}
