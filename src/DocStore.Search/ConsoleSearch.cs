using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using Lucene.Net.Analysis.Core;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Util;
using Microsoft.Extensions.Logging;

namespace DocStore.Search;

/// <summary>
/// The console's search. A query in Lucene's classic syntax (<c>invoice AND "net 30" -draft</c>,
/// <c>subject:report</c>, <c>body:total*</c>) is parsed by Lucene's own parser; each term becomes
/// the same case-insensitive substring criterion IMAP SEARCH uses (<see cref="SearchDocuments.QueryOf"/>),
/// so the console and a mail client agree on what matches. Terms are joined with AND unless the
/// query says OR. The index stores no text, so snippets come from the stored bytes of the few
/// versions shown, extracted by the indexer's own extractor.
/// </summary>
public sealed class ConsoleSearch(TextIndex index, ISearchFeed feed, ILogger<ConsoleSearch> logger) : IConsoleSearch
{
    private const string DefaultField = "text";
    private const int SnippetContext = 90;

    // The fields a query may name: the whole text, the body, or one header field.
    private static readonly Dictionary<string, (TextScope Scope, string? Header)> Fields = new(StringComparer.OrdinalIgnoreCase)
    {
        [DefaultField] = (TextScope.Text, null),
        ["body"] = (TextScope.Body, null),
        ["subject"] = (TextScope.Header, "subject"),
        ["from"] = (TextScope.Header, "from"),
        ["to"] = (TextScope.Header, "to"),
        ["cc"] = (TextScope.Header, "cc"),
        ["bcc"] = (TextScope.Header, "bcc"),
    };

    public ConsoleSearchResult Search(string query, IReadOnlyCollection<DocumentVersion> scope)
    {
        var (parsed, _, error) = Parse(query);
        if (parsed is null)
        {
            return new(new HashSet<DocumentVersion>(), 0, error);
        }
        // What the indexer added but has not refreshed yet (it refreshes once per burst): one refresh.
        index.RefreshIfAdded(scope.Where(v => !index.IsSearchable(v)));
        var keys = new HashSet<long>(scope.Count);
        var notIndexed = 0;
        foreach (var version in scope)
        {
            if (index.IsSearchable(version))
            {
                keys.Add(SearchDocuments.KeyOf(version));
            }
            else
            {
                notIndexed++;
            }
        }
        if (notIndexed > 0)
        {
            // The indexer may be waiting for a burst to end: someone is looking, it waits no longer.
            index.SearchedBehind();
        }
        var matches = keys.Count == 0 ? [] : index.Match(new TextQuery([new TextQuery.Part(parsed, null)]), keys);
        return new(matches.Select(SearchDocuments.VersionOf).ToHashSet(), notIndexed, null);
    }

    public async Task<IReadOnlyDictionary<DocumentVersion, IReadOnlyList<SnippetPart>>> SnippetsAsync(string query, IReadOnlyCollection<DocumentVersion> versions,
        CancellationToken cancellationToken)
    {
        var (_, terms, _) = Parse(query);
        var snippets = new Dictionary<DocumentVersion, IReadOnlyList<SnippetPart>>();
        foreach (var version in versions)
        {
            if (await feed.ReadAsync(version, cancellationToken) is not { } bytes)
            {
                continue;
            }
            ExtractedText text;
            try
            {
                text = MessageTextExtractor.Extract(bytes, logger);
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException)
            {
                continue;
            }
            snippets[version] = Snippet(text.Body, terms) ?? Snippet(text.AllHeaders, terms) ?? Plain(text.Body);
        }
        return snippets;
    }

