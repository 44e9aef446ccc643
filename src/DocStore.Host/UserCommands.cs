using System.CommandLine;
using DocStore.Core.Auditing;
using DocStore.Core.Principals;
using DocStore.Core.Security;
using DocStore.Storage.Auditing;
using DocStore.Storage.Principals;

namespace DocStore.Host;

/// <summary><c>docstore user add|passwd|list|disable|enable</c>.</summary>
internal static class UserCommands
{
    private static readonly Argument<string> NameArgument = new("name") { Description = "The user name." };

    private static readonly Option<string?> PasswordOption = new("--password")
    {
        Description = "The password. Without it, it is read from standard input (one line), or prompted for on a terminal.",
    };

    private static readonly Option<bool> GeneratePasswordOption = new("--generate-password")
    {
        Description = "Make a random password and print it once.",
    };

    public static Command Create()
    {
        var user = new Command("user", "Manage users.");
        user.Subcommands.Add(Add());
        user.Subcommands.Add(Passwd());
        user.Subcommands.Add(List());
        user.Subcommands.Add(SetDisabled("disable", "Disable a user: they can no longer sign in; their documents stay.", disabled: true));
        user.Subcommands.Add(SetDisabled("enable", "Enable a disabled user again.", disabled: false));
        return user;
    }

    private static Command Add()
    {
        var admin = new Option<bool>("--admin") { Description = "Make the user an administrator." };
        var displayName = new Option<string?>("--display-name") { Description = "The name shown to others." };
        var command = new Command("add", "Add a user with INBOX, Sent, Drafts, Trash, Junk and Archive.")
        {
            NameArgument, PasswordOption, GeneratePasswordOption, admin, displayName,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(NameArgument)!;
            if (!UserNames.IsValid(name))
            {
                await Console.Error.WriteLineAsync($"docstore: '{name}' is not a valid user name ({UserNames.Rule}).");
                return 2;
            }
            var password = ReadPassword(parse);
            if (password is null)
            {
                return 2;
            }

            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 1;
            }
            var (result, _) = await new UserStore(cli.Database.DataSource).AddAsync(name, PasswordHasher.Hash(password), parse.GetValue(admin), parse.GetValue(displayName), cancellationToken);
            return await Report(cli, result, name, AuditActions.UserAdded, $"Added user {name}.", cancellationToken);
        });
        return command;
    }

    private static Command Passwd()
    {
        var command = new Command("passwd", "Set a user's password.") { NameArgument, PasswordOption, GeneratePasswordOption };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(NameArgument)!;
            var password = ReadPassword(parse);
            if (password is null)
            {
                return 2;
            }
            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 1;
            }
            var result = await new UserStore(cli.Database.DataSource).SetPasswordHashAsync(name, PasswordHasher.Hash(password), cancellationToken);
            return await Report(cli, result, name, AuditActions.PasswordChanged, $"Changed the password of {name}.", cancellationToken);
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List users.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 1;
            }
            var users = await new UserStore(cli.Database.DataSource).ListAsync(cancellationToken);
            Console.WriteLine($"{"NAME",-24} {"ROLE",-6} {"STATE",-9} {"CREATED",-20} DISPLAY NAME");
            foreach (var u in users)
            {
                Console.WriteLine($"{u.Name,-24} {(u.IsAdmin ? "admin" : "user"),-6} {(u.Disabled ? "disabled" : "active"),-9} {u.CreatedAt.UtcDateTime,-20:yyyy-MM-dd HH:mm:ss} {u.DisplayName}");
            }
            return 0;
        });
        return command;
    }

    private static Command SetDisabled(string verb, string description, bool disabled)
    {
        var command = new Command(verb, description) { NameArgument };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(NameArgument)!;
            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 1;
            }
            var result = await new UserStore(cli.Database.DataSource).SetDisabledAsync(name, disabled, cancellationToken);
            return await Report(cli, result, name, disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, disabled ? $"Disabled {name}." : $"Enabled {name}.", cancellationToken);
        });
        return command;
    }

    private static async Task<int> Report(CliDatabase cli, UserChange result, string name, string action, string done, CancellationToken cancellationToken)
    {
        switch (result)
        {
            case UserChange.Done:
                // The command line acts as the operating-system user who ran it.
                await new AuditLog(cli.Database.DataSource).RecordAsync(
                    new AuditRecord(new Actor(null, Environment.UserName, null, "docstore-cli"), action, Details: new Dictionary<string, string>(StringComparer.Ordinal) { ["user"] = name }),
                    cancellationToken);
                Console.WriteLine(done);
                return 0;
            case UserChange.AlreadyExists:
                await Console.Error.WriteLineAsync($"docstore: a user or group named '{name}' already exists.");
                return 1;
            case UserChange.NotFound:
                await Console.Error.WriteLineAsync($"docstore: there is no user '{name}' (see: docstore user list).");
                return 1;
            default:
                await Console.Error.WriteLineAsync($"docstore: '{name}' is not a valid user name ({UserNames.Rule}).");
                return 2;
        }
    }

    /// <summary>The password from --password, --generate-password, or standard input; null after reporting a problem.</summary>
    private static string? ReadPassword(ParseResult parse)
    {
        string? password;
        if (parse.GetValue(GeneratePasswordOption))
        {
            password = AdminBootstrap.NewPassword();
            Console.WriteLine($"Password: {password}");
            return password;
        }
        password = parse.GetValue(PasswordOption);
        if (password is null)
        {
            if (!Console.IsInputRedirected)
            {
                Console.Write("Password: ");
            }
            password = Console.IsInputRedirected ? Console.In.ReadLine() : ReadHidden();
        }
        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("docstore: the password is empty. Give one with --password, on standard input, or use --generate-password.");
            return null;
        }
        return password;
    }

    private static string ReadHidden()
    {
        var chars = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.WriteLine();
                return chars.ToString();
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (chars.Length > 0)
                {
                    chars.Length--;
                }
                continue;
            }
            chars.Append(key.KeyChar);
        }
    }
}
