using Dapper;
using DocStore.Core.Administration;
using DocStore.Core.Principals;

namespace DocStore.Storage.Principals;

public sealed partial class UserStore : IUserProfileStore
{
    public async Task<UserChange> SetProfileAsync(string name, string? displayName, bool isAdmin, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE principal SET display_name = @displayName, is_admin = @isAdmin WHERE kind = 'user' AND lower(name) = lower(@name)",
            new { name, displayName, isAdmin }, cancellationToken: cancellationToken));
        return changed == 0 ? UserChange.NotFound : UserChange.Done;
    }
}
