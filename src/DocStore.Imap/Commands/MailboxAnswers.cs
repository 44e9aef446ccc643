using DocStore.Core.Mailboxes;

namespace DocStore.Imap.Commands;

/// <summary>The one place a store result becomes an IMAP answer (RFC 5530 response codes).</summary>
internal static class MailboxAnswers
{
    public static Completion NoSuchMailbox { get; } = Completion.No("No such mailbox.", "NONEXISTENT");

    /// <summary>APPEND, COPY and MOVE to a mailbox that does not exist or that the user may not see: the same answer.</summary>
    public static Completion TryCreate { get; } = Completion.No("No such mailbox; create it first.", "TRYCREATE");

    /// <summary>RFC 4314 §4, RFC 5530: the user sees the mailbox but lacks the right.</summary>
    public static Completion NoPermission(string right, string action) =>
        Completion.No($"You lack the \"{right}\" right to {action} in this mailbox (ask its owner or an administrator).", "NOPERM");

    /// <summary>RFC 9208 §4.2: a change that would take a user or a mailbox over quota.</summary>
    public static Completion OverQuota(string reason) => Completion.No($"Over quota: {reason} Nothing was stored.", "OVERQUOTA");

    /// <summary>RFC 9051 §9 (seq-number): a message number past the last message is invalid.</summary>
    public static Completion SequenceOutOfRange { get; } = Completion.Bad("Message sequence number out of range.");

    public static Completion For(MailboxChange change, string command) => change switch
    {
        MailboxChange.Done => Completion.Ok($"{command} completed"),
        MailboxChange.NotFound => NoSuchMailbox,
        MailboxChange.AlreadyExists when string.Equals(command, "DELETE", StringComparison.Ordinal) => Completion.No("The mailbox has child mailboxes; delete them first.", "HASCHILDREN"),
        MailboxChange.AlreadyExists => Completion.No("A mailbox with that name already exists.", "ALREADYEXISTS"),
        MailboxChange.InvalidName => Completion.No("Invalid mailbox name: no empty levels, control characters or levels over 255 characters.", "CANNOT"),
        MailboxChange.Inbox => Completion.No($"INBOX cannot be the source of {command}.", "CANNOT"),
        MailboxChange.IntoItself => Completion.No("A mailbox cannot be moved into itself.", "CANNOT"),
        MailboxChange.NoPermission => Completion.No($"You lack the right to {command} here (RFC 4314: k on the parent to create, x on the mailbox to delete or rename).", "NOPERM"),
        MailboxChange.OtherTree => Completion.No("RENAME keeps a mailbox in its tree (personal, Users/owner or Shared).", "CANNOT"),
        _ => Completion.No($"{command} failed.", "SERVERBUG"),
    };
}
