using System.Text;
using DocStore.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace DocStore.EndToEnd.Tests.Sharing;

/// <summary>QUOTA (RFC 9208) at, under and over the limit; NAMESPACE and the capabilities; the sharing CLI.</summary>
public sealed class QuotaAndNamespaceTests : IClassFixture<SharingServer>
{
    private readonly SharingServer fixture;
    private int tag;

    public QuotaAndNamespaceTests(SharingServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task Appends_up_to_exactly_the_user_quota_succeed_and_the_next_is_refused_with_overquota()
    {
        await using var admin = await fixture.SignInAsync("admin");
        await using var carol = await fixture.SignInAsync("carol");
        Assert.EndsWith("NO [NOPERM] Only administrators set quotas.", (await CommandAsync(carol, "SETQUOTA \"#user/carol\" (STORAGE 1)"))[^1], StringComparison.Ordinal);
        var set = await CommandAsync(admin, "SETQUOTA \"#user/carol\" (STORAGE 2)");
        Assert.Equal(["* QUOTA #user/carol (STORAGE 0 2)"], set[..^1]);

        Assert.Contains(" OK ", (await CommandAsync(carol, Append("INBOX", 1000)))[^1], StringComparison.Ordinal);
        Assert.Contains(" OK ", (await CommandAsync(carol, Append("INBOX", 1048)))[^1], StringComparison.Ordinal);
        var over = await CommandAsync(carol, Append("INBOX", 60));

        Assert.Contains("NO [OVERQUOTA]", over[^1], StringComparison.Ordinal);
        var roots = await CommandAsync(carol, "GETQUOTAROOT INBOX");
        Assert.Equal(["* QUOTAROOT INBOX #user/carol", "* QUOTA #user/carol (STORAGE 2 2)"], roots[..^1]);
        Assert.Contains("(MESSAGES 2 SIZE 2048)", (await CommandAsync(carol, "STATUS INBOX (MESSAGES SIZE)"))[0], StringComparison.Ordinal);
        await CommandAsync(admin, "SETQUOTA \"#user/carol\" ()");
        Assert.Contains(" OK ", (await CommandAsync(carol, Append("INBOX", 60)))[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_and_move_over_a_collection_quota_set_from_the_cli_are_refused_with_overquota()
    {
        await using var alice = await fixture.SignInAsync("alice");
        var box = "Box" + Guid.NewGuid().ToString("N")[..6];
        await CommandAsync(alice, $"CREATE {box}");
        await CommandAsync(alice, Append(box, 1000));
        await CommandAsync(alice, Append("INBOX", 100));
        Assert.Contains("Set the quota", await fixture.CliAsync(null, "quota", "set", $"Users/alice/{box}", "1K"), StringComparison.Ordinal);
        await CommandAsync(alice, "SELECT INBOX");

        var copy = await CommandAsync(alice, "UID COPY 1:* " + box);
        var move = await CommandAsync(alice, "UID MOVE 1:* " + box);

        Assert.Contains("NO [OVERQUOTA]", copy[^1], StringComparison.Ordinal);
        Assert.Contains("NO [OVERQUOTA]", move[^1], StringComparison.Ordinal);
        Assert.Contains("(MESSAGES 1)", (await CommandAsync(alice, $"STATUS {box} (MESSAGES)"))[0], StringComparison.Ordinal);
        var (code, output) = await fixture.TryCliAsync("quota", "set", "Users/alice/NoSuchBox", "1K");
        Assert.Equal(1, code);
        Assert.Contains("no quota root", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Namespace_capabilities_and_the_sharing_cli_say_what_works()
    {
        await using var bob = await fixture.SignInAsync("bob");

        Assert.Equal("* NAMESPACE ((\"\" \"/\")) ((\"Users/\" \"/\")) ((\"Shared/\" \"/\"))", (await CommandAsync(bob, "NAMESPACE"))[0]);
        var capability = (await CommandAsync(bob, "CAPABILITY"))[0];
        foreach (var name in new[] { " ACL", " RIGHTS=texk", " LIST-MYRIGHTS", " QUOTA", " QUOTA=RES-STORAGE", " QUOTASET" })
        {
            Assert.Contains(name, capability, StringComparison.Ordinal);
        }
        Assert.Matches(@"team\s+bob", fixture.GroupListOutput);

        var shared = "Shared/Cli" + Guid.NewGuid().ToString("N")[..6];
        await using (var admin = await fixture.SignInAsync("admin"))
        {
            await CommandAsync(admin, $"CREATE {shared}");
        }
        await fixture.CliAsync(null, "acl", "set", shared, "$team", "lr");
        Assert.Contains("$team", await fixture.CliAsync(null, "acl", "get", shared), StringComparison.Ordinal);
        Assert.Contains($"* MYRIGHTS {shared} lr", await CommandAsync(bob, $"LIST \"\" \"{shared}\" RETURN (MYRIGHTS)"));
        Assert.Equal(1, (await fixture.TryCliAsync("acl", "set", shared, "$nosuchgroup", "lr")).ExitCode);
        Assert.Equal(2, (await fixture.TryCliAsync("acl", "set", shared, "bob", "lrZ")).ExitCode);

        await fixture.CliAsync(null, "group", "member", "remove", "team", "bob");
        try
        {
            Assert.EndsWith("NO [NONEXISTENT] No such mailbox.", (await CommandAsync(bob, $"MYRIGHTS {shared}"))[^1], StringComparison.Ordinal);
        }
        finally
        {
            await fixture.CliAsync(null, "group", "member", "add", "team", "bob");
        }
    }

    private static string Append(string box, int size)
    {
        var head = $"Subject: {Guid.NewGuid():N}\r\n\r\n";
        var message = head + new string('x', size - head.Length - 2) + "\r\n";
        Assert.Equal(size, Encoding.ASCII.GetByteCount(message));
        return $"APPEND {box} {{{message.Length}+}}\r\n{message}";
    }

    private Task<List<string>> CommandAsync(RawImap imap, string command) => imap.CommandAsync("q" + ++tag, command);
}
