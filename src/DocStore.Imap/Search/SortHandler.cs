using DocStore.Imap.Commands;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Search;

/// <summary>
/// SORT and UID SORT (RFC 5256 §3, DISPLAYFROM and DISPLAYTO of RFC 5957): SEARCH's matches,
/// ordered by the criteria, ties by sequence number; the header is read only when a criterion needs it.
/// </summary>
internal static class SortHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!SortCommand.TryParse(command, out var sort, out var error, out var responseCode))
        {
            return responseCode is null ? Completion.Bad(error) : Completion.No(error, responseCode);
        }

        var view = session.Selected!;
        var (matches, relevancy) = await SearchHandler.SearchAsync(session, view.Messages, view.SavedSearch, sort.Key, cancellationToken);
        var messages = sort.Criteria.All(c => c.Field is SortField.Arrival or SortField.Size or SortField.Relevancy)
            ? matches.Select(m => SortableMessage.Bare(m.Number, m.Message)).ToList()
            : await SortableMessage.LoadAsync(session, matches, cancellationToken);
        messages.Sort(new SortOrder(sort.Criteria, relevancy));

        var numbers = messages.Select(m => sort.Uid ? m.Summary.Uid : (uint)m.Number);
        session.Writer.WriteUntagged(messages.Count == 0 ? "SORT" : "SORT " + string.Join(' ', numbers));
        return Completion.Ok($"{command.Name} completed");
    }
}

/// <summary>
/// RFC 5256 §3: the criteria in priority order, each optionally REVERSE, then the sequence number.
/// RFC 6203 §6: RELEVANCY puts the highest score first.
/// </summary>
internal sealed class SortOrder(IReadOnlyList<SortCriterion> criteria, Relevancy relevancy) : IComparer<SortableMessage>
{
    public int Compare(SortableMessage? x, SortableMessage? y)
    {
        foreach (var criterion in criteria)
        {
            var order = criterion.Field switch
            {
                SortField.Arrival => x!.Summary.InternalDate.CompareTo(y!.Summary.InternalDate),
                SortField.Cc => string.CompareOrdinal(x!.Cc, y!.Cc),
                SortField.Date => x!.SentDate.CompareTo(y!.SentDate),
                SortField.From => string.CompareOrdinal(x!.From, y!.From),
                SortField.Size => x!.Summary.Size.CompareTo(y!.Summary.Size),
                SortField.Subject => string.CompareOrdinal(x!.Subject, y!.Subject),
                SortField.To => string.CompareOrdinal(x!.To, y!.To),
                SortField.DisplayFrom => string.CompareOrdinal(x!.DisplayFrom, y!.DisplayFrom),
                SortField.DisplayTo => string.CompareOrdinal(x!.DisplayTo, y!.DisplayTo),
                SortField.Relevancy => relevancy.Score(y!.Number, y.Summary).CompareTo(relevancy.Score(x!.Number, x.Summary)),
                _ => 0,
            };
            if (order != 0)
            {
                return criterion.Reverse ? -order : order;
            }
        }
        return x!.Number.CompareTo(y!.Number);
    }
}
