using Microsoft.Extensions.Logging;

namespace DocStore.Web.Console;

/// <summary>One warning or error this node logged, for the dashboard.</summary>
public sealed record LoggedProblem(DateTimeOffset At, string Level, string Category, string Message);

/// <summary>
/// Keeps the last warnings and errors this node logged, in memory, so the console can show
/// "recent errors" without a log shipper. The full log still goes to the console output.
/// </summary>
public sealed class RecentProblems(TimeProvider time) : ILoggerProvider
{
    private readonly TimeProvider time = time;
    public const int Capacity = 50;
    private readonly Queue<LoggedProblem> problems = new();

    public IReadOnlyList<LoggedProblem> Latest()
    {
        lock (problems)
        {
            return problems.Reverse().ToList();
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LoggedProblem problem)
    {
        lock (problems)
        {
            if (problems.Count == Capacity)
            {
                problems.Dequeue();
            }
            problems.Enqueue(problem);
        }
    }

    private sealed class Logger(RecentProblems owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var message = formatter(state, exception);
            if (exception is not null)
            {
                message += $" ({exception.GetType().Name}: {exception.Message})";
            }
            owner.Add(new LoggedProblem(owner.time.GetUtcNow(), logLevel.ToString(), category, message));
        }
    }
}
