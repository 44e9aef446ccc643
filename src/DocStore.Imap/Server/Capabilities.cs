namespace DocStore.Imap.Server;

/// <summary>
/// What the server advertises, by session state: exactly what works (RFC 9051 §6.1.1). The
/// sign-in capabilities depend on whether plaintext authentication is allowed here.
/// </summary>
internal static class Capabilities
{
    private const string Base = "IMAP4rev1 IMAP4rev2 SASL-IR LITERAL+ ID";

    public static string Before(bool tls, bool plaintextAllowed) =>
        Base + (tls ? "" : " STARTTLS") + (plaintextAllowed ? " AUTH=PLAIN" : " LOGINDISABLED");

    /// <summary>After sign-in; <paramref name="fuzzy"/>: SEARCH=FUZZY (RFC 6203) needs the full-text index's fuzzy search.</summary>
    public static string After(ImapOptions options, bool fuzzy) =>
        $"{Base} ENABLE IDLE NAMESPACE UNSELECT UIDPLUS MOVE REPLACE MULTIAPPEND CHILDREN SPECIAL-USE LIST-EXTENDED LIST-STATUS " +
        $"ESEARCH SEARCHRES WITHIN MULTISEARCH SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES {(fuzzy ? "SEARCH=FUZZY " : "")}BINARY STATUS=SIZE OBJECTID APPENDLIMIT={options.AppendLimit} " +
        "ACL RIGHTS=texk LIST-MYRIGHTS QUOTA QUOTA=RES-STORAGE QUOTASET";
}
