using System.Collections.Concurrent;
using System.Diagnostics;

namespace DocStore.LoadGenerator.Scenarios;

/// <summary>When each idling connection saw the EXISTS of each round's APPEND (Stopwatch timestamps).</summary>
internal sealed class NotificationTracker
{
    private readonly int connections;
    private readonly long[] arrivals;
    private readonly int[] counts;
    private readonly TaskCompletionSource[] complete;

    public NotificationTracker(int connections, int rounds)
    {
        this.connections = connections;
        arrivals = new long[connections * rounds];
        counts = new int[rounds];
        complete = Enumerable.Range(0, rounds).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
    }

    /// <summary>Why connections ended before the scenario did.</summary>
    public ConcurrentQueue<string> Lost { get; } = new();

    /// <summary>Round r's APPEND makes a connection's EXISTS its SELECT count plus r.</summary>
    public void Arrived(int connection, int round, long timestamp)
    {
        if (round < 1 || round > counts.Length
            || Interlocked.CompareExchange(ref arrivals[((round - 1) * connections) + connection], timestamp, 0) != 0)
        {
            return;
        }

        if (Interlocked.Increment(ref counts[round - 1]) == connections)
        {
            complete[round - 1].TrySetResult();
        }
    }

    /// <summary>Waits until every connection saw the round's EXISTS, or the timeout passes.</summary>
    public async Task WaitAsync(int round, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await complete[round - 1].Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Console.WriteLine($"round {round}: only {Volatile.Read(ref counts[round - 1])}/{connections} connections notified after {timeout.TotalSeconds:0} s");
        }
    }

    public List<double> DelaysMilliseconds(int round, long sent)
    {
        var delays = new List<double>(connections);
        for (var i = 0; i < connections; i++)
        {
            var arrival = Volatile.Read(ref arrivals[((round - 1) * connections) + i]);
            if (arrival != 0)
            {
                delays.Add(Stopwatch.GetElapsedTime(sent, arrival).TotalMilliseconds);
            }
        }

        delays.Sort();
        return delays;
    }
}
