using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Protocol.Tests.Commands;

public sealed class MessageCommandTests
{
    [Theory]
    [InlineData("a STORE 2:4 +FLAGS (\\Deleted)\r\n", false, "2:4", null, StoreMode.Add, false, new[] { "\\Deleted" })]
    [InlineData("a UID STORE 1:* -flags.silent (\\Seen $Label1)\r\n", true, "1:*", null, StoreMode.Remove, true, new[] { "\\Seen", "$Label1" })]
    [InlineData("a STORE 1 FLAGS ()\r\n", false, "1", null, StoreMode.Replace, false, new string[0])]
    [InlineData("a STORE 1 FLAGS \\Seen \\Flagged\r\n", false, "1", null, StoreMode.Replace, false, new[] { "\\Seen", "\\Flagged" })]
    [InlineData("a STORE $ (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n", false, "$", 320162338ul, StoreMode.Add, true, new[] { "\\Deleted" })]
    public void Store_reads_set_modifier_mode_and_flags(string wire, bool uid, string set, ulong? unchangedSince, StoreMode mode, bool silent, string[] flags)
    {
        Assert.True(StoreCommand.TryParse(ParserHarness.ParseOne(wire), out var store, out var error), error);
        Assert.Equal((uid, set, unchangedSince, mode, silent), (store.Uid, store.Set.ToString(), store.UnchangedSince, store.Mode, store.Silent));
        Assert.Equal(flags, store.Flags);
    }

    [Theory]
    [InlineData("a STORE 1 FLAGS\r\n")]
    [InlineData("a STORE 1 +FLAGS (\\Recent)\r\n")]
    [InlineData("a STORE 1 LABELS (x)\r\n")]
    [InlineData("a STORE 0 FLAGS (x)\r\n")]
    [InlineData("a STORE 1 FLAGS (\"x\")\r\n")]
    [InlineData("a STORE 1 FLAGS (x) y\r\n")]
    [InlineData("a STORE 1 (UNCHANGEDSINCE) FLAGS (x)\r\n")]
    [InlineData("a STORE 1 +FLAGS (\\)\r\n")]
    public void Store_refuses_malformed_input(string wire)
    {
        Assert.False(StoreCommand.TryParse(ParserHarness.ParseOne(wire), out _, out _));
    }

    [Theory]
    [InlineData("a COPY 2:4 MEETING\r\n", false, false, "2:4", "MEETING")]
    [InlineData("a UID MOVE 1,3 \"Shared/Projects/Alpha\"\r\n", true, true, "1,3", "Shared/Projects/Alpha")]
    [InlineData("a MOVE $ Trash\r\n", false, true, "$", "Trash")]
    public void Copy_and_move_read_set_and_destination(string wire, bool uid, bool move, string set, string mailbox)
    {
        Assert.True(CopyCommand.TryParse(ParserHarness.ParseOne(wire), false, out var copy, out var error), error);
        Assert.Equal((uid, move, set, mailbox), (copy.Uid, copy.Move, copy.Set.ToString(), copy.Mailbox));
    }

    [Theory]
    [InlineData("a COPY 2:4\r\n")]
    [InlineData("a COPY x Trash\r\n")]
    [InlineData("a COPY 1 Trash Extra\r\n")]
    public void Copy_refuses_malformed_input(string wire)
    {
        Assert.False(CopyCommand.TryParse(ParserHarness.ParseOne(wire), false, out _, out _));
    }

    [Theory]
    [InlineData("a EXPUNGE\r\n", true, null)]
    [InlineData("a UID EXPUNGE 3000:3002\r\n", true, "3000:3002")]
    [InlineData("a EXPUNGE 1\r\n", false, null)]
    [InlineData("a UID EXPUNGE\r\n", false, null)]
    [InlineData("a UID EXPUNGE 1 2\r\n", false, null)]
    public void Expunge_takes_a_set_only_in_its_uid_form(string wire, bool valid, string? uids)
    {
        Assert.Equal(valid, ExpungeCommand.TryParse(ParserHarness.ParseOne(wire), out var expunge, out _));
        Assert.Equal(uids, expunge?.Uids?.ToString());
    }
}
