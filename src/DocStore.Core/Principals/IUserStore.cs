namespace DocStore.Core.Principals;

/// <summary>Users as kept in the store. Names are matched case-insensitively.</summary>
public interface IUserStore
{
    Task<UserCredentials?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates the user with their personal collections (INBOX, Sent, Drafts, Trash, Junk, Archive).</summary>
    Task<(UserChange Result, User? User)> AddAsync(string name, string passwordHash, bool isAdmin, string? displayName, CancellationToken cancellationToken);

    Task<UserChange> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken);

    Task<UserChange> SetDisabledAsync(string name, bool disabled, CancellationToken cancellationToken);

    Task<IReadOnlyList<User>> ListAsync(CancellationToken cancellationToken);

    Task<long> CountAsync(CancellationToken cancellationToken);
}
