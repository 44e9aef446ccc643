using DocStore.Core.Mailboxes;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>
/// LIST (RFC 9051 §6.3.9) with CHILDREN (RFC 3348) and SPECIAL-USE (RFC 6154) attributes on
/// every answer, the LIST-EXTENDED selection and return options of RFC 5258 and RFC 5819's STATUS;
/// and LSUB (RFC 3501 §6.3.9) for IMAP4rev1 clients.
/// </summary>
internal static class ListHandler
{
    public static async Task<Completion> ListAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!ListCommand.TryParse(command, session.Writer.Utf8Accept, out var list, out var error))
        {
            return Completion.Bad(error);
        }
        var writer = session.Writer;
        if (list.IsDelimiterRequest)
        {
            // RFC 9051 §6.3.9: an empty pattern asks for the hierarchy delimiter.
            writer.WriteUntagged("LIST (\\Noselect) \"/\" \"\"");
            return Completion.Ok("LIST completed");
        }

        var patterns = list.CanonicalPatterns.ToList();
        var mailboxes = await session.Backend.Mailboxes.ListAsync(session.User!, patterns, cancellationToken);
        var subscribed = (list.Selection.HasFlag(ListSelectOptions.Subscribed) || list.Return.HasFlag(ListReturnOptions.Subscribed))
            ? new HashSet<string>(await session.Backend.Mailboxes.SubscriptionsAsync(session.User!, cancellationToken), StringComparer.Ordinal)
            : null;
        foreach (var listing in mailboxes)
        {
            var name = listing.Mailbox.Name;
            if (!patterns.Exists(p => MailboxPattern.IsMatch(p, name)))
            {
                continue;
            }
            var isSubscribed = subscribed?.Contains(name) ?? false;
            if (list.Selection.HasFlag(ListSelectOptions.Subscribed) && !isSubscribed)
            {
                continue;
            }
            if (list.Selection.HasFlag(ListSelectOptions.SpecialUse) && listing.Mailbox.SpecialUse is null)
            {
                continue;
            }
            if (listing.NoSelect)
            {
                // A namespace level (Shared, Users, Users/owner): browsable, not selectable.
                WriteLsub(writer, name, null, noSelect: true, verb: "LIST");
                continue;
            }
            WriteList(writer, "LIST", name, listing.HasChildren, listing.Mailbox.SpecialUse, isSubscribed && subscribed is not null);
            // RFC 5819 and RFC 8440: STATUS needs "r" (RFC 4314 §4); MYRIGHTS any right that lists it.
            if (list.Return.HasFlag(ListReturnOptions.Status) && listing.Mailbox.Rights.HasFlag(Core.Sharing.MailboxRights.Read))
            {
                await StatusHandler.WriteStatusAsync(session, listing.Mailbox, list.StatusItems, cancellationToken);
            }
            if (list.Return.HasFlag(ListReturnOptions.MyRights))
            {
                AclHandlers.WriteMyRights(writer, name, listing.Mailbox.Rights);
            }
        }
        return Completion.Ok("LIST completed");
    }

    public static async Task<Completion> LsubAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!LsubCommand.TryParse(command, session.Writer.Utf8Accept, out var lsub, out var error))
        {
            return Completion.Bad(error);
        }
        var pattern = lsub.Reference + lsub.Pattern;
        var existing = (await session.Backend.Mailboxes.ListAsync(session.User!, cancellationToken)).Where(m => !m.NoSelect).ToDictionary(m => m.Mailbox.Name, StringComparer.Ordinal);
        var subscribed = await session.Backend.Mailboxes.SubscriptionsAsync(session.User!, cancellationToken);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in subscribed)
        {
            if (MailboxPattern.IsMatch(pattern, name))
            {
                if (listed.Add(name))
                {
                    // RFC 3501 §6.3.9: a subscribed name with no mailbox behind it is \Noselect.
                    WriteLsub(session.Writer, name, existing.GetValueOrDefault(name), noSelect: !existing.ContainsKey(name));
                }
                continue;
            }
            // RFC 3501 §6.3.9: when "%" stops above a subscribed child, the unsubscribed parent it
            // reaches is listed with \Noselect.
            for (var cut = name.LastIndexOf('/'); cut > 0; cut = name.LastIndexOf('/', cut - 1))
            {
                var parent = name[..cut];
                if (MailboxPattern.IsMatch(pattern, parent) && !subscribed.Contains(parent, StringComparer.Ordinal) && listed.Add(parent))
                {
                    WriteLsub(session.Writer, parent, null, noSelect: true);
                }
            }
        }
        return Completion.Ok("LSUB completed");
    }

    private static void WriteLsub(ImapResponseWriter writer, string name, MailboxListing? listing, bool noSelect, string verb = "LSUB")
    {
        if (listing is not null && !noSelect)
        {
            WriteList(writer, verb, name, listing.HasChildren, listing.Mailbox.SpecialUse, subscribed: false);
            return;
        }
        writer.BeginUntagged();
        writer.WriteAtom(verb);
        writer.WriteRaw(string.Equals(verb, "LIST", StringComparison.Ordinal) ? " (\\Noselect \\HasChildren) \"/\" "u8 : " (\\Noselect) \"/\" "u8);
        writer.WriteMailbox(name);
        writer.WriteCrlf();
    }

    private static void WriteList(ImapResponseWriter writer, string verb, string name, bool hasChildren, string? specialUse, bool subscribed)
    {
        writer.BeginUntagged();
        writer.WriteAtom(verb);
        writer.WriteSpace();
        writer.OpenList();
        writer.WriteAtom(hasChildren ? "\\HasChildren" : "\\HasNoChildren");
        if (specialUse is not null)
        {
            writer.WriteSpace();
            writer.WriteAtom(specialUse);
        }
        if (subscribed)
        {
            writer.WriteRaw(" \\Subscribed"u8);
        }
        writer.CloseList();
        writer.WriteRaw(" \"/\" "u8);
        writer.WriteMailbox(name);
        writer.WriteCrlf();
    }
}
