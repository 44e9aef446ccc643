using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using DocStore.Imap.Commands;
using DocStore.Imap.Protocol;

namespace DocStore.Imap.Server;

/// <summary>Reading pipelined STOREs ahead (RFC 9051 §5.5), so that they can share one transaction.</summary>
public sealed partial class ImapSession
{
    /// <summary>Lines longer than this are not read ahead; the usual loop parses them.</summary>
    private const int MaxReadAheadLine = 4096;

    /// <summary>How many commands the last STORE was read ahead with (itself included); 0 after any other command.</summary>
    private int lastStoreGroup;

    /// <summary>A read left open when a wait for pipelined STOREs ended; the next command read takes it over.</summary>
    private Task<ReadResult>? pendingRead;

    /// <summary>
    /// After a STORE in the selected state: the STOREs the client has sent behind it, with
    /// <paramref name="first"/> at their head. Only whole lines that are STOREs without a literal
    /// are taken, so no literal continuation or streamed literal can come up in between; a line
    /// that does not parse is kept as its parse error, to be answered in its place
    /// (<see cref="StoreBatch"/>). Null when no such line follows: the command then runs alone.
    /// What is buffered is taken without waiting. Only when the STORE is alone in the input and
    /// the connection's last STORE came with others does the session wait, up to
    /// <see cref="ImapOptions.PipelineWait"/>, for as many as that group held: a client that keeps
    /// a window in flight refills it one command per answer, so the first command of a refill is
    /// otherwise alone and costs a transaction of its own while the rest arrive (issue #3: groups
    /// of 1 and 31 in turn). A connection that sends one command per round trip never waits: it
    /// never has two STOREs in the input at once.
    /// </summary>
    private async ValueTask<List<PipelinedCommand>?> ReadAheadStoresAsync(ImapCommand first, CancellationToken cancellationToken)
    {
        if (State != SessionState.Selected || first.Name is not ("STORE" or "UID STORE"))
        {
            lastStoreGroup = 0;
            return null;
        }
        List<PipelinedCommand>? commands = null;
        var more = !Connection.Input.TryRead(out var buffered) || TakeStores(first, buffered, ref commands);
        if (commands is null && more && lastStoreGroup > 1 && options.PipelineWait > TimeSpan.Zero)
        {
            commands = await WaitForStoresAsync(first, commands, lastStoreGroup, cancellationToken);
        }
        lastStoreGroup = commands?.Count ?? 1;
        return commands;
    }

    /// <summary>
    /// Reads on until the group holds <paramref name="target"/> commands (as many as the last
    /// group: the client refills what was answered), a line other than a STORE comes, or
    /// <see cref="ImapOptions.PipelineWait"/> is over. A read still open then is left to the next
    /// command read (<see cref="pendingRead"/>): a pipe allows one read at a time, and cancelling
    /// one could cut a TLS record in half.
    /// </summary>
    private async ValueTask<List<PipelinedCommand>?> WaitForStoresAsync(ImapCommand first, List<PipelinedCommand>? commands, int target, CancellationToken cancellationToken)
    {
        Task? over = null;
        while ((commands?.Count ?? 1) < target)
        {
            var reading = Connection.Input.ReadAsync(cancellationToken);
            ReadResult read;
            if (reading.IsCompleted)
            {
                read = reading.Result;
            }
            else
            {
                var task = reading.AsTask();
                over ??= Task.Delay(options.PipelineWait, cancellationToken);
                if (await Task.WhenAny(task, over) != task)
                {
                    pendingRead = task;
                    break;
                }
                read = await task;
            }
            if (!TakeStores(first, read, ref commands) || read.IsCompleted)
            {
                break;
            }
        }
        return commands;
    }

    /// <summary>
    /// Parses the STORE lines at the start of <paramref name="read"/> into the group (started
    /// with <paramref name="first"/> once one is found) and advances the input past them. True
    /// when the input ran out with only STOREs in it (so more may follow); false when a line that
    /// is no STORE, or the group's limit, ended the group.
    /// </summary>
    private bool TakeStores(ImapCommand first, ReadResult read, ref List<PipelinedCommand>? commands)
    {
        var reader = new SequenceReader<byte>(read.Buffer);
        var examined = reader.Position;
        var more = false;
        while (true)
        {
            if ((commands?.Count ?? 1) >= StoreBatch.MaxCommands)
            {
                break;
            }
            var line = ClassifyLine(reader, Math.Min(parser.Limits.MaxLineLength, MaxReadAheadLine));
            if (line != ReadAheadLine.Store)
            {
                more = line == ReadAheadLine.Incomplete;
                if (more)
                {
                    examined = read.Buffer.End;
                }
                break;
            }
            var result = parser.Parse(ref reader);
            if (result.Status == ImapParseStatus.NeedMoreData)
            {
                // Not a line end the parser accepts: it keeps what it read and the usual loop goes on.
                examined = read.Buffer.End;
                break;
            }
            commands ??= [new PipelinedCommand(first, null)];
            commands.Add(result.Status switch
            {
                ImapParseStatus.Complete => new PipelinedCommand(result.Command, null),
                ImapParseStatus.Error => new PipelinedCommand(null, result.Error),
                // A whole line without "{" holds no literal.
                _ => throw new InvalidOperationException($"A read-ahead STORE line parsed as {result.Status}."),
            });
            examined = reader.Position;
        }
        Connection.Input.AdvanceTo(reader.Position, examined);
        return more;
    }

    private enum ReadAheadLine
    {
        /// <summary>A whole line <c>tag [UID] STORE ...</c> without a literal.</summary>
        Store,

        /// <summary>A whole line that is something else, or too long to read ahead.</summary>
        Other,

        /// <summary>No line end yet (or nothing at all).</summary>
        Incomplete,
    }

    private static ReadAheadLine ClassifyLine(SequenceReader<byte> reader, int maxLength)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> sequence, (byte)'\n'))
        {
            return reader.Remaining > maxLength ? ReadAheadLine.Other : ReadAheadLine.Incomplete;
        }
        if (sequence.Length > maxLength)
        {
            return ReadAheadLine.Other;
        }
        Span<byte> line = stackalloc byte[(int)sequence.Length];
        sequence.CopyTo(line);
        if (line.IndexOf((byte)'{') >= 0)
        {
            return ReadAheadLine.Other;
        }
        var space = line.IndexOf((byte)' ');
        if (space <= 0)
        {
            return ReadAheadLine.Other;
        }
        var rest = line[(space + 1)..];
        if (rest.Length >= 4 && Ascii.EqualsIgnoreCase(rest[..4], "UID "u8))
        {
            rest = rest[4..];
        }
        return rest.Length >= 6 && Ascii.EqualsIgnoreCase(rest[..6], "STORE "u8) ? ReadAheadLine.Store : ReadAheadLine.Other;
    }
}
