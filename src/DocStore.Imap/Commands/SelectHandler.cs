using DocStore.Core.Sharing;
using DocStore.Core.Documents;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 3501's RECENT and UNSEEN for IMAP4rev1 clients).</summary>
internal static class SelectHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!SelectCommand.TryParse(command, session.Writer.Utf8Accept, out var select, out var error))
        {
            return Completion.Bad(error);
        }
        if (select.CondStore || select.Qresync is not null)
        {
            return Completion.Bad("CONDSTORE and QRESYNC are not offered (see CAPABILITY).");
        }

        // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected; closing the previous one
        // is announced with [CLOSED] (RFC 9051 §7.1, from RFC 7162).
        if (session.Selected is not null)
        {
            session.Writer.WriteUntaggedStatus(ImapStatus.Ok, "CLOSED", "Previous mailbox closed.");
        }
        session.Unselect();
        var mailbox = await session.Backend.Mailboxes.FindAsync(session.User!, select.Mailbox, cancellationToken);
        // RFC 4314 §4: SELECT and EXAMINE need "r"; without it the mailbox answers as nonexistent.
        if (mailbox is null || !mailbox.Rights.HasFlag(MailboxRights.Read))
        {
            return MailboxAnswers.NoSuchMailbox;
        }
        var messages = await session.Backend.Mailboxes.MessagesAsync(session.User!, mailbox.Id, cancellationToken);
        var view = new SelectedMailbox(mailbox, select.ReadOnly, messages);

        var writer = session.Writer;
        writer.WriteUntaggedNumber(messages.Count, "EXISTS"u8);
        if (session.Rev2)
        {
            // RFC 9051 §6.3.2: the LIST response gives the mailbox name as the server spells it.
            writer.BeginUntagged();
            writer.WriteRaw("LIST () \"/\" "u8);
            writer.WriteMailbox(mailbox.Name);
            writer.WriteCrlf();
        }
        else
        {
            // RFC 3501 §6.3.1: RECENT and the first unseen message, which IMAP4rev2 dropped.
            writer.WriteUntaggedNumber(0, "RECENT"u8);
            var firstUnseen = messages.Select((m, i) => (m, i)).FirstOrDefault(x => !x.m.Flags.Seen);
            if (firstUnseen.m is not null)
            {
                writer.WriteUntaggedStatus(ImapStatus.Ok, $"UNSEEN {firstUnseen.i + 1}", "First unseen.");
            }
        }
        var keywords = messages.SelectMany(m => m.Flags.Keywords).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var flags = string.Join(' ', [FlagsWriter.SystemFlags, .. keywords]);
        writer.WriteUntagged($"FLAGS ({flags})");
        var permanent = select.ReadOnly ? "" : PermanentFlags(mailbox.Rights, keywords);
        writer.WriteUntaggedStatus(ImapStatus.Ok, $"PERMANENTFLAGS ({permanent})", permanent.Length == 0 ? "Read-only mailbox." : "Flags permitted.");
        writer.WriteUntaggedStatus(ImapStatus.Ok, $"UIDVALIDITY {mailbox.UidValidity}", "UIDs valid.");
        writer.WriteUntaggedStatus(ImapStatus.Ok, $"UIDNEXT {mailbox.UidNext}", "Predicted next UID.");
        writer.WriteUntaggedStatus(ImapStatus.Ok, $"MAILBOXID ({mailbox.ObjectId:N})", "Mailbox id.");
        session.Select(view);
        // The view was read just now: the update check after the command would cost the first
        // sync one more round trip for nothing (issue #3); a change since is reported at the next command.
        session.ViewIsCurrent = true;
        // RFC 4314 §5.2 (as Dovecot reads it): READ-WRITE when the user may change anything.
        var writable = mailbox.Rights.HasAny(MailboxRights.Insert | MailboxRights.Expunge | MailboxRights.Write | MailboxRights.DeleteMessages | MailboxRights.Seen);
        return select.ReadOnly || !writable
            ? Completion.Ok($"{command.Name} completed", "READ-ONLY")
            : Completion.Ok("SELECT completed", "READ-WRITE");
    }

    /// <summary>RFC 4314 §5.1.1: PERMANENTFLAGS shows only the flags the user's rights let them set.</summary>
    private static string PermanentFlags(MailboxRights rights, IReadOnlyList<string> keywords)
    {
        var write = rights.HasFlag(MailboxRights.Write);
        var flags = new List<string>();
        void AddIf(bool allowed, string flag)
        {
            if (allowed)
            {
                flags.Add(flag);
            }
        }
        AddIf(write, @"\Answered");
        AddIf(write, @"\Flagged");
        AddIf(rights.HasFlag(MailboxRights.DeleteMessages), @"\Deleted");
        AddIf(rights.HasFlag(MailboxRights.Seen), @"\Seen");
        AddIf(write, @"\Draft");
        if (write)
        {
            flags.AddRange(keywords);
            flags.Add(@"\*");
        }
        return string.Join(' ', flags);
    }
}

/// <summary>CLOSE (expunges silently unless read-only, RFC 9051 §6.4.2) and UNSELECT (RFC 3691).</summary>
internal static class CloseHandler
{
    public static async Task<Completion> CloseAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!NoArgumentsCommand.TryParse(command, out var error))
        {
            return Completion.Bad(error);
        }
        var view = session.Selected!;
        // RFC 4314 §4: without "e", CLOSE closes without expunging.
        string? kept = null;
        if (!view.ReadOnly && view.Rights.HasFlag(MailboxRights.Expunge))
        {
            try
            {
                await session.Backend.Mailboxes.ExpungeAsync(session.User!, view.Mailbox.Id, null, session.Actor, cancellationToken);
            }
            catch (LegalHoldException ex)
            {
                // CLOSE cannot fail (RFC 9051 §6.4.2): the mailbox is closed and the held messages stay.
                kept = ex.Message;
            }
        }
        session.Unselect();
        return Completion.Ok(kept is null ? "CLOSE completed" : $"CLOSE completed; {kept}");
    }

    public static Task<Completion> UnselectAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!NoArgumentsCommand.TryParse(command, out var error))
        {
            return Task.FromResult(Completion.Bad(error));
        }
        session.Unselect();
        return Task.FromResult(Completion.Ok("UNSELECT completed"));
    }
}
