using DocStore.Storage.Embedded;
using DocStore.Testing;
using Npgsql;

namespace DocStore.Storage.Tests.Embedded;

/// <summary>A test's own data folder and every cluster handle it made; disposing stops whatever still runs there.</summary>
internal sealed class ClusterScratch : IAsyncDisposable
{
    private readonly ScratchDirectory directory = new("docstore-embedded-");
    private readonly List<EmbeddedPostgres> handles = [];

    public ClusterScratch(string? leaf = null) => DataDirectory = Path.Combine(directory.Path, leaf ?? "postgres");

    public string Root => directory.Path;

    public RecordingLogger Log { get; } = new();

    public string DataDirectory { get; }

    public string PidFile => Path.Combine(DataDirectory, "postmaster.pid");

    public EmbeddedPostgresOptions Options => new() { DataDirectory = DataDirectory, StartTimeout = TimeSpan.FromSeconds(30) };

    public async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions? options = null)
    {
        var cluster = await EmbeddedPostgres.StartAsync(options ?? Options, Log, CancellationToken.None);
        handles.Add(cluster);
        return cluster;
    }

    public static async Task<T> QueryAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var cluster in handles)
        {
            await cluster.StopAsync(CancellationToken.None);
        }
        directory.Dispose();
    }
}
