using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using DocStore.Core.Auditing;
using DocStore.Core.Principals;
using DocStore.Imap.Commands;
using DocStore.Imap.Protocol;
using Microsoft.Extensions.Logging;

namespace DocStore.Imap.Server;

/// <summary>The session states of RFC 9051 §3.</summary>
public enum SessionState
{
    NotAuthenticated,
    Authenticated,
    Selected,
    Logout,
}

/// <summary>How a SASL exchange step ended.</summary>
internal enum SaslOutcome
{
    Data,
    Cancelled,
    Invalid,
    Closed,
}

/// <summary>The client's answer to a SASL continuation.</summary>
internal readonly record struct SaslResponse(SaslOutcome Outcome, byte[]? Data);

/// <summary>
/// One client's conversation: reads commands through the protocol parser, runs them through
/// <see cref="CommandTable"/>, writes the answers. Owns the session state (who is signed in, the
/// parser's limits, TLS) and enforces timeouts and the bad-command limit.
/// </summary>
public sealed partial class ImapSession : IAsyncDisposable
{
    private readonly ImapOptions options;
    private readonly ImapCommandParser parser;
    private readonly ILogger logger;
    private readonly ConnectionOutput pending;
    private readonly List<Stream> streamed = [];
    private int badCommands;

    public ImapSession(ImapConnection connection, ImapOptions options, ImapBackend backend, ILogger logger)
    {
        Connection = connection;
        this.options = options;
        Backend = backend;
        this.logger = logger;
        parser = new ImapCommandParser(ImapParserLimits.PreAuthentication with { MaxLineLength = options.PreLoginLineLimit, MaxLiteralSize = options.PreLoginLineLimit });
        pending = new ConnectionOutput(connection);
        Writer = new ImapResponseWriter(pending);
    }

    public ImapConnection Connection { get; }

    public SessionState State { get; private set; }

    /// <summary>The signed-in user, from LOGIN or AUTHENTICATE on.</summary>
    public User? User { get; private set; }

    /// <summary>What the client said of itself in ID (RFC 2971), for the audit trail.</summary>
    public string? ClientId { get; set; }

    internal ImapBackend Backend { get; }

    /// <summary>The selected mailbox's view, in the Selected state.</summary>
    internal SelectedMailbox? Selected { get; private set; }

    /// <summary>Who acts, for the audit trail.</summary>
    internal Actor Actor => new(User?.Id, User?.Name, Connection.RemoteAddress, ClientId);

    /// <summary>The literals of the current command that were streamed to temporary files, in order.</summary>
    internal IReadOnlyList<Stream> StreamedLiterals => streamed;

    internal ImapOptions Options => options;

    /// <summary>Answers are composed here and flushed once per command.</summary>
    internal ImapResponseWriter Writer { get; }

    /// <summary>RFC 9051 §11.1: plaintext passwords only over TLS, or on loopback when allowed.</summary>
    internal bool PlaintextAuthAllowed => Connection.IsTls || (options.AllowInsecureAuthOnLoopback && Connection.IsLoopback);

    internal string CapabilityList => State == SessionState.NotAuthenticated
        ? Capabilities.Before(Connection.IsTls, PlaintextAuthAllowed)
        : Capabilities.After(options, fuzzy: Backend.FuzzyText is not null && Backend.FullText is not null);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Writer.WriteUntaggedStatus(ImapStatus.Ok, "CAPABILITY " + CapabilityList, "DocStore ready.");
        await FlushAsync(cancellationToken);

        while (State != SessionState.Logout)
        {
            var command = await ReadCommandAsync(cancellationToken);
            if (command is null)
            {
                break;
            }
            if (await ReadAheadStoresAsync(command, cancellationToken) is { } pipelined)
            {
                if (!await StoreBatch.ExecuteAsync(this, pipelined, cancellationToken))
                {
                    break;
                }
                await FlushUnlessPipelinedAsync(cancellationToken);
                continue;
            }
            try
            {
                await CommandTable.ExecuteAsync(this, command, cancellationToken);
            }
            finally
            {
                await ReleaseStreamedLiteralsAsync();
            }
            await FlushUnlessPipelinedAsync(cancellationToken);
        }
        // What the last commands left corked (LOGOUT's answer, a group that ended the session).
        await FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Flushes a command's answer unless the client has already sent a whole further line
    /// (pipelined commands, RFC 9051 §5.5): that command's answer goes out with this one, in one
    /// write instead of one per command (as Dovecot corks its output while input is waiting). A
    /// command that waits for the client (a continuation, IDLE) flushes what is pending itself.
    /// </summary>
    private Task FlushUnlessPipelinedAsync(CancellationToken cancellationToken)
    {
        if (pendingRead is null && Connection.Input.TryRead(out var buffered))
        {
            var lineWaiting = buffered.Buffer.PositionOf((byte)'\n') is not null;
            Connection.Input.AdvanceTo(buffered.Buffer.Start);
            if (lineWaiting)
            {
                return FlushIfLargeAsync(cancellationToken);
            }
        }
        return FlushAsync(cancellationToken);
    }

