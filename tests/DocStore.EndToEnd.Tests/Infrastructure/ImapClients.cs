using MailKit.Net.Imap;
using MailKit.Security;

namespace DocStore.EndToEnd.Tests.Infrastructure;

/// <summary>MailKit clients for a test server, accepting its self-signed certificate.</summary>
public static class ImapClients
{
    public static async Task<ImapClient> ConnectAsync(int port, SecureSocketOptions security)
    {
        var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 30_000 };
        await client.ConnectAsync("127.0.0.1", port, security);
        return client;
    }
}
