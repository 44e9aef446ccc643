using System.Text.Json;
using Dapper;
using DocStore.Core.Auditing;
using Npgsql;

namespace DocStore.Storage.Auditing;

/// <summary>Writes the append-only <c>audit</c> table.</summary>
public sealed class AuditLog(NpgsqlDataSource dataSource) : IAuditLog
{
    public async Task RecordAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await RecordAsync(connection, null, record, cancellationToken);
    }

    /// <summary>Records inside a caller's transaction, so the audit line commits with the change it describes.</summary>
    public static Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, AuditRecord record, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit (principal_id, principal_name, action, collection_id, document_id, address, client, details)
            VALUES (@PrincipalId, @PrincipalName, @Action, @CollectionId, @DocumentId, @Address::inet, @Client, @Details::jsonb)
            """,
            new
            {
                record.Actor.PrincipalId,
                record.Actor.PrincipalName,
                record.Action,
                record.CollectionId,
                record.DocumentId,
                Address = record.Actor.Address?.ToString(),
                record.Actor.Client,
                Details = record.Details is null ? null : JsonSerializer.Serialize(record.Details),
            },
            transaction, cancellationToken: cancellationToken));
}
