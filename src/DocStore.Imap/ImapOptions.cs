using System.Security.Cryptography.X509Certificates;

namespace DocStore.Imap;

/// <summary>The IMAP server's settings (configuration section <c>Imap</c>) and limits (DESIGN.md, Limits).</summary>
public sealed class ImapOptions
{
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Plain IMAP with STARTTLS; 143 in the container.</summary>
    public int Port { get; set; } = 1143;

    /// <summary>IMAPS (implicit TLS); 993 in the container.</summary>
    public int TlsPort { get; set; } = 1993;

    /// <summary>
    /// Allow LOGIN and AUTHENTICATE PLAIN without TLS when the client connects over loopback.
    /// On by default for development, off in the container (RFC 9051 §11.1 otherwise requires TLS:
    /// plain connections advertise LOGINDISABLED).
    /// </summary>
    public bool AllowInsecureAuthOnLoopback { get; set; } = true;

    public TimeSpan PreLoginTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>RFC 9051 §5.4: at least 30 minutes of inactivity before an autologout.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    public int PreLoginLineLimit { get; set; } = 8 * 1024;

    public int LineLimit { get; set; } = 64 * 1024;

    public int MaxNestingDepth { get; set; } = 32;

    /// <summary>The largest message APPEND accepts (RFC 7889 APPENDLIMIT), streamed to disk, never held in memory.</summary>
    public long AppendLimit { get; set; } = 64L * 1024 * 1024;

    /// <summary>After this many BAD answers in one session the server says BYE.</summary>
    public int MaxBadCommands { get; set; } = 20;

    /// <summary>
    /// How long a connection that has just pipelined STOREs (issue #3) may wait for more of them
    /// before it runs a STORE that arrived alone: the client that keeps a window of commands in
    /// flight refills it one command per answer, so the first command of a refill would otherwise
    /// run as a group of one. A connection that sends one command per round trip never waits;
    /// zero turns the wait off.
    /// </summary>
    public TimeSpan PipelineWait { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The server's certificate for IMAPS and STARTTLS; set by the host.</summary>
    public X509Certificate2? Certificate { get; set; }
}
