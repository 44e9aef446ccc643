using DocStore.Core.Mailboxes;
using DocStore.Core.Sharing;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>RFC 4314 §4 checks shared by the message commands.</summary>
internal static class RightsChecks
{
    public static Completion ReadRevoked { get; } =
        Completion.No("You may no longer read this mailbox (the right was revoked); select another one.", "NOPERM");

    /// <summary>
    /// Reads the user's rights on the selected mailbox again; false when the command needs
    /// <c>r</c> and it is gone (RFC 4314 §5.1.1 allows refusing selected-state commands then).
    /// </summary>
    public static async Task<bool> RefreshAsync(ImapSession session, bool needsRead, CancellationToken cancellationToken)
    {
        var view = session.Selected!;
        if (view.Mailbox.Owned)
        {
            return true;
        }
        view.Rights = await session.Backend.Mailboxes.RightsAsync(session.User!, view.Mailbox.Id, cancellationToken);
        return !needsRead || view.Rights.HasFlag(MailboxRights.Read);
    }

    /// <summary>
    /// The letters of the rights a STORE lacks when it may change none of the flags it names
    /// (\Seen needs <c>s</c>, \Deleted <c>t</c>, any other flag <c>w</c>); null when it may change one.
    /// An empty flag list (replace with nothing) needs any of them.
    /// </summary>
    public static string? FlagRightsMissing(IReadOnlyList<string> flags, MailboxRights rights)
    {
        var needed = flags.Count == 0
            ? MailboxRights.Seen | MailboxRights.Write | MailboxRights.DeleteMessages
            : flags.Aggregate(MailboxRights.None, (all, flag) => all | RightFor(flag));
        return rights.HasAny(needed) ? null : RightsText.Format(needed);
    }

    /// <summary>RFC 4314 §4: APPEND and COPY keep only the flags the user may set in the target.</summary>
    public static MessageFlags Allowed(MessageFlags flags, MailboxRights rights)
    {
        var write = rights.HasFlag(MailboxRights.Write);
        return new MessageFlags(flags.Seen && rights.HasFlag(MailboxRights.Seen), flags.Answered && write, flags.Flagged && write,
            flags.Deleted && rights.HasFlag(MailboxRights.DeleteMessages), flags.Draft && write, write ? flags.Keywords : []);
    }

    private static MailboxRights RightFor(string flag) =>
        flag.Equals(@"\Seen", StringComparison.OrdinalIgnoreCase) ? MailboxRights.Seen
        : flag.Equals(@"\Deleted", StringComparison.OrdinalIgnoreCase) ? MailboxRights.DeleteMessages
        : MailboxRights.Write;
}
