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
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!AuthenticateCommand.TryParse(command, out var authenticate, out var error))
        {
            return Completion.Bad(error);
        }
        if (!string.Equals(authenticate.Mechanism, "PLAIN", StringComparison.Ordinal))
        {
            return Completion.No($"Unsupported authentication mechanism {authenticate.Mechanism}; use PLAIN.");
        }
        if (!session.PlaintextAuthAllowed)
        {
            return SignIn.PrivacyRequired;
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
                    return Completion.Written;
                case SaslOutcome.Cancelled:
                    return Completion.Bad("AUTHENTICATE cancelled.");
                case SaslOutcome.Invalid:
                    return Completion.Bad("The response is not valid base64.");
            }
            response = answer.Data!;
        }

        // RFC 4616 §2: [authzid] NUL authcid NUL passwd.
        var parts = Encoding.UTF8.GetString(response).Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0)
        {
            return Completion.Bad("A PLAIN response is [authzid] NUL authcid NUL password.");
        }
        if (parts[0].Length > 0 && !string.Equals(parts[0], parts[1], StringComparison.OrdinalIgnoreCase))
        {
            // Acting as another user (proxy authorisation) is not offered.
            return Completion.No("Signing in as another user is not allowed.", "AUTHORIZATIONFAILED");
        }

        return await SignIn.CompleteAsync(session, parts[1], parts[2], cancellationToken);
    }
}
