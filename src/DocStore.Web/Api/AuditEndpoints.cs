using System.Text.Json;
using DocStore.Core.Administration;
using DocStore.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocStore.Web.Api;

/// <summary><c>/api/audit</c>, for administrators: the audit trail, newest first, filtered and paged.</summary>
public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var audit = endpoints.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(WebSecurity.AdminPolicy);
        audit.MapGet("", FindAsync)
            .WithSummary("Audit lines, newest first. Filters: user (name), action, collection (id), from and to (ISO 8601, to exclusive); " +
                "page with before = the nextBefore of the previous page; limit 1 to 500 (default 50).");
        audit.MapGet("/actions", async (IAuditQuery query, CancellationToken cancellationToken) => Results.Ok(await query.ActionsAsync(cancellationToken)))
            .WithSummary("The action names in the trail, for a filter's choices.");
        return endpoints;
    }

    private static async Task<IResult> FindAsync(string? user, string? action, long? collection, DateTimeOffset? from, DateTimeOffset? to, long? before, int? limit,
        IAuditQuery query, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 500)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "limit must be between 1 and 500.");
        }
        if (from is not null && to is not null && from >= to)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "from must be before to.");
        }
        var size = limit ?? 50;
        var entries = await query.FindAsync(new AuditFilter(Blank(user), Blank(action), collection, from, to, before, size), cancellationToken);
        var items = entries.Select(e => new AuditLine(e.Id, e.At, e.PrincipalId, e.PrincipalName, e.Action, e.CollectionId, e.DocumentId, e.Address, e.Client,
            e.DetailsJson is null ? null : JsonDocument.Parse(e.DetailsJson).RootElement.Clone())).ToList();
        return Results.Ok(new AuditPage(items, items.Count == size ? items[^1].Id : null));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public sealed record AuditLine(long Id, DateTimeOffset At, long? UserId, string? User, string Action, long? CollectionId, long? DocumentId,
        string? Address, string? Client, JsonElement? Details);

    /// <summary>One page; <see cref="NextBefore"/> asks for the next (older) page, null at the end.</summary>
    public sealed record AuditPage(IReadOnlyList<AuditLine> Items, long? NextBefore);
}
