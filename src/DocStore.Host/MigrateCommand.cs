using System.CommandLine;

namespace DocStore.Host;

/// <summary><c>docstore migrate</c>: apply pending schema migrations and exit.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply pending database migrations (serve does this too); a second run does nothing.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 1;
            }
            foreach (var migration in cli.Migration.Applied)
            {
                Console.WriteLine($"Applied {migration.Version:D4}_{migration.Name}");
            }
            Console.WriteLine(cli.Migration.Applied.Count == 0
                ? $"Database schema is up to date at version {cli.Migration.CurrentVersion} ({cli.Database.Description})."
                : $"Database schema is now at version {cli.Migration.CurrentVersion} ({cli.Database.Description}).");
            return 0;
        });
        return command;
    }
}
