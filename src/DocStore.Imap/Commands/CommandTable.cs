using System.Collections.Frozen;
using DocStore.Imap.Protocol;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>Runs one command in a session; writes its answers to <see cref="ImapSession.Writer"/>.</summary>
internal delegate Task CommandHandler(ImapSession session, ImapCommand command, CancellationToken cancellationToken);

/// <summary>The session states a command may run in (RFC 9051 §6).</summary>
[Flags]
internal enum AllowedIn
{
    NotAuthenticated = 1,
    Authenticated = 2,
    Selected = 4,
    Any = NotAuthenticated | Authenticated | Selected,
    SignedIn = Authenticated | Selected,
}

/// <summary>
/// Dispatch as one table (Dovecot's habit): every command names the states it runs in, so no
/// handler checks the state itself and a command unknown here is answered in one place.
/// </summary>
internal static class CommandTable
{
    private static readonly FrozenDictionary<string, (CommandHandler Handler, AllowedIn States)> Commands =
        new Dictionary<string, (CommandHandler, AllowedIn)>(StringComparer.Ordinal)
        {
            ["CAPABILITY"] = (CapabilityHandler.ExecuteAsync, AllowedIn.Any),
            ["NOOP"] = (NoopHandler.ExecuteAsync, AllowedIn.Any),
            ["LOGOUT"] = (LogoutHandler.ExecuteAsync, AllowedIn.Any),
            ["ID"] = (IdHandler.ExecuteAsync, AllowedIn.Any),
            ["STARTTLS"] = (StartTlsHandler.ExecuteAsync, AllowedIn.NotAuthenticated),
            ["LOGIN"] = (LoginHandler.ExecuteAsync, AllowedIn.NotAuthenticated),
            ["AUTHENTICATE"] = (AuthenticateHandler.ExecuteAsync, AllowedIn.NotAuthenticated),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    public static Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!Commands.TryGetValue(command.Name, out var entry))
        {
            session.Bad(command.Tag, $"Unknown command {command.Name}.");
            return Task.CompletedTask;
        }

        var state = session.State switch
        {
            SessionState.NotAuthenticated => AllowedIn.NotAuthenticated,
            SessionState.Authenticated => AllowedIn.Authenticated,
            _ => AllowedIn.Selected,
        };
        if (!entry.States.HasFlag(state))
        {
            session.Bad(command.Tag, state == AllowedIn.NotAuthenticated
                ? $"{command.Name} needs authentication first (LOGIN or AUTHENTICATE)."
                : $"{command.Name} is only valid before authentication.");
            return Task.CompletedTask;
        }

        return entry.Handler(session, command, cancellationToken);
    }
}
