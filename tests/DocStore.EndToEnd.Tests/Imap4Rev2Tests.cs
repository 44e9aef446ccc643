using DocStore.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>IMAP4rev2 after ENABLE (RFC 9051), LIST-EXTENDED/LIST-STATUS and BINARY.</summary>
public sealed class Imap4Rev2Tests : IClassFixture<FreshServer>
{
    private readonly FreshServer fixture;

    public Imap4Rev2Tests(FreshServer fixture) => this.fixture = fixture;

    [Fact]
    public async Task Enable_imap4rev2_switches_to_utf8_names_and_esearch()
    {
        await using var imap = await SignInAsync();
        var name = "Rev2-Grüße-" + Guid.NewGuid().ToString("N")[..6];

        var enable = await imap.CommandAsync("a1", "ENABLE IMAP4rev2");
        var again = await imap.CommandAsync("a2", "ENABLE IMAP4rev2");
        var create = await imap.CommandAsync("a3", $"CREATE \"{name}\"");
        var list = await imap.CommandAsync("a4", $"LIST \"\" \"Rev2-Grüße-*\"");
        await imap.CommandAsync("a5", $"APPEND \"{name}\" {{24+}}\r\nSubject: one\r\n\r\nbody\r\n\r\n");
        var select = await imap.CommandAsync("a6", $"SELECT \"{name}\"");
        var search = await imap.CommandAsync("a7", "SEARCH ALL");

        Assert.Equal("* ENABLED IMAP4rev2", enable[0]);
        Assert.Equal("* ENABLED", again[0]);
        Assert.StartsWith("a3 OK [MAILBOXID (", create[^1], StringComparison.Ordinal);
        Assert.Equal($"* LIST (\\HasNoChildren) \"/\" \"{name}\"", list[0]);
        Assert.Contains($"* LIST () \"/\" \"{name}\"", select);
        Assert.DoesNotContain(select, l => l.Contains("RECENT", StringComparison.Ordinal));
        Assert.Equal("* ESEARCH (TAG \"a7\") ALL 1", search[0]);
    }

    [Fact]
    public async Task Without_enable_names_are_modified_utf7()
    {
        await using var imap = await SignInAsync();
        var suffix = Guid.NewGuid().ToString("N")[..6];

        await imap.CommandAsync("a1", $"CREATE \"Utf7-Gr&APwA3w-e-{suffix}\"");
        var list = await imap.CommandAsync("a2", $"LIST \"\" \"Utf7-*-{suffix}\"");

        Assert.Equal($"* LIST (\\HasNoChildren) \"/\" Utf7-Gr&APwA3w-e-{suffix}", list[0]);
    }

    [Fact]
    public async Task List_extended_selects_special_use_and_returns_status()
    {
        await using var imap = await SignInAsync();

        var specialUse = await imap.CommandAsync("a1", "LIST (SPECIAL-USE) \"\" \"*\"");
        var status = await imap.CommandAsync("a2", "LIST \"\" \"Sent\" RETURN (STATUS (MESSAGES UIDNEXT))");
        var subscribed = await imap.CommandAsync("a3", "SUBSCRIBE Sent");
        var onlySubscribed = await imap.CommandAsync("a4", "LIST (SUBSCRIBED) \"\" \"*\"");

        Assert.Equal(6, specialUse.Count);
        Assert.Contains("* LIST (\\HasNoChildren \\Trash) \"/\" Trash", specialUse);
        Assert.DoesNotContain(specialUse, l => l.EndsWith(" INBOX", StringComparison.Ordinal));
        Assert.Equal("* LIST (\\HasNoChildren \\Sent) \"/\" Sent", status[0]);
        Assert.Matches(@"^\* STATUS Sent \(MESSAGES 0 UIDNEXT 1\)$", status[1]);
        Assert.StartsWith("a3 OK", subscribed[^1], StringComparison.Ordinal);
        Assert.Contains("* LIST (\\HasNoChildren \\Sent \\Subscribed) \"/\" Sent", onlySubscribed);
    }

