using System.CommandLine;
using DocStore.Storage;
using DocStore.Storage.Embedded;
using DocStore.Storage.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace DocStore.Host;

/// <summary>
/// What every CLI verb needs: configuration, quiet logging, and the migrated database. A verb
/// run next to a running server uses that server's embedded cluster and leaves it running.
/// </summary>
internal sealed class CliDatabase : IAsyncDisposable
{
    private readonly ILoggerFactory loggerFactory;

    private CliDatabase(IConfigurationRoot configuration, ILoggerFactory loggerFactory, DocStoreDatabase database, MigrationResult migration)
    {
        Configuration = configuration;
        this.loggerFactory = loggerFactory;
        Database = database;
        Migration = migration;
    }

    public IConfigurationRoot Configuration { get; }

    public DocStoreDatabase Database { get; }

    /// <summary>What opening the database migrated.</summary>
    public MigrationResult Migration { get; }

    public static async Task<CliDatabase?> OpenAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var configuration = HostSettings.Build(parse);
        var logging = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(LogLevel.Warning));
        try
        {
            var database = await DocStoreDatabase.OpenAsync(HostSettings.StorageOf(configuration), logging, ownServer: false, cancellationToken);
            var migration = await database.MigrateAsync(logging, cancellationToken);
            return new CliDatabase(configuration, logging, database, migration);
        }
        catch (Exception ex) when (ex is PostgresNotInstalledException or EmbeddedPostgresException or Npgsql.NpgsqlException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"docstore: {ex.Message}");
            logging.Dispose();
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        loggerFactory.Dispose();
    }
}
