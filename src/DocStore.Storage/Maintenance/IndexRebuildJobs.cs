using Dapper;
using DocStore.Core.Search;
using Npgsql;

namespace DocStore.Storage.Maintenance;

/// <summary>Index rebuild requests and progress in <c>maintenance_job</c> (migration 0013).</summary>
public sealed class IndexRebuildJobs(NpgsqlDataSource dataSource) : IIndexRebuildJobs
{
    private const string Kind = "index-rebuild";

    private const string Columns = """
        id AS Id, node AS Node, requested_by AS RequestedBy, requested_at AS RequestedAt, started_at AS Started,
        finished_at AS Finished, phase AS Phase, done AS Done, total AS Total, error AS Error
        """;

    // The partial unique index allows one open job per node: a second request inserts nothing
    // and reads the open one instead.
    private const string Request = $"""
        WITH added AS (
            INSERT INTO maintenance_job (kind, node, requested_by) VALUES ('{Kind}', @node, @requestedBy)
            ON CONFLICT (node, kind) WHERE finished_at IS NULL DO NOTHING
            RETURNING {Columns}, true AS Created)
        SELECT * FROM added
        UNION ALL
        SELECT {Columns}, false AS Created FROM maintenance_job
         WHERE node = @node AND kind = '{Kind}' AND finished_at IS NULL AND NOT EXISTS (SELECT 1 FROM added)
        """;

    private const string StartNext = $"""
        UPDATE maintenance_job SET started_at = now(), phase = 'listing'
         WHERE id = (SELECT id FROM maintenance_job
                      WHERE node = @node AND kind = '{Kind}' AND started_at IS NULL AND finished_at IS NULL
                      ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING {Columns}, false AS Created
        """;

    public async Task<(bool Created, IndexRebuild Job)> RequestAsync(string node, string requestedBy, CancellationToken cancellationToken)
    {
        // A request that races another one between the insert and the read finds neither: try again.
        for (var attempt = 0; ; attempt++)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(Request, new { node, requestedBy }, cancellationToken: cancellationToken));
            if (row is not null || attempt == 2)
            {
                var found = row ?? throw new InvalidOperationException("The rebuild request could not be stored: try again.");
                return (found.Created, found.ToJob());
            }
        }
    }

    public async Task<IndexRebuild?> StartNextAsync(string node, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(StartNext, new { node }, cancellationToken: cancellationToken)))?.ToJob();
    }

    public async Task ProgressAsync(long id, string phase, long done, long total, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE maintenance_job SET phase = @phase, done = @done, total = @total WHERE id = @id AND finished_at IS NULL",
            new { id, phase, done, total }, cancellationToken: cancellationToken));
    }

    public async Task FinishAsync(long id, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE maintenance_job SET finished_at = now(), phase = @phase, error = @error WHERE id = @id AND finished_at IS NULL",
            new { id, error, phase = error is null ? IndexRebuildPhases.Done : IndexRebuildPhases.Failed }, cancellationToken: cancellationToken));
    }

    public async Task<bool> WithdrawAsync(long id, string error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE maintenance_job SET finished_at = now(), phase = 'failed', error = @error WHERE id = @id AND started_at IS NULL AND finished_at IS NULL",
            new { id, error }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<int> AbandonAsync(string node, string error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE maintenance_job SET finished_at = now(), phase = 'failed', error = @error WHERE node = @node AND kind = '{Kind}' AND finished_at IS NULL",
            new { node, error }, cancellationToken: cancellationToken));
    }

    public async Task<IndexRebuild?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns}, false AS Created FROM maintenance_job WHERE id = @id", new { id }, cancellationToken: cancellationToken)))?.ToJob();
    }

    public async Task<IndexRebuild?> LatestAsync(string node, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns}, false AS Created FROM maintenance_job WHERE node = @node AND kind = '{Kind}' ORDER BY id DESC LIMIT 1",
            new { node }, cancellationToken: cancellationToken)))?.ToJob();
    }

    private sealed record Row(long Id, string Node, string RequestedBy, DateTime RequestedAt, DateTime? Started, DateTime? Finished,
        string Phase, long Done, long Total, string? Error, bool Created)
    {
        public IndexRebuild ToJob() => new(Id, Node, RequestedBy, Utc(RequestedAt), Started is { } s ? Utc(s) : null,
            Finished is { } f ? Utc(f) : null, Phase, Done, Total, Error);

        private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
    }
}
