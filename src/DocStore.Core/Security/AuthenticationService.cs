using System.Net;
using DocStore.Core.Auditing;
using DocStore.Core.Principals;

namespace DocStore.Core.Security;

/// <summary>Why a sign-in failed; callers show all of them to the client as one answer.</summary>
public enum AuthenticationStatus
{
    Succeeded,
    Failed,
}

/// <summary>The result of a sign-in attempt. <see cref="User"/> is set only on success.</summary>
public sealed record AuthenticationResult(AuthenticationStatus Status, User? User)
{
    public static readonly AuthenticationResult Failure = new(AuthenticationStatus.Failed, null);
}

/// <summary>
/// Checks a user name and password, slowed by <see cref="LoginThrottle"/>, audited, the same for
/// IMAP and the console. Unknown user, wrong password and disabled account take the same time
/// and give the same answer, so a client learns nothing about which names exist. A sign-in per
/// request (HTTP Basic) writes its success line when the password is checked, not on every
/// request that the <see cref="VerifiedPasswordCache"/> answers (one line per credential per
/// <see cref="VerifiedPasswordCache.Lifetime"/>); failures are always written.
/// </summary>
public sealed class AuthenticationService(IUserStore users, IAuditLog audit, LoginThrottle throttle, VerifiedPasswordCache cache, TimeProvider time)
{
    public async Task<AuthenticationResult> AuthenticateAsync(string userName, string password, IPAddress? address, string? client, CancellationToken cancellationToken,
        bool perRequest = false)
    {
        var addressKey = address?.ToString() ?? "unknown";
        var delay = throttle.DelayFor(addressKey, userName);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken);
        }

        var credentials = UserNames.IsValid(userName) ? await users.FindAsync(userName, cancellationToken) : null;
        var storedHash = credentials?.PasswordHash;
        PasswordCheck check;
        var remembered = storedHash is not null && cache.IsVerified(userName, password, storedHash);
        if (remembered)
        {
            check = PasswordCheck.Match;
        }
        else
        {
            // PBKDF2 at full cost is ~0.2 s of CPU: keep it off the I/O threads.
            check = await Task.Run(() => PasswordHasher.Verify(password, storedHash), cancellationToken);
        }

        if (credentials is null || check == PasswordCheck.Mismatch || credentials.User.Disabled)
        {
            throttle.Failed(addressKey, userName);
            await audit.RecordAsync(
                new AuditRecord(new Actor(credentials?.User.Id, userName, address, client), AuditActions.LoginFailed),
                cancellationToken);
            return AuthenticationResult.Failure;
        }

        throttle.Succeeded(addressKey, userName);
        if (check == PasswordCheck.MatchNeedsRehash)
        {
            await users.SetPasswordHashAsync(credentials.User.Name, PasswordHasher.Hash(password), cancellationToken);
        }
        else if (storedHash is not null)
        {
            cache.Remember(userName, password, storedHash);
        }
        if (!(perRequest && remembered))
        {
            await audit.RecordAsync(
                new AuditRecord(new Actor(credentials.User.Id, credentials.User.Name, address, client), AuditActions.LoginSucceeded),
                cancellationToken);
        }
        return new AuthenticationResult(AuthenticationStatus.Succeeded, credentials.User);
    }
}
