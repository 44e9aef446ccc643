namespace DocStore.Storage.Mailboxes;

/// <summary>
/// Audit action names of the mailbox store, as stored in <c>audit.action</c>; tree changes use
/// the same names as <c>change.kind</c>.
/// </summary>
public static class MailboxAuditActions
{
    public const string Create = "mailbox-create";
    public const string Delete = "mailbox-delete";
    public const string Rename = "mailbox-rename";

    /// <summary>The console set or cleared a collection's special-use (RFC 6154).</summary>
    public const string SpecialUse = "mailbox-special-use";
    public const string Append = "append";
    public const string AppendDuplicate = "append-duplicate";

    /// <summary>A newer revision of a mail the collection holds, filed as its next version (written by migration 0012's file_mail).</summary>
    public const string AppendVersion = "append-version";

    public const string Trash = "trash";
    public const string Flags = "flags";
    public const string Expunge = "expunge";
    public const string Copy = "copy";
    public const string Move = "move";
    public const string AclSet = "acl-set";
    public const string AclDelete = "acl-delete";
    public const string QuotaSet = "quota-set";
    public const string Replace = "replace";

    /// <summary>A FETCH that returned message bodies; the same name as a download over HTTP.</summary>
    public const string Download = "download";
}
