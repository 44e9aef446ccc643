using Dapper;
using DocStore.Core.Principals;
using Npgsql;

namespace DocStore.Storage.Principals;

/// <summary>Users in the <c>principal</c> table, with their personal collections.</summary>
public sealed partial class UserStore(NpgsqlDataSource dataSource) : IUserStore
{
    /// <summary>The collections every new user starts with, and their RFC 6154 special-use.</summary>
    public static readonly IReadOnlyList<(string Name, string? SpecialUse)> DefaultCollections =
    [
        ("INBOX", null),
        ("Sent", @"\Sent"),
        ("Drafts", @"\Drafts"),
        ("Trash", @"\Trash"),
        ("Junk", @"\Junk"),
        ("Archive", @"\Archive"),
    ];

    private const string SelectUser = """
        SELECT id AS Id, name AS Name, display_name AS DisplayName, is_admin AS IsAdmin,
               disabled AS Disabled, created_at AS CreatedAt, password_hash AS PasswordHash
          FROM principal
        """;

    public async Task<UserCredentials?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            SelectUser + " WHERE kind = 'user' AND lower(name) = lower(@name)", new { name }, cancellationToken: cancellationToken));
        return row is null ? null : new UserCredentials(row.ToUser(), row.PasswordHash);
    }

    public async Task<(UserChange Result, User? User)> AddAsync(string name, string passwordHash, bool isAdmin, string? displayName, CancellationToken cancellationToken)
    {
        if (!UserNames.IsValid(name))
        {
            return (UserChange.InvalidName, null);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition("""
            INSERT INTO principal (kind, name, display_name, password_hash, is_admin)
            VALUES ('user', @name, @displayName, @passwordHash, @isAdmin)
            ON CONFLICT DO NOTHING
            RETURNING id AS Id, name AS Name, display_name AS DisplayName, is_admin AS IsAdmin,
                      disabled AS Disabled, created_at AS CreatedAt, password_hash AS PasswordHash
            """, new { name, displayName, passwordHash, isAdmin }, transaction, cancellationToken: cancellationToken));
        if (row is null)
        {
            return (UserChange.AlreadyExists, null);
        }

        foreach (var (collection, specialUse) in DefaultCollections)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO collection (owner_id, name, special_use) VALUES (@owner, @collection, @specialUse)",
                new { owner = row.Id, collection, specialUse }, transaction, cancellationToken: cancellationToken));
        }
        await transaction.CommitAsync(cancellationToken);
        return (UserChange.Done, row.ToUser());
    }

    public async Task<UserChange> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE principal SET password_hash = @passwordHash WHERE kind = 'user' AND lower(name) = lower(@name)",
            new { name, passwordHash }, cancellationToken: cancellationToken));
        return changed == 0 ? UserChange.NotFound : UserChange.Done;
    }

    public async Task<UserChange> SetDisabledAsync(string name, bool disabled, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE principal SET disabled = @disabled WHERE kind = 'user' AND lower(name) = lower(@name)",
            new { name, disabled }, cancellationToken: cancellationToken));
        return changed == 0 ? UserChange.NotFound : UserChange.Done;
    }

    public async Task<IReadOnlyList<User>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<UserRow>(new CommandDefinition(
            SelectUser + " WHERE kind = 'user' ORDER BY lower(name)", cancellationToken: cancellationToken));
        return rows.Select(r => r.ToUser()).ToList();
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM principal WHERE kind = 'user'", cancellationToken: cancellationToken));
    }

    private sealed record UserRow(long Id, string Name, string? DisplayName, bool IsAdmin, bool Disabled, DateTime CreatedAt, string? PasswordHash)
    {
        public User ToUser() => new(Id, Name, DisplayName, IsAdmin, Disabled, new DateTimeOffset(CreatedAt, TimeSpan.Zero));
    }
}
