using DocStore.Core.Mailboxes;
using DocStore.Core.Search;
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
        var messages = view.Messages;
        var (matched, relevancy) = await SearchPositionsAsync(session, messages, view.SavedSearch, search.Key, cancellationToken);
        uint Result(int position) => search.Uid ? messages[position].Uid : (uint)(position + 1);

        // RFC 9051 §6.4.4: under IMAP4rev2 a SEARCH without RETURN answers as RETURN (ALL).
        var options = search.Return ?? (session.Rev2 ? SearchReturnOptions.All : null);
        if (options is { } returned && returned.HasFlag(SearchReturnOptions.Save))
        {
            view.SavedSearch = Saved(returned, Uids(messages, matched));
        }
        if (options is null)
        {
            // Straight from the matched positions into the output: no list of matches, no string.
            session.Writer.BeginUntagged();
            session.Writer.WriteRaw("SEARCH"u8);
            var chunk = new uint[Math.Min(4096, messages.Count + 1)];
            var filled = 0;
            for (var position = matched.Next(0); position >= 0; position = matched.Next(position + 1))
            {
                chunk[filled++] = Result(position);
                if (filled == chunk.Length)
                {
                    session.Writer.WriteSpacedNumbers(chunk);
                    filled = 0;
                }
            }
            session.Writer.WriteSpacedNumbers(chunk.AsSpan(0, filled));
            session.Writer.WriteCrlf();
        }
        else if (options.Value != SearchReturnOptions.Save)
        {
            // COUNT, MIN and MAX need no list of the matches; ALL and RELEVANCY do.
            var first = matched.Next(0);
            var last = matched.Last();
            var needsList = (options.Value & ~SearchReturnOptions.Save & ~(SearchReturnOptions.Count | SearchReturnOptions.Min | SearchReturnOptions.Max)) != SearchReturnOptions.None
                || (options.Value & ~SearchReturnOptions.Save) == SearchReturnOptions.None;
            List<uint>? all = null;
            List<int>? scores = null;
            if (needsList)
            {
                all = [];
                scores = options.Value.HasFlag(SearchReturnOptions.Relevancy) ? [] : null;
                for (var position = first; position >= 0; position = matched.Next(position + 1))
                {
                    all.Add(Result(position));
                    scores?.Add(relevancy.Score(position + 1, messages[position]));
                }
            }
            EsearchResponseWriter.Write(session.Writer, command.Tag, search.Uid, options.Value,
                new EsearchResults(matched.Count(), first < 0 ? 0 : Result(first), last < 0 ? 0 : Result(last), all), relevancy: scores);
        }
        return Completion.Ok($"{command.Name} completed");
    }

    private static List<uint> Uids(IReadOnlyList<MessageSummary> messages, PositionSet matched)
    {
        var uids = new List<uint>();
        for (var position = matched.Next(0); position >= 0; position = matched.Next(position + 1))
        {
            uids.Add(messages[position].Uid);
        }
        return uids;
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
        var (matched, relevancy) = await SearchPositionsAsync(session, messages, savedResult, key, cancellationToken);
        var matches = new List<(int Number, MessageSummary Message)>();
        for (var position = matched.Next(0); position >= 0; position = matched.Next(position + 1))
        {
            matches.Add((position + 1, messages[position]));
        }
        return (matches, relevancy);
    }

    /// <summary>
    /// The positions (sequence number - 1) of the messages that match <paramref name="key"/>,
    /// and their relevancy; the set is not to be changed (it may be the index's own answer).
    /// </summary>
    public static async Task<(PositionSet Matches, Relevancy Relevancy)> SearchPositionsAsync(ImapSession session,
        IReadOnlyList<MessageSummary> messages, IReadOnlySet<uint> savedResult, SearchKey key, CancellationToken cancellationToken)
    {
        // The index's map of the selected mailbox is kept for its next SEARCH; another mailbox's
        // (ESEARCH IN) is built for the one search.
        var state = session.Selected is { } selected && ReferenceEquals(messages, selected.Messages) ? selected.SearchState : null;
        var indexed = await IndexedText.MatchAsync(session.Backend.FullText, session.Backend.FuzzyText, key, messages, state, cancellationToken);
        var evaluator = new SearchEvaluator(messages.Count, messages.Count == 0 ? 0 : messages[^1].Uid, savedResult, DateTimeOffset.UtcNow,
            async message => await session.Backend.Mailboxes.ReadAsync(message.DocumentId, message.Version, cancellationToken) is { } stored ? MessageText.Load(stored) : null, indexed,
            await EmailDocumentsAsync(session, key, cancellationToken));
        // Most trees are judged as set operations over the whole mailbox; one with a key that
        // needs a message's text (SENTBEFORE; text keys without an index) message by message.
        if (evaluator.TryMatchAll(key, messages) is not { } matched)
        {
            matched = new PositionSet(messages.Count);
            for (var i = 0; i < messages.Count; i++)
            {
                if (evaluator.TryMatch(key, i + 1, messages[i], out var matches) ? matches : await evaluator.MatchesAsync(key, i + 1, messages[i]))
                {
                    matched.Add(i);
                }
            }
        }
        return (matched, new Relevancy(key, indexed));
    }

    /// <summary>
    /// The documents of the EMAILIDs the tree names (RFC 8474 §6; an EMAILID is a document's object
    /// id, in the "N" form FETCH EMAILID gives, in either case), or null when it names none.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, long>?> EmailDocumentsAsync(ImapSession session, SearchKey key, CancellationToken cancellationToken)
    {
        var named = SearchEvaluator.EmailIdKeys(key);
        if (named.Count == 0)
        {
            return null;
        }
        var ids = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
        foreach (var id in named)
        {
            if (Guid.TryParseExact(id, "N", out var emailId))
            {
                ids[id] = emailId;
            }
        }
        var documents = await session.Backend.Mailboxes.DocumentsByEmailIdAsync(ids.Values.ToHashSet(), cancellationToken);
        var result = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, emailId) in ids)
        {
            if (documents.TryGetValue(emailId, out var document))
            {
                result[id] = document;
            }
        }
        return result;
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
