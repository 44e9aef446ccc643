namespace DocStore.Core.Search;

/// <summary>
/// SEARCH=FUZZY's text keys (RFC 6203 §3): approximate matching with a relevance per match.
/// A fuzzy match set always holds every exact match of the same criterion (FUZZY widens, never
/// narrows), and read your writes holds as for <see cref="IFullTextSearch"/>.
/// </summary>
public interface IFuzzyTextSearch
{
    /// <summary>
    /// For each criterion, the members of <paramref name="scope"/> that match it approximately,
    /// each with its relevance in (0, 1]: 1 is an exact substring match whose words all occur
    /// as whole words; approximate matches rank below every exact one.
    /// </summary>
    Task<IReadOnlyList<IReadOnlyDictionary<DocumentVersion, double>>> MatchFuzzyAsync(IReadOnlyList<TextCriterion> criteria, IReadOnlyCollection<DocumentVersion> scope, CancellationToken cancellationToken);
}
