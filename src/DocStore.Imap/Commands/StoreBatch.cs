using System.Data.Common;
using DocStore.Core.Documents;
using DocStore.Core.Mailboxes;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>A command the session read ahead, or the parse error that stood in its place.</summary>
internal readonly record struct PipelinedCommand(ImapCommand? Command, ImapParseError? Error);

/// <summary>
/// Pipelined STOREs (RFC 9051 §5.5): commands that were already in the input together, run in
/// order, where consecutive STOREs of the same change in the selected mailbox share one
/// transaction (<see cref="IMailboxStore.StoreFlagsAsync(Core.Principals.User, long, IReadOnlyList{IReadOnlyCollection{uint}}, FlagChange, Core.Auditing.Actor, CancellationToken)"/>).
/// Each command still gets its own answer, in order: its FETCH lines (unless .SILENT) with the
/// flags it left, then its tagged OK; a parse error or a command that cannot join answers in its
/// place, after the answers before it. Applying the same flag change twice changes nothing the
/// second time, so a group's outcome and every command's answer are those of running them one by
/// one; updates from other sessions are reported once, before the group's last answer.
/// </summary>
internal static class StoreBatch
{
    /// <summary>At most this many commands are read ahead at once.</summary>
    public const int MaxCommands = 64;

    /// <summary>Runs the commands in order; false when the session must close (as after a fatal parse error).</summary>
    public static async Task<bool> ExecuteAsync(ImapSession session, IReadOnlyList<PipelinedCommand> commands, CancellationToken cancellationToken)
    {
        var group = new List<Prepared>();
        for (var i = 0; i < commands.Count && session.State != SessionState.Logout;)
        {
            var item = commands[i];
            if (item.Error is { } error)
            {
                session.Writer.WriteParseError(error);
                if (error.MustCloseConnection || session.CountBad())
                {
                    return false;
                }
                i++;
                continue;
            }

            group.Clear();
            while (i + group.Count < commands.Count && Prepare(session, commands[i + group.Count].Command) is { } prepared
                   && (group.Count == 0 || group[0].Change.Operation == prepared.Change.Operation && group[0].Change.Flags.SequenceEqual(prepared.Change.Flags, StringComparer.Ordinal)))
            {
                group.Add(prepared);
            }
            if (group.Count < 2)
            {
                await CommandTable.ExecuteAsync(session, item.Command!, cancellationToken);
                i++;
                continue;
            }
            await RunGroupAsync(session, group, cancellationToken);
            i += group.Count;
        }
        return true;
    }

    /// <summary>A STORE that can join a group: it parses and passes every check that needs no database.</summary>
    private sealed record Prepared(ImapCommand Command, StoreCommand Store, FlagChange Change, List<(int Number, MessageSummary Message)> Targets);

    /// <summary>
    /// The STORE ready to run, or null when the command must go through <see cref="CommandTable"/>
    /// on its own: another command, a STORE that does not parse or will be refused, one with
    /// UNCHANGEDSINCE, or a mailbox shared by someone else (whose rights are read before each command).
    /// </summary>
    private static Prepared? Prepare(ImapSession session, ImapCommand? command)
    {
        if (command is null || command.Name is not ("STORE" or "UID STORE") || session.State != SessionState.Selected
            || session.Selected is not { ReadOnly: false, Mailbox.Owned: true } view
            || !StoreCommand.TryParse(command, out var store, out _) || store.UnchangedSince is not null
            || (!store.Uid && view.OutOfRange(store.Set)) || RightsChecks.FlagRightsMissing(store.Flags, view.Rights) is not null)
        {
            return null;
        }
        return new Prepared(command, store, StoreHandler.ChangeOf(store), view.Resolve(store.Set, store.Uid).ToList());
    }

    private static async Task RunGroupAsync(ImapSession session, List<Prepared> group, CancellationToken cancellationToken)
    {
        var view = session.Selected!;
        session.ViewIsCurrent = false;
        FlagStoreResult results;
        Completion? failed = null;
        try
        {
            var uids = group.Select(p => (IReadOnlyCollection<uint>)p.Targets.Select(t => t.Message.Uid).ToList()).ToList();
            results = await session.Backend.Mailboxes.StoreFlagsAsync(session.User!, view.Mailbox.Id, uids, group[0].Change, session.Actor, cancellationToken);
        }
        catch (DbException ex)
        {
            session.LogStoreFailure(group[0].Command.Name, ex);
            results = FlagStoreResult.None;
            failed = CommandTable.StoreUnavailable;
        }
        catch (LegalHoldException ex)
        {
            results = FlagStoreResult.None;
            failed = Completion.No(ex.Message, "CANNOT");
        }

        var byUid = results.ToDictionary(r => r.Uid);
        for (var i = 0; i < group.Count; i++)
        {
            var (command, store, _, targets) = group[i];
            StoreHandler.Apply(session, view, store, targets, byUid);
            var last = i == group.Count - 1;
            if (last && failed is null)
            {
                session.ViewIsCurrent = results.ModSeqBefore is { } before && view.Advance(before, results.ModSeqAfter);
            }
            await CommandTable.CompleteAsync(session, command, failed ?? Completion.Ok($"{command.Name} completed"),
                allowExpunge: false, report: last, cancellationToken);
        }
    }
}
