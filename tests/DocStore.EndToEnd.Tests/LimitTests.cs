using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>A server with small limits, to test each below, at and above the limit.</summary>
public sealed class SmallLimitsServer : IAsyncLifetime
{
    public const int AppendLimit = 1000;
    public const int LineLimit = 2000;
    public const string Password = "limits-admin-password";

    private readonly ScratchDirectory directory = new("docstore-e2e-");

    public DocStoreProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await DocStoreProcess.StartAsync(directory.Path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Imap:AppendLimit"] = AppendLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Imap:MaxBadCommands"] = "5",
            ["Imap:LineLimit"] = LineLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Imap:MaxNestingDepth"] = "4",
            ["Admin:InitialPassword"] = Password,
        });

    public async Task DisposeAsync()
    {
        try
        {
            await DocStoreProcess.CheckAsync(directory.Path);
        }
        finally
        {
            await Server.DisposeAsync();
            directory.Dispose();
        }
    }
}

public sealed class LimitTests : IClassFixture<SmallLimitsServer>
{
    private readonly SmallLimitsServer fixture;

    public LimitTests(SmallLimitsServer fixture) => this.fixture = fixture;

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public async Task Append_holds_the_appendlimit_below_at_and_above(int overBy, bool accepted)
    {
        await using var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        await imap.CommandAsync("a1", $"LOGIN admin {SmallLimitsServer.Password}");
        var capability = await imap.CommandAsync("a2", "CAPABILITY");
        var size = SmallLimitsServer.AppendLimit + overBy;

        await imap.SendAsync($"a3 APPEND INBOX {{{size}}}\r\n");
        var answer = await imap.ReadLineAsync();
        if (accepted)
        {
            Assert.StartsWith("+ ", answer, StringComparison.Ordinal);
            await imap.SendAsync("Subject: x\r\n\r\n" + new string('y', size - 14) + "\r\n");
            answer = await imap.ReadLineAsync();
            while (answer.StartsWith('*'))
            {
                answer = await imap.ReadLineAsync();
            }
            Assert.StartsWith("a3 OK [APPENDUID ", answer, StringComparison.Ordinal);
        }
        else
        {
            // Refused before the client sends a byte of it (RFC 7889), and the session goes on.
            Assert.Matches(@"^a3 (NO|BAD) \[TOOBIG\] ", answer);
        }
        Assert.Contains($"APPENDLIMIT={SmallLimitsServer.AppendLimit}", capability[0], StringComparison.Ordinal);
        Assert.Equal("a4 OK NOOP completed", (await imap.CommandAsync("a4", "NOOP"))[^1]);
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public async Task The_command_line_limit_after_login_holds_below_at_and_above(int overBy, bool accepted)
    {
        await using var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        await imap.CommandAsync("a1", $"LOGIN admin {SmallLimitsServer.Password}");
        await imap.CommandAsync("a2", "SELECT INBOX");
        const string frame = "a3 SEARCH SUBJECT \"\"\r\n";
        var value = new string('q', SmallLimitsServer.LineLimit - frame.Length + overBy);

        var answer = await imap.CommandAsync("a3", $"SEARCH SUBJECT \"{value}\"");

        Assert.StartsWith(accepted ? "a3 OK " : "a3 BAD ", answer[^1], StringComparison.Ordinal);
        Assert.Equal("a4 OK NOOP completed", (await imap.CommandAsync("a4", "NOOP"))[^1]);
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(4, true)]
    [InlineData(5, false)]
    public async Task The_nesting_limit_holds_below_at_and_above(int depth, bool accepted)
    {
        await using var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        await imap.CommandAsync("a1", $"LOGIN admin {SmallLimitsServer.Password}");
        await imap.CommandAsync("a2", "SELECT INBOX");

        var answer = await imap.CommandAsync("a3", $"SEARCH {new string('(', depth)}ALL{new string(')', depth)}");

        Assert.StartsWith(accepted ? "a3 OK " : "a3 BAD ", answer[^1], StringComparison.Ordinal);
        Assert.Equal("a4 OK NOOP completed", (await imap.CommandAsync("a4", "NOOP"))[^1]);
    }

    [Fact]
    public async Task Too_many_bad_commands_end_the_session_and_the_server_stays_up()
    {
        await using (var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort))
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.StartsWith($"b{i} BAD ", (await imap.CommandAsync($"b{i}", "FROBNICATE"))[^1], StringComparison.Ordinal);
            }
            await imap.SendAsync("b4 FROBNICATE\r\n");
            Assert.StartsWith("b4 BAD ", await imap.ReadLineAsync(), StringComparison.Ordinal);
            Assert.StartsWith("* BYE ", await imap.ReadLineAsync(), StringComparison.Ordinal);
        }

        await using var next = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        Assert.StartsWith("c1 OK ", (await next.CommandAsync("c1", $"LOGIN admin {SmallLimitsServer.Password}"))[^1], StringComparison.Ordinal);
    }
}
