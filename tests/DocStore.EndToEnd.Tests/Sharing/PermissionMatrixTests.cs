using DocStore.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace DocStore.EndToEnd.Tests.Sharing;

/// <summary>
/// RFC 4314 §4 as a matrix: every mailbox command × the right it needs × granted, denied (every
/// other right granted), forbidden (no rights) and nonexistent, with the right given to the user,
/// to a group the user is in, and to anyone. Zero successes without the right; forbidden and
/// nonexistent answer byte for byte alike.
/// </summary>
public sealed class PermissionMatrixTests : IClassFixture<SharingServer>
{
    private const string AllRights = "lrswipkxtea";

    // The command, the right it needs; each runs against a fresh collection "box" whose parent holds the ACL.
    private static readonly (string Command, char Right)[] Commands =
    [
        ("LIST", 'l'), ("SELECT", 'r'), ("EXAMINE", 'r'), ("STATUS", 'r'), ("APPEND", 'i'), ("CREATE", 'k'), ("DELETE", 'x'),
        ("RENAME", 'x'), ("GETACL", 'a'), ("SETACL", 'a'), ("DELETEACL", 'a'), ("LISTRIGHTS", 'a'), ("STORE-FLAGGED", 'w'),
        ("STORE-SEEN", 's'), ("STORE-DELETED", 't'), ("EXPUNGE", 'e'), ("COPY", 'i'),
    ];

    private static readonly (string Way, string Identifier)[] Ways = [("user", "bob"), ("group", "$team"), ("anyone", "anyone")];

    // The commands whose answer names no mailbox the user may see: forbidden and nonexistent must agree.
    private static readonly string[] Probes =
    [
        "SELECT", "EXAMINE", "STATUS", "APPEND", "CREATE", "DELETE", "RENAME", "GETACL", "SETACL", "DELETEACL", "LISTRIGHTS",
        "MYRIGHTS", "GETQUOTAROOT", "COPY", "LIST",
    ];

    private const string Message = "From: alice@example.com\r\nSubject: matrix\r\n\r\nA document.\r\n";

    private readonly SharingServer fixture;
    private int tag;

