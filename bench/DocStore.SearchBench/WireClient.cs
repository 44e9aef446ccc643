using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace DocStore.SearchBench;

/// <summary>
/// An IMAP connection on a bare socket: a command is sent and the answer read until its tagged
/// status line, without parsing anything in between. Times what the server and the wire take,
/// whatever a client library then spends on the answer.
/// </summary>
internal sealed class WireClient : IAsyncDisposable
{
    private readonly TcpClient tcp = new() { NoDelay = true };
    private readonly byte[] buffer = new byte[1 << 16];
    private NetworkStream? stream;
    private int tags;

    public static async Task<WireClient> ConnectAsync(int port, string user, string password)
    {
        var client = new WireClient();
        await client.tcp.ConnectAsync("127.0.0.1", port);
        client.stream = client.tcp.GetStream();
        await client.ReadUntilAsync(null);
        await client.CommandAsync($"LOGIN \"{user}\" \"{password}\"");
        await client.CommandAsync("EXAMINE INBOX");
        return client;
    }

    /// <summary>Sends the command and reads its answer; throws unless it ends in OK.</summary>
    public async Task CommandAsync(string command)
    {
        var tag = "w" + (++tags).ToString(CultureInfo.InvariantCulture);
        await stream!.WriteAsync(Encoding.ASCII.GetBytes(tag + " " + command + "\r\n"));
        var status = await ReadUntilAsync(tag + " ");
        if (!status.StartsWith(tag + " OK", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{command}: {status}");
        }
    }

    /// <summary>
    /// Reads lines until one starts with <paramref name="prefix"/> (null: the first line) and
    /// returns that line. Only a line's first bytes are kept, while they can still be the prefix.
    /// </summary>
    private async Task<string> ReadUntilAsync(string? prefix)
    {
        var wanted = Encoding.ASCII.GetBytes(prefix ?? "");
        var line = new List<byte>();
        var candidate = true;
        while (true)
        {
            var read = await stream!.ReadAsync(buffer);
            if (read == 0)
            {
                throw new IOException("the server closed the connection");
            }
            for (var i = 0; i < read; i++)
            {
                var b = buffer[i];
                if (b == (byte)'\n')
                {
                    if (candidate && line.Count >= wanted.Length)
                    {
                        return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
                    }
                    line.Clear();
                    candidate = true;
                }
                else if (candidate)
                {
                    if (line.Count < wanted.Length && b != wanted[line.Count])
                    {
                        candidate = false;
                        line.Clear();
                    }
                    else
                    {
                        line.Add(b);
                    }
                }
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
