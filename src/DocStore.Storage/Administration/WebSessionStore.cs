using Dapper;
using DocStore.Core.Administration;
using DocStore.Core.Auditing;
using DocStore.Core.Principals;
using Npgsql;

namespace DocStore.Storage.Administration;

/// <summary><see cref="IWebSessionStore"/> on the <c>web_session</c> table.</summary>
public sealed class WebSessionStore(NpgsqlDataSource dataSource) : IWebSessionStore
{
    // One statement checks the session and its user and slides the expiry: a disabled user, an
    // ended or expired session answer no row.
    private const string Touch = """
        UPDATE web_session s
           SET last_seen_at = now(), expires_at = now() + @lifetime
          FROM principal p
         WHERE s.id = @session AND p.id = s.principal_id
           AND s.ended_at IS NULL AND s.expires_at > now() AND NOT p.disabled
        RETURNING p.id AS Id, p.name AS Name, p.display_name AS DisplayName, p.is_admin AS IsAdmin,
                  p.disabled AS Disabled, p.created_at AS CreatedAt
        """;

    public async Task<Guid> StartAsync(User user, Actor actor, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<Guid>(new CommandDefinition("""
            INSERT INTO web_session (principal_id, expires_at, address, client)
            VALUES (@user, now() + @lifetime, @address::inet, @client)
            RETURNING id
            """,
            new { user = user.Id, lifetime, address = actor.Address?.ToString(), client = actor.Client },
            cancellationToken: cancellationToken));
    }

    public async Task<User?> TouchAsync(Guid session, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            Touch, new { session, lifetime }, cancellationToken: cancellationToken));
        return row is null ? null : new User(row.Id, row.Name, row.DisplayName, row.IsAdmin, row.Disabled, new DateTimeOffset(row.CreatedAt, TimeSpan.Zero));
    }

    public async Task EndAsync(Guid session, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE web_session SET ended_at = now() WHERE id = @session AND ended_at IS NULL",
            new { session }, cancellationToken: cancellationToken));
    }

    public async Task<int> EndAllAsync(long userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE web_session SET ended_at = now() WHERE principal_id = @userId AND ended_at IS NULL",
            new { userId }, cancellationToken: cancellationToken));
    }

    private sealed record Row(long Id, string Name, string? DisplayName, bool IsAdmin, bool Disabled, DateTime CreatedAt);
}
