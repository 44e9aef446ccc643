namespace DocStore.Storage.Documents;

/// <summary>Audit action names of the document store, as stored in <c>audit.action</c>.</summary>
public static class DocumentAuditActions
{
    public const string Upload = "upload";
    public const string Version = "version";
    public const string Download = "download";
    public const string Preview = "preview";
    public const string Metadata = "metadata";
    public const string Tags = "tags";
    public const string Trash = "trash";
    public const string Restore = "restore";
    public const string Purge = "purge";
    public const string LegalHold = "legal-hold";
    public const string Retention = "retention";
}
