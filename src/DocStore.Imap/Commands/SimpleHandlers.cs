using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>RFC 9051 §6.1.1.</summary>
internal static class CapabilityHandler
{
    public static Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!NoArgumentsCommand.TryParse(command, out var error))
        {
            session.Bad(command.Tag, error);
            return Task.CompletedTask;
        }
        session.Writer.WriteUntagged("CAPABILITY " + session.CapabilityList);
        session.Writer.WriteTagged(command.Tag, ImapStatus.Ok, null, "CAPABILITY completed");
        return Task.CompletedTask;
    }
}

/// <summary>RFC 9051 §6.1.2.</summary>
internal static class NoopHandler
{
    public static Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!NoArgumentsCommand.TryParse(command, out var error))
        {
            session.Bad(command.Tag, error);
            return Task.CompletedTask;
        }
        session.Writer.WriteTagged(command.Tag, ImapStatus.Ok, null, "NOOP completed");
        return Task.CompletedTask;
    }
}

/// <summary>RFC 9051 §6.1.3: BYE, then the tagged OK, then the server closes.</summary>
internal static class LogoutHandler
{
    public static Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!NoArgumentsCommand.TryParse(command, out var error))
        {
            session.Bad(command.Tag, error);
            return Task.CompletedTask;
        }
        session.Writer.WriteUntaggedStatus(ImapStatus.Bye, null, "DocStore logging out.");
        session.Writer.WriteTagged(command.Tag, ImapStatus.Ok, null, "LOGOUT completed");
        session.LoggingOut();
        return Task.CompletedTask;
    }
}

/// <summary>RFC 2971: the server says who it is; what the client says is kept for the audit trail.</summary>
internal static class IdHandler
{
    public static Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!IdCommand.TryParse(command, out var id, out var error))
        {
            session.Bad(command.Tag, error);
            return Task.CompletedTask;
        }
        if (id.Fields is { Count: > 0 } fields)
        {
            session.ClientId = string.Join(' ', fields.Where(f => f.Value is not null).Select(f => $"{f.Name}={f.Value}"));
        }

        var writer = session.Writer;
        writer.BeginUntagged();
        writer.WriteAtom("ID");
        writer.WriteSpace();
        writer.OpenList();
        writer.WriteString("name");
        writer.WriteSpace();
        writer.WriteString("DocStore");
        writer.WriteSpace();
        writer.WriteString("version");
        writer.WriteSpace();
        writer.WriteString(ServerVersion);
        writer.CloseList();
        writer.WriteCrlf();
        writer.WriteTagged(command.Tag, ImapStatus.Ok, null, "ID completed");
        return Task.CompletedTask;
    }

    private static readonly string ServerVersion =
        typeof(IdHandler).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";
}

/// <summary>RFC 9051 §6.2.1: only on a plain connection, before authentication.</summary>
internal static class StartTlsHandler
{
    public static async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!NoArgumentsCommand.TryParse(command, out var error))
        {
            session.Bad(command.Tag, error);
            return;
        }
        if (session.Connection.IsTls)
        {
            session.Bad(command.Tag, "The connection is already encrypted.");
            return;
        }
        if (session.Options.Certificate is null)
        {
            session.Writer.WriteTagged(command.Tag, ImapStatus.No, "UNAVAILABLE", "TLS is not configured on this server.");
            return;
        }
        session.Writer.WriteTagged(command.Tag, ImapStatus.Ok, null, "Begin TLS negotiation now.");
        await session.StartTlsAsync(cancellationToken);
    }
}
