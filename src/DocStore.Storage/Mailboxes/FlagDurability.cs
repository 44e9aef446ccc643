namespace DocStore.Storage.Mailboxes;

/// <summary>
/// <c>Storage:FlagDurability</c>: whether a flag change (STORE, FETCH's \Seen) waits for its
/// WAL flush before it is answered. Documents, APPEND, COPY, MOVE and EXPUNGE always wait.
/// </summary>
public enum FlagDurability
{
    /// <summary>Every flag change is on disk before OK (PostgreSQL's synchronous_commit).</summary>
    Durable,

    /// <summary>
    /// A flag-only transaction commits with synchronous_commit off: atomic and consistent as
    /// ever, answered before its WAL flush; a PostgreSQL or OS crash can lose the flag changes of
    /// the last moments (at most about three times wal_writer_delay, 0.6 s by default), never a
    /// document. Dovecot does not sync flag changes either.
    /// </summary>
    Fast,
}
