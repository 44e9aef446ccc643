using System.Diagnostics;

namespace DocStore.Web.Console;

/// <summary>When this node's process started, for the uptime the dashboard shows.</summary>
public sealed class ConsoleClock
{
    public DateTimeOffset StartedAt { get; } = CurrentProcessStart();

    private static DateTimeOffset CurrentProcessStart()
    {
        using var process = Process.GetCurrentProcess();
        return new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
    }
}
