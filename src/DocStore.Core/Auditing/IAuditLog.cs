using System.Net;

namespace DocStore.Core.Auditing;

/// <summary>Who did something, from where and with which client (IMAP ID or HTTP user agent).</summary>
public sealed record Actor(long? PrincipalId, string? PrincipalName, IPAddress? Address, string? Client);

/// <summary>One line of the append-only audit trail.</summary>
public sealed record AuditRecord(Actor Actor, string Action, long? CollectionId = null, long? DocumentId = null, IReadOnlyDictionary<string, string>? Details = null);

/// <summary>The audit trail (DESIGN.md: every change is audited).</summary>
public interface IAuditLog
{
    Task RecordAsync(AuditRecord record, CancellationToken cancellationToken);
}

/// <summary>Audit action names, as stored.</summary>
public static class AuditActions
{
    public const string LoginSucceeded = "login";
    public const string LoginFailed = "login-failed";
    public const string UserAdded = "user-add";
    public const string PasswordChanged = "user-passwd";
    public const string UserDisabled = "user-disable";
    public const string UserEnabled = "user-enable";
    public const string IndexRebuildRequested = "index-rebuild";
}
