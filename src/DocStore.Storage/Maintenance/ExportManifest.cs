using System.Text.Json;

namespace DocStore.Storage.Maintenance;

/// <summary>
/// The metadata half of <c>docstore export</c> (<see cref="FileName"/> at the top of the export
/// folder): every principal, collection, document with all its versions, and entry. Bytes are
/// named by SHA-256 and lie in <see cref="BlobFolder"/>; ids are the exporting instance's and
/// only link the parts of this file to each other.
/// </summary>
public sealed record ExportManifest(
    string Format,
    int Version,
    DateTimeOffset ExportedAt,
    IReadOnlyList<ExportPrincipal> Principals,
    IReadOnlyList<ExportCollection> Collections,
    IReadOnlyList<ExportDocument> Documents,
    IReadOnlyList<ExportEntry> Entries)
{
    public const string FileName = "docstore-export.json";
    public const string BlobFolder = "blobs";
    public const string FormatName = "docstore-export";
    public const int CurrentVersion = 1;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}

/// <summary>A user or group; users' passwords are not exported.</summary>
public sealed record ExportPrincipal(string Name, string Kind, string? DisplayName, bool IsAdmin, bool Disabled, IReadOnlyList<string> Members);

/// <summary>A collection; <see cref="Owner"/> null is the shared repository; <see cref="Path"/> is its name from the owner's root.</summary>
public sealed record ExportCollection(long Id, long? ParentId, string? Owner, string Path, string Name, string? SpecialUse,
    long? RetentionSeconds, bool LegalHold, string? LegalHoldReason, IReadOnlyList<ExportAcl> Acl, string? Maildir);

/// <summary>An ACL entry; <see cref="Principal"/> null is "anyone".</summary>
public sealed record ExportAcl(string? Principal, bool Negative, string Rights, bool Inherit);

/// <summary>A document (a mail's attachment has <see cref="ParentId"/>), its tags and every version in order.</summary>
public sealed record ExportDocument(long Id, Guid ObjectId, string Kind, string Title, long? ParentId, string? MessageId, JsonElement Properties,
    bool LegalHold, string? LegalHoldReason, string? CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? TrashedAt, string? TrashedBy,
    long? TrashedFrom, int CurrentVersion, IReadOnlyList<string> Tags, IReadOnlyList<ExportVersion> Versions);

/// <summary>One version: its message bytes (<see cref="Sha256"/>) and, for an upload, the file's (<see cref="FileSha256"/>).</summary>
public sealed record ExportVersion(int Number, string Sha256, long Size, string MediaType, string? FileName, string? Author, DateTimeOffset CreatedAt,
    string? Comment, JsonElement? Structure, string? BodySha256, string? FileSha256, long? FileSize);

/// <summary>A document's place in a collection with its flags; \Seen is per user (<see cref="SeenBy"/>).</summary>
public sealed record ExportEntry(long CollectionId, long Uid, long DocumentId, int Version, bool Answered, bool Flagged, bool Deleted, bool Draft,
    DateTimeOffset InternalDate, int InternalDateOffset, DateTimeOffset SaveDate, IReadOnlyList<string> SeenBy, string? MaildirFile);
