using DocStore.Core.Mailboxes;
using DocStore.Core.Search;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Search;

/// <summary>
/// The text keys of one SEARCH answered by the full-text index in one call before the key tree
/// is evaluated: each distinct key becomes the set of the mailbox's versions that match it, so
/// NOT, OR and parentheses combine them exactly and no message body is read. Text keys under
/// FUZZY (RFC 6203) are asked of the fuzzy search apart, with a relevance per match; without
/// one they match exactly, each match with relevance 1. Exact matches are positions in the
/// searched messages, so the per-message probe is a bit test.
/// </summary>
internal sealed class IndexedText
{
    private readonly Dictionary<TextKey, PositionSet> matches;
    private readonly Dictionary<TextKey, IReadOnlyDictionary<DocumentVersion, double>> fuzzy;

    private IndexedText(Dictionary<TextKey, PositionSet> matches, Dictionary<TextKey, IReadOnlyDictionary<DocumentVersion, double>> fuzzy)
    {
        this.matches = matches;
        this.fuzzy = fuzzy;
    }

    /// <summary>
    /// The index's answers for the text keys of <paramref name="key"/> over <paramref name="messages"/>;
    /// <paramref name="state"/> carries what the index keeps from one search of the same messages
    /// to the next (null: nothing kept).
    /// </summary>
    public static async Task<IndexedText?> MatchAsync(IFullTextSearch? fullText, IFuzzyTextSearch? fuzzyText, SearchKey key, IReadOnlyList<MessageSummary> messages, SearchStateHolder? state, CancellationToken cancellationToken)
    {
        if (fullText is null)
        {
            return null;
        }
        var exactKeys = new List<TextKey>();
        var fuzzyKeys = new List<TextKey>();
        foreach (var (leaf, underFuzzy) in key.Leaves())
        {
            if (leaf is TextKey text)
            {
                (underFuzzy && fuzzyText is not null ? fuzzyKeys : exactKeys).Add(text);
            }
        }
        if (exactKeys.Count == 0 && fuzzyKeys.Count == 0)
        {
            return new IndexedText([], []);
        }
        // Read only when the index's kept map of the messages must be checked or built again.
        var scope = new VersionsOf(messages);

        var exact = new Dictionary<TextKey, PositionSet>();
        if (exactKeys.Count > 0)
        {
            var distinct = exactKeys.Distinct().ToList();
            var searchScope = new SearchScope(scope, state?.State, state?.Generation);
            var results = await fullText.MatchPositionsAsync(distinct.Select(CriterionOf).ToList(), searchScope, cancellationToken);
            if (state is not null)
            {
                state.State = searchScope.State;
            }
            exact = ByInstance(exactKeys, distinct.Zip(results).ToDictionary(p => p.First, p => p.Second));
        }
        var approximate = new Dictionary<TextKey, IReadOnlyDictionary<DocumentVersion, double>>();
        if (fuzzyKeys.Count > 0)
        {
            var distinct = fuzzyKeys.Distinct().ToList();
            var results = await fuzzyText!.MatchFuzzyAsync(distinct.Select(CriterionOf).ToList(), scope, cancellationToken);
            approximate = ByInstance(fuzzyKeys, distinct.Zip(results).ToDictionary(p => p.First, p => p.Second));
        }
        return new IndexedText(exact, approximate);
    }

    /// <summary>
    /// The answers keyed by the tree's own key objects: they are looked up once per message of
    /// the mailbox, and hashing a key's strings each time cost more than the lookup itself.
    /// </summary>
    private static Dictionary<TextKey, T> ByInstance<T>(List<TextKey> keys, Dictionary<TextKey, T> answers)
    {
        var byInstance = new Dictionary<TextKey, T>(ReferenceEqualityComparer.Instance);
        foreach (var key in keys)
        {
            byInstance[key] = answers[key];
        }
        return byInstance;
    }

    /// <summary>
    /// Whether the message (sequence <paramref name="number"/> of the messages searched) matches
    /// the key, exactly or (under FUZZY, <paramref name="isFuzzy"/>) approximately.
    /// </summary>
    public bool Matches(TextKey key, bool isFuzzy, int number, MessageSummary message) => isFuzzy && fuzzy.TryGetValue(key, out var scored)
        ? scored.ContainsKey(Version(message))
        : matches.TryGetValue(key, out var set) && set.Contains(number - 1);

    /// <summary>The positions of the searched messages that match the key exactly (null: not answered that way, e.g. a key under FUZZY only); not to be changed.</summary>
    public PositionSet? PositionsOf(TextKey key) => matches.GetValueOrDefault(key);

    /// <summary>RFC 6203 §4: how well the message (sequence <paramref name="number"/>) matches the key under FUZZY, from 0 (not at all) to 1.</summary>
    public double Relevance(TextKey key, int number, MessageSummary message) => fuzzy.TryGetValue(key, out var scored)
        ? scored.GetValueOrDefault(Version(message))
        : Matches(key, isFuzzy: false, number, message) ? 1 : 0;

    private static DocumentVersion Version(MessageSummary message) => new(message.DocumentId, message.Version);

    private static TextCriterion CriterionOf(TextKey key) => key.Field switch
    {
        SearchTextField.Text => new TextCriterion(TextScope.Text, null, key.Value),
        SearchTextField.Body => new TextCriterion(TextScope.Body, null, key.Value),
        SearchTextField.Header => new TextCriterion(TextScope.Header, key.HeaderName, key.Value),
        _ => new TextCriterion(TextScope.Header, key.Field.ToString(), key.Value),
    };
}

/// <summary>
/// What the full-text search keeps for the next search of the same messages
/// (<see cref="SearchScope.State"/>): one per selected mailbox. The search checks it before use,
/// so a holder that outlives a change of the mailbox costs a rebuild, not a wrong answer.
/// </summary>
internal sealed class SearchStateHolder
{
    public object? State { get; set; }

    /// <summary>Changed by the view whenever the versions of its messages change (not their flags).</summary>
    public long Generation { get; set; }
}

/// <summary>The messages' versions, read as they are asked for.</summary>
internal sealed class VersionsOf(IReadOnlyList<MessageSummary> messages) : IReadOnlyList<DocumentVersion>
{
    public DocumentVersion this[int index] => new(messages[index].DocumentId, messages[index].Version);

    public int Count => messages.Count;

    public IEnumerator<DocumentVersion> GetEnumerator()
    {
        for (var i = 0; i < messages.Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
