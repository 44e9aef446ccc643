using System.Transactions;
using DocStore.Core.Principals;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

/// <summary>
/// The scratch user of the start-up session warm-up (<c>ImapWarmUp</c>, issue #3): a user and its
/// empty INBOX that exist only inside the ambient <see cref="Transaction"/> the caller rolls back.
/// Every connection the warm-up's commands open in that transaction is the same enlisted
/// PostgreSQL backend (Npgsql keeps it for the transaction), so they see the user, and whatever
/// they file, change or audit goes with the rollback; NOTIFY is delivered only at commit, so no
/// session and no search indexer hears of it. The ids are below every identity (none is drawn
/// from the sequences); the document, change, modseq and audit ids the commands draw stay drawn,
/// as with any command that fails.
/// </summary>
public static class SessionWarmUp
{
    /// <summary>The scratch user's name; a real user of that name makes the warm-up fail (and start-up go on without it).</summary>
    public const string UserName = "session-warm-up";

    private const string InsertUser = """
        WITH warm_up AS (
            INSERT INTO principal (id, kind, name) OVERRIDING SYSTEM VALUE
            VALUES (-(2147483648 + pg_backend_pid()), 'user', @name)
            RETURNING id)
        INSERT INTO collection (id, owner_id, name, special_use, uidvalidity) OVERRIDING SYSTEM VALUE
        SELECT id, id, 'INBOX', NULL, 1 FROM warm_up
        RETURNING owner_id
        """;

    /// <summary>
    /// Creates the scratch user in the ambient transaction. Refuses (before writing anything) to
    /// run outside one, or on a connection that did not enlist in it (<c>Enlist=false</c>): the
    /// user would be committed.
    /// </summary>
    public static async Task<User> CreateUserAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (Transaction.Current is null)
        {
            throw new InvalidOperationException("The session warm-up runs only inside a transaction that is rolled back.");
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // SAVEPOINT is an error outside a transaction block: a connection that did not enlist stops here.
        await using (var inTransaction = new NpgsqlCommand("SAVEPOINT session_warm_up", connection))
        {
            await inTransaction.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var insert = new NpgsqlCommand(InsertUser, connection) { Parameters = { new NpgsqlParameter<string>("name", UserName) } };
        var id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        return new User(id, UserName, null, IsAdmin: false, Disabled: false, DateTimeOffset.UnixEpoch);
    }
}
