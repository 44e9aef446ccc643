using DocStore.Core.Mailboxes;
using DocStore.Core.Search;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Search;

/// <summary>
/// The text keys of one SEARCH answered by the full-text index in one call before the key tree
/// is evaluated: each distinct key becomes the set of the mailbox's versions that match it, so
/// NOT, OR and parentheses combine them exactly and no message body is read.
/// </summary>
internal sealed class IndexedText
{
    private readonly Dictionary<TextKey, IReadOnlySet<DocumentVersion>> matches;

    private IndexedText(Dictionary<TextKey, IReadOnlySet<DocumentVersion>> matches) => this.matches = matches;

    public static async Task<IndexedText?> MatchAsync(IFullTextSearch? fullText, SearchKey key, IReadOnlyList<MessageSummary> messages, CancellationToken cancellationToken)
    {
        if (fullText is null)
        {
            return null;
        }
        var keys = new List<TextKey>();
        Collect(key, keys);
        if (keys.Count == 0)
        {
            return new IndexedText([]);
        }
        var distinct = keys.Distinct().ToList();
        var scope = messages.Select(m => new DocumentVersion(m.DocumentId, m.Version)).ToList();
        var results = await fullText.MatchAsync(distinct.Select(CriterionOf).ToList(), scope, cancellationToken);
        return new IndexedText(distinct.Zip(results).ToDictionary(p => p.First, p => p.Second));
    }

    public bool Matches(TextKey key, MessageSummary message) =>
        matches.TryGetValue(key, out var set) && set.Contains(new DocumentVersion(message.DocumentId, message.Version));

    private static void Collect(SearchKey key, List<TextKey> keys)
    {
        switch (key)
        {
            case TextKey text:
                keys.Add(text);
                break;
            case AndKey and:
                foreach (var inner in and.Keys)
                {
                    Collect(inner, keys);
                }
                break;
            case OrKey or:
                Collect(or.Left, keys);
                Collect(or.Right, keys);
                break;
            case NotKey not:
                Collect(not.Key, keys);
                break;
            case FuzzyKey fuzzy:
                Collect(fuzzy.Key, keys);
                break;
        }
    }

    private static TextCriterion CriterionOf(TextKey key) => key.Field switch
    {
        SearchTextField.Text => new TextCriterion(TextScope.Text, null, key.Value),
        SearchTextField.Body => new TextCriterion(TextScope.Body, null, key.Value),
        SearchTextField.Header => new TextCriterion(TextScope.Header, key.HeaderName, key.Value),
        _ => new TextCriterion(TextScope.Header, key.Field.ToString(), key.Value),
    };
}
