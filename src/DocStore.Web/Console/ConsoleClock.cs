namespace DocStore.Web.Console;

/// <summary>When this node started, for the uptime the dashboard shows.</summary>
public sealed class ConsoleClock(TimeProvider time)
{
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();
}
