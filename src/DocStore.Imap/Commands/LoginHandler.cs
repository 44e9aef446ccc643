using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>RFC 9051 §6.2.3: LOGIN, refused without TLS unless allowed (LOGINDISABLED).</summary>
internal static class LoginHandler
{
    public static Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken) =>
        LoginCommand.TryParse(command, out var login, out var error)
            ? SignIn.CompleteAsync(session, login.UserName, login.Password, cancellationToken)
            : Task.FromResult(Completion.Bad(error));
}

/// <summary>The end of LOGIN and AUTHENTICATE: one place decides the answers.</summary>
internal static class SignIn
{
    public static Completion PrivacyRequired { get; } =
        Completion.No("Plaintext authentication is disabled on unencrypted connections; use STARTTLS or IMAPS.", "PRIVACYREQUIRED");

    public static async Task<Completion> CompleteAsync(ImapSession session, string userName, string password, CancellationToken cancellationToken)
    {
        if (!session.PlaintextAuthAllowed)
        {
            return PrivacyRequired;
        }

        var result = await session.Backend.Authentication.AuthenticateAsync(userName, password, session.Connection.RemoteAddress, session.ClientId, cancellationToken);
        if (result.User is null)
        {
            // RFC 5530: one answer for unknown user, wrong password and disabled account.
            return Completion.No("Authentication failed.", "AUTHENTICATIONFAILED");
        }

        session.SignedIn(result.User);
        return Completion.Ok("Logged in.", "CAPABILITY " + session.CapabilityList);
    }
}
