using DocStore.Core.Mailboxes;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>
/// RFC 9051 §6.3.12 APPEND with RFC 4315 APPENDUID and RFC 3502 MULTIAPPEND. Message literals
/// were streamed to temporary files while they arrived; the store files all of them in one
/// transaction before the OK, or none.
/// </summary>
internal static class AppendHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!AppendCommand.TryParse(command, session.Writer.Utf8Accept, out var append, out var error))
        {
            return Completion.Bad(error);
        }
        // Streamed literals arrive in order; small ones the parser kept in memory.
        var streamed = 0;
        var items = new List<AppendItem>(append.Messages.Count);
        var owned = new List<Stream>();
        try
        {
            foreach (var message in append.Messages)
            {
                Stream data;
                if (message.Data.Kind == ImapArgumentKind.StreamedLiteral)
                {
                    data = session.StreamedLiterals[streamed++];
                }
                else
                {
                    data = new MemoryStream(message.Data.Bytes.ToArray(), writable: false);
                    owned.Add(data);
                }
                items.Add(new AppendItem(data, ToFlags(message.Flags), message.InternalDate ?? DateTimeOffset.UtcNow));
            }
            MultiAppendResult? result;
            try
            {
                // The user's own mailbox (every right theirs): found while filing, one round trip.
                result = await session.Backend.Mailboxes.AppendToOwnAsync(session.User!, append.Mailbox, items, session.Actor, cancellationToken);
                if (result is null)
                {
                    // Another user's or the shared tree: the rights decide what may be filed, and with which flags.
                    var mailbox = await session.Backend.Mailboxes.FindAsync(session.User!, append.Mailbox, cancellationToken);
                    if (mailbox is null)
                    {
                        // RFC 9051 §6.3.12: TRYCREATE tells the client that CREATE may help.
                        return MailboxAnswers.TryCreate;
                    }
                    if (!mailbox.Rights.HasFlag(Core.Sharing.MailboxRights.Insert))
                    {
                        return MailboxAnswers.NoPermission("i", "file documents");
                    }
                    var allowed = items.ConvertAll(i => i with { Flags = RightsChecks.Allowed(i.Flags, mailbox.Rights) });
                    result = await session.Backend.Mailboxes.AppendManyAsync(session.User!, mailbox.Id, allowed, session.Actor, cancellationToken);
                }
            }
            catch (Core.Sharing.QuotaExceededException e)
            {
                return MailboxAnswers.OverQuota(e.Message);
            }
            catch (KeyNotFoundException)
            {
                // No such mailbox of the user's, or deleted (the right revoked) since it was found.
                return MailboxAnswers.TryCreate;
            }
            return Completion.Ok("APPEND completed", $"APPENDUID {result.UidValidity} {SequenceSet.Format(result.Uids)}");
        }
        finally
        {
            foreach (var stream in owned)
            {
                await stream.DisposeAsync();
            }
        }
    }

    /// <summary>System flags by name (case-insensitive); \Recent is the server's own; the rest are keywords.</summary>
    internal static MessageFlags ToFlags(IReadOnlyList<string> flags)
    {
        bool Has(string flag) => flags.Contains(flag, StringComparer.OrdinalIgnoreCase);
        var keywords = flags.Where(f => !f.StartsWith('\\')).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return new MessageFlags(Has(@"\Seen"), Has(@"\Answered"), Has(@"\Flagged"), Has(@"\Deleted"), Has(@"\Draft"), keywords);
    }
}
