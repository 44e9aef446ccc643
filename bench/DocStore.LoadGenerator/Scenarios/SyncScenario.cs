using System.Diagnostics;
using DocStore.LoadGenerator.Imap;

namespace DocStore.LoadGenerator.Scenarios;

/// <summary>
/// First sync of a mailbox by a new client, as issue #3 defines it: SELECT, then the header fetch a
/// mail client makes for its message list (the rate is messages per second over these two
/// commands), then the full bodies of the newest 200 messages, the ones a client shows first
/// (timed apart). Sign-in is not timed, and each FETCH must answer once per message.
/// </summary>
internal static class SyncScenario
{
    private const string HeaderFetch = "UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID References In-Reply-To Content-Type)])";
    private const int Bodies = 200;

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
        var synced = clock.Elapsed;
        var newest = Math.Min(Bodies, exists);
        var bodies = await FetchAsync(client, $"FETCH {exists - newest + 1}:* (BODY.PEEK[])", newest, cancellationToken);
        clock.Stop();

        context.Record($"sync.{phase}", exists / synced.TotalSeconds,
            $"{exists} messages, {headers / 1024.0:0} KiB of header fields in {synced.TotalSeconds:0.00} s (SELECT {selected.TotalMilliseconds:0} ms)");
        var fetchedBodies = clock.Elapsed - synced;
        context.Record($"sync.{phase}.bodies", newest / fetchedBodies.TotalSeconds,
            $"{newest} messages, {bodies / (1024.0 * 1024.0):0.0} MiB of BODY[] in {fetchedBodies.TotalMilliseconds:0} ms");
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
