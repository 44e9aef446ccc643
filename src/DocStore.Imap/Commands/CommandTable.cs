using System.Collections.Frozen;
using System.Data.Common;
using DocStore.Core.Documents;
using DocStore.Imap.Protocol;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>Runs one command; writes untagged data to <see cref="ImapSession.Writer"/> and says how it ended.</summary>
internal delegate Task<Completion> CommandHandler(ImapSession session, ImapCommand command, CancellationToken cancellationToken);

/// <summary>The session states a command may run in (RFC 9051 §6).</summary>
[Flags]
internal enum AllowedIn
{
    NotAuthenticated = 1,
    Authenticated = 2,
    Selected = 4,
    Any = NotAuthenticated | Authenticated | Selected,
    SignedIn = Authenticated | Selected,
}

/// <summary>
/// Dispatch as one table (Dovecot's habit): every command names the states it runs in and
/// whether it may be answered with EXPUNGE updates, so no handler checks either itself.
/// </summary>
internal static class CommandTable
{
    private sealed record Entry(CommandHandler Handler, AllowedIn States, bool AllowsExpunge = true, bool NeedsRead = true);

    private static readonly FrozenDictionary<string, Entry> Commands = new Dictionary<string, Entry>(StringComparer.Ordinal)
    {
        ["CAPABILITY"] = new(CapabilityHandler.ExecuteAsync, AllowedIn.Any),
        ["NOOP"] = new(NoopHandler.ExecuteAsync, AllowedIn.Any),
        ["LOGOUT"] = new(LogoutHandler.ExecuteAsync, AllowedIn.Any),
        ["ID"] = new(IdHandler.ExecuteAsync, AllowedIn.Any),
        ["STARTTLS"] = new(StartTlsHandler.ExecuteAsync, AllowedIn.NotAuthenticated),
        ["LOGIN"] = new(LoginHandler.ExecuteAsync, AllowedIn.NotAuthenticated),
        ["AUTHENTICATE"] = new(AuthenticateHandler.ExecuteAsync, AllowedIn.NotAuthenticated),
        ["ENABLE"] = new(EnableHandler.ExecuteAsync, AllowedIn.Authenticated),
        ["NAMESPACE"] = new(NamespaceHandler.ExecuteAsync, AllowedIn.SignedIn),
        ["CREATE"] = new(MailboxTreeHandlers.CreateAsync, AllowedIn.SignedIn),
        ["DELETE"] = new(MailboxTreeHandlers.DeleteAsync, AllowedIn.SignedIn),
        ["RENAME"] = new(MailboxTreeHandlers.RenameAsync, AllowedIn.SignedIn),
        ["SUBSCRIBE"] = new(MailboxTreeHandlers.SubscribeAsync, AllowedIn.SignedIn),
        ["UNSUBSCRIBE"] = new(MailboxTreeHandlers.UnsubscribeAsync, AllowedIn.SignedIn),
        ["LIST"] = new(ListHandler.ListAsync, AllowedIn.SignedIn),
        ["LSUB"] = new(ListHandler.LsubAsync, AllowedIn.SignedIn),
        ["STATUS"] = new(StatusHandler.ExecuteAsync, AllowedIn.SignedIn),
        ["SELECT"] = new(SelectHandler.ExecuteAsync, AllowedIn.SignedIn),
        ["EXAMINE"] = new(SelectHandler.ExecuteAsync, AllowedIn.SignedIn),
        ["APPEND"] = new(AppendHandler.ExecuteAsync, AllowedIn.SignedIn),
        ["REPLACE"] = new(ReplaceHandler.ExecuteAsync, AllowedIn.Selected),
        ["UID REPLACE"] = new(ReplaceHandler.ExecuteAsync, AllowedIn.Selected),
        ["CHECK"] = new(NoopHandler.ExecuteAsync, AllowedIn.Selected),
        ["CLOSE"] = new(CloseHandler.CloseAsync, AllowedIn.Selected, NeedsRead: false),
        ["UNSELECT"] = new(CloseHandler.UnselectAsync, AllowedIn.Selected, NeedsRead: false),
        ["EXPUNGE"] = new(ExpungeHandler.ExecuteAsync, AllowedIn.Selected),
        ["UID EXPUNGE"] = new(ExpungeHandler.ExecuteAsync, AllowedIn.Selected),
        ["STORE"] = new(StoreHandler.ExecuteAsync, AllowedIn.Selected, AllowsExpunge: false),
        ["UID STORE"] = new(StoreHandler.ExecuteAsync, AllowedIn.Selected, AllowsExpunge: false),
        ["FETCH"] = new(Fetch.FetchHandler.ExecuteAsync, AllowedIn.Selected, AllowsExpunge: false),
        ["UID FETCH"] = new(Fetch.FetchHandler.ExecuteAsync, AllowedIn.Selected, AllowsExpunge: false),
        ["SEARCH"] = new(Search.SearchHandler.ExecuteAsync, AllowedIn.Selected, AllowsExpunge: false),
        ["UID SEARCH"] = new(Search.SearchHandler.ExecuteAsync, AllowedIn.Selected, AllowsExpunge: false),
        // RFC 7377: ESEARCH answers with UIDs, also in the authenticated state.
        ["ESEARCH"] = new(Search.EsearchHandler.ExecuteAsync, AllowedIn.SignedIn),
        // RFC 5256 §3: no EXPUNGE while answering SORT or THREAD; UID SORT and UID THREAD allow it.
        ["SORT"] = new(Search.SortHandler.ExecuteAsync, AllowedIn.Selected, AllowsExpunge: false),
        ["UID SORT"] = new(Search.SortHandler.ExecuteAsync, AllowedIn.Selected),
        ["THREAD"] = new(Search.ThreadHandler.ExecuteAsync, AllowedIn.Selected, AllowsExpunge: false),
        ["UID THREAD"] = new(Search.ThreadHandler.ExecuteAsync, AllowedIn.Selected),
        ["COPY"] = new(CopyHandler.ExecuteAsync, AllowedIn.Selected),
        ["UID COPY"] = new(CopyHandler.ExecuteAsync, AllowedIn.Selected),
        ["MOVE"] = new(CopyHandler.ExecuteAsync, AllowedIn.Selected),
        ["UID MOVE"] = new(CopyHandler.ExecuteAsync, AllowedIn.Selected),
        ["IDLE"] = new(IdleHandler.ExecuteAsync, AllowedIn.SignedIn),
        ["GETACL"] = new(AclHandlers.GetAclAsync, AllowedIn.SignedIn),
        ["SETACL"] = new(AclHandlers.SetAclAsync, AllowedIn.SignedIn),
        ["DELETEACL"] = new(AclHandlers.DeleteAclAsync, AllowedIn.SignedIn),
        ["LISTRIGHTS"] = new(AclHandlers.ListRightsAsync, AllowedIn.SignedIn),
        ["MYRIGHTS"] = new(AclHandlers.MyRightsAsync, AllowedIn.SignedIn),
        ["GETQUOTA"] = new(QuotaHandlers.GetQuotaAsync, AllowedIn.SignedIn),
        ["GETQUOTAROOT"] = new(QuotaHandlers.GetQuotaRootAsync, AllowedIn.SignedIn),
        ["SETQUOTA"] = new(QuotaHandlers.SetQuotaAsync, AllowedIn.SignedIn),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        session.ViewIsCurrent = false;
        Completion completion;
        if (!Commands.TryGetValue(command.Name, out var entry))
        {
            completion = Completion.Bad($"Unknown command {command.Name}.");
        }
        else if (!entry.States.HasFlag(StateOf(session)))
        {
            completion = Completion.Bad(session.State switch
            {
                SessionState.NotAuthenticated => $"{command.Name} needs authentication first (LOGIN or AUTHENTICATE).",
                SessionState.Authenticated when entry.States == AllowedIn.Selected => $"{command.Name} needs a selected mailbox (SELECT or EXAMINE).",
                _ => $"{command.Name} is not valid in this state.",
            });
        }
        else
        {
            completion = await RunAsync(session, entry, command, cancellationToken);
        }

        if (ReferenceEquals(completion, Completion.Written))
        {
            return;
        }
        await CompleteAsync(session, command, completion, allowExpunge: entry?.AllowsExpunge ?? true, report: true, cancellationToken);
    }

