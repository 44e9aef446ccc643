using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Protocol.Tests.Commands;

public sealed class MailboxCommandTests
{
    [Theory]
    [InlineData("a DELETE inbox\r\n", false, "INBOX")]
    [InlineData("a SUBSCRIBE \"Shared/Projects\"\r\n", false, "Shared/Projects")]
    [InlineData("a UNSUBSCRIBE Entw&APw-rfe\r\n", false, "Entwürfe")]
    [InlineData("a DELETE \"Entwürfe\"\r\n", true, "Entwürfe")]
    [InlineData("a DELETE {3+}\r\nNIL\r\n", false, "NIL")]
    public void One_mailbox_commands_decode_the_name(string wire, bool utf8, string mailbox)
    {
        Assert.True(MailboxCommand.TryParse(ParserHarness.ParseOne(wire), utf8, out var command, out var error), error);
        Assert.Equal(mailbox, command.Mailbox);
    }

    [Theory]
    [InlineData("a DELETE\r\n")]
    [InlineData("a DELETE a b\r\n")]
    [InlineData("a DELETE (a)\r\n")]
    [InlineData("a DELETE \"Entwürfe\"\r\n")]
    [InlineData("a DELETE &APw\r\n")]
    public void One_mailbox_commands_refuse_anything_else(string wire)
    {
        Assert.False(MailboxCommand.TryParse(ParserHarness.ParseOne(wire), utf8Accept: false, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Rename_takes_two_names()
    {
        Assert.True(RenameCommand.TryParse(ParserHarness.ParseOne("a RENAME Drafts \"Old Drafts\"\r\n"), false, out var rename, out _));
        Assert.Equal(new RenameCommand("Drafts", "Old Drafts"), rename);
        Assert.False(RenameCommand.TryParse(ParserHarness.ParseOne("a RENAME Drafts\r\n"), false, out _, out _));
        Assert.False(RenameCommand.TryParse(ParserHarness.ParseOne("a RENAME a b c\r\n"), false, out _, out _));
    }

    [Theory]
    [InlineData("a SELECT INBOX\r\n", "INBOX", false, false, null)]
    [InlineData("a EXAMINE Sent\r\n", "Sent", true, false, null)]
    [InlineData("a SELECT INBOX (CONDSTORE)\r\n", "INBOX", false, true, null)]
    [InlineData("a SELECT INBOX (QRESYNC (67890007 20050715194045000))\r\n", "INBOX", false, true, "67890007 20050715194045000   ")]
    [InlineData("a SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))\r\n", "INBOX", false, true, "67890007 90060115194045000 41:211,214:541  ")]
    [InlineData("a SELECT INBOX (QRESYNC (1 2 1:* (1:5 10:14)) CONDSTORE)\r\n", "INBOX", false, true, "1 2 1:* 1:5 10:14")]
    public void Select_and_examine_read_condstore_and_qresync(string wire, string mailbox, bool readOnly, bool condStore, string? qresync)
    {
        Assert.True(SelectCommand.TryParse(ParserHarness.ParseOne(wire), false, out var select, out var error), error);
        Assert.Equal((mailbox, readOnly, condStore), (select.Mailbox, select.ReadOnly, select.CondStore));
        var q = select.Qresync;
        Assert.Equal(qresync, q is null ? null : $"{q.UidValidity} {q.ModSeq} {q.KnownUids} {q.KnownSequenceNumbers} {q.KnownUidsForSequence}");
    }

    [Theory]
    [InlineData("a SELECT\r\n")]
    [InlineData("a SELECT INBOX ()\r\n")]
    [InlineData("a SELECT INBOX (FOO)\r\n")]
    [InlineData("a SELECT INBOX (QRESYNC)\r\n")]
    [InlineData("a SELECT INBOX (QRESYNC (0 5))\r\n")]
    [InlineData("a SELECT INBOX (QRESYNC (1 0))\r\n")]
    [InlineData("a SELECT INBOX (QRESYNC (1 5 $))\r\n")]
    [InlineData("a SELECT INBOX (QRESYNC (1 5 1:2 (1:2)))\r\n")]
    [InlineData("a SELECT INBOX (QRESYNC (1 5) QRESYNC (1 5))\r\n")]
    [InlineData("a SELECT INBOX extra\r\n")]
    public void Select_refuses_unknown_or_malformed_parameters(string wire)
    {
        Assert.False(SelectCommand.TryParse(ParserHarness.ParseOne(wire), false, out _, out _));
    }

    [Theory]
    [InlineData("a CREATE Projects\r\n", "Projects", new string[0])]
    [InlineData("a CREATE Archive (USE (\\Archive))\r\n", "Archive", new[] { "\\Archive" })]
    [InlineData("a CREATE Mixed (use (\\Sent \\Drafts))\r\n", "Mixed", new[] { "\\Sent", "\\Drafts" })]
    public void Create_reads_special_use(string wire, string mailbox, string[] uses)
    {
        Assert.True(CreateCommand.TryParse(ParserHarness.ParseOne(wire), false, out var create, out var error), error);
        Assert.Equal(mailbox, create.Mailbox);
        Assert.Equal(uses, create.SpecialUse);
    }

    [Theory]
    [InlineData("a CREATE\r\n")]
    [InlineData("a CREATE x (USE)\r\n")]
    [InlineData("a CREATE x (USE (Sent))\r\n")]
    [InlineData("a CREATE x (FOO (\\Sent))\r\n")]
    [InlineData("a CREATE x y\r\n")]
    public void Create_refuses_malformed_parameters(string wire)
    {
        Assert.False(CreateCommand.TryParse(ParserHarness.ParseOne(wire), false, out _, out _));
    }

    [Fact]
    public void Status_reads_items_upper_case_and_once()
    {
        Assert.True(StatusCommand.TryParse(ParserHarness.ParseOne("a STATUS blurdybloop (uidnext MESSAGES UIDNEXT SIZE MAILBOXID APPENDLIMIT HIGHESTMODSEQ DELETED)\r\n"), false, out var status, out var error), error);
        Assert.Equal("blurdybloop", status.Mailbox);
        Assert.Equal(["UIDNEXT", "MESSAGES", "SIZE", "MAILBOXID", "APPENDLIMIT", "HIGHESTMODSEQ", "DELETED"], status.Items);
    }

    [Theory]
    [InlineData("a STATUS x\r\n")]
    [InlineData("a STATUS x ()\r\n")]
    [InlineData("a STATUS x (FOO)\r\n")]
    [InlineData("a STATUS x (\"MESSAGES\")\r\n")]
    [InlineData("a STATUS x MESSAGES\r\n")]
    public void Status_refuses_unknown_items(string wire)
    {
        Assert.False(StatusCommand.TryParse(ParserHarness.ParseOne(wire), false, out _, out _));
    }
}
