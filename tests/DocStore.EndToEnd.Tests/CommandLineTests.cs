using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using MailKit.Security;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>The docstore verbs, against a database of the test cluster (external mode).</summary>
public sealed class CommandLineTests : IClassFixture<TestDatabase>
{
    private readonly TestDatabase database;

    public CommandLineTests(TestDatabase database) => this.database = database;

    [Fact]
    public async Task Migrate_twice_applies_the_schema_once()
    {
        var first = await Run(null, "migrate");
        var second = await Run(null, "migrate");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain("Applied", second.Output, StringComparison.Ordinal);
        Assert.Contains("up to date", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_are_added_listed_changed_and_disabled_from_the_command_line()
    {
        Assert.Equal(0, (await Run("first-password\n", "user", "add", "frank", "--display-name", "Frank F.")).ExitCode);
        var duplicate = await Run("x\n", "user", "add", "FRANK");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Output, StringComparison.Ordinal);

        Assert.Equal(0, (await Run(null, "user", "passwd", "frank", "--password", "second-password")).ExitCode);
        var list = await Run(null, "user", "list");
        Assert.Contains("frank", list.Output, StringComparison.Ordinal);
        Assert.Contains("Frank F.", list.Output, StringComparison.Ordinal);

        using var directory = new ScratchDirectory("docstore-e2e-");
        await using var server = await DocStoreProcess.StartAsync(directory.Path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:DocStore"] = database.ConnectionString,
        });
        using (var client = await ImapClients.ConnectAsync(server.TlsPort, SecureSocketOptions.SslOnConnect))
        {
            await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("frank", "first-password"));
            await client.AuthenticateAsync("frank", "second-password");
        }

        Assert.Equal(0, (await Run(null, "user", "disable", "frank")).ExitCode);
        using (var client = await ImapClients.ConnectAsync(server.TlsPort, SecureSocketOptions.SslOnConnect))
        {
            await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("frank", "second-password"));
        }
        Assert.Contains("disabled", (await Run(null, "user", "list")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mistakes_on_the_command_line_get_a_clear_answer()
    {
        var badName = await Run("pw\n", "user", "add", "has space");
        var missing = await Run(null, "user", "passwd", "nobody-at-all", "--password", "x");
        var empty = await Run("\n", "user", "add", "gina");

        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("not a valid user name", badName.Output, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("there is no user", missing.Output, StringComparison.Ordinal);
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("password is empty", empty.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_shows_the_database_and_whether_the_server_runs()
    {
        var status = await Run(null, "status");

        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains("Database:      ok", status.Output, StringComparison.Ordinal);
        Assert.Contains("Schema:        version", status.Output, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Output)> Run(string? input, params string[] arguments) =>
        DocStoreProcess.RunAsync(input, [.. arguments, "--connection-string", database.ConnectionString]);
}
