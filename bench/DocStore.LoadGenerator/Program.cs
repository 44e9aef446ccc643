using DocStore.LoadGenerator;
using DocStore.LoadGenerator.Imap;
using DocStore.LoadGenerator.Reporting;
using DocStore.LoadGenerator.Scenarios;

// The IMAP load generator: bench/run-imap-bench.sh runs each verb against DocStore and Dovecot
// and then `report` writes bench/RESULTS.md from the measurements collected in --results.
const string Usage = """
    usage: DocStore.LoadGenerator VERB [--name value]...
      append  --connections C --messages M --repetitions R --mailbox PREFIX [--max-seconds S]
      fill    --mailbox NAME --messages N --connections C
      sync    --mailbox NAME --expect N --phase cold|warm
      store   --mailbox NAME --count K --repetitions R --window W --flag \Seen --metric NAME [--max-seconds S]
      idle    --connections C --rounds R --memory-pid PID...
        each with --server LABEL --host H --port P --user U --password PW --results FILE.jsonl
      report  --results FILE.jsonl --machine FILE --messages N --out RESULTS.md
    """;

if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

try
{
    var arguments = new Arguments(args[1..]);
    if (string.Equals(args[0], "report", StringComparison.Ordinal))
    {
        ReportWriter.Write(arguments);
        return 0;
    }

    var context = new BenchContext(ServerEndpoint.From(arguments), new ResultLog(arguments.Get("results")));
    var ct = cancellation.Token;
    switch (args[0])
    {
        case "append":
            await AppendScenario.RunAsync(context, arguments, ct);
            break;
        case "fill":
            await AppendScenario.FillAsync(context, arguments, ct);
            break;
        case "sync":
            await SyncScenario.RunAsync(context, arguments, ct);
            break;
        case "store":
            await StoreScenario.RunAsync(context, arguments, ct);
            break;
        case "idle":
            await IdleScenario.RunAsync(context, arguments, ct);
            break;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }

    return 0;
}
catch (Exception exception) when (exception is ImapCommandException or IOException or TimeoutException or ArgumentException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"{args[0]} failed: {exception.Message}");
    return 1;
}
