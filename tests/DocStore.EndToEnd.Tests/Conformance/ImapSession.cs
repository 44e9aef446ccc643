using System.Text;
using DocStore.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace DocStore.EndToEnd.Tests.Conformance;

/// <summary>
/// A signed-in IMAP session over TLS for transcript tests: numbers its own tags, returns every
/// line of an answer and separates the untagged data from the tagged completion.
/// </summary>
public sealed class ImapSession : IAsyncDisposable
{
    private readonly RawImap imap;
    private int next;

    private ImapSession(RawImap imap) => this.imap = imap;

    /// <summary>The tag of the last command sent.</summary>
    public string Tag { get; private set; } = "";

    public static async Task<ImapSession> SignInAsync(FreshServer fixture)
    {
        var session = new ImapSession(await RawImap.ConnectAsync(fixture.Server.TlsPort));
        var login = await session.RunAsync($"LOGIN admin \"{fixture.AdminPassword}\"");
        Assert.StartsWith(session.Tag + " OK", login[^1], StringComparison.Ordinal);
        return session;
    }

    /// <summary>Sends one command; returns every line up to and including the tagged one.</summary>
    public async Task<List<string>> RunAsync(string command)
    {
        Tag = "c" + ++next;
        return await imap.CommandAsync(Tag, command);
    }

    /// <summary>Sends one command that must succeed; returns its untagged lines.</summary>
    public async Task<List<string>> OkAsync(string command)
    {
        var lines = await RunAsync(command);
        Assert.True(lines[^1].StartsWith(Tag + " OK", StringComparison.Ordinal), $"C: {command}\nS: {string.Join("\nS: ", lines)}");
        return lines[..^1];
    }

    /// <summary>The tagged completion without its tag: <c>OK [READ-WRITE] SELECT completed</c>.</summary>
    public static string Completion(List<string> lines) => lines[^1][(lines[^1].IndexOf(' ', StringComparison.Ordinal) + 1)..];

    public Task SendAsync(string text) => imap.SendAsync(text);

    /// <summary>The next line, waiting at most <paramref name="seconds"/> (IDLE notifications).</summary>
    public Task<string> ReadLineAsync(double seconds = 5) => imap.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>Creates a mailbox with a fresh name that starts with <paramref name="prefix"/>.</summary>
    public async Task<string> NewMailboxAsync(string prefix = "Box")
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..8];
        await OkAsync($"CREATE {name}");
        return name;
    }

    /// <summary>APPENDs with a non-synchronising literal; <paramref name="options"/> is the flag list and date, if any.</summary>
    public async Task<List<string>> AppendAsync(string mailbox, string message, string options = "") =>
        await OkAsync($"APPEND {mailbox} {(options.Length == 0 ? "" : options + " ")}{{{Encoding.UTF8.GetByteCount(message)}+}}\r\n{message}");

    /// <summary>APPENDs <paramref name="count"/> small messages with subjects m1, m2, ….</summary>
    public async Task AppendManyAsync(string mailbox, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await AppendAsync(mailbox, Messages.Plain($"m{i}"));
        }
    }

    public async ValueTask DisposeAsync() => await imap.DisposeAsync();
}

/// <summary>Reading answers.</summary>
public static class Answers
{
    /// <summary>
    /// Applies the <c>* n EXPUNGE</c> lines in order to the UIDs the session knew (RFC 9051 §7.5.1:
    /// each renumbers the messages after it) and returns the UIDs left.
    /// </summary>
    public static List<uint> AfterExpunges(IEnumerable<string> lines, params uint[] uids)
    {
        var left = uids.ToList();
        foreach (var line in lines.Where(l => l.StartsWith("* ", StringComparison.Ordinal) && l.EndsWith(" EXPUNGE", StringComparison.Ordinal)))
        {
            left.RemoveAt(int.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) - 1);
        }
        return left;
    }

    /// <summary>The flags of a FETCH line, in any order: flag order carries no meaning.</summary>
    public static SortedSet<string> FlagsOf(string line)
    {
        var start = line.IndexOf("FLAGS (", StringComparison.Ordinal) + 7;
        var flags = line[start..line.IndexOf(')', start)];
        return new SortedSet<string>(flags.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
    }
}

/// <summary>The messages the conformance tests file.</summary>
public static class Messages
{
    public static string Plain(string subject, string body = "body") => $"Subject: {subject}\r\n\r\n{body}\r\n";

    /// <summary>A multipart/mixed report: text part 1, base64 PDF part 2, 575 bytes.</summary>
    public const string Report =
        "From: Alice Smith <alice@example.com>\r\nTo: Bob <bob@example.com>, carol@example.org\r\n" +
        "Cc: \"Dave, Jr.\" <dave@example.net>\r\nSubject: Quarterly report\r\nDate: Mon, 02 Mar 2026 09:30:00 +0100\r\n" +
        "Message-ID: <q1@example.com>\r\nIn-Reply-To: <q0@example.com>\r\nX-Empty:\r\nMIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
        "preamble\r\n--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSee the attached figures.\r\n" +
        "--b1\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\n" +
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n";
}
