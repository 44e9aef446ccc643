using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using DocStore.Core.Mime;
using DocStore.Core.Principals;
using Microsoft.Extensions.Logging;

namespace DocStore.Imap.Server;

/// <summary>
/// A client's first session, run once at start-up against a scratch user over an in-memory pipe
/// (issue #3, the first sync after a restart): the real <see cref="ImapSession"/> with its parser,
/// command handlers and response writers, and the store's reads and writes with their
/// PostgreSQL statements, so that the first client after a restart does not wait for them to be
/// compiled. ReadyToRun cannot precompile the async state machines and generic collections over
/// DocStore's own types; they were about 1,040 methods compiled during the first sync of 20,000
/// messages. The caller runs this inside a transaction it rolls back and passes a user that
/// exists only in that transaction (see <c>ServeCommand</c>): nothing it files stays.
/// </summary>
public static class ImapWarmUp
{
    /// <summary>
    /// Messages the scratch mailbox gets: enough that the per-message paths (the FETCH line
    /// writer, the summary reader) run more often than the runtime's tier-1 threshold (30 calls).
    /// </summary>
    public const int Messages = 40;

    /// <summary>
    /// One-UID STOREs the warm-up sends one at a time, and bursts of <see cref="BurstSize"/> it
    /// sends at once (run as one group, <c>ImapSession.Pipelining</c>), after the call-counting
    /// pause: more than the runtime's tier-1 threshold (30 calls), so issue #3's sequential and
    /// pipelined STOREs run optimised code from the first one. Without them the first 2,000
    /// STOREs after a restart recompiled about 1,800 methods on their way (server CPU per
    /// sequential STORE 640-750 µs in that round, 190-295 µs in the next).
    /// </summary>
    public const int StoreRounds = 40;

    /// <summary>
    /// SELECTs each followed by the first sync's header FETCH, after the call-counting pause: the
    /// per-command paths of a first sync (the SELECT handler, the FETCH handler, the store's
    /// reads) pass the tier-1 threshold at start-up, not during a client's first sync.
    /// </summary>
    public const int SyncRounds = 32;

    /// <summary>Commands per pipelined burst of the warm-up (see <see cref="StoreRounds"/>).</summary>
    public const int BurstSize = 4;

    /// <summary>Longer than the runtime's call-counting delay (100 ms), which restarts with every newly compiled method.</summary>
    private static readonly TimeSpan CallCountingPause = TimeSpan.FromMilliseconds(250);

    /// <summary>The first sync of issue #3's benchmark (and of Thunderbird-like clients).</summary>
    private const string SyncItems =
        "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID References In-Reply-To Content-Type)])";

