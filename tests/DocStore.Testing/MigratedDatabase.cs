using DocStore.Storage.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace DocStore.Testing;

/// <summary>
/// A fresh database with DocStore's schema on the test run's cluster: one per test class
/// (use it as an <c>IClassFixture</c>).
/// </summary>
public sealed class MigratedDatabase : IAsyncLifetime
{
    private readonly TestDatabase database = new();

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public string ConnectionString => database.ConnectionString;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        DataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await new MigrationRunner(DataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }
        await database.DisposeAsync();
    }
}
