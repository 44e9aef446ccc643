namespace DocStore.Storage.Embedded;

/// <summary>No PostgreSQL server binaries were found; the one-line message names what to install.</summary>
public sealed class PostgresNotInstalledException : Exception
{
    public PostgresNotInstalledException()
        : this(MessageFor("the usual places"))
    {
    }

    public PostgresNotInstalledException(string message)
        : base(message)
    {
    }

    public PostgresNotInstalledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static string MessageFor(string lookedIn) =>
        $"PostgreSQL server binaries not found (looked in {lookedIn}). Install them: apt-get install postgresql (Debian/Ubuntu), " +
        "dnf install postgresql-server (Fedora/RHEL) or brew install postgresql (macOS), or set ConnectionStrings:DocStore to use an existing database.";
}
