using DocStore.Core.Administration;
using DocStore.Core.Auditing;
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
        system.MapGet("/index", async (IServiceProvider services, CancellationToken cancellationToken) => services.GetService(typeof(IIndexMaintenance)) is IIndexMaintenance index
                ? Results.Ok(await index.StateAsync(cancellationToken))
                : NoIndex())
            .WithSummary("The search index: versions indexed, committed mark, lag behind the change feed, the indexer's last error, the last online check, "
                + "and the last rebuild of this node's index (phase, done of total versions, rate per second, requested, started, finished, error).");
        system.MapPost("/index/check", async (IServiceProvider services, CancellationToken cancellationToken) => services.GetService(typeof(IIndexMaintenance)) is IIndexMaintenance index
                ? index.StartCheck()
                    ? Results.Accepted("/api/system/index", await index.StateAsync(cancellationToken))
                    : Problems.Of(StatusCodes.Status409Conflict, "An index check or rebuild is already running: follow it with GET /api/system/index.")
                : NoIndex())
            .WithSummary("Start the online index check: every stored version is read and any the index lacks is indexed, while the server serves.");
        system.MapPost("/index/rebuild", RebuildAsync)
            .WithSummary("Start a full rebuild of this node's index from PostgreSQL while the server serves: a fresh index is built beside the live one, "
                + "caught up with the change feed and swapped in atomically. 202 with the rebuild's state; 409 with the running one's progress when one runs. "
                + "Follow it with GET /api/system/index.");
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
            services.GetService(typeof(IIndexMaintenance)) is IIndexMaintenance index ? (await index.StateAsync(cancellationToken)).Lag : null,
            problems.Latest()));
    }

    private static async Task<IResult> RebuildAsync(HttpContext context, IAuditLog audit, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService(typeof(IIndexMaintenance)) is not IIndexMaintenance index)
        {
            return NoIndex();
        }
        var actor = WebSecurity.ActorOf(context);
        var (started, rebuild) = await index.StartRebuildAsync(actor.PrincipalName ?? "console", cancellationToken);
        if (!started)
        {
            return Problems.Of(StatusCodes.Status409Conflict,
                $"A rebuild of this node's index is already {(rebuild.Started is null ? "queued" : "running")} (requested by {rebuild.RequestedBy} at {rebuild.RequestedAt:u}; "
                + $"{rebuild.Phase}, {rebuild.Done} of {rebuild.Total} versions): follow it with GET /api/system/index.");
        }
        await audit.RecordAsync(new AuditRecord(actor, AuditActions.IndexRebuildRequested,
            Details: new Dictionary<string, string>(StringComparer.Ordinal) { ["job"] = rebuild.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }), cancellationToken);
        return Results.Accepted("/api/system/index", rebuild);
    }

    private static IResult NoIndex() => Problems.Of(StatusCodes.Status404NotFound, "This server runs without a search index.");

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
