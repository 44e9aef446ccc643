using System.Runtime.Versioning;
using DocStore.Storage.Embedded;
using DocStore.Testing;
using Xunit;

namespace DocStore.Storage.Tests.Embedded;

[UnsupportedOSPlatform("windows")]
public sealed class PostgresBinariesTests : IDisposable
{
    private readonly ScratchDirectory scratch = new("docstore-binaries-");

    [Fact]
    public void The_search_starts_with_path_in_its_order_and_ends_with_the_usual_prefixes()
    {
        var directories = PostgresBinaries.SearchDirectories("/opt/first:/opt/second");

        Assert.Equal(["/opt/first", "/opt/second"], directories.Take(2), StringComparer.Ordinal);
        Assert.Equal(["/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin"], directories.TakeLast(3), StringComparer.Ordinal);
    }

    [Fact]
    public async Task A_symlinked_initdb_leads_to_the_installation_it_points_into()
    {
        var installation = FakeInstallation("real", "15.4");
        var path = Directory.CreateDirectory(Path.Combine(scratch.Path, "path")).FullName;
        File.CreateSymbolicLink(Path.Combine(path, "initdb"), Path.Combine(installation, "initdb"));

        var found = await PostgresBinaries.LocateAsync(null, [path], "test", null, CancellationToken.None);

        Assert.Equal(installation, found.Directory);
    }

    [Fact]
    public async Task A_folder_with_initdb_but_not_the_server_is_passed_over()
    {
        var clientOnly = Directory.CreateDirectory(Path.Combine(scratch.Path, "client")).FullName;
        await File.WriteAllTextAsync(Path.Combine(clientOnly, "initdb"), "");
        var installation = FakeInstallation("server", "15.4");

        var found = await PostgresBinaries.LocateAsync(null, [clientOnly, installation], "test", null, CancellationToken.None);

        Assert.Equal(installation, found.Directory);
    }

    [Fact]
    public async Task An_existing_cluster_gets_the_binaries_of_its_own_major_version()
    {
        var newer = FakeInstallation("16", "16.2");
        var older = FakeInstallation("14", "14.11");

        var found = await PostgresBinaries.LocateAsync(null, [newer, older], "test", "14", CancellationToken.None);

        Assert.Equal(older, found.Directory);
    }

    [Fact]
    public async Task An_existing_cluster_without_binaries_of_its_version_says_which_to_install()
    {
        var newer = FakeInstallation("16", "16.2");

        var error = await Assert.ThrowsAsync<EmbeddedPostgresException>(() =>
            PostgresBinaries.LocateAsync(null, [newer], "test", "9.6", CancellationToken.None));

        Assert.Contains("created by PostgreSQL 9.6", error.Message, StringComparison.Ordinal);
        Assert.Contains("16 in " + newer, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicit_bin_directory_is_the_only_place_looked()
    {
        var installation = FakeInstallation("elsewhere", "15.4");
        var empty = Directory.CreateDirectory(Path.Combine(scratch.Path, "empty")).FullName;

        var error = await Assert.ThrowsAsync<PostgresNotInstalledException>(() =>
            PostgresBinaries.LocateAsync(empty, [installation], "test", null, CancellationToken.None));

        Assert.Contains("BinDirectory " + empty, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_found_names_the_places_looked_and_what_to_install()
    {
        var error = await Assert.ThrowsAsync<PostgresNotInstalledException>(() =>
            PostgresBinaries.LocateAsync(null, [scratch.Path], PostgresBinaries.DefaultPlaces, null, CancellationToken.None));

        Assert.Equal(
            "PostgreSQL server binaries not found (looked in PATH, /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, /usr/local/pgsql/bin, /opt/homebrew/bin, /usr/local/bin). " +
            "Install them: apt-get install postgresql (Debian/Ubuntu), dnf install postgresql-server (Fedora/RHEL) or brew install postgresql (macOS), " +
            "or set ConnectionStrings:DocStore to use an existing database.",
            error.Message);
    }

    [Fact]
    public async Task The_machines_own_installation_reports_its_version()
    {
        var found = await PostgresBinaries.LocateAsync(
            null, PostgresBinaries.SearchDirectories(Environment.GetEnvironmentVariable("PATH")), PostgresBinaries.DefaultPlaces, null, CancellationToken.None);

        Assert.Matches(@"^\d+(\.\d+)?$", await found.MajorVersionAsync(CancellationToken.None));
    }

    public void Dispose() => scratch.Dispose();

    /// <summary>initdb, pg_ctl and a postgres that only answers --version.</summary>
    private string FakeInstallation(string name, string version)
    {
        var bin = Directory.CreateDirectory(Path.Combine(scratch.Path, name, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "initdb"), "");
        File.WriteAllText(Path.Combine(bin, "pg_ctl"), "");
        var postgres = Path.Combine(bin, "postgres");
        File.WriteAllText(postgres, $"#!/bin/sh\necho 'postgres (PostgreSQL) {version} (fake)'\n");
        File.SetUnixFileMode(postgres, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    }
}
