using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>
/// REPLACE and UID REPLACE (RFC 8508): the new message is the document's next version; the
/// client sees APPENDUID in an untagged OK, then the old message's EXPUNGE, then the tagged OK.
/// </summary>
internal static class ReplaceHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!ReplaceCommand.TryParse(command, session.Writer.Utf8Accept, out var replace, out var error))
        {
            return Completion.Bad(error);
        }
        var view = session.Selected!;
        if (view.ReadOnly)
        {
            return Completion.No("The mailbox is read-only (EXAMINE).", "READ-ONLY");
        }
        var messages = view.Messages;
        uint? uid;
        if (replace.Uid)
        {
            var wanted = replace.Number == 0 && messages.Count > 0 ? messages[^1].Uid : replace.Number;
            uid = messages.Any(m => m.Uid == wanted) ? wanted : null;
        }
        else
        {
            var number = replace.Number == 0 ? messages.Count : (int)Math.Min(replace.Number, int.MaxValue);
            if (number < 1 || number > messages.Count)
            {
                return MailboxAnswers.SequenceOutOfRange;
            }
            uid = messages[number - 1].Uid;
        }
        if (uid is null)
        {
            return Completion.No("No message with that UID; nothing was replaced.", "NONEXISTENT");
        }
        var target = await session.Backend.Mailboxes.FindAsync(session.User!, replace.Mailbox, cancellationToken);
        if (target is null)
        {
            return Completion.No("No such mailbox; create it first.", "TRYCREATE");
        }

        var data = replace.Message.Data;
        await using var stream = data.Kind == ImapArgumentKind.StreamedLiteral
            ? null
            : new MemoryStream(data.Bytes.ToArray(), writable: false);
        var item = new Core.Mailboxes.AppendItem(stream ?? session.StreamedLiterals[0], AppendHandler.ToFlags(replace.Message.Flags),
            replace.Message.InternalDate ?? DateTimeOffset.UtcNow);
        var result = await session.Backend.Mailboxes.ReplaceAsync(session.User!, view.Mailbox.Id, uid.Value, target.Id, item, session.Actor, cancellationToken);
        if (result is null)
        {
            return Completion.No("The message was expunged meanwhile; nothing was replaced.", "NONEXISTENT");
        }
        // RFC 8508 §3.4: APPENDUID comes in an untagged OK, before the EXPUNGE of the replaced message.
        session.Writer.WriteUntaggedStatus(ImapStatus.Ok, $"APPENDUID {result.UidValidity} {result.Uid}", "Replacement message ready.");
        return Completion.Ok($"{command.Name} completed");
    }
}
