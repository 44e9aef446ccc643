using DocStore.Core.Principals;

namespace DocStore.Core.Administration;

/// <summary>What the console changes about a user beyond <see cref="IUserStore"/>.</summary>
public interface IUserProfileStore
{
    /// <summary>Sets the display name (null clears it) and the administrator flag.</summary>
    Task<UserChange> SetProfileAsync(string name, string? displayName, bool isAdmin, CancellationToken cancellationToken);
}
