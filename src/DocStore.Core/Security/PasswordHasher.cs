using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DocStore.Core.Security;

/// <summary>The outcome of checking a password against a stored hash.</summary>
public enum PasswordCheck
{
    Mismatch,
    Match,
    /// <summary>Correct, but hashed at a lower cost than today's: store a fresh hash.</summary>
    MatchNeedsRehash,
}

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashes in the self-describing form
/// <c>$pbkdf2-sha256$i=600000$salt$hash</c> (base64), at OWASP's recommended cost
/// (Password Storage Cheat Sheet: 600,000 iterations for PBKDF2-HMAC-SHA256).
/// </summary>
public static class PasswordHasher
{
    public const int Iterations = 600_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private const string Prefix = "$pbkdf2-sha256$i=";

    // A hash of a random password: verifying unknown users against it costs the same time as a
    // real check, so response times do not reveal which user names exist.
    private static readonly Lazy<string> DummyHash = new(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(18))));

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public static PasswordCheck Verify(string password, string? storedHash)
    {
        if (storedHash is null || !TryParse(storedHash, out var iterations, out var salt, out var expected))
        {
            // Same work as a real check; the answer is always a mismatch.
            _ = TryParse(DummyHash.Value, out iterations, out salt, out expected);
            Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return PasswordCheck.Mismatch;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return PasswordCheck.Mismatch;
        }
        return iterations < Iterations ? PasswordCheck.MatchNeedsRehash : PasswordCheck.Match;
    }

    private static bool TryParse(string stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var parts = stored[Prefix.Length..].Split('$');
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 1)
        {
            return false;
        }
        try
        {
            salt = Convert.FromBase64String(parts[1]);
            hash = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length > 0 && hash.Length > 0;
    }
}
