using System.Diagnostics;
using System.Globalization;
using DocStore.LoadGenerator.Imap;

namespace DocStore.LoadGenerator.Scenarios;

/// <summary>
/// Flag changes one message per command: <c>UID STORE uid +FLAGS.SILENT (flag)</c> over K messages
/// not yet carrying the flag, with W commands in flight (1: sequential, each waits for its OK).
/// Afterwards SEARCH must find the flag on exactly the messages stored.
/// </summary>
internal static class StoreScenario
{
    private const int Chunk = 100;

    public static async Task RunAsync(BenchContext context, Arguments arguments, CancellationToken cancellationToken)
    {
        var mailbox = arguments.Get("mailbox");
        var count = arguments.GetInt("count", 1000);
        var repetitions = arguments.GetInt("repetitions", 3);
        var window = arguments.GetInt("window", 1);
        var flag = arguments.Get("flag", "\\Seen");
        var metric = arguments.Get("metric", window == 1 ? "store.sequential" : "store.pipelined");
        var limit = TimeSpan.FromSeconds(arguments.GetDouble("max-seconds", 60));
        var searchKey = flag.TrimStart('\\').ToUpperInvariant();

        await using var client = await ImapClient.OpenAsync(context.Server, $"{context.Server.Label} store", cancellationToken);
        await client.SelectAsync(mailbox, cancellationToken);
        var unflagged = await SearchAsync(client, "UN" + searchKey, cancellationToken);
        var flagged = (await SearchAsync(client, searchKey, cancellationToken)).Count;
        var offset = 0;
        for (var repetition = 1; repetition <= repetitions; repetition++)
        {
            var commands = unflagged.Skip(offset).Take(count)
                .Select(uid => $"UID STORE {uid} +FLAGS.SILENT ({flag})").ToList();
            if (commands.Count < count)
            {
                throw new ImapCommandException($"{context.Server.Label}: {mailbox} has too few messages without {flag} for {repetitions} x {count} STOREs.");
            }

            var stored = 0;
            var clock = Stopwatch.StartNew();
            while (stored < commands.Count && clock.Elapsed < limit)
            {
                var chunk = commands.GetRange(stored, Math.Min(Chunk, commands.Count - stored));
                await client.PipelineAsync(chunk, window, cancellationToken);
                stored += chunk.Count;
            }

            clock.Stop();
            offset += stored;
            flagged += stored;
            var found = (await SearchAsync(client, searchKey, cancellationToken)).Count;
            if (found != flagged)
            {
                throw new ImapCommandException($"{context.Server.Label}: after {stored} STOREs SEARCH {searchKey} finds {found} messages, expected {flagged}.");
            }

            context.Record(metric, stored / clock.Elapsed.TotalSeconds,
                $"{stored} x +FLAGS.SILENT ({flag}), {window} in flight, in {clock.Elapsed.TotalSeconds:0.00} s, repetition {repetition}");
        }
    }

    private static async Task<List<long>> SearchAsync(ImapClient client, string key, CancellationToken cancellationToken)
    {
        var uids = new List<long>();
        await client.RunAsync($"UID SEARCH {key}", response =>
        {
            if (response.Text.StartsWith("* SEARCH", StringComparison.OrdinalIgnoreCase))
            {
                uids.AddRange(response.Text[8..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(uid => long.Parse(uid, CultureInfo.InvariantCulture)));
            }
        }, cancellationToken);
        return uids;
    }
}