    /// <summary>
    /// Writes a command's tagged completion, after the updates the session owes the client. A
    /// command answered within a group of pipelined STOREs (<see cref="StoreBatch"/>) other than
    /// the last passes <paramref name="report"/> false: the group's last command reports.
    /// </summary>
    internal static async Task CompleteAsync(ImapSession session, ImapCommand command, Completion completion, bool allowExpunge, bool report, CancellationToken cancellationToken)
    {
        // RFC 9051 §7.4: a command whose own change left the view current has nothing to report;
        // a change by another session moves the mailbox past the view and is reported then.
        if (report && completion.Status != ImapStatus.Bad && session.Selected is not null && !session.ViewIsCurrent)
        {
            try
            {
                await session.ReportChangesAsync(allowExpunge, cancellationToken);
            }
            catch (DbException ex)
            {
                // The updates are only postponed: the next command compares the counters again.
                session.LogStoreFailure(command.Name, ex);
            }
        }
        session.Writer.WriteTagged(command.Tag, completion.Status, completion.Code, completion.Text);
        if (completion.Status == ImapStatus.Bad)
        {
            session.CountBad();
        }
    }

    /// <summary>
    /// Runs the handler; a store that fails (database unreachable, out of connections) answers
    /// this command with NO and leaves the session and every other session running. Each store
    /// change is one transaction, so a failed command changed nothing.
    /// </summary>
    private static async Task<Completion> RunAsync(ImapSession session, Entry entry, ImapCommand command, CancellationToken cancellationToken)
    {
        try
        {
            // RFC 4314 §5.1.1: rights are checked on every command, so a revocation counts at once.
            if (entry.States == AllowedIn.Selected && !await RightsChecks.RefreshAsync(session, entry.NeedsRead, cancellationToken))
            {
                return RightsChecks.ReadRevoked;
            }
            return await entry.Handler(session, command, cancellationToken);
        }
        catch (DbException ex)
        {
            session.LogStoreFailure(command.Name, ex);
            return StoreUnavailable;
        }
        catch (LegalHoldException ex)
        {
            return Completion.No(ex.Message, "CANNOT");
        }
    }

    /// <summary>A command whose store transaction failed: it changed nothing.</summary>
    internal static Completion StoreUnavailable { get; } = Completion.No("The store is unavailable; nothing was changed. Try again.", "UNAVAILABLE");

    private static AllowedIn StateOf(ImapSession session) => session.State switch
    {
        SessionState.NotAuthenticated => AllowedIn.NotAuthenticated,
        SessionState.Authenticated => AllowedIn.Authenticated,
        _ => AllowedIn.Selected,
    };
}