    /// <summary>Signs the session in: new state, larger limits.</summary>
    internal void SignedIn(User user)
    {
        User = user;
        State = SessionState.Authenticated;
        parser.Limits = ImapParserLimits.Authenticated with
        {
            MaxLineLength = options.LineLimit,
            MaxNestingDepth = options.MaxNestingDepth,
            MaxStreamedLiteralSize = options.AppendLimit,
        };
        parser.StreamLiteral = context => ImapLiteralContext.IsAppendMessage(context) || ImapLiteralContext.IsReplaceMessage(context);
    }

    /// <summary>After ENABLE IMAP4rev2 (RFC 9051): UTF-8 names and strings, ESEARCH answers.</summary>
    internal bool Rev2 { get; private set; }

    internal void EnableRev2()
    {
        Rev2 = true;
        // RFC 9051 §5.1: IMAP4rev2 mailbox names and quoted strings are UTF-8.
        Writer.Utf8Accept = true;
    }

    internal void Select(SelectedMailbox mailbox)
    {
        Selected = mailbox;
        State = SessionState.Selected;
    }

    internal void Unselect()
    {
        Selected = null;
        State = SessionState.Authenticated;
    }

    /// <summary>
    /// Tells the client what changed in the selected mailbox since it last heard (RFC 9051 §7.4,
    /// RFC 2180): EXPUNGE, EXISTS and FETCH FLAGS, before the command's tagged answer. An IDLE
    /// session woken by a change signal passes it as <paramref name="wokenBy"/> and shares the
    /// read with the other sessions it woke.
    /// </summary>
    internal async Task ReportChangesAsync(bool allowExpunge, CancellationToken cancellationToken, Task? wokenBy = null)
    {
        var view = Selected!;
        var (state, changed, expunged) = wokenBy is null
            ? await SharedDeltas.ReadFreshAsync(Backend.Mailboxes, User!, view.Mailbox.Id, view.HighestModSeq, cancellationToken)
            : await Backend.Deltas.ReadAsync(wokenBy, User!, view.Mailbox.Id, view.HighestModSeq).WaitAsync(cancellationToken);
        if (state is null || state.HighestModSeq == view.HighestModSeq)
        {
            // Unchanged, or deleted under us (RFC 9051 §7.1.5 would allow BYE; the session stays).
            return;
        }

        var update = view.Apply(state, changed, expunged, allowExpunge);
        foreach (var number in update.ExpungedDescending)
        {
            Writer.WriteUntaggedNumber(number, "EXPUNGE"u8);
        }
        if (update.Exists is { } exists)
        {
            Writer.WriteUntaggedNumber(exists, "EXISTS"u8);
        }
        foreach (var (number, message) in update.FlagChanges)
        {
            FlagsWriter.WriteFetchFlags(Writer, number, message, includeUid: false);
        }
    }

    /// <summary>
    /// Set by a command whose own change left the view current (<see cref="SelectedMailbox.Advance"/>):
    /// the update check after it would find nothing, so it is skipped. Reset before every command.
    /// </summary>
    internal bool ViewIsCurrent { get; set; }

    internal void LoggingOut() => State = SessionState.Logout;

    /// <summary>Flushes once a large answer (many FETCH lines, big literals) has built up, bounding memory.</summary>
    internal Task FlushIfLargeAsync(CancellationToken cancellationToken) =>
        pending.Unflushed > 256 * 1024 ? FlushAsync(cancellationToken) : Task.CompletedTask;

    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (pending.Unflushed == 0)
        {
            return;
        }
        pending.Commit();
        pending.Unflushed = 0;
        await Connection.Output.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Answers are composed straight into the connection's output pipe (Kestrel's pooled
    /// segments; after STARTTLS the TLS stream's pipe) and flushed once per command. The segments
    /// go back to the pool once sent, so a session holds no answer buffer of its own between
    /// commands: an idle session that once fetched a 20 MB body does not keep 20 MB.
    /// The pipe's free space is written piecewise and committed (<see cref="PipeWriter.Advance"/>,
    /// which takes the pipe's lock) once it is full or at a flush, not after every atom, number
    /// and space: a FETCH line is about twenty such writes (issue #3, first sync).
    /// </summary>
    private sealed class ConnectionOutput(ImapConnection connection) : IBufferWriter<byte>
    {
        private Memory<byte> free;
        private int written;

        /// <summary>Bytes written since the last flush.</summary>
        public long Unflushed { get; set; }

