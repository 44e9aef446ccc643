namespace DocStore.Core.Health;

/// <summary>The state of one part of the system, for <c>/health</c> and <c>docstore status</c>.</summary>
public sealed record HealthResult(string Name, bool Healthy, string Summary, IReadOnlyDictionary<string, object?>? Data = null);

/// <summary>A part of the system that can say whether it works (database, listeners, index).</summary>
public interface IHealthProbe
{
    Task<HealthResult> CheckAsync(CancellationToken cancellationToken);
}
