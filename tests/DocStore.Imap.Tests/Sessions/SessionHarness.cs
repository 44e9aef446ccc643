using System.IO.Pipelines;
using System.Net;
using System.Text;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Security;
using DocStore.Imap.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocStore.Imap.Tests.Sessions;

/// <summary>
/// A real <see cref="ImapSession"/> over in-memory pipes, with users in memory: the protocol
/// without a network or a database. Reads and writes whole lines like a client.
/// </summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    public const string Password = "right password";

    private readonly Pipe toServer = new();
    private readonly Pipe toClient = new();
    private readonly Task session;
    private readonly CancellationTokenSource stop = new();
    private readonly WatchedReader input;
    private readonly CountingWriter output;

    public SessionHarness(ImapOptions? options = null, IPAddress? remote = null, bool tls = false, IMailboxStore? mailboxes = null, MailboxNotifier? notifier = null)
    {
        Users = new MemoryUsers();
        Audit = new MemoryAudit();
        Options = options ?? new ImapOptions();
        input = new WatchedReader(toServer.Reader);
        output = new CountingWriter(toClient.Writer);
        var connection = new ImapConnection(new DuplexPipe(input, output), new IPEndPoint(remote ?? IPAddress.Loopback, 50000), tls);
        var authentication = new AuthenticationService(Users, Audit, new LoginThrottle(TimeProvider.System), new VerifiedPasswordCache(TimeProvider.System), TimeProvider.System);
        var backend = new ImapBackend(authentication, mailboxes ?? new NoMailboxes(), notifier ?? new MailboxNotifier());
        var imap = new ImapSession(connection, Options, backend, NullLogger.Instance);
        session = Task.Run(async () =>
        {
            try
            {
                await imap.RunAsync(stop.Token);
            }
            finally
            {
                await toClient.Writer.CompleteAsync();
            }
        });
    }

    public MemoryUsers Users { get; }

    public MemoryAudit Audit { get; }

    public ImapOptions Options { get; }

    public Task Session => session;

    /// <summary>How often the server has flushed its output: each flush is a write to the socket.</summary>
    public int Flushes => output.Flushes;

    public async Task SendAsync(string text)
    {
        await toServer.Writer.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    public async Task SendBytesAsync(byte[] bytes)
    {
        await toServer.Writer.WriteAsync(bytes);
    }

    /// <summary>
    /// Completes the next time the server has read everything sent and waits for more input:
    /// call it before sending, then await it to know the server has taken what was sent.
    /// </summary>
    public Task NextInputWaitAsync() => input.NextWaitAsync();

    public Task CloseInputAsync() => toServer.Writer.CompleteAsync().AsTask();

    /// <summary>The next line from the server without its CRLF, or null at the end of the stream.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var result = await toClient.Reader.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            var reader = new System.Buffers.SequenceReader<byte>(buffer);
            if (reader.TryReadTo(out System.Buffers.ReadOnlySequence<byte> line, "\r\n"u8))
            {
                var text = Encoding.UTF8.GetString(line);
                toClient.Reader.AdvanceTo(reader.Position);
                return text;
            }
            if (result.IsCompleted)
            {
                toClient.Reader.AdvanceTo(buffer.End);
                return null;
            }
            toClient.Reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads lines up to and including the tagged answer for <paramref name="tag"/>.</summary>
    public async Task<List<string>> ReadUntilTaggedAsync(string tag)
    {
        var lines = new List<string>();
        while (await ReadLineAsync() is { } line)
        {
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }
        }
        throw new InvalidOperationException($"connection closed before {tag} was answered: {string.Join(" | ", lines)}");
    }

    /// <summary>Sends one command line and returns every line up to its tagged answer.</summary>
    public async Task<List<string>> CommandAsync(string tag, string command)
    {
        await SendAsync($"{tag} {command}\r\n");
        return await ReadUntilTaggedAsync(tag);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await toServer.Writer.CompleteAsync();
        try
        {
            await session.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        stop.Dispose();
    }

    /// <summary>The server's input, telling the test when a read has to wait for the client.</summary>
    private sealed class WatchedReader(PipeReader inner) : PipeReader
    {
        private TaskCompletionSource? next;

        public Task NextWaitAsync()
        {
            var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref next, armed);
            return armed.Task;
        }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var read = inner.ReadAsync(cancellationToken);
            if (!read.IsCompleted)
            {
                Interlocked.Exchange(ref next, null)?.TrySetResult();
            }
            return read;
        }

        public override bool TryRead(out ReadResult result) => inner.TryRead(out result);

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }

    /// <summary>The server's output, counting its flushes.</summary>
    private sealed class CountingWriter(PipeWriter inner) : PipeWriter
    {
        private int flushes;

        public int Flushes => Volatile.Read(ref flushes);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref flushes);
            return inner.FlushAsync(cancellationToken);
        }

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

/// <summary>Users in memory: alice (password <see cref="SessionHarness.Password"/>) and disabled dora.</summary>
internal sealed class MemoryUsers : IUserStore
{
    private static readonly string Hash = PasswordHasher.Hash(SessionHarness.Password);

