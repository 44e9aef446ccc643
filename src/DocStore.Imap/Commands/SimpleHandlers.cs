using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>RFC 9051 §6.1.1.</summary>
internal static class CapabilityHandler
{
    public static Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!NoArgumentsCommand.TryParse(command, out var error))
        {
            return Task.FromResult(Completion.Bad(error));
        }
        session.Writer.WriteUntagged("CAPABILITY " + session.CapabilityList);
        return Task.FromResult(Completion.Ok("CAPABILITY completed"));
    }
}

/// <summary>RFC 9051 §6.1.2 (and CHECK, §6.4.1, which has nothing left to do: every change is committed).</summary>
internal static class NoopHandler
{
    public static Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken) =>
        Task.FromResult(NoArgumentsCommand.TryParse(command, out var error)
            ? Completion.Ok($"{command.Name} completed")
            : Completion.Bad(error));
}

/// <summary>RFC 9051 §6.1.3: BYE, then the tagged OK, then the server closes.</summary>
internal static class LogoutHandler
{
    public static Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!NoArgumentsCommand.TryParse(command, out var error))
        {
            return Task.FromResult(Completion.Bad(error));
        }
        session.Writer.WriteUntaggedStatus(ImapStatus.Bye, null, "DocStore logging out.");
        session.LoggingOut();
        return Task.FromResult(Completion.Ok("LOGOUT completed"));
    }
}

/// <summary>RFC 2971: the server says who it is; what the client says is kept for the audit trail.</summary>
internal static class IdHandler
{
    private static readonly string ServerVersion = typeof(IdHandler).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";

    public static Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!IdCommand.TryParse(command, out var id, out var error))
        {
            return Task.FromResult(Completion.Bad(error));
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
        return Task.FromResult(Completion.Ok("ID completed"));
    }
}

/// <summary>RFC 9051 §6.2.1: only on a plain connection, before authentication.</summary>
internal static class StartTlsHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!NoArgumentsCommand.TryParse(command, out var error))
        {
            return Completion.Bad(error);
        }
        if (session.Connection.IsTls)
        {
            return Completion.Bad("The connection is already encrypted.");
        }
        if (session.Options.Certificate is null)
        {
            return Completion.No("TLS is not configured on this server.", "UNAVAILABLE");
        }
        session.Writer.WriteTagged(command.Tag, ImapStatus.Ok, null, "Begin TLS negotiation now.");
        await session.StartTlsAsync(cancellationToken);
        return Completion.Written;
    }
}

/// <summary>
/// RFC 5161 ENABLE. IMAP4rev2 (RFC 9051 §6.3.1) switches the session to IMAP4rev2 behaviour:
/// UTF-8 mailbox names and strings, ESEARCH answers to SEARCH, no \Recent. Unknown or unoffered
/// capabilities are ignored, not refused (RFC 5161 §3.1).
/// </summary>
internal static class EnableHandler
{
    public static Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!EnableCommand.TryParse(command, out var enable, out var error))
        {
            return Task.FromResult(Completion.Bad(error));
        }
        var enabled = new List<string>();
        if (enable.Capabilities.Contains("IMAP4REV2", StringComparer.Ordinal) && !session.Rev2)
        {
            session.EnableRev2();
            enabled.Add("IMAP4rev2");
        }
        session.Writer.WriteUntagged(enabled.Count == 0 ? "ENABLED" : "ENABLED " + string.Join(' ', enabled));
        return Task.FromResult(Completion.Ok("ENABLE completed"));
    }
}
