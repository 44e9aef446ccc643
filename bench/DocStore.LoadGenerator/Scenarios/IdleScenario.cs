using System.Diagnostics;
using DocStore.LoadGenerator.Imap;
using DocStore.LoadGenerator.Reporting;

namespace DocStore.LoadGenerator.Scenarios;

/// <summary>
/// C connections each sign in, SELECT INBOX and IDLE. Then: the server's memory (PSS, see
/// <see cref="ProcessMemory"/>), and R times: one APPEND to INBOX from another connection and,
/// per idling connection, the delay from sending that APPEND to reading its <c>* n EXISTS</c>.
/// <c>--metric-prefix</c> (default <c>idle</c>) names the figures, so runs with other connection
/// counts (the script's 100 and 500) are reported apart.
/// </summary>
internal static class IdleScenario
{
    private const int ParallelSignIns = 32;
    private static readonly TimeSpan NotificationTimeout = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(BenchContext context, Arguments arguments, CancellationToken cancellationToken)
    {
        var connections = arguments.GetInt("connections", 1000);
        var rounds = arguments.GetInt("rounds", 3);
        var pids = arguments.GetAll("memory-pid").Select(int.Parse).ToList();
        var prefix = arguments.Get("metric-prefix", "idle");
        var server = context.Server;

        await using var appender = await ImapClient.OpenAsync(server, $"{server.Label} appender", cancellationToken);
        // One SELECT before the crowd: Dovecot creates INBOX's index files at the first SELECT, and a
        // thousand first SELECTs at once made it panic on its list index lock (2.3.19, fcntl EDEADLK).
        await using (var first = await ImapClient.OpenAsync(server, $"{server.Label} first select", cancellationToken))
        {
            await first.SelectAsync("INBOX", cancellationToken);
        }
        var (baseline, baselineProcesses) = await MeasureMemoryAsync(pids, cancellationToken);
        context.Record($"{prefix}.pss_baseline_mb", baseline, $"{baselineProcesses} processes, before the idle connections");

        var clients = new ImapClient?[connections];
        var exists = new long[connections];
        var tracker = new NotificationTracker(connections, rounds);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchers = new List<Task>();
        try
        {
            var clock = Stopwatch.StartNew();
            using (var gate = new SemaphoreSlim(ParallelSignIns))
            {
                await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
                {
                    await gate.WaitAsync(cancellationToken);
                    try
                    {
                        var client = await ImapClient.OpenAsync(server, $"{server.Label} idler {i + 1}", cancellationToken);
                        clients[i] = client;
                        exists[i] = await client.SelectAsync("INBOX", cancellationToken);
                        await client.StartIdleAsync(cancellationToken);
                        client.ReadTimeout = Timeout.InfiniteTimeSpan;
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }

            context.Record($"{prefix}.connect_s", clock.Elapsed.TotalSeconds, $"{connections} x (connect, LOGIN, SELECT INBOX, IDLE), {ParallelSignIns} at a time");
            for (var i = 0; i < connections; i++)
            {
                watchers.Add(WatchAsync(clients[i]!, i, exists[i], tracker, stop.Token));
            }

            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            var (megabytes, processes) = await MeasureMemoryAsync(pids, cancellationToken);
            context.Record($"{prefix}.pss_mb", megabytes, $"{processes} processes, {connections} connections in IDLE");

            // Other messages in every run: DocStore files the same mail into the same mailbox once, so
            // a second run on the same data would append nothing new and notify nobody.
            var runSeed = 1_000 + Random.Shared.Next(1_000_000) * 10;
            for (var round = 1; round <= rounds; round++)
            {
                var message = MessageFactory.Create(1, seed: runSeed + round)[0];
                var cpuBefore = pids.Count > 0 ? ProcessMemory.CpuMilliseconds(pids) : 0;
                var sent = Stopwatch.GetTimestamp();
                await appender.AppendAsync("INBOX", message, cancellationToken);
                var appended = Stopwatch.GetElapsedTime(sent);
                await tracker.WaitAsync(round, NotificationTimeout, cancellationToken);
                if (pids.Count > 0)
                {
                    // The server's own CPU for the APPEND and the fan-out: comparable on a busy machine.
                    context.Record($"{prefix}.server_cpu_ms", ProcessMemory.CpuMilliseconds(pids) - cpuBefore, $"server processes, APPEND to the last EXISTS, round {round}");
                }
                var delays = tracker.DelaysMilliseconds(round, sent);
                var detail = $"{delays.Count}/{connections} notified, APPEND took {appended.TotalMilliseconds:0.0} ms, round {round}";
                if (delays.Count > 0)
                {
                    // No delay to report when nobody was notified (not_notified says so; NaN is not JSON).
                    context.Record($"{prefix}.notify_p50_ms", Statistics.Percentile(delays, 50), detail);
                    context.Record($"{prefix}.notify_p95_ms", Statistics.Percentile(delays, 95), detail);
                    context.Record($"{prefix}.notify_max_ms", Statistics.Percentile(delays, 100), detail);
                }
                context.Record($"{prefix}.not_notified", connections - delays.Count, detail);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(watchers);
            foreach (var client in clients.OfType<ImapClient>())
            {
                await client.DisposeAsync();
            }
        }

        context.Record($"{prefix}.lost", tracker.Lost.Count, tracker.Lost.FirstOrDefault() ?? "no connection lost");
    }

    private static async Task<(double Megabytes, int Processes)> MeasureMemoryAsync(IReadOnlyList<int> pids, CancellationToken cancellationToken)
    {
        var samples = new List<(double Megabytes, int Processes)>();
        for (var i = 0; i < 3; i++)
        {
            samples.Add(ProcessMemory.Measure(pids));
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        return samples.OrderBy(sample => sample.Megabytes).ElementAt(1);
    }

    private static async Task WatchAsync(ImapClient client, int index, long exists, NotificationTracker tracker, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var response = await client.ReadResponseAsync(cancellationToken);
                if (response.TryGetExists(out var count))
                {
                    tracker.Arrived(index, (int)(count - exists), Stopwatch.GetTimestamp());
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (IOException exception)
        {
            tracker.Lost.Enqueue(exception.Message);
        }
    }
}
