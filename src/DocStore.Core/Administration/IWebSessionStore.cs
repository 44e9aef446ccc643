using DocStore.Core.Auditing;
using DocStore.Core.Principals;

namespace DocStore.Core.Administration;

/// <summary>
/// The console's sign-in sessions, kept in the database so that signing out, disabling an
/// account or resetting a password ends them on every node, whatever cookie a browser still holds.
/// </summary>
public interface IWebSessionStore
{
    /// <summary>Opens a session for a user who has just proved their password.</summary>
    Task<Guid> StartAsync(User user, Actor actor, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>
    /// The session's user as stored now (name, admin flag), extending the session by
    /// <paramref name="lifetime"/>; null when the session ended, expired, or its user is disabled.
    /// </summary>
    Task<User?> TouchAsync(Guid session, TimeSpan lifetime, CancellationToken cancellationToken);

    Task EndAsync(Guid session, CancellationToken cancellationToken);

    /// <summary>Ends every open session of the user; returns how many there were.</summary>
    Task<int> EndAllAsync(long userId, CancellationToken cancellationToken);
}
