using DocStore.Core.Sharing;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>
/// RFC 4314 §3: GETACL, SETACL, DELETEACL, LISTRIGHTS and MYRIGHTS. Identifiers are user names,
/// <c>$group</c> for a group, <c>anyone</c>, each with a leading <c>-</c> for negative rights.
/// A mailbox the user may not see answers as nonexistent; one they see without <c>a</c>, NOPERM.
/// </summary>
internal static class AclHandlers
{
    public static async Task<Completion> GetAclAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!MailboxCommand.TryParse(command, session.Writer.Utf8Accept, out var getAcl, out var error))
        {
            return Completion.Bad(error);
        }
        var mailbox = await session.Backend.Mailboxes.FindAsync(session.User!, getAcl.Mailbox, cancellationToken);
        if (mailbox is null)
        {
            return MailboxAnswers.NoSuchMailbox;
        }
        var (result, entries) = await session.Backend.Mailboxes.GetAclAsync(session.User!, mailbox.Id, cancellationToken);
        if (result != AclChange.Done)
        {
            return For(result, "GETACL");
        }
        var writer = session.Writer;
        writer.BeginUntagged();
        writer.WriteRaw("ACL "u8);
        writer.WriteMailbox(mailbox.Name);
        foreach (var entry in entries)
        {
            writer.WriteSpace();
            writer.WriteAString(entry.Identifier);
            writer.WriteSpace();
            writer.WriteAString(entry.Rights);
        }
        writer.WriteCrlf();
        return Completion.Ok("GETACL completed");
    }

    public static async Task<Completion> SetAclAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!SetAclCommand.TryParse(command, session.Writer.Utf8Accept, out var setAcl, out var error))
        {
            return Completion.Bad(error);
        }
        var mailbox = await session.Backend.Mailboxes.FindAsync(session.User!, setAcl.Mailbox, cancellationToken);
        if (mailbox is null)
        {
            return MailboxAnswers.NoSuchMailbox;
        }
        var edit = setAcl.Modification switch
        {
            AclModification.Add => RightsEdit.Add,
            AclModification.Remove => RightsEdit.Remove,
            _ => RightsEdit.Replace,
        };
        var result = await session.Backend.Mailboxes.SetAclAsync(session.User!, mailbox.Id, setAcl.Identifier, edit, setAcl.Rights, session.Actor, cancellationToken);
        return For(result, "SETACL");
    }

    public static async Task<Completion> DeleteAclAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!AclIdentifierCommand.TryParse(command, session.Writer.Utf8Accept, out var deleteAcl, out var error))
        {
            return Completion.Bad(error);
        }
        var mailbox = await session.Backend.Mailboxes.FindAsync(session.User!, deleteAcl.Mailbox, cancellationToken);
        if (mailbox is null)
        {
            return MailboxAnswers.NoSuchMailbox;
        }
        var result = await session.Backend.Mailboxes.DeleteAclAsync(session.User!, mailbox.Id, deleteAcl.Identifier, session.Actor, cancellationToken);
        return For(result, "DELETEACL");
    }

    /// <summary>RFC 4314 §3.4: the owner's rights are all fixed; anyone else may get any right, none required.</summary>
    public static async Task<Completion> ListRightsAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!AclIdentifierCommand.TryParse(command, session.Writer.Utf8Accept, out var listRights, out var error))
        {
            return Completion.Bad(error);
        }
        var mailbox = await session.Backend.Mailboxes.FindAsync(session.User!, listRights.Mailbox, cancellationToken);
        if (mailbox is null)
        {
            return MailboxAnswers.NoSuchMailbox;
        }
        if (!mailbox.Rights.HasFlag(MailboxRights.Administer))
        {
            return MailboxAnswers.NoPermission("a", "read the rights");
        }
        var isOwner = await session.Backend.Mailboxes.IsOwnerAsync(mailbox.Id, listRights.Identifier, cancellationToken) == true;
        var writer = session.Writer;
        writer.BeginUntagged();
        writer.WriteRaw("LISTRIGHTS "u8);
        writer.WriteMailbox(mailbox.Name);
        writer.WriteSpace();
        writer.WriteAString(listRights.Identifier);
        writer.WriteSpace();
        writer.WriteAString(isOwner ? RightsText.Letters : "");
        if (!isOwner)
        {
            foreach (var right in RightsText.Letters)
            {
                writer.WriteSpace();
                writer.WriteAtom(right.ToString());
            }
        }
        writer.WriteCrlf();
        return Completion.Ok("LISTRIGHTS completed");
    }

    public static async Task<Completion> MyRightsAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!MailboxCommand.TryParse(command, session.Writer.Utf8Accept, out var myRights, out var error))
        {
            return Completion.Bad(error);
        }
        var mailbox = await session.Backend.Mailboxes.FindAsync(session.User!, myRights.Mailbox, cancellationToken);
        if (mailbox is null)
        {
            return MailboxAnswers.NoSuchMailbox;
        }
        WriteMyRights(session.Writer, mailbox.Name, mailbox.Rights);
        return Completion.Ok("MYRIGHTS completed");
    }

    /// <summary><c>* MYRIGHTS mailbox rights</c>; LIST's RETURN (MYRIGHTS) uses it too (RFC 8440).</summary>
    public static void WriteMyRights(ImapResponseWriter writer, string mailbox, MailboxRights rights)
    {
        writer.BeginUntagged();
        writer.WriteRaw("MYRIGHTS "u8);
        writer.WriteMailbox(mailbox);
        writer.WriteSpace();
        writer.WriteAString(RightsText.Format(rights));
        writer.WriteCrlf();
    }

    private static Completion For(AclChange change, string command) => change switch
    {
        AclChange.Done => Completion.Ok($"{command} completed"),
        AclChange.NotFound => MailboxAnswers.NoSuchMailbox,
        AclChange.NoPermission => MailboxAnswers.NoPermission("a", "change or read the rights"),
        AclChange.UnknownIdentifier => Completion.No("No such identifier: name a user, a group as $name, or anyone (with - for negative rights).", "CANNOT"),
        _ => Completion.No("The owner always has every right on their own mailboxes.", "CANNOT"),
    };
}
