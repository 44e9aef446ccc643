using Dapper;
using DocStore.Core.Health;
using Npgsql;

namespace DocStore.Storage.Health;

/// <summary>Healthy when a query round-trips; reports the schema version and server version.</summary>
public sealed class DatabaseHealthProbe(NpgsqlDataSource dataSource, string description) : IHealthProbe
{
    public async Task<HealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
            var schema = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
                "SELECT max(version) FROM schema_migration", cancellationToken: timeout.Token));
            return new HealthResult("database", true, description, new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["schemaVersion"] = schema,
                ["serverVersion"] = connection.PostgreSqlVersion.ToString(),
            });
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return new HealthResult("database", false, $"{description}: {ex.Message}");
        }
    }
}
