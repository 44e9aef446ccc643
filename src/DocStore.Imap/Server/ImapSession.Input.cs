using System.Buffers;
using System.IO.Pipelines;
using DocStore.Imap.Protocol;

namespace DocStore.Imap.Server;

/// <summary>The session's reads that are not commands: SASL responses, IDLE's DONE, streamed literals.</summary>
public sealed partial class ImapSession
{
    /// <summary>
    /// Reads the client's response in a SASL exchange after a continuation (RFC 9051 §6.2.2):
    /// base64 data, <c>*</c> to cancel, or the end of the connection. Bounded by the line limit.
    /// </summary>
    internal async Task<SaslResponse> ReadSaslResponseAsync(CancellationToken cancellationToken)
    {
        using var timeout = StartTimeout(cancellationToken);
        while (true)
        {
            var read = await Connection.Input.ReadAsync(timeout.Token);
            var reader = new SequenceReader<byte>(read.Buffer);
            var status = ImapLineReader.TryReadLine(ref reader, options.PreLoginLineLimit, out var line);
            if (status == ImapLineStatus.Complete)
            {
                var valid = Protocol.Commands.AuthenticateCommand.TryParseResponse(line, out var data, out var cancelled);
                Connection.Input.AdvanceTo(reader.Position);
                return cancelled ? new(SaslOutcome.Cancelled, null) : valid ? new(SaslOutcome.Data, data) : new(SaslOutcome.Invalid, null);
            }
            if (status == ImapLineStatus.TooLong)
            {
                // Let the parser eat the rest of the over-long line as it does for commands.
                Connection.Input.AdvanceTo(reader.Position);
                parser.DiscardCommand();
                return new(SaslOutcome.Invalid, null);
            }
            Connection.Input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            if (read.IsCompleted)
            {
                return new(SaslOutcome.Closed, null);
            }
        }
    }

    /// <summary>Waits for the line that ends IDLE (RFC 2177): DONE, something else, or the end of the connection.</summary>
    internal async Task<Commands.IdleEnd> ReadIdleDoneAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult read;
            try
            {
                read = await Connection.Input.ReadAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return Commands.IdleEnd.Closed;
            }
            var reader = new SequenceReader<byte>(read.Buffer);
            var status = ImapLineReader.TryReadLine(ref reader, options.LineLimit, out var line);
            if (status == ImapLineStatus.Complete)
            {
                var done = ImapLineReader.IsDone(line);
                Connection.Input.AdvanceTo(reader.Position);
                return done ? Commands.IdleEnd.Done : Commands.IdleEnd.Garbage;
            }
            if (status == ImapLineStatus.TooLong)
            {
                Connection.Input.AdvanceTo(reader.Position);
                parser.DiscardCommand();
                return Commands.IdleEnd.Garbage;
            }
            Connection.Input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            if (read.IsCompleted)
            {
                return Commands.IdleEnd.Closed;
            }
        }
    }

    /// <summary>
    /// The largest literal the parser hands over that is kept in memory; larger ones go to a file.
    /// The store files a message up to this size in one statement (its BlobStore.InMemoryLimit).
    /// </summary>
    internal const int InMemoryLiteralLimit = 256 * 1024;

    /// <summary>
    /// The most of a literal a read waits for: far below the transport's read buffer limit (1 MiB),
    /// which would otherwise stop the socket's reads before the pipe held what this read waits for.
    /// </summary>
    private const int LiteralReadChunk = 64 * 1024;

    /// <summary>
    /// Copies a literal the parser hands over (APPEND's message, up to APPENDLIMIT) as it arrives:
    /// into memory up to <see cref="InMemoryLiteralLimit"/>, otherwise to a temporary file, so a
    /// large one is never held whole in memory. False when the connection ended first.
    /// </summary>
    private async Task<bool> StreamLiteralAsync(long size, CancellationToken cancellationToken)
    {
        Stream file = size <= InMemoryLiteralLimit
            ? new MemoryStream((int)size)
            : new FileStream(Path.Combine(Path.GetTempPath(), "docstore-literal-" + Guid.NewGuid().ToString("N")),
                FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        streamed.Add(file);
        var remaining = size;
        while (remaining > 0)
        {
            ReadResult read;
            using (var timeout = StartTimeout(cancellationToken))
            {
                // Woken once the rest (or a chunk of it) is there, not for every piece the
                // transport receives: a 16 KB APPEND arrives in 4 KB blocks, and a wake-up of
                // this read can be a hand-off to another thread. The idle timeout now bounds a
                // chunk rather than a piece: a client must send 64 KB in 30 minutes, 36 bytes/s.
                read = await Connection.Input.ReadAtLeastAsync((int)Math.Min(remaining, LiteralReadChunk), timeout.Token);
            }
            var buffer = read.Buffer;
            var take = buffer.Slice(0, Math.Min(remaining, buffer.Length));
            foreach (var segment in take)
            {
                await file.WriteAsync(segment, cancellationToken);
            }
            remaining -= take.Length;
            Connection.Input.AdvanceTo(take.End);
            if (remaining > 0 && read.IsCompleted)
            {
                return false;
            }
        }
        file.Position = 0;
        return true;
    }

    private async Task ReleaseStreamedLiteralsAsync()
    {
        foreach (var file in streamed)
        {
            await file.DisposeAsync();
        }
        streamed.Clear();
    }
}