    /// <summary>
    /// Runs the scripted session as <paramref name="user"/>, whose INBOX must be empty and
    /// writable. Returns the commands that were not answered OK (none when all went well).
    /// Never touches a network port; the session sees a loopback peer and no TLS.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync(ImapOptions options, ImapBackend backend, User user, ILogger logger, CancellationToken cancellationToken)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var connection = new ImapConnection(new Duplex(toServer.Reader, toClient.Writer), new IPEndPoint(IPAddress.Loopback, 0), isTls: false);
        var failures = new List<string>();
        await using var session = new ImapSession(connection, options, backend, logger);
        session.SignedIn(user);
        session.ClientId = "warm-up";
        var client = new ScriptedClient(toServer.Writer, toClient.Reader);
        var running = session.RunAsync(cancellationToken);
        try
        {
            await client.ReadLineAsync(cancellationToken);
            async Task Expect(string tag, string command, ReadOnlyMemory<byte> literals = default)
            {
                var status = await client.RunAsync(tag, command, literals, cancellationToken);
                if (!status.StartsWith("OK", StringComparison.Ordinal))
                {
                    failures.Add($"{command.Split(' ')[0]}: {status}");
                }
            }

            await Expect("w1", "NOOP");
            await Expect("w2", "LIST \"\" \"*\"");
            await Expect("w3", "APPEND INBOX", MultiAppend());
            await Expect("w4", "SELECT INBOX");
            await Expect("w5", "UID FETCH 1:* " + SyncItems);
            await Expect("w6", "UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])");
            await Expect("w7", "FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE EMAILID BODY.PEEK[TEXT]<0.100>)");
            await Expect("w8", "UID FETCH 1 (BODY[])");
            await Expect("w9", "UID SEARCH UNSEEN");
            await Expect("w10", "SEARCH FLAGGED SINCE 1-Jan-1970 NOT DELETED");
            await Expect("w11", "UID STORE 1:* +FLAGS.SILENT (\\Flagged)");
            await Expect("w12", "UID STORE 2 -FLAGS (\\Seen $WarmUp)");
            // The grouped path once before the pause, so that its first calls (which restart the
            // call-counting delay) do not fall into the counted rounds below.
            await Burst("b0", add: false);
            await Expect("w13", "STATUS INBOX (MESSAGES UNSEEN UIDNEXT SIZE)");
            await Expect("w14", "NOOP");
            // IDLE with changes from elsewhere, made through the store while the session does not
            // read (the caller's transaction holds one connection; a store call running beside the
            // session's read would open a second one that waits for the first's rows): one before
            // the IDLE, which its catch-up answers, then one while it waits, with the signal the
            // change listener would give (the shared change read of a woken session).
            var view = session.Selected!;
            Task Flag(Core.Mailboxes.FlagOperation operation) => backend.Mailboxes.StoreFlagsAsync(user, view.Mailbox.Id, [view.Messages[0].Uid],
                new Core.Mailboxes.FlagChange(operation, ["\\Answered"]), session.Actor, cancellationToken);
            await Flag(Core.Mailboxes.FlagOperation.Add);
            var idle = await client.IdleAsync("w15", async () =>
            {
                await Flag(Core.Mailboxes.FlagOperation.Remove);
                backend.Notifier.Changed(view.Mailbox.Id);
            }, cancellationToken);
            if (!idle.StartsWith("OK", StringComparison.Ordinal))
            {
                failures.Add($"IDLE: {idle}");
            }
            // The runtime counts calls (for its optimised tier) only once no new method has been
            // compiled for a moment (TieredCompilation's call-counting delay, 100 ms): after a
            // pause, the first sync's per-message paths once more, so that they are recompiled
            // optimised now (in the background) and not during a client's first sync of
            // thousands of messages.
            await Task.Delay(CallCountingPause, cancellationToken);
            await Expect("w16", "SELECT INBOX");
            // One at a time first: after a burst a lone STORE waits (PipelineWait) for a refill.
            for (var round = 0; round < StoreRounds; round++)
            {
                await Expect("w16s", $"UID STORE 2 {(round % 2 == 0 ? '+' : '-')}FLAGS.SILENT (\\Seen)");
            }
            for (var round = 0; round < StoreRounds; round++)
            {
                await Burst($"b{round + 1}", add: round % 2 == 0);
            }
            for (var round = 0; round < SyncRounds; round++)
            {
                await Expect("w17", "SELECT INBOX");
                await Expect("w17f", "UID FETCH 1:* " + SyncItems);
            }
            await Expect("w18", "UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])");
            await Expect("w19", "LOGOUT");

            // BurstSize STOREs of \Flagged on UIDs 1..BurstSize written at once, their answers read in order.
            async Task Burst(string prefix, bool add)
            {
                var commands = Enumerable.Range(1, BurstSize)
                    .Select(uid => ($"{prefix}.{uid}", $"UID STORE {uid} {(add ? '+' : '-')}FLAGS.SILENT (\\Flagged)")).ToList();
                foreach (var status in await client.RunPipelinedAsync(commands, cancellationToken))
                {
                    if (!status.StartsWith("OK", StringComparison.Ordinal))
                    {
                        failures.Add($"STORE: {status}");
                    }
                }
            }
        }
        finally
        {
            // Ends the session whatever state it is in: no more commands, and its answers go nowhere.
            await toServer.Writer.CompleteAsync();
            await toClient.Reader.CompleteAsync();
            await running;
        }
        return failures;
    }

    /// <summary>
    /// One MULTIAPPEND (RFC 3502) of <see cref="Messages"/> copies of the warm-up mail, each with
    /// its own Message-ID (so each is a document of its own), every other one \Seen, literals
    /// sent without waiting (LITERAL+).
    /// </summary>
    private static ReadOnlyMemory<byte> MultiAppend()
    {
        var mail = Encoding.ASCII.GetString(WarmUpMail.Bytes.Span);
        var text = new StringBuilder();
        for (var i = 0; i < Messages; i++)
        {
            var copy = mail.Replace("<warm-up@docstore.invalid>", $"<warm-up-{i}@docstore.invalid>", StringComparison.Ordinal);
            var flags = i % 2 == 0 ? "(\\Seen $WarmUp)" : "()";
            text.Append(' ').Append(flags).Append(" \"01-Jan-1970 00:00:00 +0000\" {").Append(copy.Length).Append("+}\r\n").Append(copy);
        }
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>The client's side of the pipe: writes a command, reads until its tagged answer.</summary>
    private sealed class ScriptedClient(PipeWriter output, PipeReader input)
    {
        public async Task<string> RunAsync(string tag, string command, ReadOnlyMemory<byte> literals, CancellationToken cancellationToken)
        {
            await WriteAsync($"{tag} {command}", literals, cancellationToken);
            return await ReadTaggedAsync(tag, cancellationToken);
        }

        /// <summary>The commands written in one flush (so the session finds them buffered together), then each tagged status in turn.</summary>
        public async Task<List<string>> RunPipelinedAsync(List<(string Tag, string Command)> commands, CancellationToken cancellationToken)
        {
            foreach (var (tag, command) in commands)
            {
                output.Write(Encoding.ASCII.GetBytes($"{tag} {command}\r\n"));
            }
            await output.FlushAsync(cancellationToken);
            var statuses = new List<string>(commands.Count);
            foreach (var (tag, _) in commands)
            {
                statuses.Add(await ReadTaggedAsync(tag, cancellationToken));
            }
            return statuses;
        }

        /// <summary>
        /// IDLE until the catch-up's FETCH (the session waits for a signal after it and reads
        /// nothing), then <paramref name="change"/>, the FETCH it makes the woken session send, and
        /// DONE; the tagged status.
        /// </summary>
        public async Task<string> IdleAsync(string tag, Func<Task> change, CancellationToken cancellationToken)
        {
            await WriteAsync($"{tag} IDLE", default, cancellationToken);
            var fetches = 0;
            while (true)
            {
                var line = await ReadLineAsync(cancellationToken);
                if (line.StartsWith(tag + " ", StringComparison.Ordinal))
                {
                    return line[(tag.Length + 1)..];
                }
                if (!line.StartsWith("* ", StringComparison.Ordinal) || !line.Contains(" FETCH ", StringComparison.Ordinal))
                {
                    continue;
                }
                if (++fetches == 2)
                {
                    break;
                }
                await change();
            }
            await WriteAsync("DONE", default, cancellationToken);
            return await ReadTaggedAsync(tag, cancellationToken);
        }

        /// <summary>
        /// One line of the answer, without its CRLF. A line announcing a literal ({n}) is read
        /// with the literal and the rest of its line: the warm-up's answers are read, not parsed.
        /// </summary>
        public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (true)
            {
                var read = await input.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                if (buffer.PositionOf((byte)'\n') is { } end)
                {
                    var bytes = buffer.Slice(0, end);
                    line.Append(Encoding.Latin1.GetString(bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray()));
                    input.AdvanceTo(buffer.GetPosition(1, end));
                    var text = line.ToString().TrimEnd('\r');
                    if (LiteralLength(text) is not { } length)
                    {
                        return text;
                    }
                    await SkipAsync(length, cancellationToken);
                    line.Clear().Append(text).Append(" {literal}");
                    continue;
                }
                if (read.IsCompleted)
                {
                    throw new IOException("The warm-up session ended before it answered.");
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }

        private async Task<string> ReadTaggedAsync(string tag, CancellationToken cancellationToken)
        {
            while (true)
            {
                var line = await ReadLineAsync(cancellationToken);
                if (line.StartsWith(tag + " ", StringComparison.Ordinal))
                {
                    return line[(tag.Length + 1)..];
                }
            }
        }

        private async Task SkipAsync(long length, CancellationToken cancellationToken)
        {
            while (length > 0)
            {
                var read = await input.ReadAsync(cancellationToken);
                var take = Math.Min(length, read.Buffer.Length);
                input.AdvanceTo(read.Buffer.GetPosition(take));
                length -= take;
                if (take == 0 && read.IsCompleted)
                {
                    throw new IOException("The warm-up session ended within a literal.");
                }
            }
        }

        private static long? LiteralLength(string line)
        {
            if (!line.EndsWith('}'))
            {
                return null;
            }
            var open = line.LastIndexOf('{');
            return open >= 0 && long.TryParse(line.AsSpan(open + 1, line.Length - open - 2), out var length) ? length : null;
        }

        private async Task WriteAsync(string line, ReadOnlyMemory<byte> literals, CancellationToken cancellationToken)
        {
            output.Write(Encoding.ASCII.GetBytes(line));
            if (!literals.IsEmpty)
            {
                output.Write(literals.Span);
            }
            output.Write("\r\n"u8);
            await output.FlushAsync(cancellationToken);
        }
    }
}
