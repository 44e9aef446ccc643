using System.Security.Cryptography;
using DocStore.Core.Principals;
using DocStore.Core.Security;
using Microsoft.Extensions.Configuration;

namespace DocStore.Host;

/// <summary>
/// The first <c>serve</c> on an empty database creates the administrator <c>admin</c>, with
/// <c>Admin:InitialPassword</c> when configured, else a random password printed once.
/// </summary>
internal static class AdminBootstrap
{
    public const string AdminName = "admin";

    public static async Task EnsureAdminAsync(IUserStore users, IConfiguration configuration, TextWriter console, CancellationToken cancellationToken)
    {
        if (await users.CountAsync(cancellationToken) > 0)
        {
            return;
        }

        var configured = configuration["Admin:InitialPassword"];
        var password = string.IsNullOrEmpty(configured) ? NewPassword() : configured;
        var (result, _) = await users.AddAsync(AdminName, PasswordHasher.Hash(password), isAdmin: true, "Administrator", cancellationToken);
        if (result != UserChange.Done)
        {
            // Another node created it at the same moment: theirs stands.
            return;
        }

        if (string.IsNullOrEmpty(configured))
        {
            await console.WriteLineAsync($"""

                ================================================================
                 DocStore created the administrator account.
                   user:     {AdminName}
                   password: {password}
                 This password is shown only once. Change it with
                   docstore user passwd {AdminName}
                ================================================================

                """);
        }
    }

    public static string NewPassword()
    {
        // 20 characters from an alphabet without look-alikes: about 112 bits.
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }
}
