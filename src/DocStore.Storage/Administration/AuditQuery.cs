using Dapper;
using DocStore.Core.Administration;
using Npgsql;

namespace DocStore.Storage.Administration;

/// <summary><see cref="IAuditQuery"/> on the <c>audit</c> table: newest first, keyset pages by id.</summary>
public sealed class AuditQuery(NpgsqlDataSource dataSource) : IAuditQuery
{
    public const int MaxLimit = 500;

    // Every filter is a parameter that is either NULL (no filter) or compared: one plan shape,
    // no SQL assembled from input.
    private const string Select = """
        SELECT id AS Id, at AS At, principal_id AS PrincipalId, principal_name AS PrincipalName, action AS Action,
               collection_id AS CollectionId, document_id AS DocumentId, host(address) AS Address, client AS Client,
               details::text AS DetailsJson
          FROM audit
         WHERE (@user::text IS NULL OR lower(principal_name) = lower(@user::text))
           AND (@action::text IS NULL OR action = @action::text)
           AND (@collection::bigint IS NULL OR collection_id = @collection::bigint)
           AND (@from::timestamptz IS NULL OR at >= @from::timestamptz)
           AND (@to::timestamptz IS NULL OR at < @to::timestamptz)
           AND (@before::bigint IS NULL OR id < @before::bigint)
         ORDER BY id DESC
         LIMIT @limit
        """;

    public async Task<IReadOnlyList<AuditEntry>> FindAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(Select, new
        {
            user = filter.User,
            action = filter.Action,
            collection = filter.CollectionId,
            from = filter.From?.UtcDateTime,
            to = filter.To?.UtcDateTime,
            before = filter.Before,
            limit = Math.Clamp(filter.Limit, 1, MaxLimit),
        }, cancellationToken: cancellationToken));
        return rows.Select(r => new AuditEntry(r.Id, new DateTimeOffset(r.At, TimeSpan.Zero), r.PrincipalId, r.PrincipalName, r.Action,
            r.CollectionId, r.DocumentId, r.Address, r.Client, r.DetailsJson)).ToList();
    }

    public async Task<IReadOnlyList<string>> ActionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var actions = await connection.QueryAsync<string>(new CommandDefinition(
            """SELECT action FROM audit GROUP BY action ORDER BY action COLLATE "C" """, cancellationToken: cancellationToken));
        return actions.ToList();
    }

    private sealed record Row(long Id, DateTime At, long? PrincipalId, string? PrincipalName, string Action,
        long? CollectionId, long? DocumentId, string? Address, string? Client, string? DetailsJson);
}
