using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace DocStore.LoadGenerator.Imap;

/// <summary>
/// A small IMAP client over a raw socket: tagged commands matched to their completions, literals
/// in answers skipped by <see cref="ImapResponseReader"/>, LITERAL+ when the server offers it, and
/// an <see cref="ImapCommandException"/> whenever a command is answered NO or BAD.
/// </summary>
internal sealed class ImapClient : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly ImapResponseReader reader;
    private readonly string name;
    private int nextTag;
    private string lastUntagged = "";

    private ImapClient(Socket socket, string name)
    {
        this.socket = socket;
        this.name = name;
        stream = new NetworkStream(socket, ownsSocket: true);
        reader = new ImapResponseReader(stream);
    }

    /// <summary>Whether APPEND literals go without waiting for a continuation (RFC 7888).</summary>
    public bool LiteralPlus { get; private set; }

    public TimeSpan ReadTimeout
    {
        get => reader.ReadTimeout;
        set => reader.ReadTimeout = value;
    }

    public static async Task<ImapClient> ConnectAsync(ServerEndpoint server, string name, CancellationToken cancellationToken)
    {
        var connection = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await connection.ConnectAsync(server.Host, server.Port, timeout.Token);
            }
            catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
            {
                connection.Dispose();
                throw new TimeoutException($"{name}: no connection to {server.Host}:{server.Port} within 30 s.", exception);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        var client = new ImapClient(connection, name);
        var greeting = await client.reader.ReadAsync(cancellationToken);
        if (!greeting.Text.StartsWith("* OK", StringComparison.OrdinalIgnoreCase))
        {
            await client.DisposeAsync();
            throw new ImapCommandException($"{name}: unexpected greeting: {greeting.Text}");
        }

        return client;
    }

    /// <summary>Connects, signs in and learns the capabilities that matter here.</summary>
    public static async Task<ImapClient> OpenAsync(ServerEndpoint server, string name, CancellationToken cancellationToken)
    {
        var client = await ConnectAsync(server, name, cancellationToken);
        try
        {
            await client.LoginAsync(server.User, server.Password, cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public async Task LoginAsync(string user, string password, CancellationToken cancellationToken)
    {
        var capabilities = "";
        var done = await RunAsync($"LOGIN {Quote(user)} {Quote(password)}", response =>
        {
            if (response.Text.StartsWith("* CAPABILITY ", StringComparison.OrdinalIgnoreCase))
            {
                capabilities = response.Text;
            }
        }, cancellationToken, display: "LOGIN");
        if (done.Text.Contains("[CAPABILITY ", StringComparison.OrdinalIgnoreCase))
        {
            capabilities = done.Text;
        }

        if (capabilities.Length == 0)
        {
            await RunAsync("CAPABILITY", response => capabilities += response.Text, cancellationToken);
        }

        LiteralPlus = capabilities.Contains(" LITERAL+", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>SELECT; returns the mailbox's EXISTS count.</summary>
    public async Task<long> SelectAsync(string mailbox, CancellationToken cancellationToken)
    {
        long exists = -1;
        await RunAsync($"SELECT {Quote(mailbox)}", response =>
        {
            if (response.TryGetExists(out var count))
            {
                exists = count;
            }
        }, cancellationToken);
        return exists >= 0 ? exists : throw new ImapCommandException($"{name}: SELECT {mailbox} sent no EXISTS.");
    }

    public Task CreateAsync(string mailbox, CancellationToken cancellationToken) =>
        RunAsync($"CREATE {Quote(mailbox)}", cancellationToken);

    /// <summary>STATUS (MESSAGES): how many messages a mailbox holds.</summary>
    public async Task<long> CountAsync(string mailbox, CancellationToken cancellationToken)
    {
        long messages = -1;
        await RunAsync($"STATUS {Quote(mailbox)} (MESSAGES)", response =>
        {
            var at = response.Text.LastIndexOf("(MESSAGES ", StringComparison.OrdinalIgnoreCase);
            if (response.IsUntagged && at >= 0)
            {
                messages = long.Parse(response.Text.AsSpan(at + 10).TrimEnd(')'), CultureInfo.InvariantCulture);
            }
        }, cancellationToken);
        return messages >= 0 ? messages : throw new ImapCommandException($"{name}: STATUS {mailbox} sent no MESSAGES.");
    }

    public Task<ImapResponse> RunAsync(string command, CancellationToken cancellationToken) =>
        RunAsync(command, onUntagged: null, cancellationToken);

    /// <summary>Sends one command and reads up to its tagged completion; throws unless it is OK.</summary>
    public async Task<ImapResponse> RunAsync(string command, Action<ImapResponse>? onUntagged, CancellationToken cancellationToken, string? display = null)
    {
        var tag = NextTag();
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"{tag} {command}\r\n"), cancellationToken);
        return await ReadCompletionAsync(tag, display ?? command, onUntagged, cancellationToken);
    }

    /// <summary>
    /// APPEND one message. With LITERAL+ the command and the message go in one write; otherwise
    /// the client waits for the continuation request first (RFC 9051 §7.5).
    /// </summary>
    public async Task AppendAsync(string mailbox, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var tag = NextTag();
        var head = Encoding.UTF8.GetBytes($"{tag} APPEND {Quote(mailbox)} {{{message.Length}{(LiteralPlus ? "+" : "")}}}\r\n");
        var display = $"APPEND {mailbox} ({message.Length} bytes)";
        if (!LiteralPlus)
        {
            await stream.WriteAsync(head, cancellationToken);
            var answer = await reader.ReadAsync(cancellationToken);
            if (!answer.IsContinuation)
            {
                throw new ImapCommandException($"{name}: {display} got no continuation: {answer.Text}");
            }

            head = [];
        }

        var total = head.Length + message.Length + 2;
        var wire = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            head.CopyTo(wire, 0);
            message.Span.CopyTo(wire.AsSpan(head.Length));
            wire[total - 2] = (byte)'\r';
            wire[total - 1] = (byte)'\n';
            await stream.WriteAsync(wire.AsMemory(0, total), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(wire);
        }

        await ReadCompletionAsync(tag, display, onUntagged: null, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="commands"/> keeping up to <paramref name="window"/> of them in flight
    /// (1: each waits for the previous completion); every one must be answered OK.
    /// </summary>
    public async Task PipelineAsync(IReadOnlyList<string> commands, int window, CancellationToken cancellationToken)
    {
        var inFlight = new Queue<(string Tag, string Command)>();
        var batch = new StringBuilder();
        var sent = 0;
        while (sent < commands.Count || inFlight.Count > 0)
        {
            batch.Clear();
            while (sent < commands.Count && inFlight.Count < window)
            {
                var tag = NextTag();
                batch.Append(tag).Append(' ').Append(commands[sent]).Append("\r\n");
                inFlight.Enqueue((tag, commands[sent]));
                sent++;
            }

            if (batch.Length > 0)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(batch.ToString()), cancellationToken);
            }

            var (oldest, command) = inFlight.Dequeue();
            await ReadCompletionAsync(oldest, command, onUntagged: null, cancellationToken);
        }
    }

    /// <summary>Starts IDLE (RFC 2177) and returns the tag once the server asks for DONE.</summary>
    public async Task StartIdleAsync(CancellationToken cancellationToken)
    {
        var tag = NextTag();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{tag} IDLE\r\n"), cancellationToken);
        while (true)
        {
            var response = await ReadResponseAsync(cancellationToken);
            if (response.IsContinuation)
            {
                return;
            }

            if (!response.IsUntagged)
            {
                throw new ImapCommandException($"{name}: IDLE answered: {response.Text}");
            }
        }
    }

    /// <summary>The next response, whatever it is (for a connection in IDLE).</summary>
    public async ValueTask<ImapResponse> ReadResponseAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or TimeoutException or InvalidDataException)
        {
            throw new IOException($"{name}: {exception.Message} Last untagged response: '{lastUntagged}'.", exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync();
        socket.Dispose();
    }

    /// <summary>RFC 9051 §4.3: a quoted string; the names and passwords used here never need a literal.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private string NextTag() => "T" + (++nextTag).ToString("D5", CultureInfo.InvariantCulture);

    private async Task<ImapResponse> ReadCompletionAsync(string tag, string display, Action<ImapResponse>? onUntagged, CancellationToken cancellationToken)
    {
        while (true)
        {
            var response = await ReadResponseAsync(cancellationToken);
            if (response.IsUntagged)
            {
                lastUntagged = response.Text;
                onUntagged?.Invoke(response);
                continue;
            }

            if (response.IsContinuation)
            {
                throw new ImapCommandException($"{name}: unexpected continuation request during '{display}': {response.Text}");
            }

            var status = response.StatusFor(tag);
            if (string.Equals(status, "OK", StringComparison.Ordinal))
            {
                return response;
            }

            throw new ImapCommandException(status is null
                ? $"{name}: '{display}' got a completion for another tag: {response.Text}"
                : $"{name}: '{display}' was answered {status}: {response.Text}");
        }
    }
}
