using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using Xunit;

namespace DocStore.EndToEnd.Tests.Sharing;

/// <summary>
/// A server with the users alice, bob and carol (password: the name twice) and the group team
/// (bob), all made with the real CLI while the server runs.
/// </summary>
public sealed class SharingServer : IAsyncLifetime
{
    private readonly ScratchDirectory directory = new("docstore-sharing-");

    public DocStoreProcess Server { get; private set; } = null!;

    public string AdminPassword { get; private set; } = null!;

    public string GroupListOutput { get; private set; } = "";

    public static string PasswordOf(string user) => user + user;

    public async Task InitializeAsync()
    {
        Server = await DocStoreProcess.StartAsync(directory.Path);
        AdminPassword = Server.PrintedAdminPassword ?? throw new InvalidOperationException($"no admin password printed:\n{Server.Output}");
        foreach (var user in new[] { "alice", "bob", "carol" })
        {
            await CliAsync(PasswordOf(user) + "\n", "user", "add", user);
        }
        await CliAsync(null, "group", "add", "team");
        await CliAsync(null, "group", "member", "add", "team", "bob");
        GroupListOutput = await CliAsync(null, "group", "list");
    }

    /// <summary>Runs a CLI verb against this server's data folder; throws unless it succeeds.</summary>
    public async Task<string> CliAsync(string? input, params string[] arguments)
    {
        var (code, output) = await DocStoreProcess.RunAsync(input, [.. arguments, "--data-dir", directory.Path]);
        return code == 0 ? output : throw new InvalidOperationException($"docstore {string.Join(' ', arguments)} exited {code}:\n{output}");
    }

    /// <summary>Runs a CLI verb and returns its exit code and output, whatever they are.</summary>
    public Task<(int ExitCode, string Output)> TryCliAsync(params string[] arguments) =>
        DocStoreProcess.RunAsync(null, [.. arguments, "--data-dir", directory.Path]);

    public async Task<RawImap> SignInAsync(string user)
    {
        var imap = await RawImap.ConnectAsync(Server.TlsPort);
        var password = user == "admin" ? AdminPassword : PasswordOf(user);
        var answer = await imap.CommandAsync("L", $"LOGIN {user} \"{password}\"");
        return answer[^1].StartsWith("L OK", StringComparison.Ordinal) ? imap : throw new InvalidOperationException(string.Join('\n', answer));
    }

    public async Task DisposeAsync()
    {
        try
        {
            await DocStoreProcess.CheckAsync(directory.Path);
        }
        finally
        {
            await Server.DisposeAsync();
            directory.Dispose();
        }
    }
}
