namespace DocStore.Storage.Embedded;

/// <summary>
/// The OS user the server runs as: the current user, or, when DocStore runs as root (which
/// initdb and postgres refuse), an unprivileged user the server's programs are switched to.
/// </summary>
internal sealed class ServerAccount
{
    private const string DefaultUser = "postgres";

    private readonly string? userId;
    private readonly string? groupId;

    private ServerAccount(string name, string? userId, string? groupId)
    {
        Name = name;
        this.userId = userId;
        this.groupId = groupId;
    }

    public string Name { get; }

    public bool SwitchesUser => userId is not null;

    public static async Task<ServerAccount> ResolveAsync(string? runAsUser, CancellationToken cancellationToken)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return new ServerAccount(Environment.UserName, null, null);
        }

        var name = string.IsNullOrWhiteSpace(runAsUser) ? DefaultUser : runAsUser;
        var isDefault = string.IsNullOrWhiteSpace(runAsUser);
        var user = await ProcessRunner.RunAsync("id", ["-u", "--", name], cancellationToken);
        var group = await ProcessRunner.RunAsync("id", ["-g", "--", name], cancellationToken);
        if (!user.Succeeded || !group.Succeeded)
        {
            throw new EmbeddedPostgresException(isDefault
                ? "DocStore runs as root, which PostgreSQL refuses, so the embedded cluster runs as the user 'postgres', and there is no such user. " +
                  "Install PostgreSQL's package (apt-get install postgresql creates it), create it (useradd --system --home-dir /var/lib/postgresql postgres), or set RunAsUser to an unprivileged user."
                : $"RunAsUser '{name}' does not exist. Create it (useradd --system {name}) or name an existing unprivileged user.");
        }
        if (user.Output is "0")
        {
            throw new EmbeddedPostgresException($"RunAsUser '{name}' is root, which PostgreSQL refuses. Name an unprivileged user.");
        }
        return new ServerAccount(name, user.Output, group.Output);
    }

    public Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        userId is null
            ? ProcessRunner.RunAsync(program, arguments, cancellationToken)
            : ProcessRunner.RunAsync("setpriv", [$"--reuid={userId}", $"--regid={groupId}", "--init-groups", "--", program, .. arguments], cancellationToken);

    /// <summary>Makes files root created for the server its own (a symlink itself, never its target).</summary>
    public async Task TakeOwnershipAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        if (userId is null)
        {
            return;
        }
        var result = await ProcessRunner.RunAsync("chown", ["-h", $"{userId}:{groupId}", "--", .. paths], cancellationToken);
        if (!result.Succeeded)
        {
            throw new EmbeddedPostgresException($"Could not give {string.Join(", ", paths)} to '{Name}': {result.Output}");
        }
    }

    /// <summary>The server's user must be able to enter every folder above the data directory.</summary>
    public async Task EnsureCanReachAsync(string directory, CancellationToken cancellationToken)
    {
        if (userId is null || OperatingSystem.IsWindows())
        {
            return;
        }

        var ancestors = new List<string>();
        for (var parent = Path.GetDirectoryName(directory); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            ancestors.Insert(0, parent);
        }
        foreach (var ancestor in ancestors)
        {
            if (File.GetUnixFileMode(ancestor).HasFlag(UnixFileMode.OtherExecute))
            {
                continue;
            }
            var probe = await RunAsync("test", ["-x", ancestor], cancellationToken);
            if (!probe.Succeeded)
            {
                throw new EmbeddedPostgresException(
                    $"The embedded PostgreSQL runs as '{Name}', which cannot enter {ancestor} on the way to {directory}. " +
                    $"Put the data folder where '{Name}' can reach it (e.g. under /var/lib/docstore), or let it through: chmod o+x {ancestor}.");
            }
        }
    }
}
