using System.Diagnostics;
using DocStore.LoadGenerator.Imap;

namespace DocStore.LoadGenerator.Scenarios;

/// <summary>
/// APPEND rate: C connections share M pre-made messages and append them into one new mailbox as
/// fast as the server completes them; the clock runs from the first APPEND to the last OK, and
/// STATUS afterwards must count every message.
/// </summary>
internal static class AppendScenario
{
    public static async Task RunAsync(BenchContext context, Arguments arguments, CancellationToken cancellationToken)
    {
        var connections = arguments.GetInt("connections", 1);
        var messages = arguments.GetInt("messages", 300);
        var repetitions = arguments.GetInt("repetitions", 3);
        var limit = TimeSpan.FromSeconds(arguments.GetDouble("max-seconds", 60));
        var prefix = arguments.Get("mailbox");
        // Another --seed gives other messages: a server that keeps the same mail once (DocStore)
        // files new documents in every run instead of finding the ones of an earlier run.
        var seed = arguments.GetInt("seed", 0);
        for (var repetition = 1; repetition <= repetitions; repetition++)
        {
            var bodies = MessageFactory.Create(messages, seed: (seed * 1000) + (repetition * 100) + connections);
            var (appended, elapsed) = await AppendAsync(context.Server, $"{prefix}-{repetition}", bodies, connections, limit, cancellationToken);
            context.Record($"append.c{connections}", appended / elapsed.TotalSeconds,
                $"{appended} messages ({Megabytes(bodies, appended)}) in {elapsed.TotalSeconds:0.00} s, repetition {repetition}");
        }
    }

    /// <summary>Fills a mailbox for the sync and STORE scenarios; its rate is recorded too.</summary>
    public static async Task FillAsync(BenchContext context, Arguments arguments, CancellationToken cancellationToken)
    {
        var connections = arguments.GetInt("connections", 4);
        var messages = arguments.GetInt("messages", 5000);
        var bodies = MessageFactory.Create(messages, seed: 42);
        var (appended, elapsed) = await AppendAsync(context.Server, arguments.Get("mailbox"), bodies, connections, Timeout.InfiniteTimeSpan, cancellationToken);
        context.Record($"fill.c{connections}", appended / elapsed.TotalSeconds,
            $"{appended} messages ({Megabytes(bodies, appended)}) in {elapsed.TotalSeconds:0.00} s");
    }

    private static async Task<(int Appended, TimeSpan Elapsed)> AppendAsync(
        ServerEndpoint server, string mailbox, IReadOnlyList<byte[]> bodies, int connections, TimeSpan limit, CancellationToken cancellationToken)
    {
        await using var control = await ImapClient.OpenAsync(server, $"{server.Label} control", cancellationToken);
        await control.CreateAsync(mailbox, cancellationToken);
        var clients = await Task.WhenAll(Enumerable.Range(1, connections)
            .Select(i => ImapClient.OpenAsync(server, $"{server.Label} appender {i}", cancellationToken)));
        var next = -1;
        var appended = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(clients.Select(async client =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < bodies.Count && (limit == Timeout.InfiniteTimeSpan || clock.Elapsed < limit))
                {
                    await client.AppendAsync(mailbox, bodies[index], cancellationToken);
                    Interlocked.Increment(ref appended);
                }
            }));
            clock.Stop();
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        var stored = await control.CountAsync(mailbox, cancellationToken);
        if (stored != appended)
        {
            throw new ImapCommandException($"{server.Label}: {appended} APPENDs were answered OK but STATUS {mailbox} counts {stored} messages.");
        }

        if (!control.LiteralPlus)
        {
            Console.WriteLine($"{server.Label}: no LITERAL+, APPEND waited for each continuation request");
        }

        return (appended, clock.Elapsed);
    }

    private static string Megabytes(IReadOnlyList<byte[]> bodies, int count) =>
        $"{bodies.Take(count).Sum(body => (long)body.Length) / (1024.0 * 1024.0):0.0} MiB";
}
