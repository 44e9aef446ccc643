using DocStore.Core.Mailboxes;
using DocStore.Core.Sharing;
using DocStore.Imap.Commands;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Search;

/// <summary>
/// ESEARCH (RFC 7377, MULTISEARCH): one search over several mailboxes (a DMS user's "search
/// everything I may read"), answered per mailbox with UIDs. Mailboxes the user may not read are
/// skipped without a word; those reached without being named need the lookup right as well.
/// </summary>
internal static class EsearchHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!EsearchCommand.TryParse(command, session.Writer.Utf8Accept, out var search, out var error, out var responseCode))
        {
            return responseCode is null ? Completion.Bad(error) : Completion.No(error, responseCode);
        }
        if (session.Selected is null && search.Sources.Any(s => s.Kind == SearchSourceKind.Selected))
        {
            // RFC 7377 §2.2: "selected", named or implied, needs the selected state.
            return Completion.Bad("ESEARCH without IN, or with IN (selected), needs a selected mailbox");
        }

        foreach (var mailbox in await ResolveAsync(session, search.Sources, cancellationToken))
        {
            var selected = session.Selected?.Mailbox.Id == mailbox.Id ? session.Selected : null;
            var messages = selected?.Messages ?? await session.Backend.Mailboxes.MessagesAsync(session.User!, mailbox.Id, cancellationToken);
            var (matches, relevancy) = await SearchHandler.SearchAsync(session, messages, selected?.SavedSearch ?? new HashSet<uint>(), search.Key, cancellationToken);
            if (selected is not null && search.Return.HasFlag(SearchReturnOptions.Save))
            {
                selected.SavedSearch = matches.Select(m => m.Message.Uid).ToHashSet();
            }
            // RFC 7377 §2.1: no response for a mailbox without matches.
            if (matches.Count > 0 && search.Return != SearchReturnOptions.Save)
            {
                EsearchResponseWriter.Write(session.Writer, command.Tag, uid: true, search.Return, matches.Select(m => m.Message.Uid).ToList(), (mailbox.Name, mailbox.UidValidity),
                    search.Return.HasFlag(SearchReturnOptions.Relevancy) ? matches.Select(m => relevancy.Score(m.Number, m.Message)).ToList() : null);
                await session.FlushIfLargeAsync(cancellationToken);
            }
        }
        return Completion.Ok("ESEARCH completed");
    }

    /// <summary>
    /// The mailboxes the sources name, each once, in the order named, that the user may read
    /// (RFC 7377 §2.2 with RFC 4314: "r" on each; "l" as well on those not named explicitly).
    /// </summary>
    private static async Task<List<Mailbox>> ResolveAsync(ImapSession session, IReadOnlyList<SearchSource> sources, CancellationToken cancellationToken)
    {
        var store = session.Backend.Mailboxes;
        var user = session.User!;
        IReadOnlyList<Mailbox>? listed = null;
        async Task<IReadOnlyList<Mailbox>> Listed() =>
            listed ??= (await store.ListAsync(user, cancellationToken)).Where(l => !l.NoSelect).Select(l => l.Mailbox).ToList();

        var result = new List<Mailbox>();
        var seen = new HashSet<long>();
        void Add(Mailbox mailbox, bool named)
        {
            var rights = mailbox.Owned ? MailboxRights.Lookup | MailboxRights.Read : mailbox.Rights;
            if (rights.HasFlag(MailboxRights.Read) && (named || rights.HasFlag(MailboxRights.Lookup)) && seen.Add(mailbox.Id))
            {
                result.Add(mailbox);
            }
        }

        foreach (var source in sources)
        {
            switch (source.Kind)
            {
                case SearchSourceKind.Selected:
                    var view = session.Selected!;
                    if (await RightsChecks.RefreshAsync(session, needsRead: true, cancellationToken))
                    {
                        Add(view.Mailbox with { Rights = view.Rights }, named: true);
                    }
                    break;
                case SearchSourceKind.Inboxes:
                    // Mail from outside arrives only in the user's own INBOX.
                    foreach (var mailbox in (await Listed()).Where(m => m.Owned && MailboxName.IsInbox(m.Name)))
                    {
                        Add(mailbox, named: false);
                    }
                    break;
                case SearchSourceKind.Personal:
                    foreach (var mailbox in (await Listed()).Where(m => m.Owned))
                    {
                        Add(mailbox, named: false);
                    }
                    break;
                case SearchSourceKind.Subscribed:
                    var subscribed = (await store.SubscriptionsAsync(user, cancellationToken)).ToHashSet(StringComparer.Ordinal);
                    foreach (var mailbox in (await Listed()).Where(m => subscribed.Contains(m.Name)))
                    {
                        Add(mailbox, named: false);
                    }
                    break;
                default:
                    foreach (var name in source.Mailboxes)
                    {
                        if (await store.FindAsync(user, name, cancellationToken) is not { } named)
                        {
                            continue;
                        }
                        Add(named, named: true);
                        if (source.Kind == SearchSourceKind.Mailboxes)
                        {
                            continue;
                        }
                        var prefix = named.Name + "/";
                        foreach (var below in (await Listed()).Where(m => m.Name.StartsWith(prefix, StringComparison.Ordinal)))
                        {
                            if (source.Kind == SearchSourceKind.Subtree || !below.Name.AsSpan(prefix.Length).Contains('/'))
                            {
                                Add(below, named: false);
                            }
                        }
                    }
                    break;
            }
        }
        return result;
    }
}
