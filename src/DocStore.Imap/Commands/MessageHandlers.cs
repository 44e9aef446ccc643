using DocStore.Core.Mailboxes;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315).</summary>
internal static class ExpungeHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!ExpungeCommand.TryParse(command, out var expunge, out var error))
        {
            return Completion.Bad(error);
        }
        var view = session.Selected!;
        if (view.ReadOnly)
        {
            return Completion.No("The mailbox is read-only (EXAMINE).", "READ-ONLY");
        }
        if (!view.Rights.HasFlag(Core.Sharing.MailboxRights.Expunge))
        {
            return MailboxAnswers.NoPermission("e", "expunge");
        }
        IReadOnlyCollection<uint>? uids = expunge.Uids is null ? null : view.Resolve(expunge.Uids, byUid: true).Select(m => m.Message.Uid).ToList();
        await session.Backend.Mailboxes.ExpungeAsync(session.User!, view.Mailbox.Id, uids, session.Actor, cancellationToken);
        return Completion.Ok($"{command.Name} completed");
    }
}

/// <summary>STORE and UID STORE (RFC 9051 §6.4.6); keywords are document tags.</summary>
internal static class StoreHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!StoreCommand.TryParse(command, out var store, out var error))
        {
            return Completion.Bad(error);
        }
        if (store.UnchangedSince is not null)
        {
            return Completion.Bad("UNCHANGEDSINCE needs CONDSTORE, which is not offered.");
        }
        var view = session.Selected!;
        if (!store.Uid && view.OutOfRange(store.Set))
        {
            return MailboxAnswers.SequenceOutOfRange;
        }
        if (view.ReadOnly)
        {
            return Completion.No("The mailbox is read-only (EXAMINE).", "READ-ONLY");
        }
        // RFC 4314 §4: STORE fails only when the user may change none of the flags it names.
        if (RightsChecks.FlagRightsMissing(store.Flags, view.Rights) is { } missing)
        {
            return MailboxAnswers.NoPermission(missing, "change these flags");
        }

        var targets = view.Resolve(store.Set, store.Uid).ToList();
        if (targets.Count > 0)
        {
            var results = await session.Backend.Mailboxes.StoreFlagsAsync(session.User!, view.Mailbox.Id,
                targets.Select(t => t.Message.Uid).ToList(), ChangeOf(store), session.Actor, cancellationToken);
            Apply(session, view, store, targets, results.ToDictionary(r => r.Uid));
            // The store says where the mailbox stood around this change: no second round trip to learn it.
            session.ViewIsCurrent = results.ModSeqBefore is { } before && view.Advance(before, results.ModSeqAfter);
        }
        return Completion.Ok($"{command.Name} completed");
    }

    /// <summary>The flag change a STORE asks for.</summary>
    internal static FlagChange ChangeOf(StoreCommand store) => new(store.Mode switch
    {
        StoreMode.Add => FlagOperation.Add,
        StoreMode.Remove => FlagOperation.Remove,
        _ => FlagOperation.Replace,
    }, store.Flags);

    /// <summary>Puts the stored flags into the view and writes the FETCH lines the STORE answers with (none for .SILENT).</summary>
    internal static void Apply(ImapSession session, SelectedMailbox view, StoreCommand store, List<(int Number, MessageSummary Message)> targets, Dictionary<uint, FlagResult> byUid)
    {
        foreach (var (number, message) in targets)
        {
            if (!byUid.TryGetValue(message.Uid, out var result))
            {
                continue;
            }
            var updated = message with { Flags = result.Flags, ModSeq = result.ModSeq };
            view.Replace(updated);
            if (!store.Silent)
            {
                FlagsWriter.WriteFetchFlags(session.Writer, number, updated, includeUid: store.Uid);
            }
        }
    }
}
