namespace DocStore.Core.Principals;

/// <summary>A person who signs in: over IMAP, to the console, or named in rights.</summary>
public sealed record User(long Id, string Name, string? DisplayName, bool IsAdmin, bool Disabled, DateTimeOffset CreatedAt);

/// <summary>A user with the stored password hash, for authentication only.</summary>
public sealed record UserCredentials(User User, string? PasswordHash);

/// <summary>How <see cref="IUserStore"/> answers a change to a user.</summary>
public enum UserChange
{
    Done,
    NotFound,
    AlreadyExists,
    InvalidName,
}
