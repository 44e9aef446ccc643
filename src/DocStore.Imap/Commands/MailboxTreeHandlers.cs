using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>CREATE, DELETE, RENAME, SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.4-§6.3.8).</summary>
internal static class MailboxTreeHandlers
{
    public static async Task<Completion> CreateAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!CreateCommand.TryParse(command, session.Writer.Utf8Accept, out var create, out var error))
        {
            return Completion.Bad(error);
        }
        // RFC 6154 §3: one special-use per collection here.
        if (create.SpecialUse.Count > 1)
        {
            return Completion.No("Only one special-use attribute per mailbox.", "USEATTR");
        }
        var name = Trim(create.Mailbox);
        var result = await session.Backend.Mailboxes.CreateAsync(session.User!, name, create.SpecialUse.Count == 1 ? create.SpecialUse[0] : null, session.Actor, cancellationToken);
        if (result == Core.Mailboxes.MailboxChange.Done && await session.Backend.Mailboxes.FindAsync(session.User!, name, cancellationToken) is { } created)
        {
            // RFC 8474 §4.1: CREATE tells the new mailbox's id.
            return Completion.Ok("CREATE completed", $"MAILBOXID ({created.ObjectId:N})");
        }
        return MailboxAnswers.For(result, "CREATE");
    }

    public static async Task<Completion> DeleteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!MailboxCommand.TryParse(command, session.Writer.Utf8Accept, out var delete, out var error))
        {
            return Completion.Bad(error);
        }
        var result = await session.Backend.Mailboxes.DeleteAsync(session.User!, delete.Mailbox, session.Actor, cancellationToken);
        return MailboxAnswers.For(result, "DELETE");
    }

    public static async Task<Completion> RenameAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!RenameCommand.TryParse(command, session.Writer.Utf8Accept, out var rename, out var error))
        {
            return Completion.Bad(error);
        }
        if (string.Equals(rename.From, "INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return await RenameInboxAsync(session, Trim(rename.To), cancellationToken);
        }
        var result = await session.Backend.Mailboxes.RenameAsync(session.User!, rename.From, Trim(rename.To), session.Actor, cancellationToken);
        return MailboxAnswers.For(result, "RENAME");
    }

    /// <summary>
    /// RFC 9051 §6.3.6: renaming INBOX moves all its messages into a new mailbox of that name
    /// and leaves INBOX empty (the documents move; no byte is copied).
    /// </summary>
    private static async Task<Completion> RenameInboxAsync(ImapSession session, string to, CancellationToken cancellationToken)
    {
        var mailboxes = session.Backend.Mailboxes;
        var created = await mailboxes.CreateAsync(session.User!, to, null, session.Actor, cancellationToken);
        if (created != Core.Mailboxes.MailboxChange.Done)
        {
            return MailboxAnswers.For(created, "RENAME");
        }
        var inbox = await mailboxes.FindAsync(session.User!, "INBOX", cancellationToken);
        var target = await mailboxes.FindAsync(session.User!, to, cancellationToken);
        var uids = (await mailboxes.MessagesAsync(session.User!, inbox!.Id, cancellationToken)).Select(m => m.Uid).ToList();
        if (uids.Count > 0)
        {
            await mailboxes.CopyAsync(session.User!, inbox.Id, uids, target!.Id, move: true, session.Actor, cancellationToken);
        }
        return Completion.Ok("RENAME completed");
    }

    public static Task<Completion> SubscribeAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken) =>
        SetSubscribedAsync(session, command, subscribed: true, cancellationToken);

    public static Task<Completion> UnsubscribeAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken) =>
        SetSubscribedAsync(session, command, subscribed: false, cancellationToken);

    private static async Task<Completion> SetSubscribedAsync(ImapSession session, ImapCommand command, bool subscribed, CancellationToken cancellationToken)
    {
        if (!MailboxCommand.TryParse(command, session.Writer.Utf8Accept, out var mailbox, out var error))
        {
            return Completion.Bad(error);
        }
        // RFC 9051 §6.3.7: subscribing to a name that does not exist is allowed (Dovecot does the same).
        await session.Backend.Mailboxes.SetSubscribedAsync(session.User!, Trim(mailbox.Mailbox), subscribed, cancellationToken);
        return Completion.Ok($"{command.Name} completed");
    }

    // RFC 9051 §6.3.4: a trailing hierarchy delimiter only says the client means to create children.
    private static string Trim(string name) => name.Length > 1 ? name.TrimEnd('/') : name;
}

/// <summary>
/// RFC 2342: the personal namespace (<c>""</c>), other users' (<c>Users/</c>, then the owner's
/// name) and the shared repository (<c>Shared/</c>).
/// </summary>
internal static class NamespaceHandler
{
    public static Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!NoArgumentsCommand.TryParse(command, out var error))
        {
            return Task.FromResult(Completion.Bad(error));
        }
        session.Writer.WriteUntagged("NAMESPACE ((\"\" \"/\")) ((\"Users/\" \"/\")) ((\"Shared/\" \"/\"))");
        return Task.FromResult(Completion.Ok("NAMESPACE completed"));
    }
}