    /// <summary>The Lucene query over the index's fields and the words to highlight, or why the query cannot be read.</summary>
    private static (Query? Query, IReadOnlyList<string> Terms, string? Error) Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, [], "Type what to look for, e.g. invoice, \"net 30\", subject:report or invoice -draft.");
        }
        Query parsed;
        try
        {
            var parser = new QueryParser(LuceneVersion.LUCENE_48, DefaultField, new KeywordAnalyzer())
            {
                DefaultOperator = Operator.AND,
                AllowLeadingWildcard = false,
            };
            parsed = parser.Parse(text);
        }
        catch (ParseException ex)
        {
            return (null, [], $"The query could not be read ({FirstLine(ex.Message)}). Use words, \"phrases\", AND, OR, NOT, -word, (groups) and field:word.");
        }
        var terms = new List<string>();
        var error = (string?)null;
        var query = Convert(parsed, terms, positive: true, ref error);
        return query is null ? (null, [], error) : (query, terms, null);
    }

    private static Query? Convert(Query query, List<string> terms, bool positive, ref string? error)
    {
        switch (query)
        {
            case TermQuery term:
                return Criterion(term.Term.Field, term.Term.Text, terms, positive, ref error);
            case PrefixQuery prefix:
                // A prefix is looked for as a substring, as every term is: a superset of "starts a word".
                return Criterion(prefix.Prefix.Field, prefix.Prefix.Text, terms, positive, ref error);
            case PhraseQuery phrase:
                return Criterion(phrase.GetTerms()[0].Field, string.Join(' ', phrase.GetTerms().Select(t => t.Text)), terms, positive, ref error);
            case BooleanQuery boolean:
                var converted = new BooleanQuery();
                var anyPositive = false;
                foreach (var clause in boolean.Clauses)
                {
                    var negative = clause.Occur == Occur.MUST_NOT;
                    if (Convert(clause.Query, terms, positive && !negative, ref error) is not { } inner)
                    {
                        return null;
                    }
                    converted.Add(inner, clause.Occur);
                    anyPositive |= !negative;
                }
                if (!anyPositive)
                {
                    // "-draft" alone: everything but the drafts (Lucene would match nothing).
                    converted.Add(new MatchAllDocsQuery(), Occur.MUST);
                }
                return converted;
            default:
                error = "Wildcards inside or before a word, fuzzy (~) and range queries are not supported here: search for words, \"phrases\" or word* instead.";
                return null;
        }
    }

    private static Query? Criterion(string field, string value, List<string> terms, bool positive, ref string? error)
    {
        if (!Fields.TryGetValue(field, out var target))
        {
            error = $"'{field}:' is not a field here: use {string.Join(", ", Fields.Keys.Where(k => !string.Equals(k, DefaultField, StringComparison.Ordinal)).Select(k => k + ":"))} or no field for the whole text.";
            return null;
        }
        if (positive && value.Length > 0)
        {
            terms.Add(value);
        }
        var parts = SearchDocuments.QueryOf(new TextCriterion(target.Scope, target.Header, value)).Parts;
        if (parts.Count == 1)
        {
            return parts[0].Exact;
        }
        var any = new BooleanQuery();
        foreach (var part in parts)
        {
            any.Add(part.Exact, Occur.SHOULD);
        }
        return any;
    }

    /// <summary>The text around the earliest hit of any term, every hit in it marked; null when no term occurs.</summary>
    private static List<SnippetPart>? Snippet(string text, IReadOnlyList<string> terms)
    {
        var first = terms.Select(t => text.IndexOf(t, StringComparison.OrdinalIgnoreCase)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        if (first < 0)
        {
            return null;
        }
        var start = Math.Max(0, first - SnippetContext);
        var end = Math.Min(text.Length, first + (2 * SnippetContext));
        var parts = new List<SnippetPart>();
        if (start > 0)
        {
            parts.Add(new("…", false));
        }
        var at = start;
        while (at < end)
        {
            var (hit, length) = NextHit(text, terms, at, end);
            if (hit < 0)
            {
                parts.Add(new(Clean(text[at..end]), false));
                break;
            }
            if (hit > at)
            {
                parts.Add(new(Clean(text[at..hit]), false));
            }
            parts.Add(new(text.Substring(hit, length), true));
            at = hit + length;
        }
        if (end < text.Length)
        {
            parts.Add(new("…", false));
        }
        return parts;
    }

    private static (int At, int Length) NextHit(string text, IReadOnlyList<string> terms, int from, int end)
    {
        var best = (At: -1, Length: 0);
        foreach (var term in terms)
        {
            var at = text.IndexOf(term, from, end - from, StringComparison.OrdinalIgnoreCase);
            if (at >= 0 && (best.At < 0 || at < best.At || (at == best.At && term.Length > best.Length)))
            {
                best = (at, Math.Min(term.Length, end - at));
            }
        }
        return best;
    }

    private static List<SnippetPart> Plain(string text) =>
        text.Length == 0 ? [] : [new(Clean(text[..Math.Min(text.Length, 2 * SnippetContext)]) + (text.Length > 2 * SnippetContext ? "…" : ""), false)];

    /// <summary>Line breaks and runs of white space as one space, for a one-line snippet.</summary>
    private static string Clean(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                builder.Append(c);
            }
            else if (builder.Length == 0 || builder[^1] != ' ')
            {
                builder.Append(' ');
            }
        }
        return builder.ToString();
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
