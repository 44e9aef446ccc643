namespace DocStore.Imap.Protocol;

/// <summary>The condition of a status response (RFC 9051 §7.1).</summary>
public enum ImapStatus
{
    /// <summary>Success.</summary>
    Ok,

    /// <summary>Operational failure.</summary>
    No,

    /// <summary>Protocol error in the client's command.</summary>
    Bad,

    /// <summary>The connection is already authenticated (greeting only).</summary>
    PreAuth,

    /// <summary>The server is closing the connection (untagged only).</summary>
    Bye,
}
