using System.Globalization;
using DocStore.Core.Documents;
using DocStore.Core.Search;
using DocStore.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocStore.Web.Api;

/// <summary>
/// <c>GET /api/search?q=...</c>: full-text search in Lucene query syntax over every document the
/// caller may read (the collections of <c>/api/collections/readable</c>), newest first, with
/// highlighted snippets and facets by collection, type and year; <c>collection</c>, <c>type</c>
/// and <c>year</c> narrow the results to one facet value. Documents filed since the indexer's
/// last refresh are not found yet; <c>notIndexed</c> says how many.
/// </summary>
public static class SearchEndpoints
{
    private const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapSearchEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/search", SearchAsync).WithTags("Search").RequireAuthorization(WebSecurity.UserPolicy)
            .WithSummary("Full-text search (Lucene syntax) over the documents the caller may read, with snippets and facets.");
        return endpoints;
    }

    private static async Task<IResult> SearchAsync(string? q, long? collection, string? type, int? year, int? page, int? pageSize, HttpContext http,
        IDocumentStore store, IConsoleSearch search, CancellationToken ct)
    {
        var size = Math.Clamp(pageSize ?? 20, 1, MaxPageSize);
        var number = Math.Max(1, page ?? 1);
        var user = DocumentEndpoints.UserOf(http.User);

        // The scope: every live document of every collection the caller may read, once.
        var documents = new Dictionary<long, DocumentInfo>();
        foreach (var readable in await store.CollectionsAsync(user, ct))
        {
            foreach (var document in await store.ListAsync(user, readable.Id, ct) ?? [])
            {
                documents.TryAdd(document.Id, document);
            }
        }
        var result = search.Search(q ?? "", documents.Values.Select(d => new DocumentVersion(d.Id, d.CurrentVersion)).ToList());
        if (result.Error is not null)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, result.Error);
        }
        var hits = result.Matches.Select(match => documents[match.DocumentId]).Select(document => (Document: document, Type: TypeOf(document))).ToList();

        var facets = new Facets(
            Count(hits.SelectMany(h => h.Document.Entries.Select(e => (e.CollectionId.ToString(CultureInfo.InvariantCulture), e.Collection)).Distinct())),
            Count(hits.Select(h => (h.Type, h.Type))),
            Count(hits.Select(h => (Year(h.Document), Year(h.Document)))));
        var shown = hits
            .Where(h => collection is null || h.Document.Entries.Any(e => e.CollectionId == collection))
            .Where(h => type is null || string.Equals(h.Type, type, StringComparison.OrdinalIgnoreCase))
            .Where(h => year is null || h.Document.CreatedAt.UtcDateTime.Year == year)
            .OrderByDescending(h => h.Document.CreatedAt).ThenByDescending(h => h.Document.Id)
            .ToList();
        var pageHits = shown.Skip((number - 1) * size).Take(size).ToList();
        var snippets = await search.SnippetsAsync(q!, pageHits.Select(h => new DocumentVersion(h.Document.Id, h.Document.CurrentVersion)).ToList(), ct);
        var items = pageHits.Select(h => new SearchHit(h.Document.Id, h.Document.Title, h.Document.Kind, h.Type, h.Document.CreatedAt,
            h.Document.Tags, h.Document.Entries, snippets.GetValueOrDefault(new DocumentVersion(h.Document.Id, h.Document.CurrentVersion)) ?? [])).ToList();
        return Results.Ok(new SearchAnswer(q!, shown.Count, number, size, result.NotIndexed, items, facets));
    }

    /// <summary>"mail" for mail; for a file its media type (of the current version).</summary>
    private static string TypeOf(DocumentInfo document) =>
        !string.Equals(document.Kind, "file", StringComparison.Ordinal) ? document.Kind
        : string.IsNullOrEmpty(document.MediaType) ? "file"
        : document.MediaType;

    private static string Year(DocumentInfo document) => document.CreatedAt.UtcDateTime.Year.ToString(CultureInfo.InvariantCulture);

    private static List<FacetValue> Count(IEnumerable<(string Value, string Label)> values) =>
        values.GroupBy(v => v.Value, StringComparer.Ordinal)
            .Select(g => new FacetValue(g.Key, g.First().Label, g.Count()))
            .OrderByDescending(f => f.Count).ThenBy(f => f.Label, StringComparer.Ordinal)
            .ToList();

    public sealed record FacetValue(string Value, string Label, int Count);

    public sealed record Facets(IReadOnlyList<FacetValue> Collection, IReadOnlyList<FacetValue> Type, IReadOnlyList<FacetValue> Year);

    public sealed record SearchHit(long Id, string Title, string Kind, string Type, DateTimeOffset CreatedAt, IReadOnlyList<string> Tags,
        IReadOnlyList<Placement> Entries, IReadOnlyList<SnippetPart> Snippet);

    public sealed record SearchAnswer(string Query, int Total, int Page, int PageSize, int NotIndexed, IReadOnlyList<SearchHit> Items, Facets Facets);
}
