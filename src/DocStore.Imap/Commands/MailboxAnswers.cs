using DocStore.Core.Mailboxes;

namespace DocStore.Imap.Commands;

/// <summary>The one place a store result becomes an IMAP answer (RFC 5530 response codes).</summary>
internal static class MailboxAnswers
{
    public static Completion NoSuchMailbox { get; } = Completion.No("No such mailbox.", "NONEXISTENT");

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
        _ => Completion.No($"{command} failed.", "SERVERBUG"),
    };
}
