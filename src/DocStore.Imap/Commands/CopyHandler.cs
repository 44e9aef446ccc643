using DocStore.Core.Mailboxes;
using DocStore.Core.Sharing;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>
/// COPY, MOVE (RFC 6851) and their UID forms, answered with COPYUID (RFC 4315). The documents
/// gain entries in the target; nothing is copied byte for byte.
/// </summary>
internal static class CopyHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!CopyCommand.TryParse(command, session.Writer.Utf8Accept, out var copy, out var error))
        {
            return Completion.Bad(error);
        }
        var view = session.Selected!;
        if (!copy.Uid && view.OutOfRange(copy.Set))
        {
            return MailboxAnswers.SequenceOutOfRange;
        }
        if (copy.Move && view.ReadOnly)
        {
            return Completion.No("The mailbox is read-only (EXAMINE).", "READ-ONLY");
        }
        // RFC 6851 §4.1 with RFC 4314 §4: MOVE also expunges, so it needs "t" and "e" on the source.
        if (copy.Move && !view.Rights.HasFlag(MailboxRights.DeleteMessages | MailboxRights.Expunge))
        {
            return MailboxAnswers.NoPermission("te", "move documents out");
        }
        var target = await session.Backend.Mailboxes.FindAsync(session.User!, copy.Mailbox, cancellationToken);
        if (target is null)
        {
            return MailboxAnswers.TryCreate;
        }
        if (!target.Rights.HasFlag(MailboxRights.Insert))
        {
            return MailboxAnswers.NoPermission("i", "file documents");
        }

        var uids = view.Resolve(copy.Set, copy.Uid).Select(m => m.Message.Uid).ToList();
        CopyResult? result;
        try
        {
            result = uids.Count == 0 ? null : await session.Backend.Mailboxes.CopyAsync(session.User!, view.Mailbox.Id, uids, target.Id, copy.Move, session.Actor, cancellationToken);
        }
        catch (QuotaExceededException e)
        {
            return MailboxAnswers.OverQuota(e.Message);
        }
        if (result is null || result.Uids.Count == 0)
        {
            // RFC 9051 §6.4.7 / §6.4.8: nothing matched, nothing to do (and no COPYUID).
            return Completion.Ok($"{command.Name} completed");
        }
        var code = $"COPYUID {result.UidValidity} {SequenceSet.Format(result.Uids.Select(p => p.Source))} {SequenceSet.Format(result.Uids.Select(p => p.Target))}";
        if (!copy.Move)
        {
            return Completion.Ok($"{command.Name} completed", code);
        }
        // RFC 6851 §4.3: COPYUID comes in an untagged OK before the EXPUNGEs.
        session.Writer.WriteUntaggedStatus(ImapStatus.Ok, code, "Moved.");
        return Completion.Ok($"{command.Name} completed");
    }
}
