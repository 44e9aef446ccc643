using DocStore.Core.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocStore.Web;

/// <summary><c>GET /health</c>: every <see cref="IHealthProbe"/>, 200 when all are healthy, else 503.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", async (IEnumerable<IHealthProbe> probes, CancellationToken cancellationToken) =>
        {
            var results = await Task.WhenAll(probes.Select(p => p.CheckAsync(cancellationToken)));
            var healthy = results.All(r => r.Healthy);
            var body = new HealthResponse(healthy ? "healthy" : "unhealthy", results.ToDictionary(r => r.Name, r => new HealthPart(r.Healthy, r.Summary, r.Data), StringComparer.Ordinal));
            return Results.Json(body, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }

    private sealed record HealthResponse(string Status, IReadOnlyDictionary<string, HealthPart> Checks);

    private sealed record HealthPart(bool Healthy, string Summary, IReadOnlyDictionary<string, object?>? Data);
}
