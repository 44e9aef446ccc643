using DocStore.Core.Health;

namespace DocStore.Imap.Server;

/// <summary>What the IMAP listeners are doing: bound endpoints and live sessions, for health and status.</summary>
public sealed class ImapServerState : IHealthProbe
{
    private readonly List<string> endpoints = [];
    private int sessions;

    public int ActiveSessions => Volatile.Read(ref sessions);

    /// <summary>Called by the host once Kestrel has bound the endpoint (binding failures stop the start).</summary>
    public void Listening(string endpoint)
    {
        lock (endpoints)
        {
            endpoints.Add(endpoint);
        }
    }

    internal void SessionStarted() => Interlocked.Increment(ref sessions);

    internal void SessionEnded() => Interlocked.Decrement(ref sessions);

    public Task<HealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        string[] bound;
        lock (endpoints)
        {
            bound = [.. endpoints];
        }
        var healthy = bound.Length > 0;
        return Task.FromResult(new HealthResult(
            "imap",
            healthy,
            healthy ? $"listening on {string.Join(", ", bound)}" : "not listening",
            new Dictionary<string, object?>(StringComparer.Ordinal) { ["endpoints"] = bound, ["sessions"] = ActiveSessions }));
    }
}
