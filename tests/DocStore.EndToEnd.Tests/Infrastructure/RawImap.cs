using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace DocStore.EndToEnd.Tests.Infrastructure;

/// <summary>A line-level IMAP client over TLS, for transcript tests of exact answers.</summary>
public sealed class RawImap : IAsyncDisposable
{
    private readonly TcpClient tcp;
    private readonly SslStream tls;
    private readonly StreamReader reader;

    private RawImap(TcpClient tcp, SslStream tls)
    {
        this.tcp = tcp;
        this.tls = tls;
        reader = new StreamReader(tls, Encoding.UTF8);
    }

    public static async Task<RawImap> ConnectAsync(int tlsPort)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", tlsPort);
        var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost");
        var client = new RawImap(tcp, tls);
        await client.ReadLineAsync();
        return client;
    }

    public async Task SendAsync(string text)
    {
        await tls.WriteAsync(Encoding.UTF8.GetBytes(text));
        await tls.FlushAsync();
    }

    public async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the server closed the connection");
    }

    /// <summary>Sends <c>tag command</c> and returns every line up to and including the tagged answer.</summary>
    public async Task<List<string>> CommandAsync(string tag, string command)
    {
        await SendAsync($"{tag} {command}\r\n");
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync();
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        reader.Dispose();
        await tls.DisposeAsync();
        tcp.Dispose();
    }
}
