using System.CommandLine;
using DocStore.Storage;
using DocStore.Storage.Mailboxes;
using Microsoft.Extensions.Configuration;

namespace DocStore.Host;

/// <summary>
/// Configuration the .NET way: appsettings.json beside the executable, then environment
/// variables (<c>DOCSTORE__Imap__Port=143</c>), then the command line (<c>--Imap:Port=143</c>
/// or the named options below), later sources winning.
/// </summary>
internal static class HostSettings
{
    public static readonly Option<string?> DataDirectory = new("--data-dir")
    {
        Description = "The data folder (database, index, TLS certificate, logs). Default: ./data",
        Recursive = true,
    };

    public static readonly Option<string?> ConnectionString = new("--connection-string")
    {
        Description = "Use this PostgreSQL database instead of the embedded one (ConnectionStrings:DocStore).",
        Recursive = true,
    };

    public static IReadOnlyList<Option> CommonOptions { get; } = [DataDirectory, ConnectionString];

    public static IConfigurationRoot Build(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (parse.GetValue(DataDirectory) is { } dataDirectory)
        {
            overrides["DataDirectory"] = dataDirectory;
        }
        if (parse.GetValue(ConnectionString) is { } connectionString)
        {
            overrides["ConnectionStrings:DocStore"] = connectionString;
        }

        return new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables("DOCSTORE__")
            .AddCommandLine(parse.UnmatchedTokens.ToArray())
            .AddInMemoryCollection(overrides)
            .Build();
    }

    public static string DataDirectoryOf(IConfiguration configuration) =>
        Path.GetFullPath(configuration["DataDirectory"] is { Length: > 0 } configured ? configured : "data");

    public static StorageOptions StorageOf(IConfiguration configuration) => new()
    {
        DataDirectory = DataDirectoryOf(configuration),
        ConnectionString = configuration.GetConnectionString("DocStore"),
        RunAsUser = configuration["Postgres:RunAsUser"],
        FlagDurability = FlagDurabilityOf(configuration["Storage:FlagDurability"]),
    };

    /// <summary><c>durable</c> (the default) or <c>fast</c>, in any case; anything else stops the start.</summary>
    public static FlagDurability FlagDurabilityOf(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "durable" => FlagDurability.Durable,
        "fast" => FlagDurability.Fast,
        _ => throw new InvalidOperationException($"Storage:FlagDurability is '{value}'; it must be 'durable' or 'fast'."),
    };
}
