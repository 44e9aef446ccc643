using DocStore.Core.Administration;
using DocStore.Core.Health;
using DocStore.Core.Search;
using DocStore.Web.Console;
using DocStore.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocStore.Web.Api;

/// <summary><c>/api/system</c>, for administrators: the health of this node and what is stored, at a glance.</summary>
public static class SystemEndpoints
{
    public static IEndpointRouteBuilder MapSystemEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var system = endpoints.MapGroup("/api/system").WithTags("System").RequireAuthorization(WebSecurity.AdminPolicy);
        system.MapGet("", SummaryAsync)
            .WithSummary("Uptime, IMAP sessions, health checks, totals (documents, storage, sessions) and this node's recent warnings and errors.");
        system.MapGet("/index", (IServiceProvider services) => services.GetService(typeof(IIndexMaintenance)) is IIndexMaintenance index
                ? Results.Ok(index.State())
                : Problems.Of(StatusCodes.Status404NotFound, "This server runs without a search index."))
            .WithSummary("The search index: versions indexed, committed mark, lag behind the change feed, the indexer's last error and the last online check.");
        system.MapPost("/index/check", (IServiceProvider services) => services.GetService(typeof(IIndexMaintenance)) is IIndexMaintenance index
                ? index.StartCheck()
                    ? Results.Accepted("/api/system/index", index.State())
                    : Problems.Of(StatusCodes.Status409Conflict, "An index check is already running: follow it with GET /api/system/index.")
                : Problems.Of(StatusCodes.Status404NotFound, "This server runs without a search index."))
            .WithSummary("Start the online index check: every stored version is read and any the index lacks is indexed, while the server serves.");
        system.MapGet("/activity", ActivityAsync).WithSummary("Documents filed and bytes stored per UTC day, the last ?days (1 to 366, default 30).");
        return endpoints;
    }

    private static async Task<IResult> SummaryAsync(IEnumerable<IHealthProbe> probes, ISystemStatistics statistics, RecentProblems problems,
        ConsoleClock clock, TimeProvider time, IServiceProvider services, CancellationToken cancellationToken)
    {
        var health = await Task.WhenAll(probes.Select(p => p.CheckAsync(cancellationToken)));
        var imap = health.FirstOrDefault(h => string.Equals(h.Name, "imap", StringComparison.Ordinal));
        var sessions = imap?.Data?.GetValueOrDefault("sessions") is int n ? n : 0;
        var now = time.GetUtcNow();
        return Results.Ok(new SystemSummary(
            Environment.MachineName,
            typeof(SystemEndpoints).Assembly.GetName().Version?.ToString() ?? "",
            clock.StartedAt,
            (long)(now - clock.StartedAt).TotalSeconds,
            sessions,
            health.Select(h => new HealthLine(h.Name, h.Healthy, h.Summary)).ToList(),
            await statistics.TotalsAsync(cancellationToken),
            (services.GetService(typeof(IIndexMaintenance)) as IIndexMaintenance)?.State().Lag,
            problems.Latest()));
    }

    private static async Task<IResult> ActivityAsync(int? days, ISystemStatistics statistics, CancellationToken cancellationToken) =>
        days is < 1 or > 366
            ? Problems.Of(StatusCodes.Status400BadRequest, "days must be between 1 and 366.")
            : Results.Ok(await statistics.ActivityAsync(days ?? 30, cancellationToken));

    public sealed record HealthLine(string Name, bool Healthy, string Summary);

    /// <summary>
    /// The dashboard's figures. <see cref="IndexLag"/> is null until the search index exists;
    /// <see cref="RecentProblems"/> are this node's, newest first.
    /// </summary>
    public sealed record SystemSummary(string Node, string Version, DateTimeOffset StartedAt, long UptimeSeconds, int ImapSessions,
        IReadOnlyList<HealthLine> Health, StoreTotals Totals, long? IndexLag, IReadOnlyList<LoggedProblem> RecentProblems);
}
