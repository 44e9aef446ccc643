using DocStore.Core.Mailboxes;
using DocStore.Core.Search;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Search;

/// <summary>
/// Decides whether one message matches a SEARCH key tree (RFC 9051 §6.4.4), from the session's
/// view for flags, numbers, sizes and dates and from the message's text for the text keys, which
/// are loaded only when the tree needs them; text keys come from the index when there is one.
/// </summary>
/// <remarks>
/// EMAILID keys (RFC 8474 §6) are decided by <paramref name="emailDocuments"/>: the document each
/// id the tree names belongs to, read by the caller (<see cref="EmailIdKeys"/>), since the view
/// holds document ids, not their object ids.
/// </remarks>
internal sealed class SearchEvaluator(int count, uint largestUid, IReadOnlySet<uint> savedResult, DateTimeOffset now, Func<MessageSummary, Task<MessageText?>> loadText,
    IndexedText? indexed = null, IReadOnlyDictionary<string, long>? emailDocuments = null)
{
    /// <summary>The EMAILIDs a key tree names (RFC 8474 §6), as the client spelt them.</summary>
    public static List<string> EmailIdKeys(SearchKey key) =>
        [.. key.Leaves().Select(l => l.Key).OfType<IdKey>().Where(id => id.Field == SearchIdField.Email).Select(id => id.Id)];

    /// <summary>
    /// Whether the message matches. Keys that need the message's text (SENTBEFORE and friends;
    /// the text keys when there is no index) load it only when the outcome depends on them; a
    /// tree that needs none completes synchronously, without allocating, for each of a
    /// mailbox's messages.
    /// </summary>
    public async ValueTask<bool> MatchesAsync(SearchKey key, int number, MessageSummary message)
    {
        var verdict = Match(key, fuzzy: false, number, message, text: null, textLoaded: false);
        if (verdict != Verdict.NeedsText)
        {
            return verdict == Verdict.Yes;
        }
        var text = await loadText(message);
        return Match(key, fuzzy: false, number, message, text, textLoaded: true) == Verdict.Yes;
    }

    /// <summary>
    /// Whether the message matches, when that is known without its text (false: call
    /// <see cref="MatchesAsync"/>): synchronous, for the walk over a large mailbox.
    /// </summary>
    public bool TryMatch(SearchKey key, int number, MessageSummary message, out bool matches)
    {
        var verdict = Match(key, fuzzy: false, number, message, text: null, textLoaded: false);
        matches = verdict == Verdict.Yes;
        return verdict != Verdict.NeedsText;
    }

    /// <summary>
    /// The positions (sequence number - 1) of the messages that match, as set operations over
    /// the whole mailbox: the index's answer for a text key is taken as it is, AND, OR and NOT
    /// combine sets, and only the other keys look at each message. Null when a key needs a
    /// message's text (then <see cref="MatchesAsync"/> decides message by message).
    /// </summary>
    public PositionSet? TryMatchAll(SearchKey key, IReadOnlyList<MessageSummary> messages) => MatchAll(key, fuzzy: false, messages);

    private PositionSet? MatchAll(SearchKey k, bool fuzzy, IReadOnlyList<MessageSummary> messages)
    {
        switch (k)
        {
            case AllKey:
                return PositionSet.All(messages.Count);
            case AndKey and:
                PositionSet? all = null;
                foreach (var inner in and.Keys)
                {
                    if (MatchAll(inner, fuzzy, messages) is not { } set)
                    {
                        return null;
                    }
                    all = all is null ? set : all.And(set);
                }
                return all ?? PositionSet.All(messages.Count);
            case OrKey or:
                return MatchAll(or.Left, fuzzy, messages) is { } left && MatchAll(or.Right, fuzzy, messages) is { } right ? left.Or(right) : null;
            case NotKey not:
                return MatchAll(not.Key, fuzzy, messages)?.Not();
            case FuzzyKey inner:
                return MatchAll(inner.Key, fuzzy: true, messages);
            case TextKey textKey when !fuzzy && indexed is not null && indexed.PositionsOf(textKey) is { } positions:
                return positions;
            case FlagKey flag:
                // The flag's name is resolved once, not once per message (UNDELETED over 200,000 messages).
                var has = FlagTest(flag.Flag);
                var flagged = new PositionSet(messages.Count);
                for (var i = 0; i < messages.Count; i++)
                {
                    if (has(messages[i].Flags) == flag.IsSet)
                    {
                        flagged.Add(i);
                    }
                }
                return flagged;
            default:
                // A key of its own (flags, numbers, dates, sizes; a fuzzy text key): each message.
                var matched = new PositionSet(messages.Count);
                for (var i = 0; i < messages.Count; i++)
                {
                    switch (Match(k, fuzzy, i + 1, messages[i], text: null, textLoaded: false))
                    {
                        case Verdict.NeedsText:
                            return null;
                        case Verdict.Yes:
                            matched.Add(i);
                            break;
                    }
                }
                return matched;
        }
    }

    private enum Verdict { No, Yes, NeedsText }

    private static Verdict Of(bool matches) => matches ? Verdict.Yes : Verdict.No;

    // RFC 6203 §3: under FUZZY text keys match approximately; the other keys stay exact.
    private Verdict Match(SearchKey k, bool fuzzy, int number, MessageSummary message, MessageText? text, bool textLoaded)
    {
        switch (k)
        {
            case AllKey:
                return Verdict.Yes;
            case AndKey and:
                var pending = false;
                foreach (var inner in and.Keys)
                {
                    var verdict = Match(inner, fuzzy, number, message, text, textLoaded);
                    if (verdict == Verdict.No)
                    {
                        return Verdict.No;
                    }
                    pending |= verdict == Verdict.NeedsText;
                }
                return pending ? Verdict.NeedsText : Verdict.Yes;
            case OrKey or:
                var left = Match(or.Left, fuzzy, number, message, text, textLoaded);
                if (left == Verdict.Yes)
                {
                    return Verdict.Yes;
                }
                var right = Match(or.Right, fuzzy, number, message, text, textLoaded);
                return right == Verdict.Yes ? Verdict.Yes : left == Verdict.NeedsText || right == Verdict.NeedsText ? Verdict.NeedsText : Verdict.No;
            case NotKey not:
                return Match(not.Key, fuzzy, number, message, text, textLoaded) switch
                {
                    Verdict.Yes => Verdict.No,
                    Verdict.No => Verdict.Yes,
                    _ => Verdict.NeedsText,
                };
            case FuzzyKey inner:
                return Match(inner.Key, fuzzy: true, number, message, text, textLoaded);
            case SequenceKey sequence when sequence.Set.IsSavedResult:
                return Of(savedResult.Contains(message.Uid));
            case SequenceKey sequence:
                return Of(sequence.IsUid ? sequence.Set.Contains(message.Uid, largestUid) : sequence.Set.Contains((uint)number, (uint)count));
            case FlagKey flag:
                return Of(HasFlag(message.Flags, flag.Flag) == flag.IsSet);
            case SizeKey size:
                return Of(size.Comparison == SearchSizeComparison.Larger ? (ulong)message.Size > size.Size : (ulong)message.Size < size.Size);
            case WithinKey within:
                var age = now - message.InternalDate;
                return Of(within.Comparison == SearchWithinComparison.Older ? age.TotalSeconds >= within.Seconds : age.TotalSeconds <= within.Seconds);
            case ModSeqKey modSeq:
                return Of((ulong)message.ModSeq >= modSeq.ModSeq);
            case IdKey id:
                return Of(id.Field == SearchIdField.Email && emailDocuments is not null && emailDocuments.TryGetValue(id.Id, out var document)
                    && document == message.DocumentId);
            case DateKey date when date.Field == SearchDateField.Sent:
                return !textLoaded ? Verdict.NeedsText : Of(text is { SentDate: { } sent } && Compare(DateOnly.FromDateTime(sent.DateTime), date));
            case DateKey date:
                // RFC 9051 §6.4.4: dates disregard time and time zone; the internal date's own
                // zone decides the day. No save date is kept apart yet: it is the internal date.
                return Of(Compare(DateOnly.FromDateTime(message.InternalDate.DateTime), date));
            case TextKey textKey when indexed is not null:
                return Of(indexed.Matches(textKey, fuzzy, number, message));
            case TextKey textKey:
                return !textLoaded ? Verdict.NeedsText : Of(text is { } loaded && MatchesText(loaded, textKey));
            default:
                return Verdict.No;
        }
    }

    private static bool Compare(DateOnly day, DateKey key) => key.Comparison switch
    {
        SearchDateComparison.Before => day < key.Date,
        SearchDateComparison.On => day == key.Date,
        _ => day >= key.Date,
    };

    private static Func<MessageFlags, bool> FlagTest(string flag)
    {
        static bool Is(string flag, string name) => string.Equals(flag, name, StringComparison.OrdinalIgnoreCase);
        return Is(flag, "\\Seen") ? static f => f.Seen
            : Is(flag, "\\Answered") ? static f => f.Answered
            : Is(flag, "\\Flagged") ? static f => f.Flagged
            : Is(flag, "\\Deleted") ? static f => f.Deleted
            : Is(flag, "\\Draft") ? static f => f.Draft
            : Is(flag, "\\Recent") ? static _ => false
            : f => f.Keywords.Contains(flag, StringComparer.OrdinalIgnoreCase);
    }

    // DocStore never reports a message as \Recent (RFC 9051 drops it; RFC 3501 allows none).
    private static bool HasFlag(MessageFlags flags, string flag) => FlagTest(flag)(flags);

    private static bool MatchesText(MessageText text, TextKey key)
    {
        bool In(string? haystack) => haystack is not null && haystack.Contains(key.Value, StringComparison.OrdinalIgnoreCase);
        return key.Field switch
        {
            SearchTextField.Header => text.Header(key.HeaderName!).Any(v => key.Value.Length == 0 || In(v)),
            SearchTextField.Body => In(text.Body),
            SearchTextField.Text => In(text.AllHeaders) || In(text.Body),
            _ => text.Header(key.Field.ToString()).Any(In),
        };
    }
}
