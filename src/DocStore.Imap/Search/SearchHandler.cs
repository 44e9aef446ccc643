using DocStore.Core.Mailboxes;
using DocStore.Imap.Commands;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Search;

/// <summary>
/// SEARCH and UID SEARCH (RFC 9051 §6.4.4) with ESEARCH RETURN options (RFC 4731) and the saved
/// result <c>$</c> (RFC 5182). The text keys come from the full-text index (<see cref="IndexedText"/>).
/// </summary>
internal static class SearchHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!SearchCommand.TryParse(command, out var search, out var error, out var responseCode))
        {
            // RFC 5182 §2.1: a failed SEARCH ... RETURN (SAVE) empties $.
            session.Selected!.SavedSearch = new HashSet<uint>();
            return responseCode is null ? Completion.Bad(error) : Completion.No(error, responseCode);
        }

        var view = session.Selected!;
        var (matches, relevancy) = await SearchAsync(session, view.Messages, view.SavedSearch, search.Key, cancellationToken);
        var results = matches.Select(m => search.Uid ? m.Message.Uid : (uint)m.Number).ToList();

        // RFC 9051 §6.4.4: under IMAP4rev2 a SEARCH without RETURN answers as RETURN (ALL).
        var options = search.Return ?? (session.Rev2 ? SearchReturnOptions.All : null);
        if (options is { } returned && returned.HasFlag(SearchReturnOptions.Save))
        {
            view.SavedSearch = Saved(returned, matches.Select(m => m.Message.Uid).ToList());
        }
        if (options is null)
        {
            // Number by number into the output: tens of thousands of matches make no string first.
            session.Writer.BeginUntagged();
            session.Writer.WriteRaw("SEARCH"u8);
            foreach (var result in results)
            {
                session.Writer.WriteSpace();
                session.Writer.WriteNumber(result);
            }
            session.Writer.WriteCrlf();
        }
        else if (options.Value != SearchReturnOptions.Save)
        {
            EsearchResponseWriter.Write(session.Writer, command.Tag, search.Uid, options.Value, results,
                relevancy: options.Value.HasFlag(SearchReturnOptions.Relevancy) ? matches.Select(m => relevancy.Score(m.Number, m.Message)).ToList() : null);
        }
        return Completion.Ok($"{command.Name} completed");
    }

    /// <summary>
    /// The selected mailbox's messages that match <paramref name="key"/>, in mailbox order, with
    /// their sequence numbers: what SEARCH, SORT and THREAD (RFC 5256 §3) all start from.
    /// </summary>
    public static async Task<List<(int Number, MessageSummary Message)>> MatchAsync(ImapSession session, SearchKey key, CancellationToken cancellationToken) =>
        (await SearchAsync(session, session.Selected!.Messages, session.Selected.SavedSearch, key, cancellationToken)).Matches;

    /// <summary>
    /// The messages of any mailbox (in its order) that match <paramref name="key"/>, and their
    /// RFC 6203 relevancy scores; ESEARCH IN (RFC 7377) uses it for mailboxes not selected.
    /// </summary>
    public static async Task<(List<(int Number, MessageSummary Message)> Matches, Relevancy Relevancy)> SearchAsync(ImapSession session,
        IReadOnlyList<MessageSummary> messages, IReadOnlySet<uint> savedResult, SearchKey key, CancellationToken cancellationToken)
    {
        // The index's map of the selected mailbox is kept for its next SEARCH; another mailbox's
        // (ESEARCH IN) is built for the one search.
        var state = session.Selected is { } selected && ReferenceEquals(messages, selected.Messages) ? selected.SearchState : null;
        var indexed = await IndexedText.MatchAsync(session.Backend.FullText, session.Backend.FuzzyText, key, messages, state, cancellationToken);
        var evaluator = new SearchEvaluator(messages.Count, messages.Count == 0 ? 0 : messages[^1].Uid, savedResult, DateTimeOffset.UtcNow,
            async message => await session.Backend.Mailboxes.ReadAsync(message.DocumentId, message.Version, cancellationToken) is { } stored ? MessageText.Load(stored) : null, indexed);
        var matches = new List<(int Number, MessageSummary Message)>();
        for (var i = 0; i < messages.Count; i++)
        {
            // Most trees are judged without the message's text: no asynchronous call per message then.
            if (evaluator.TryMatch(key, i + 1, messages[i], out var matched) ? matched : await evaluator.MatchesAsync(key, i + 1, messages[i]))
            {
                matches.Add((i + 1, messages[i]));
            }
        }
        return (matches, new Relevancy(key, indexed));
    }

    /// <summary>
    /// RFC 5182 §2.4: with MIN or MAX (and neither ALL nor COUNT) <c>$</c> holds only those
    /// messages; otherwise every match.
    /// </summary>
    private static HashSet<uint> Saved(SearchReturnOptions options, List<uint> uids)
    {
        if (uids.Count == 0 || options.HasFlag(SearchReturnOptions.All) || options.HasFlag(SearchReturnOptions.Count) ||
            !(options.HasFlag(SearchReturnOptions.Min) || options.HasFlag(SearchReturnOptions.Max)))
        {
            return [.. uids];
        }
        var saved = new HashSet<uint>();
        if (options.HasFlag(SearchReturnOptions.Min))
        {
            saved.Add(uids.Min());
        }
        if (options.HasFlag(SearchReturnOptions.Max))
        {
            saved.Add(uids.Max());
        }
        return saved;
    }
}
