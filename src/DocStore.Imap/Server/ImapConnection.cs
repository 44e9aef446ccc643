using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace DocStore.Imap.Server;

/// <summary>
/// The byte streams of one client: Kestrel's pipes at first, an <see cref="SslStream"/> over
/// them after STARTTLS. Knows whether the connection is encrypted and where it comes from.
/// </summary>
public sealed class ImapConnection : IAsyncDisposable
{
    private SslStream? tls;

    public ImapConnection(IDuplexPipe transport, EndPoint? remote, bool isTls)
    {
        Transport = transport;
        Input = transport.Input;
        Output = transport.Output;
        Remote = remote;
        IsTls = isTls;
    }

    public IDuplexPipe Transport { get; }

    public PipeReader Input { get; private set; }

    public PipeWriter Output { get; private set; }

    public EndPoint? Remote { get; }

    public IPAddress? RemoteAddress => (Remote as IPEndPoint)?.Address;

    public bool IsTls { get; private set; }

    public bool IsLoopback => RemoteAddress is { } address && IPAddress.IsLoopback(address);

    /// <summary>
    /// STARTTLS (RFC 9051 §6.2.1): handshake over the plain pipes and continue on the encrypted
    /// stream. Anything the client sent after the STARTTLS line is not discarded here but read by
    /// the handshake, which fails on plaintext: no command injected before TLS is ever executed.
    /// </summary>
    public async Task StartTlsAsync(X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var stream = new SslStream(new DuplexPipeStream(Transport), leaveInnerStreamOpen: false);
        await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = false,
        }, cancellationToken);
        tls = stream;
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        IsTls = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (tls is not null)
        {
            await Input.CompleteAsync();
            await Output.CompleteAsync();
            await tls.DisposeAsync();
        }
    }
}
