using DocStore.Core.Security;
using Xunit;

namespace DocStore.Core.Tests.Security;

public sealed class PasswordHasherTests
{
    [Fact]
    public void A_hash_verifies_its_password_and_nothing_else()
    {
        var hash = PasswordHasher.Hash("correct horse battery staple");

        Assert.StartsWith("$pbkdf2-sha256$i=600000$", hash, StringComparison.Ordinal);
        Assert.Equal(PasswordCheck.Match, PasswordHasher.Verify("correct horse battery staple", hash));
        Assert.Equal(PasswordCheck.Mismatch, PasswordHasher.Verify("correct horse battery stapler", hash));
        Assert.Equal(PasswordCheck.Mismatch, PasswordHasher.Verify("", hash));
    }

    [Fact]
    public void The_same_password_hashes_differently_each_time()
    {
        Assert.NotEqual(PasswordHasher.Hash("secret"), PasswordHasher.Hash("secret"), StringComparer.Ordinal);
    }

    [Fact]
    public void A_hash_made_at_a_lower_cost_asks_to_be_rehashed()
    {
        // Made with i=1000 by the same algorithm: PBKDF2-HMAC-SHA256("secret", salt).
        var salt = new byte[16];
        var derived = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2("secret"u8, salt, 1000, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
        var cheap = $"$pbkdf2-sha256$i=1000${Convert.ToBase64String(salt)}${Convert.ToBase64String(derived)}";

        Assert.Equal(PasswordCheck.MatchNeedsRehash, PasswordHasher.Verify("secret", cheap));
        Assert.Equal(PasswordCheck.Mismatch, PasswordHasher.Verify("other", cheap));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plaintext")]
    [InlineData("$pbkdf2-sha256$i=x$AA==$AA==")]
    [InlineData("$pbkdf2-sha256$i=1000$not base64$AA==")]
    public void Missing_or_malformed_hashes_never_match(string? stored)
    {
        Assert.Equal(PasswordCheck.Mismatch, PasswordHasher.Verify("plaintext", stored));
    }
}
