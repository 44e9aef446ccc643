using Dapper;
using DocStore.Core.Administration;
using Npgsql;

namespace DocStore.Storage.Administration;

/// <summary><see cref="ISystemStatistics"/> and <see cref="ICollectionDirectory"/> by plain queries.</summary>
public sealed class SystemStatistics(NpgsqlDataSource dataSource) : ISystemStatistics, ICollectionDirectory
{
    private const string Totals = """
        SELECT (SELECT count(*) FROM principal WHERE kind = 'user') AS Users,
               (SELECT count(*) FROM principal WHERE kind = 'group') AS Groups,
               (SELECT count(*) FROM collection) AS Collections,
               (SELECT count(*) FROM document WHERE trashed_at IS NULL) AS Documents,
               (SELECT count(*) FROM document WHERE trashed_at IS NOT NULL) AS TrashedDocuments,
               (SELECT count(*) FROM entry) AS Entries,
               (SELECT count(*) FROM blob) AS Blobs,
               (SELECT coalesce(sum(size), 0)::bigint FROM blob) AS BlobBytes,
               pg_database_size(current_database()) AS DatabaseBytes,
               (SELECT count(*) FROM web_session WHERE ended_at IS NULL AND expires_at > now()) AS ConsoleSessions,
               (SELECT count(*) FROM audit WHERE action = 'login-failed' AND at > now() - interval '24 hours') AS FailedSignInsToday
        """;

    // Days in UTC; generate_series gives the days without activity their zero.
    private const string Activity = """
        WITH days AS (
            SELECT g AS day FROM generate_series(date_trunc('day', now(), 'UTC') - (@days - 1) * interval '1 day',
                                                 date_trunc('day', now(), 'UTC'), interval '1 day') AS g
        ), documents AS (
            SELECT date_trunc('day', created_at, 'UTC') AS day, count(*) AS n
              FROM document WHERE created_at >= (SELECT min(day) FROM days) GROUP BY 1
        ), bytes AS (
            SELECT date_trunc('day', created_at, 'UTC') AS day, sum(size)::bigint AS n
              FROM blob WHERE created_at >= (SELECT min(day) FROM days) GROUP BY 1
        )
        SELECT (d.day AT TIME ZONE 'UTC')::date AS Day, coalesce(documents.n, 0) AS Documents, coalesce(bytes.n, 0) AS Bytes
          FROM days d
          LEFT JOIN documents ON documents.day = d.day
          LEFT JOIN bytes ON bytes.day = d.day
         ORDER BY d.day
        """;

    public async Task<StoreTotals> TotalsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<StoreTotals>(new CommandDefinition(Totals, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<DayActivity>> ActivityAsync(int days, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(DateTime Day, long Documents, long Bytes)>(new CommandDefinition(
            Activity, new { days = Math.Clamp(days, 1, 366) }, cancellationToken: cancellationToken));
        return rows.Select(r => new DayActivity(DateOnly.FromDateTime(r.Day), r.Documents, r.Bytes)).ToList();
    }

    public async Task<string?> OwnerNameAsync(long collectionId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT p.name FROM collection c JOIN principal p ON p.id = c.owner_id WHERE c.id = @collectionId",
            new { collectionId }, cancellationToken: cancellationToken));
    }
}
