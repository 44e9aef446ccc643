using System.Globalization;
using System.Text.RegularExpressions;

namespace DocStore.Storage.Embedded;

/// <summary>The folder holding a PostgreSQL installation's initdb, pg_ctl and postgres.</summary>
internal sealed partial record PostgresBinaries(string Directory)
{
    public const string DefaultPlaces = "PATH, /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, /usr/local/pgsql/bin, /opt/homebrew/bin, /usr/local/bin";

    private static readonly string[] Programs = ["initdb", "pg_ctl", "postgres"];

    public string InitDb => Path.Combine(Directory, "initdb");

    public string PgCtl => Path.Combine(Directory, "pg_ctl");

    public string Postgres => Path.Combine(Directory, "postgres");

    /// <summary>PATH first (the user's choice), then the packaging conventions, newest version first.</summary>
    public static IReadOnlyList<string> SearchDirectories(string? pathVariable)
    {
        var directories = new List<string>();
        directories.AddRange((pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        directories.AddRange(VersionedDirectories("/usr/lib/postgresql", "", "bin"));
        directories.AddRange(VersionedDirectories("/usr", "pgsql-", "bin"));
        directories.AddRange(["/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin"]);
        return directories;
    }

    /// <summary>
    /// The first installation found. An existing cluster can only be run by its own major version
    /// (<paramref name="clusterVersion"/>, from PG_VERSION), so then the first of that version.
    /// </summary>
    public static async Task<PostgresBinaries> LocateAsync(
        string? binDirectory, IReadOnlyList<string> searchDirectories, string lookedIn, string? clusterVersion, CancellationToken cancellationToken)
    {
        var candidates = binDirectory is null
            ? Candidates(searchDirectories)
            : Candidates([binDirectory]);
        if (candidates.Count == 0)
        {
            throw new PostgresNotInstalledException(PostgresNotInstalledException.MessageFor(binDirectory is null ? lookedIn : $"BinDirectory {binDirectory}"));
        }

        if (clusterVersion is null)
        {
            return candidates[0];
        }

        var found = new List<string>();
        foreach (var candidate in candidates)
        {
            var version = await candidate.MajorVersionAsync(cancellationToken);
            if (string.Equals(version, clusterVersion, StringComparison.Ordinal))
            {
                return candidate;
            }
            found.Add($"{version ?? "unknown version"} in {candidate.Directory}");
        }

        throw new EmbeddedPostgresException(
            $"The cluster was created by PostgreSQL {clusterVersion}, but only other versions were found ({string.Join(", ", found)}). " +
            $"Install PostgreSQL {clusterVersion}'s server (apt-get install postgresql-{clusterVersion}), set BinDirectory to it, or upgrade the cluster with pg_upgrade.");
    }

    /// <summary>
    /// Whether the installation holds the server module <paramref name="name"/> (a contrib library
    /// such as pg_prewarm) in its library folder beside bin: Debian's and PGDG's packages and a
    /// source build put them in lib or lib/postgresql. A module named in shared_preload_libraries
    /// but missing stops the server from starting, so a setting asks this first.
    /// </summary>
    public bool HasModule(string name)
    {
        var home = Path.GetDirectoryName(Directory.TrimEnd(Path.DirectorySeparatorChar));
        if (home is null)
        {
            return false;
        }
        string[] folders = [Path.Combine(home, "lib"), Path.Combine(home, "lib", "postgresql")];
        return folders.Any(f => File.Exists(Path.Combine(f, name + ".so")) || File.Exists(Path.Combine(f, name + ".dylib")));
    }

    /// <summary>"15" for 15.x; "9.6" for 9.6.x, as PG_VERSION spells majors before 10.</summary>
    public async Task<string?> MajorVersionAsync(CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(Postgres, ["--version"], cancellationToken);
        var match = VersionPattern().Match(result.Output);
        if (!result.Succeeded || !match.Success)
        {
            return null;
        }
        var major = match.Groups["major"].Value;
        var minor = match.Groups["minor"];
        return int.Parse(major, CultureInfo.InvariantCulture) >= 10 || !minor.Success ? major : $"{major}.{minor.Value}";
    }

    private static List<PostgresBinaries> Candidates(IEnumerable<string> searchDirectories)
    {
        var candidates = new List<PostgresBinaries>();
        foreach (var directory in searchDirectories)
        {
            var initDb = Path.Combine(directory, "initdb");
            if (!File.Exists(initDb))
            {
                continue;
            }

            // /usr/local/bin/initdb is often a symlink into the real installation, whose folder holds the rest.
            var resolved = File.ResolveLinkTarget(initDb, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(initDb);
            var home = Path.GetDirectoryName(resolved)!;
            if (Array.TrueForAll(Programs, p => File.Exists(Path.Combine(home, p))) && !candidates.Exists(c => string.Equals(c.Directory, home, StringComparison.Ordinal)))
            {
                candidates.Add(new PostgresBinaries(home));
            }
        }
        return candidates;
    }

    private static IEnumerable<string> VersionedDirectories(string parent, string prefix, string leaf)
    {
        if (!System.IO.Directory.Exists(parent))
        {
            return [];
        }
        return System.IO.Directory.EnumerateDirectories(parent, prefix + "*")
            .Select(d => (Path: d, Version: ParseVersion(Path.GetFileName(d)[prefix.Length..])))
            .Where(d => d.Version is not null)
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Path, leaf));
    }

    private static Version? ParseVersion(string text) =>
        Version.TryParse(text.Contains('.', StringComparison.Ordinal) ? text : text + ".0", out var version) ? version : null;

    [GeneratedRegex(@"\(PostgreSQL\) (?<major>\d+)(?:\.(?<minor>\d+))?", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex VersionPattern();
}
