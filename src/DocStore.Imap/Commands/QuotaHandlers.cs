using DocStore.Core.Sharing;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>
/// RFC 9208 GETQUOTA, GETQUOTAROOT and SETQUOTA with the STORAGE resource (units of 1024 octets).
/// A user's root is <c>#user/name</c>; a collection with a limit is its own root, named like the mailbox.
/// </summary>
internal static class QuotaHandlers
{
    public static async Task<Completion> GetQuotaRootAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!MailboxCommand.TryParse(command, session.Writer.Utf8Accept, out var getRoot, out var error))
        {
            return Completion.Bad(error);
        }
        var mailbox = await session.Backend.Mailboxes.FindAsync(session.User!, getRoot.Mailbox, cancellationToken);
        if (mailbox is null || !mailbox.Rights.HasFlag(MailboxRights.Read))
        {
            return MailboxAnswers.NoSuchMailbox;
        }
        var roots = await session.Backend.Mailboxes.QuotaRootsAsync(session.User!, mailbox, cancellationToken);
        var writer = session.Writer;
        writer.BeginUntagged();
        writer.WriteRaw("QUOTAROOT "u8);
        writer.WriteMailbox(mailbox.Name);
        foreach (var root in roots)
        {
            writer.WriteSpace();
            writer.WriteAString(root.Name);
        }
        writer.WriteCrlf();
        foreach (var root in roots)
        {
            WriteQuota(writer, root);
        }
        return Completion.Ok("GETQUOTAROOT completed");
    }

    public static async Task<Completion> GetQuotaAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!GetQuotaCommand.TryParse(command, out var getQuota, out var error))
        {
            return Completion.Bad(error);
        }
        var root = await session.Backend.Mailboxes.GetQuotaAsync(session.User!, getQuota.QuotaRoot, cancellationToken);
        if (root is null)
        {
            return Completion.No("No such quota root (yours is #user/<your name>; a mailbox you may read is one too).", "NONEXISTENT");
        }
        WriteQuota(session.Writer, root);
        return Completion.Ok("GETQUOTA completed");
    }

    /// <summary>RFC 9208 §4.1.3: administrators only; STORAGE is the one resource; an empty list removes the limit.</summary>
    public static async Task<Completion> SetQuotaAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!SetQuotaCommand.TryParse(command, out var setQuota, out var error))
        {
            return Completion.Bad(error);
        }
        if (setQuota.Limits.FirstOrDefault(l => !string.Equals(l.Resource, "STORAGE", StringComparison.Ordinal)) is { Resource: not null } unknown)
        {
            return Completion.No($"Only the STORAGE resource is supported, not {unknown.Resource}.", "CANNOT");
        }
        long? limitBytes = setQuota.Limits.Count == 0 ? null : checked((long)setQuota.Limits[0].Limit * 1024);
        var result = await session.Backend.Mailboxes.SetQuotaAsync(session.User!, setQuota.QuotaRoot, limitBytes, session.Actor, cancellationToken);
        switch (result)
        {
            case QuotaChange.NoPermission:
                return Completion.No("Only administrators set quotas.", "NOPERM");
            case QuotaChange.NotFound:
                return Completion.No("No such quota root: #user/<name> or a mailbox name.", "NONEXISTENT");
        }
        if (await session.Backend.Mailboxes.GetQuotaAsync(session.User!, setQuota.QuotaRoot, cancellationToken) is { } root)
        {
            WriteQuota(session.Writer, root);
        }
        return Completion.Ok("SETQUOTA completed");
    }

    /// <summary><c>* QUOTA root (STORAGE usage limit)</c> in KiB, usage rounded up; <c>()</c> without a limit.</summary>
    private static void WriteQuota(ImapResponseWriter writer, QuotaRoot root)
    {
        writer.BeginUntagged();
        writer.WriteRaw("QUOTA "u8);
        writer.WriteAString(root.Name);
        writer.WriteSpace();
        writer.OpenList();
        if (root.LimitBytes is { } limit)
        {
            writer.WriteAtom("STORAGE");
            writer.WriteSpace();
            writer.WriteNumber((root.UsageBytes + 1023) / 1024);
            writer.WriteSpace();
            writer.WriteNumber(limit / 1024);
        }
        writer.CloseList();
        writer.WriteCrlf();
    }
}
