using DocStore.Core.Security;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>RFC 9051 §6.2.3: LOGIN, refused without TLS unless allowed (LOGINDISABLED).</summary>
internal static class LoginHandler
{
    public static async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!LoginCommand.TryParse(command, out var login, out var error))
        {
            session.Bad(command.Tag, error);
            return;
        }
        await SignIn.CompleteAsync(session, command.Tag, login.UserName, login.Password, cancellationToken);
    }
}

/// <summary>The end of LOGIN and AUTHENTICATE: one place decides the answers.</summary>
internal static class SignIn
{
    public const string PrivacyRequired = "Plaintext authentication is disabled on unencrypted connections; use STARTTLS or IMAPS.";

    public static async Task CompleteAsync(ImapSession session, string tag, string userName, string password, CancellationToken cancellationToken)
    {
        if (!session.PlaintextAuthAllowed)
        {
            session.Writer.WriteTagged(tag, ImapStatus.No, "PRIVACYREQUIRED", PrivacyRequired);
            return;
        }

        var result = await session.Authentication.AuthenticateAsync(userName, password, session.Connection.RemoteAddress, session.ClientId, cancellationToken);
        if (result.User is null)
        {
            // RFC 5530: one answer for unknown user, wrong password and disabled account.
            session.Writer.WriteTagged(tag, ImapStatus.No, "AUTHENTICATIONFAILED", "Authentication failed.");
            return;
        }

        session.SignedIn(result.User);
        session.Writer.WriteTagged(tag, ImapStatus.Ok, "CAPABILITY " + session.CapabilityList, "Logged in.");
    }
}
