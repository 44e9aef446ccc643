using DocStore.Core.Auditing;
using DocStore.Core.Principals;

namespace DocStore.Core.Documents;

/// <summary>
/// Documents as a DMS sees them, beside their IMAP view: uploads, versions, metadata, tags, the
/// trash, legal hold, retention and history. A user reaches a document held in one of their
/// collections, or one they trashed or created that is in the trash; an administrator reaches
/// every document. Every change is one audited transaction; null means "no such document" (or
/// one the user may not see: the two are not told apart). Holds refuse with
/// <see cref="LegalHoldException"/>; bad input with <see cref="DocumentInputException"/>, a state that forbids the change (trashed, changed meanwhile) with <see cref="InvalidOperationException"/>, a right only administrators have with <see cref="UnauthorizedAccessException"/>.
/// </summary>
public interface IDocumentStore
{
    Task<IReadOnlyList<CollectionInfo>> CollectionsAsync(User user, CancellationToken cancellationToken);

    /// <summary>Files an uploaded file as a document of kind <c>file</c> in the collection; null when the user has no such collection.</summary>
    Task<DocumentInfo?> UploadAsync(User user, long collectionId, Upload upload, Actor actor, CancellationToken cancellationToken);

    /// <summary>A new version of a document from a new upload: every collection holding it sees the old UID vanish and a new one appear.</summary>
    Task<DocumentInfo?> AddVersionAsync(User user, long documentId, Upload upload, Actor actor, CancellationToken cancellationToken);

    Task<DocumentInfo?> GetAsync(User user, long documentId, CancellationToken cancellationToken);

    /// <summary>The documents of one of the user's collections in UID order, each with its entry there; null when the user has no such collection.</summary>
    Task<IReadOnlyList<DocumentInfo>?> ListAsync(User user, long collectionId, CancellationToken cancellationToken);

    /// <summary>A mail's attachments, each a document of its own (kind <c>file</c>).</summary>
    Task<IReadOnlyList<DocumentInfo>?> ChildrenAsync(User user, long documentId, CancellationToken cancellationToken);

    Task<IReadOnlyList<VersionInfo>?> VersionsAsync(User user, long documentId, CancellationToken cancellationToken);

    /// <summary>
    /// The original file of a version (the current one when null); a mail's is the message itself.
    /// Audited as a download, or as a preview when <paramref name="preview"/> (shown in the console, not saved).
    /// </summary>
    Task<DocumentContent?> ContentAsync(User user, long documentId, int? version, bool preview, Actor actor, CancellationToken cancellationToken);

    /// <summary>Title, tags (shown as IMAP keywords in every collection) and properties; null members stay as they are.</summary>
    Task<DocumentInfo?> UpdateAsync(User user, long documentId, MetadataChange change, Actor actor, CancellationToken cancellationToken);

    /// <summary>What happened to the document, oldest first (the change feed).</summary>
    Task<IReadOnlyList<HistoryItem>?> HistoryAsync(User user, long documentId, CancellationToken cancellationToken);

    /// <summary>Moves the document to the trash, removing all its entries (refused under legal hold).</summary>
    Task<DocumentInfo?> TrashAsync(User user, long documentId, Actor actor, CancellationToken cancellationToken);

    Task<IReadOnlyList<DocumentInfo>> TrashListAsync(User user, CancellationToken cancellationToken);

    /// <summary>Brings a trashed document back into the collection it left (the user's INBOX if that is gone), with the same id and EMAILID.</summary>
    Task<DocumentInfo?> RestoreAsync(User user, long documentId, Actor actor, CancellationToken cancellationToken);

    /// <summary>Administrators only: deletes a trashed document for good (refused under legal hold).</summary>
    Task<bool> PurgeAsync(User user, long documentId, Actor actor, CancellationToken cancellationToken);

    /// <summary>Purges what the trashed documents' collections' retention periods let go, never what is on hold; returns how many.</summary>
    Task<int> PurgeExpiredAsync(Actor actor, CancellationToken cancellationToken);

    /// <summary>Administrators only: sets or lifts legal hold on a document.</summary>
    Task<DocumentInfo?> SetDocumentHoldAsync(User user, long documentId, bool hold, string? reason, Actor actor, CancellationToken cancellationToken);

    /// <summary>Administrators set or lift legal hold on a collection; its owner or an administrator sets the retention period.</summary>
    Task<CollectionInfo?> SetCollectionGovernanceAsync(User user, long collectionId, GovernanceChange change, Actor actor, CancellationToken cancellationToken);

    /// <summary>The audit trail, newest first; a user who is not an administrator sees only their own actions.</summary>
    Task<IReadOnlyList<AuditEntry>> AuditAsync(User user, AuditQuery query, CancellationToken cancellationToken);
}

/// <summary>A file to store: its name, media type and bytes; the title defaults to the file name.</summary>
public sealed record Upload(string FileName, string MediaType, Stream Content, string? Title, IReadOnlyList<string> Tags, string? Comment);

public sealed record MetadataChange(string? Title, IReadOnlyList<string>? Tags, string? PropertiesJson);

/// <summary>Null members stay as they are; a retention of zero days removes the retention period.</summary>
public sealed record GovernanceChange(bool? LegalHold, string? Reason, int? RetentionDays);

/// <summary>A document; <see cref="EmailId"/> is the RFC 8474 EMAILID the IMAP view shows.</summary>
public sealed record DocumentInfo(
    long Id,
    string EmailId,
    string Kind,
    string Title,
    int CurrentVersion,
    string? MessageId,
    string PropertiesJson,
    IReadOnlyList<string> Tags,
    bool LegalHold,
    string? LegalHoldReason,
    long? ParentId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? TrashedAt,
    long? TrashedFrom,
    IReadOnlyList<Placement> Entries)
{
    /// <summary>The current version's media type (<c>message/rfc822</c> for mail).</summary>
    public string MediaType { get; init; } = "";

    /// <summary>The current version's size in bytes (the file's, for an upload).</summary>
    public long Size { get; init; }

    /// <summary>The current version's file name, for a file.</summary>
    public string? FileName { get; init; }
}

/// <summary>Where a document is: one IMAP message of it.</summary>
public sealed record Placement(long CollectionId, string Collection, uint Uid);

public sealed record VersionInfo(int Number, long Size, string MediaType, string? FileName, string Sha256, DateTimeOffset CreatedAt, string? Author, string? Comment);

public sealed record DocumentContent(byte[] Bytes, string MediaType, string FileName);

public sealed record CollectionInfo(long Id, string MailboxId, string Name, int? RetentionDays, bool LegalHold, string? LegalHoldReason);

public sealed record HistoryItem(long Seq, DateTimeOffset At, string Kind, long? CollectionId, uint? Uid, long? PrincipalId);

public sealed record AuditQuery(string? Principal = null, string? Action = null, long? DocumentId = null, long? CollectionId = null,
    DateTimeOffset? Since = null, DateTimeOffset? Until = null, int Limit = 100);

public sealed record AuditEntry(long Id, DateTimeOffset At, long? PrincipalId, string? PrincipalName, string Action, long? CollectionId,
    long? DocumentId, string? Address, string? Client, string? Details);
