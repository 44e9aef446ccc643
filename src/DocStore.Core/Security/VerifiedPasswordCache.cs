using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace DocStore.Core.Security;

/// <summary>
/// Remembers, for a short while, that a name and password matched a stored hash, so that a
/// client that signs in again and again (an API script with HTTP Basic, a mail client opening
/// ten connections) does not pay PBKDF2's 0.2 s of CPU each time (Dovecot's auth cache does
/// the same). Nothing secret is kept: the key is an HMAC of name, password and stored hash
/// under a random per-process key, so a changed password or hash misses the cache at once.
/// Disabled accounts are checked by the caller on every sign-in, never cached.
/// </summary>
public sealed class VerifiedPasswordCache(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private const int MaxEntries = 10_000;

    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> verified = new(StringComparer.Ordinal);

    public bool IsVerified(string userName, string password, string storedHash)
    {
        var entry = KeyOf(userName, password, storedHash);
        if (!verified.TryGetValue(entry, out var expires))
        {
            return false;
        }
        if (expires > time.GetUtcNow())
        {
            return true;
        }
        verified.TryRemove(entry, out _);
        return false;
    }

    public void Remember(string userName, string password, string storedHash)
    {
        var now = time.GetUtcNow();
        if (verified.Count >= MaxEntries)
        {
            foreach (var stale in verified.Where(e => e.Value <= now).Select(e => e.Key).ToList())
            {
                verified.TryRemove(stale, out _);
            }
            if (verified.Count >= MaxEntries)
            {
                verified.Clear();
            }
        }
        verified[KeyOf(userName, password, storedHash)] = now + Lifetime;
    }

    private string KeyOf(string userName, string password, string storedHash)
    {
        var material = Encoding.UTF8.GetBytes(userName.ToUpperInvariant() + "\0" + password + "\0" + storedHash);
        try
        {
            return Convert.ToBase64String(HMACSHA256.HashData(key, material));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }
}
