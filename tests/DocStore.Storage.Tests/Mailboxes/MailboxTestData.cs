using System.Net;
using System.Text;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Principals;
using Npgsql;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>Users, actors and messages for the mailbox store's tests.</summary>
internal static class MailboxTestData
{
    public static async Task<User> NewUserAsync(NpgsqlDataSource dataSource)
    {
        var (_, user) = await new UserStore(dataSource).AddAsync($"u{Guid.NewGuid():N}"[..20], "h", isAdmin: false, null, CancellationToken.None);
        return user!;
    }

    public static MailboxListing Named(IEnumerable<MailboxListing> listing, string name) =>
        listing.Single(l => string.Equals(l.Mailbox.Name, name, StringComparison.Ordinal));

    public static Actor ActorFor(User user) => new(user.Id, user.Name, IPAddress.Loopback, "storage-tests");

    /// <summary>A small message with a unique Message-ID, so that no two calls give the same bytes.</summary>
    public static byte[] Message(string subject = "Hello") =>
        Encoding.ASCII.GetBytes($"From: a@example.com\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\n\r\nBody\r\n");

    /// <summary>Creates the mailbox and returns it as found afterwards.</summary>
    public static async Task<Mailbox> CreateMailboxAsync(MailboxStore store, User user, string name)
    {
        var result = await store.CreateAsync(user, name, null, ActorFor(user), CancellationToken.None);
        if (result != MailboxChange.Done)
        {
            throw new InvalidOperationException($"CREATE {name}: {result}");
        }
        return (await store.FindAsync(user, name, CancellationToken.None))!;
    }

    public static async Task<uint> AppendAsync(MailboxStore store, User user, Mailbox mailbox, byte[] message, MessageFlags? flags = null)
    {
        using var stream = new MemoryStream(message, writable: false);
        var result = await store.AppendAsync(user, mailbox.Id, stream, flags ?? MessageFlags.None, DateTimeOffset.UtcNow, ActorFor(user), CancellationToken.None);
        return result.Uid;
    }

    /// <summary>Awkward messages: mixed line endings and 8-bit, several chunks, no bytes at all.</summary>
    public static byte[] Sample(string name) => name switch
    {
        "line endings and 8-bit" => [
            .. Encoding.ASCII.GetBytes("From: a@example.com\r\nSubject: mixed\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"),
            .. Encoding.ASCII.GetBytes("crlf line\r\nbare lf line\nbare cr\rlatin-1: "),
            0xE9, 0xFC, 0xFF, 0x00, 0x80, (byte)'\n',
        ],
        "3 MiB" => Large(),
        _ => [],
    };

    private static byte[] Large()
    {
        var builder = new StringBuilder($"From: a@example.com\r\nSubject: large\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\n\r\n");
        for (var line = 0; builder.Length < (3 * BlobStore.ChunkSize) + 12345; line++)
        {
            builder.Append("line ").Append(line).Append(" of a large message that spans several chunks\r\n");
        }
        return Encoding.ASCII.GetBytes(builder.ToString());
    }
}
