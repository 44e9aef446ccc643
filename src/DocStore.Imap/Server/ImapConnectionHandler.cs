using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace DocStore.Imap.Server;

/// <summary>
/// Kestrel's entry point for IMAP and IMAPS connections: the one narrow seam between networking
/// and the session. IMAPS connections arrive already decrypted (Kestrel's TLS middleware).
/// </summary>
public sealed class ImapConnectionHandler(
    ImapOptions options,
    ImapBackend backend,
    ImapServerState state,
    ILogger<ImapConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var implicitTls = connection.Features.Get<ITlsHandshakeFeature>() is not null;
        var session = new ImapSession(
            new ImapConnection(connection.Transport, connection.RemoteEndPoint, implicitTls),
            options, backend, logger);
        state.SessionStarted();
        try
        {
            await session.RunAsync(connection.ConnectionClosed);
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or OperationCanceledException or ObjectDisposedException)
        {
            logger.LogDebug(ex, "IMAP connection from {Remote} ended abruptly", connection.RemoteEndPoint);
        }
        finally
        {
            state.SessionEnded();
            await session.DisposeAsync();
        }
    }
}
