using System.Diagnostics;
using DocStore.LoadGenerator.Imap;

namespace DocStore.LoadGenerator.Scenarios;

/// <summary>
/// First sync of a mailbox by a new client: SELECT, then the header fetch a mail client makes for
/// its message list, then every message's bytes. Sign-in is not timed; the rate is messages per
/// second over the three commands, and each FETCH must answer once per message.
/// </summary>
internal static class SyncScenario
{
    private const string HeaderFetch = "UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])";
    private const string BodyFetch = "UID FETCH 1:* (BODY.PEEK[])";

    public static async Task RunAsync(BenchContext context, Arguments arguments, CancellationToken cancellationToken)
    {
        var mailbox = arguments.Get("mailbox");
        var expected = arguments.GetInt("expect", 0);
        var phase = arguments.Get("phase");
        await using var client = await ImapClient.OpenAsync(context.Server, $"{context.Server.Label} sync", cancellationToken);
        client.ReadTimeout = TimeSpan.FromMinutes(5);

        var clock = Stopwatch.StartNew();
        var exists = await client.SelectAsync(mailbox, cancellationToken);
        var selected = clock.Elapsed;
        if (expected > 0 && exists != expected)
        {
            throw new ImapCommandException($"{context.Server.Label}: SELECT {mailbox} has {exists} messages, expected {expected}.");
        }

        var headers = await FetchAsync(client, HeaderFetch, exists, cancellationToken);
        var fetchedHeaders = clock.Elapsed;
        var bodies = await FetchAsync(client, BodyFetch, exists, cancellationToken);
        clock.Stop();

        var total = clock.Elapsed;
        context.Record($"sync.{phase}", exists / total.TotalSeconds,
            $"{exists} messages in {total.TotalSeconds:0.00} s (SELECT {selected.TotalMilliseconds:0} ms)");
        context.Record($"sync.{phase}.headers", exists / (fetchedHeaders - selected).TotalSeconds,
            $"{headers / 1024.0:0} KiB of header fields in {(fetchedHeaders - selected).TotalSeconds:0.00} s");
        context.Record($"sync.{phase}.bodies", exists / (total - fetchedHeaders).TotalSeconds,
            $"{bodies / (1024.0 * 1024.0):0.0} MiB of BODY[] in {(total - fetchedHeaders).TotalSeconds:0.00} s");
    }

    /// <summary>Runs one FETCH over the whole mailbox; returns the literal bytes it carried.</summary>
    private static async Task<long> FetchAsync(ImapClient client, string command, long exists, CancellationToken cancellationToken)
    {
        long responses = 0;
        long bytes = 0;
        await client.RunAsync(command, response =>
        {
            if (response.IsFetch)
            {
                responses++;
                bytes += response.LiteralBytes;
            }
        }, cancellationToken);
        return responses == exists
            ? bytes
            : throw new ImapCommandException($"'{command}' answered {responses} FETCH responses for {exists} messages.");
    }
}
