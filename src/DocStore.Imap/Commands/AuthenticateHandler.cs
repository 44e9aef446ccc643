using System.Text;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>
/// RFC 9051 §6.2.2 with SASL-IR (RFC 4959): AUTHENTICATE PLAIN (RFC 4616), the initial response
/// on the command line or after an empty continuation.
/// </summary>
internal static class AuthenticateHandler
{
    public static async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!AuthenticateCommand.TryParse(command, out var authenticate, out var error))
        {
            session.Bad(command.Tag, error);
            return;
        }
        if (!string.Equals(authenticate.Mechanism, "PLAIN", StringComparison.Ordinal))
        {
            session.Writer.WriteTagged(command.Tag, ImapStatus.No, null, $"Unsupported authentication mechanism {authenticate.Mechanism}; use PLAIN.");
            return;
        }
        if (!session.PlaintextAuthAllowed)
        {
            session.Writer.WriteTagged(command.Tag, ImapStatus.No, "PRIVACYREQUIRED", SignIn.PrivacyRequired);
            return;
        }

        var response = authenticate.InitialResponse;
        if (response is null)
        {
            session.Writer.WriteContinuation("");
            await session.FlushAsync(cancellationToken);
            var answer = await session.ReadSaslResponseAsync(cancellationToken);
            switch (answer.Outcome)
            {
                case SaslOutcome.Closed:
                    session.LoggingOut();
                    return;
                case SaslOutcome.Cancelled:
                    session.Bad(command.Tag, "AUTHENTICATE cancelled.");
                    return;
                case SaslOutcome.Invalid:
                    session.Bad(command.Tag, "The response is not valid base64.");
                    return;
            }
            response = answer.Data!;
        }

        // RFC 4616 §2: [authzid] NUL authcid NUL passwd.
        var parts = Encoding.UTF8.GetString(response).Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0)
        {
            session.Bad(command.Tag, "A PLAIN response is [authzid] NUL authcid NUL password.");
            return;
        }
        if (parts[0].Length > 0 && !string.Equals(parts[0], parts[1], StringComparison.OrdinalIgnoreCase))
        {
            // Acting as another user (proxy authorisation) is not offered.
            session.Writer.WriteTagged(command.Tag, ImapStatus.No, "AUTHORIZATIONFAILED", "Signing in as another user is not allowed.");
            return;
        }

        await SignIn.CompleteAsync(session, command.Tag, parts[1], parts[2], cancellationToken);
    }
}
