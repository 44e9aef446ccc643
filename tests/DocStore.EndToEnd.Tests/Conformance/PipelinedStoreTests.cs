using System.Globalization;
using Xunit;

namespace DocStore.EndToEnd.Tests.Conformance;

/// <summary>
/// Pipelined STORE (RFC 9051 §5.5) as the load generator sends it (issue #3): a window of commands
/// in flight, refilled one command per answer, so the server sees some commands together and some
/// alone. Own server: the audit trail's flag changes are this class's alone.
/// </summary>
public sealed class PipelinedStoreTests : IClassFixture<FreshServer>
{
    private const int Window = 8;
    private const int Count = 48;

    private readonly FreshServer fixture;

    public PipelinedStoreTests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task A_window_refilled_one_command_per_answer_gets_every_answer_in_order_and_every_command_audited_in_shared_transactions()
    {
        await using var imap = await ImapSession.SignInAsync(fixture);
        var box = await imap.NewMailboxAsync();
        await imap.AppendManyAsync(box, Count);
        await imap.OkAsync($"SELECT {box}");

        // Every third command is not .SILENT and answers with the flags it left.
        static string Command(int i) => $"w{i} UID STORE {i} +FLAGS{(i % 3 == 0 ? "" : ".SILENT")} (\\Flagged)\r\n";
        await imap.SendAsync(string.Concat(Enumerable.Range(1, Window).Select(Command)));
        var lines = new List<string>();
        var next = Window + 1;
        for (var answered = 0; answered < Count;)
        {
            var line = await imap.ReadLineAsync();
            lines.Add(line);
            if (!line.StartsWith('w'))
            {
                continue;
            }
            answered++;
            if (next <= Count)
            {
                await imap.SendAsync(Command(next++));
            }
        }
        var flagged = await imap.OkAsync("UID SEARCH FLAGGED");

        var expected = Enumerable.Range(1, Count).SelectMany(i => i % 3 == 0
            ? new[] { $"* {i} FETCH (FLAGS (\\Flagged) UID {i})", $"w{i} OK UID STORE completed" }
            : [$"w{i} OK UID STORE completed"]);
        Assert.Equal(expected, lines);
        Assert.Equal("* SEARCH " + string.Join(' ', Enumerable.Range(1, Count)), Assert.Single(flagged));

        // One audit row per transaction, counting the commands it carried: all of them, the first
        // window (one write) in one row. How the refills group depends on when they arrive; that
        // they do is shown without a clock in DocStore.Imap.Tests' PipelinedStoreTests.
        using var admin = ConsoleApiClient.WithBasic(fixture.Server.HttpPort, "admin", fixture.AdminPassword);
        var rows = (await admin.GetAsync("api/audit?action=flags&limit=100")).GetProperty("items").EnumerateArray()
            .Select(e => e.GetProperty("details"))
            .Where(d => d.TryGetProperty("flags", out var f) && f.GetString() == "\\Flagged")
            .Select(d => d.TryGetProperty("commands", out var c) ? int.Parse(c.GetString()!, CultureInfo.InvariantCulture) : 1)
            .ToList();
        Assert.Equal(Count, rows.Sum());
        Assert.Contains(Window, rows);
        Assert.True(rows.Count <= Count - Window + 1, $"{rows.Count} transactions for {Count} pipelined STOREs: {string.Join(',', rows)}");
    }
}
