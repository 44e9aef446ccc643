namespace DocStore.Core.Administration;

/// <summary>What to show of the audit trail; every filter is optional, pages go backwards by id.</summary>
public sealed record AuditFilter(
    string? User = null,
    string? Action = null,
    long? CollectionId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    long? Before = null,
    int Limit = 50);

/// <summary>One audit line as the console shows it; <see cref="DetailsJson"/> is the stored JSON object.</summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    long? PrincipalId,
    string? PrincipalName,
    string Action,
    long? CollectionId,
    long? DocumentId,
    string? Address,
    string? Client,
    string? DetailsJson);

/// <summary>Reads the append-only audit trail (newest first).</summary>
public interface IAuditQuery
{
    Task<IReadOnlyList<AuditEntry>> FindAsync(AuditFilter filter, CancellationToken cancellationToken);

    /// <summary>The action names that occur, for the filter's choices.</summary>
    Task<IReadOnlyList<string>> ActionsAsync(CancellationToken cancellationToken);
}
