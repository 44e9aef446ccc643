using DocStore.Core.Mailboxes;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Search;

/// <summary>
/// RFC 6203 §4: a matching message's relevancy score, 1 to 100. The text keys under FUZZY carry
/// a relevance from 0 to 1 (<see cref="IndexedText.Relevance"/>); a group of keys scores their
/// mean, OR the better side, and keys under NOT or outside FUZZY do not count. A search whose
/// FUZZY holds no text key (FUZZY SEEN) matches exactly, and every match scores 100; so does
/// every match of a search answered by a scan, without the index.
/// </summary>
internal sealed class Relevancy(SearchKey key, IndexedText? indexed)
{
    /// <summary>The score of the message, sequence <paramref name="number"/> of the messages searched.</summary>
    public int Score(int number, MessageSummary message)
    {
        if (indexed is null || Of(key, underFuzzy: false, number, message) is not { } relevance)
        {
            return 100;
        }
        return Math.Clamp((int)Math.Round(100 * relevance, MidpointRounding.AwayFromZero), 1, 100);
    }

    // Null when the subtree holds no text key under FUZZY.
    private double? Of(SearchKey k, bool underFuzzy, int number, MessageSummary message)
    {
        switch (k)
        {
            case TextKey text when underFuzzy:
                return indexed!.Relevance(text, number, message);
            case FuzzyKey fuzzy:
                return Of(fuzzy.Key, underFuzzy: true, number, message);
            case AndKey and:
                var scores = and.Keys.Select(inner => Of(inner, underFuzzy, number, message)).OfType<double>().ToList();
                return scores.Count == 0 ? null : scores.Average();
            case OrKey or:
                var left = Of(or.Left, underFuzzy, number, message);
                var right = Of(or.Right, underFuzzy, number, message);
                return left is null ? right : right is null ? left : Math.Max(left.Value, right.Value);
            default:
                return null;
        }
    }
}
