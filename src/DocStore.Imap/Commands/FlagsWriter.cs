using DocStore.Core.Mailboxes;
using DocStore.Imap.Protocol;

namespace DocStore.Imap.Commands;

/// <summary>Writes flag lists: FLAGS of a message, and the mailbox's FLAGS and PERMANENTFLAGS.</summary>
internal static class FlagsWriter
{
    public const string SystemFlags = @"\Answered \Flagged \Deleted \Seen \Draft";

    public static void WriteFlagList(ImapResponseWriter writer, MessageFlags flags)
    {
        writer.OpenList();
        var first = true;
        void Flag(string flag)
        {
            if (!first)
            {
                writer.WriteSpace();
            }
            writer.WriteAtom(flag);
            first = false;
        }
        if (flags.Answered)
        {
            Flag(@"\Answered");
        }
        if (flags.Flagged)
        {
            Flag(@"\Flagged");
        }
        if (flags.Deleted)
        {
            Flag(@"\Deleted");
        }
        if (flags.Seen)
        {
            Flag(@"\Seen");
        }
        if (flags.Draft)
        {
            Flag(@"\Draft");
        }
        foreach (var keyword in flags.Keywords)
        {
            Flag(keyword);
        }
        writer.CloseList();
    }

    /// <summary><c>* n FETCH (FLAGS (...) [UID u])</c>: an unsolicited flag update or a STORE answer.</summary>
    public static void WriteFetchFlags(ImapResponseWriter writer, int number, MessageSummary message, bool includeUid)
    {
        writer.BeginUntagged();
        writer.WriteNumber(number);
        writer.WriteRaw(" FETCH (FLAGS "u8);
        WriteFlagList(writer, message.Flags);
        if (includeUid)
        {
            writer.WriteRaw(" UID "u8);
            writer.WriteNumber(message.Uid);
        }
        writer.CloseList();
        writer.WriteCrlf();
    }
}