    private readonly Dictionary<string, UserCredentials> users = new(StringComparer.OrdinalIgnoreCase)
    {
        ["alice"] = new(new User(1, "alice", "Alice", false, false, DateTimeOffset.UnixEpoch), Hash),
        ["dora"] = new(new User(2, "dora", "Dora", false, true, DateTimeOffset.UnixEpoch), Hash),
    };

    public Task<UserCredentials?> FindAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(users.GetValueOrDefault(name));

    public Task<(UserChange Result, User? User)> AddAsync(string name, string passwordHash, bool isAdmin, string? displayName, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<UserChange> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken) =>
        Task.FromResult(UserChange.Done);

    public Task<UserChange> SetDisabledAsync(string name, bool disabled, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<User>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<User>>(users.Values.Select(u => u.User).ToList());

    public Task<long> CountAsync(CancellationToken cancellationToken) => Task.FromResult((long)users.Count);
}

internal sealed class MemoryAudit : IAuditLog
{
    public List<AuditRecord> Records { get; } = [];

    public Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        lock (Records)
        {
            Records.Add(record);
        }
        return Task.CompletedTask;
    }
}

/// <summary>The sign-in tests never reach a mailbox: any use is a test failure.</summary>
internal partial class NoMailboxes : IMailboxStore
{
    protected virtual Exception Unexpected() => new NotSupportedException("these tests do not touch mailboxes");

    public virtual Task<IReadOnlyList<MailboxListing>> ListAsync(User user, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<IReadOnlyList<MailboxListing>> ListAsync(User user, IReadOnlyCollection<string>? patterns, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<Mailbox?> FindAsync(User user, string name, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<MailboxChange> CreateAsync(User user, string name, string? specialUse, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<MailboxChange> DeleteAsync(User user, string name, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<MailboxChange> RenameAsync(User user, string from, string to, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task SetSubscribedAsync(User user, string name, bool subscribed, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<IReadOnlyList<string>> SubscriptionsAsync(User user, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<MailboxCounts> CountAsync(User user, long mailboxId, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<AppendResult> AppendAsync(User user, long mailboxId, Stream message, MessageFlags flags, DateTimeOffset internalDate, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<MultiAppendResult> AppendManyAsync(User user, long mailboxId, IReadOnlyList<AppendItem> messages, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<MultiAppendResult?> AppendToOwnAsync(User user, string name, IReadOnlyList<AppendItem> messages, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<IReadOnlyList<MessageSummary>> MessagesAsync(User user, long mailboxId, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<IReadOnlyList<MessageSummary>> ChangedSinceAsync(User user, long mailboxId, long modSeq, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<MailboxState?> StateAsync(User user, long mailboxId, CancellationToken cancellationToken) => throw Unexpected();

    public virtual async Task<MailboxDelta> DeltaAsync(User user, long mailboxId, long sinceModSeq, CancellationToken cancellationToken)
    {
        var state = await StateAsync(user, mailboxId, cancellationToken);
        if (state is null || state.HighestModSeq == sinceModSeq)
        {
            return new MailboxDelta(state, [], []);
        }
        return new MailboxDelta(state, await ChangedSinceAsync(user, mailboxId, sinceModSeq, cancellationToken), await ExpungedSinceAsync(user, mailboxId, sinceModSeq, cancellationToken));
    }

    public virtual Task<IReadOnlyList<uint>> ExpungedSinceAsync(User user, long mailboxId, long modSeq, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<StoredMessage?> ReadAsync(long documentId, int version, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<IReadOnlyDictionary<MessageKey, StoredMessage>> ReadManyAsync(IReadOnlyCollection<MessageKey> keys, ContentNeeded needed, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<IReadOnlyDictionary<long, Guid>> EmailIdsAsync(IReadOnlyCollection<long> documentIds, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<IReadOnlyDictionary<Guid, long>> DocumentsByEmailIdAsync(IReadOnlyCollection<Guid> emailIds, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task RecordDownloadAsync(long mailboxId, IReadOnlyCollection<long> documentIds, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<FlagStoreResult> StoreFlagsAsync(User user, long mailboxId, IReadOnlyCollection<uint> uids, FlagChange change, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<FlagStoreResult> StoreFlagsAsync(User user, long mailboxId, IReadOnlyList<IReadOnlyCollection<uint>> commands, FlagChange change, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<CopyResult?> CopyAsync(User user, long fromMailboxId, IReadOnlyCollection<uint> uids, long toMailboxId, bool move, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<IReadOnlyList<uint>> ExpungeAsync(User user, long mailboxId, IReadOnlyCollection<uint>? uids, Actor actor, CancellationToken cancellationToken) => throw Unexpected();

    public virtual Task<AppendResult?> ReplaceAsync(User user, long mailboxId, uint uid, long toMailboxId, AppendItem message, Actor actor, CancellationToken cancellationToken) => throw Unexpected();
}
