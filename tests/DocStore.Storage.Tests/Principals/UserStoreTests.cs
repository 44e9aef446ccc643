using Dapper;
using DocStore.Core.Principals;
using DocStore.Core.Security;
using DocStore.Storage.Principals;
using DocStore.Testing;
using Xunit;

namespace DocStore.Storage.Tests.Principals;

public sealed class UserStoreTests : IClassFixture<MigratedDatabase>
{
    private readonly MigratedDatabase database;
    private readonly UserStore users;

    public UserStoreTests(MigratedDatabase database)
    {
        this.database = database;
        users = new UserStore(database.DataSource);
    }

    [Fact]
    public async Task A_new_user_gets_the_six_personal_collections_with_their_special_use()
    {
        var (result, user) = await users.AddAsync(Unique("alice"), "$pbkdf2-sha256$i=1$AA==$AA==", isAdmin: false, "Alice", CancellationToken.None);

        Assert.Equal(UserChange.Done, result);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var collections = (await connection.QueryAsync<(string Name, string? SpecialUse)>(
            "SELECT name, special_use FROM collection WHERE owner_id = @id AND parent_id IS NULL ORDER BY id", new { user!.Id })).ToList();
        Assert.Equal(UserStore.DefaultCollections, collections);
    }

    [Fact]
    public async Task Names_are_unique_regardless_of_case()
    {
        var name = Unique("bob");
        await users.AddAsync(name, "h", false, null, CancellationToken.None);

        var (result, _) = await users.AddAsync(name.ToUpperInvariant(), "h", false, null, CancellationToken.None);

        Assert.Equal(UserChange.AlreadyExists, result);
        Assert.NotNull(await users.FindAsync(name.ToUpperInvariant(), CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("-dash-first")]
    [InlineData("semi;colon")]
    public async Task Invalid_names_are_refused_before_reaching_the_database(string name)
    {
        var (result, user) = await users.AddAsync(name, "h", false, null, CancellationToken.None);

        Assert.Equal(UserChange.InvalidName, result);
        Assert.Null(user);
    }

    [Fact]
    public async Task Password_change_and_disable_reach_the_stored_user()
    {
        var name = Unique("carol");
        await users.AddAsync(name, PasswordHasher.Hash("old secret"), false, null, CancellationToken.None);

        Assert.Equal(UserChange.Done, await users.SetPasswordHashAsync(name, PasswordHasher.Hash("new secret"), CancellationToken.None));
        Assert.Equal(UserChange.Done, await users.SetDisabledAsync(name, true, CancellationToken.None));

        var stored = await users.FindAsync(name, CancellationToken.None);
        Assert.Equal(PasswordCheck.Match, PasswordHasher.Verify("new secret", stored!.PasswordHash));
        Assert.Equal(PasswordCheck.Mismatch, PasswordHasher.Verify("old secret", stored.PasswordHash));
        Assert.True(stored.User.Disabled);
        Assert.Contains(await users.ListAsync(CancellationToken.None), u => string.Equals(u.Name, name, StringComparison.Ordinal) && u.Disabled);
    }

    [Fact]
    public async Task Changes_to_a_missing_user_say_so()
    {
        Assert.Equal(UserChange.NotFound, await users.SetPasswordHashAsync(Unique("nobody"), "h", CancellationToken.None));
        Assert.Equal(UserChange.NotFound, await users.SetDisabledAsync(Unique("nobody"), true, CancellationToken.None));
    }

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..20];
}