        public void Advance(int count)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count);
            if (count > free.Length - written)
            {
                throw new InvalidOperationException("Advanced past the buffer GetSpan or GetMemory returned.");
            }
            written += count;
            Unflushed += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint)[written..];

        public Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).Span[written..];

        /// <summary>Hands what was written to the pipe; called before every flush.</summary>
        public void Commit()
        {
            if (written > 0)
            {
                connection.Output.Advance(written);
            }
            written = 0;
            free = default;
        }

        private Memory<byte> Reserve(int sizeHint)
        {
            if (free.Length - written < Math.Max(sizeHint, 1))
            {
                Commit();
                free = connection.Output.GetMemory(sizeHint);
            }
            return free;
        }
    }

    /// <summary>STARTTLS: the OK goes out in plaintext, then the handshake; the parser starts afresh.</summary>
    internal async Task StartTlsAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        parser.Reset();
        await Connection.StartTlsAsync(options.Certificate!, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseStreamedLiteralsAsync();
        await Connection.DisposeAsync();
    }

    private async Task<ImapCommand?> ReadCommandAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult read;
            using (var timeout = StartTimeout(cancellationToken))
            {
                try
                {
                    var reading = pendingRead is { } waiting ? new ValueTask<ReadResult>(waiting.WaitAsync(timeout.Token)) : Connection.Input.ReadAsync(timeout.Token);
                    pendingRead = null;
                    read = await reading;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // RFC 9051 §5.4: autologout after inactivity, announced with BYE.
                    Writer.WriteUntaggedStatus(ImapStatus.Bye, null, "Autologout; idle for too long.");
                    await FlushAsync(cancellationToken);
                    return null;
                }
            }

            var buffer = read.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            var outcome = Step(ref reader, out var command);
            // Pipelined commands may follow a complete one: only "need more" has examined it all.
            if (outcome == StepOutcome.NeedMore)
            {
                Connection.Input.AdvanceTo(reader.Position, buffer.End);
            }
            else
            {
                Connection.Input.AdvanceTo(reader.Position);
            }
            if (outcome == StepOutcome.Command)
            {
                // Whatever is pending (a corked answer, see FlushUnlessPipelinedAsync) goes out
                // with this command's answer.
                return command;
            }
            await FlushAsync(cancellationToken);
            if (outcome == StepOutcome.StreamLiteral)
            {
                if (!await StreamLiteralAsync(literalToStream, cancellationToken))
                {
                    return null;
                }
                parser.EndStreamedLiteral();
                continue;
            }
            if (outcome == StepOutcome.Close || read.IsCompleted)
            {
                return null;
            }
        }
    }

    private enum StepOutcome
    {
        NeedMore,
        Command,
        StreamLiteral,
        Close,
    }

    private long literalToStream;

    /// <summary>Drives the parser over what has arrived; answers literals and parse errors.</summary>
    private StepOutcome Step(ref SequenceReader<byte> reader, out ImapCommand? command)
    {
        command = null;
        while (true)
        {
            var result = parser.Parse(ref reader);
            switch (result.Status)
            {
                case ImapParseStatus.NeedMoreData:
                    return StepOutcome.NeedMore;
                case ImapParseStatus.Complete:
                    command = result.Command;
                    return StepOutcome.Command;
                case ImapParseStatus.SynchronizingLiteral:
                    Writer.WriteLiteralContinuation();
                    parser.AcceptLiteral();
                    continue;
                case ImapParseStatus.StreamLiteral:
                    literalToStream = result.LiteralSize;
                    return StepOutcome.StreamLiteral;
                default:
                    var error = result.Error!;
                    Writer.WriteParseError(error);
                    if (error.MustCloseConnection || CountBad())
                    {
                        return StepOutcome.Close;
                    }
                    continue;
            }
        }
    }

    /// <summary>Counts a BAD answer; after too many (DESIGN.md, Limits) says BYE and returns true.</summary>
    internal bool CountBad()
    {
        if (++badCommands < options.MaxBadCommands)
        {
            return false;
        }
        Writer.WriteUntaggedStatus(ImapStatus.Bye, null, "Too many invalid commands.");
        State = SessionState.Logout;
        LogTooManyBad(logger, Connection.Remote);
        return true;
    }

    private CancellationTokenSource StartTimeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(State == SessionState.NotAuthenticated ? options.PreLoginTimeout : options.IdleTimeout);
        return timeout;
    }

    internal void LogStoreFailure(string command, Exception exception) => LogStoreFailed(logger, command, Connection.Remote, exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "IMAP {Command} from {Remote} failed in the store")]
    private static partial void LogStoreFailed(ILogger logger, string command, EndPoint? remote, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed IMAP session from {Remote}: too many invalid commands")]
    private static partial void LogTooManyBad(ILogger logger, EndPoint? remote);
}
