namespace DocStore.Storage.Embedded;

/// <summary>Where the embedded cluster lives and how it is run.</summary>
public sealed record EmbeddedPostgresOptions
{
    /// <summary>The cluster's data directory, e.g. <c>./data/postgres</c>; created on first start.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The folder holding initdb, pg_ctl and postgres. When set it is the only place looked.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>The unprivileged user that runs the server when DocStore runs as root (default <c>postgres</c>); ignored otherwise.</summary>
    public string? RunAsUser { get; init; }

    /// <summary>Bounds starting or adopting the server, until a real connection succeeds.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
