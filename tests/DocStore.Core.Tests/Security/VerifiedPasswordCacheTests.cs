using DocStore.Core.Security;
using Xunit;

namespace DocStore.Core.Tests.Security;

public sealed class VerifiedPasswordCacheTests
{
    private readonly ManualTime time = new();

    [Fact]
    public void A_remembered_password_is_verified_until_its_lifetime_ends()
    {
        var cache = new VerifiedPasswordCache(time);
        cache.Remember("alice", "secret", "hash-1");

        Assert.True(cache.IsVerified("alice", "secret", "hash-1"));
        Assert.True(cache.IsVerified("ALICE", "secret", "hash-1"));
        time.Advance(VerifiedPasswordCache.Lifetime + TimeSpan.FromSeconds(1));
        Assert.False(cache.IsVerified("alice", "secret", "hash-1"));
    }

    [Theory]
    [InlineData("alice", "Secret", "hash-1")]
    [InlineData("bob", "secret", "hash-1")]
    [InlineData("alice", "secret", "hash-2")]
    public void Another_password_user_or_stored_hash_misses(string user, string password, string hash)
    {
        var cache = new VerifiedPasswordCache(time);
        cache.Remember("alice", "secret", "hash-1");

        Assert.False(cache.IsVerified(user, password, hash));
    }
}
