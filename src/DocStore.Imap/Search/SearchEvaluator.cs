using DocStore.Core.Mailboxes;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Search;

/// <summary>
/// Decides whether one message matches a SEARCH key tree (RFC 9051 §6.4.4), from the session's
/// view for flags, numbers, sizes and dates and from the message's text for the text keys, which
/// are loaded only when the tree needs them; text keys come from the index when there is one.
/// </summary>
internal sealed class SearchEvaluator(int count, uint largestUid, IReadOnlySet<uint> savedResult, DateTimeOffset now, Func<MessageSummary, Task<MessageText?>> loadText, IndexedText? indexed = null)
{
    public async Task<bool> MatchesAsync(SearchKey key, int number, MessageSummary message)
    {
        MessageText? text = null;
        var textLoaded = false;
        async Task<MessageText?> Text()
        {
            if (!textLoaded)
            {
                text = await loadText(message);
                textLoaded = true;
            }
            return text;
        }

        // RFC 6203 §3: under FUZZY text keys match approximately; the other keys stay exact.
        async Task<bool> Match(SearchKey k, bool fuzzy)
        {
            switch (k)
            {
                case AllKey:
                    return true;
                case AndKey and:
                    foreach (var inner in and.Keys)
                    {
                        if (!await Match(inner, fuzzy))
                        {
                            return false;
                        }
                    }
                    return true;
                case OrKey or:
                    return await Match(or.Left, fuzzy) || await Match(or.Right, fuzzy);
                case NotKey not:
                    return !await Match(not.Key, fuzzy);
                case FuzzyKey inner:
                    return await Match(inner.Key, fuzzy: true);
                case SequenceKey sequence when sequence.Set.IsSavedResult:
                    return savedResult.Contains(message.Uid);
                case SequenceKey sequence:
                    return sequence.IsUid ? sequence.Set.Contains(message.Uid, largestUid) : sequence.Set.Contains((uint)number, (uint)count);
                case FlagKey flag:
                    return HasFlag(message.Flags, flag.Flag) == flag.IsSet;
                case SizeKey size:
                    return size.Comparison == SearchSizeComparison.Larger ? (ulong)message.Size > size.Size : (ulong)message.Size < size.Size;
                case WithinKey within:
                    var age = now - message.InternalDate;
                    return within.Comparison == SearchWithinComparison.Older ? age.TotalSeconds >= within.Seconds : age.TotalSeconds <= within.Seconds;
                case ModSeqKey modSeq:
                    return (ulong)message.ModSeq >= modSeq.ModSeq;
                case IdKey id:
                    return id.Field == SearchIdField.Email && string.Equals(id.Id, message.EmailId.ToString("N"), StringComparison.OrdinalIgnoreCase);
                case DateKey date when date.Field == SearchDateField.Sent:
                    return await Text() is { SentDate: { } sent } && Compare(DateOnly.FromDateTime(sent.DateTime), date);
                case DateKey date:
                    // RFC 9051 §6.4.4: dates disregard time and time zone; the internal date's own
                    // zone decides the day. No save date is kept apart yet: it is the internal date.
                    return Compare(DateOnly.FromDateTime(message.InternalDate.DateTime), date);
                case TextKey textKey when indexed is not null:
                    return indexed.Matches(textKey, fuzzy, message);
                case TextKey textKey:
                    return await Text() is { } loaded && MatchesText(loaded, textKey);
                default:
                    return false;
            }
        }

        return await Match(key, fuzzy: false);
    }

    private static bool Compare(DateOnly day, DateKey key) => key.Comparison switch
    {
        SearchDateComparison.Before => day < key.Date,
        SearchDateComparison.On => day == key.Date,
        _ => day >= key.Date,
    };

    private static bool HasFlag(MessageFlags flags, string flag) => flag.ToUpperInvariant() switch
    {
        "\\SEEN" => flags.Seen,
        "\\ANSWERED" => flags.Answered,
        "\\FLAGGED" => flags.Flagged,
        "\\DELETED" => flags.Deleted,
        "\\DRAFT" => flags.Draft,
        // DocStore never reports a message as \Recent (RFC 9051 drops it; RFC 3501 allows none).
        "\\RECENT" => false,
        _ => flags.Keywords.Contains(flag, StringComparer.OrdinalIgnoreCase),
    };

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