    [Fact]
    public async Task Binary_decodes_base64_and_append_takes_literal8()
    {
        await using var imap = await SignInAsync();
        var name = "Binary" + Guid.NewGuid().ToString("N")[..6];
        await imap.CommandAsync("a1", $"CREATE {name}");
        const string message = "Subject: b\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
            "--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x\r\nContent-Type: application/octet-stream\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n--x--\r\n";

        var append = await imap.CommandAsync("a2", $"APPEND {name} ~{{{message.Length}+}}\r\n{message}");
        await imap.CommandAsync("a3", $"SELECT {name}");
        var binary = await imap.CommandAsync("a4", "FETCH 1 (BINARY.SIZE[2] BINARY.PEEK[2])");
        var raw = await imap.CommandAsync("a5", "FETCH 1 (BODY.PEEK[2])");

        Assert.StartsWith("a2 OK [APPENDUID ", append[^1], StringComparison.Ordinal);
        Assert.Equal("* 1 FETCH (BINARY.SIZE[2] 11 BINARY[2] {11}", binary[0]);
        Assert.Equal("hello world)", binary[1]);
        Assert.Equal("aGVsbG8gd29ybGQ=)", raw[1]);
    }

    [Fact]
    public async Task Multiappend_files_all_messages_with_one_appenduid()
    {
        await using var imap = await SignInAsync();
        var name = "Multi" + Guid.NewGuid().ToString("N")[..6];
        await imap.CommandAsync("a1", $"CREATE {name}");

        var append = await imap.CommandAsync("a2",
            $"APPEND {name} (\\Seen) {{15+}}\r\nSubject: a\r\n\r\nx {{15+}}\r\nSubject: b\r\n\r\ny (\\Flagged) \"26-Nov-2026 10:00:00 +0100\" {{15+}}\r\nSubject: c\r\n\r\nz");
        await imap.CommandAsync("a3", $"SELECT {name}");
        var fetch = await imap.CommandAsync("a4", "FETCH 1:* (FLAGS INTERNALDATE)");

        Assert.Matches(@"^a2 OK \[APPENDUID \d+ 1:3\] ", append[^1]);
        Assert.StartsWith("* 1 FETCH (FLAGS (\\Seen) ", fetch[0], StringComparison.Ordinal);
        Assert.StartsWith("* 2 FETCH (FLAGS () ", fetch[1], StringComparison.Ordinal);
        // RFC 9051 §6.3.12: the internal date keeps the zone the client gave.
        Assert.Equal("* 3 FETCH (FLAGS (\\Flagged) INTERNALDATE \"26-Nov-2026 10:00:00 +0100\")", fetch[2]);
    }

    [Fact]
    public async Task Renaming_inbox_moves_its_messages_and_leaves_it_empty()
    {
        await using var imap = await SignInAsync();
        var name = "OldInbox" + Guid.NewGuid().ToString("N")[..6];
        await imap.CommandAsync("a1", "APPEND INBOX {15+}\r\nSubject: r\r\n\r\nx");
        var before = await imap.CommandAsync("a2", "STATUS INBOX (MESSAGES)");

        var rename = await imap.CommandAsync("a3", $"RENAME INBOX {name}");
        var inbox = await imap.CommandAsync("a4", "STATUS INBOX (MESSAGES)");
        var moved = await imap.CommandAsync("a5", $"STATUS {name} (MESSAGES)");

        Assert.StartsWith("a3 OK ", rename[^1], StringComparison.Ordinal);
        Assert.Equal("* STATUS INBOX (MESSAGES 0)", inbox[0]);
        Assert.Equal(before[0].Replace("INBOX", name, StringComparison.Ordinal), moved[0]);
    }

    private async Task<RawImap> SignInAsync()
    {
        var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        await imap.CommandAsync("a0", $"LOGIN admin \"{fixture.AdminPassword}\"");
        return imap;
    }
}