    public PermissionMatrixTests(SharingServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task Every_command_succeeds_only_with_its_right_and_forbidden_answers_like_nonexistent()
    {
        await using var admin = await fixture.SignInAsync("admin");
        await using var bob = await fixture.SignInAsync("bob");
        var root = "Shared/Matrix" + Guid.NewGuid().ToString("N")[..6];
        await ExpectOkAsync(admin, $"CREATE {root}");
        var cases = new List<(string Command, char Right, string Way, bool Granted, string Box)>();
        foreach (var (command, right) in Commands)
        {
            foreach (var (way, identifier) in Ways)
            {
                foreach (var granted in new[] { true, false })
                {
                    var holder = $"{root}/{command}-{way}-{(granted ? "granted" : "denied")}";
                    var box = holder + "/box";
                    await ExpectOkAsync(admin, $"CREATE {box}");
                    await ExpectOkAsync(admin, $"SETACL {holder} {identifier} {(granted ? AllRights : AllRights.Replace(right.ToString(), "", StringComparison.Ordinal))}");
                    await ExpectOkAsync(admin, Append(box));
                    cases.Add((command, right, way, granted, box));
                }
            }
        }
        var forbidden = $"{root}/forbidden/box";
        await ExpectOkAsync(admin, $"CREATE {forbidden}");
        await ExpectOkAsync(admin, $"SETACL {root}/forbidden carol {AllRights}");
        await ExpectOkAsync(admin, Append(forbidden));
        await ExpectOkAsync(bob, Append("INBOX"));

        var failures = new List<string>();
        foreach (var (command, right, way, granted, box) in cases)
        {
            var answer = await RunAsync(bob, command, box);
            var tagged = answer[^1];
            var ok = tagged.Contains(" OK ", StringComparison.Ordinal) && Succeeded(command, box, answer);
            var expectedRefusal = right is 'r' ? "NO [NONEXISTENT]" : "NO [NOPERM]";
            if (granted && !ok)
            {
                failures.Add($"{command} via {way} with its right failed: {string.Join(" | ", answer)}");
            }
            if (!granted && command == "LIST" && ok)
            {
                failures.Add($"LIST via {way} without l showed the mailbox: {string.Join(" | ", answer)}");
            }
            if (!granted && command != "LIST" && (ok || !tagged.Contains(expectedRefusal, StringComparison.Ordinal)))
            {
                failures.Add($"{command} via {way} without {right} answered: {string.Join(" | ", answer)}");
            }
        }

        // Nothing a refused command would have changed has changed.
        foreach (var (command, _, way, _, box) in cases.Where(c => !c.Granted && c.Command is "APPEND" or "COPY" or "DELETE" or "RENAME" or "EXPUNGE"))
        {
            var status = await CommandAsync(admin, $"STATUS {box} (MESSAGES)");
            if (!status.Exists(l => l.EndsWith("(MESSAGES 1)", StringComparison.Ordinal)))
            {
                failures.Add($"refused {command} via {way} changed {box}: {string.Join(" | ", status)}");
            }
        }

        foreach (var probe in Probes)
        {
            var onForbidden = Untagged(await RunAsync(bob, probe, forbidden));
            var onNothing = Untagged(await RunAsync(bob, probe, $"{root}/nothing/box"));
            if (!onForbidden.SequenceEqual(onNothing, StringComparer.Ordinal) || onForbidden[^1].StartsWith("OK", StringComparison.Ordinal) && probe != "LIST")
            {
                failures.Add($"{probe}: forbidden answered [{string.Join(" | ", onForbidden)}], nonexistent [{string.Join(" | ", onNothing)}]");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(Commands.Length * Ways.Length * 2, cases.Count);
    }

    /// <summary>What the user sees of a success beyond the OK: the listed name, the message gone, the flag set.</summary>
    private static bool Succeeded(string command, string box, List<string> answer) => command switch
    {
        "LIST" => answer.Exists(l => l.StartsWith("* LIST", StringComparison.Ordinal) && l.EndsWith(" " + box, StringComparison.Ordinal)),
        "EXPUNGE" => answer.Contains("* 1 EXPUNGE"),
        "STORE-FLAGGED" => answer.Exists(l => l.Contains("\\Flagged", StringComparison.Ordinal)),
        "STORE-SEEN" => answer.Exists(l => l.Contains("\\Seen", StringComparison.Ordinal)),
        "STORE-DELETED" => answer.Exists(l => l.Contains("\\Deleted", StringComparison.Ordinal)),
        "GETACL" => answer.Exists(l => l.StartsWith("* ACL", StringComparison.Ordinal)),
        "APPEND" => answer[^1].Contains("[APPENDUID", StringComparison.Ordinal),
        "COPY" => answer[^1].Contains("[COPYUID", StringComparison.Ordinal),
        _ => true,
    };

    /// <summary>Runs one matrix command on <paramref name="box"/>; selected-state commands SELECT it first (or INBOX for COPY).</summary>
    private async Task<List<string>> RunAsync(RawImap imap, string command, string box)
    {
        var parent = box[..box.LastIndexOf('/')];
        switch (command)
        {
            case "LIST":
                return await CommandAsync(imap, $"LIST \"\" \"{box}\"");
            case "SELECT" or "EXAMINE" or "GETACL" or "MYRIGHTS" or "GETQUOTAROOT" or "DELETE":
                var answer = await CommandAsync(imap, $"{command} {box}");
                if (command is "SELECT" or "EXAMINE")
                {
                    await CommandAsync(imap, "UNSELECT");
                }
                return answer;
            case "STATUS":
                return await CommandAsync(imap, $"STATUS {box} (MESSAGES)");
            case "APPEND":
                return await CommandAsync(imap, Append(box));
            case "CREATE":
                return await CommandAsync(imap, $"CREATE {box}/child");
            case "RENAME":
                return await CommandAsync(imap, $"RENAME {box} {parent}/renamed");
            case "SETACL":
                return await CommandAsync(imap, $"SETACL {box} carol lr");
            case "DELETEACL" or "LISTRIGHTS":
                return await CommandAsync(imap, $"{command} {box} carol");
            case "COPY":
                await ExpectOkAsync(imap, "SELECT INBOX");
                var copied = await CommandAsync(imap, $"COPY 1 {box}");
                await CommandAsync(imap, "UNSELECT");
                return copied;
            default:
                var select = await CommandAsync(imap, $"SELECT {box}");
                if (!select[^1].Contains(" OK ", StringComparison.Ordinal))
                {
                    return select;
                }
                var result = command switch
                {
                    "STORE-FLAGGED" => await CommandAsync(imap, "STORE 1 +FLAGS (\\Flagged)"),
                    "STORE-SEEN" => await CommandAsync(imap, "STORE 1 +FLAGS (\\Seen)"),
                    "STORE-DELETED" => await CommandAsync(imap, "STORE 1 +FLAGS (\\Deleted)"),
                    _ => await ExpungeAsync(imap),
                };
                await CommandAsync(imap, "UNSELECT");
                return result;
        }
    }

    private async Task<List<string>> ExpungeAsync(RawImap imap)
    {
        await ExpectOkAsync(imap, "STORE 1 +FLAGS.SILENT (\\Deleted)");
        return await CommandAsync(imap, "EXPUNGE");
    }

    private static string Append(string box) => $"APPEND {box} {{{Message.Length}+}}\r\n{Message}";

    private Task<List<string>> CommandAsync(RawImap imap, string command) => imap.CommandAsync("m" + ++tag, command);

    private async Task ExpectOkAsync(RawImap imap, string command)
    {
        var answer = await CommandAsync(imap, command);
        Assert.True(answer[^1].Contains(" OK ", StringComparison.Ordinal), $"{command}: {string.Join(" | ", answer)}");
    }

    /// <summary>The answer without its tag, so that two runs compare line by line.</summary>
    private static List<string> Untagged(List<string> answer) =>
        [.. answer[..^1], answer[^1][(answer[^1].IndexOf(' ', StringComparison.Ordinal) + 1)..]];
}
