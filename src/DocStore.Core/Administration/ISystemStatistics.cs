namespace DocStore.Core.Administration;

/// <summary>What is stored, for the console's dashboard.</summary>
public sealed record StoreTotals(
    long Users,
    long Groups,
    long Collections,
    long Documents,
    long TrashedDocuments,
    long Entries,
    long Blobs,
    long BlobBytes,
    long DatabaseBytes,
    long ConsoleSessions,
    long FailedSignInsToday);

/// <summary>One UTC day: documents filed and bytes newly stored (a blob filed again costs nothing).</summary>
public sealed record DayActivity(DateOnly Day, long Documents, long Bytes);

/// <summary>Counts over the whole store, and activity per day.</summary>
public interface ISystemStatistics
{
    Task<StoreTotals> TotalsAsync(CancellationToken cancellationToken);

    /// <summary>The last <paramref name="days"/> UTC days, oldest first, today included, days without activity too.</summary>
    Task<IReadOnlyList<DayActivity>> ActivityAsync(int days, CancellationToken cancellationToken);
}
