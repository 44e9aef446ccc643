using System.Buffers;
using System.Text;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Protocol.Tests.Commands;

public sealed class AdministrationCommandTests
{
    [Theory]
    [InlineData("a SETACL INBOX/Drafts Byron lrswikda\r\n", "INBOX/Drafts", "Byron", AclModification.Replace, "lrswiketa")]
    [InlineData("a SETACL Shared/Projects \"Fred Smith\" +rw\r\n", "Shared/Projects", "Fred Smith", AclModification.Add, "rw")]
    [InlineData("a SETACL Shared -anyone -w\r\n", "Shared", "-anyone", AclModification.Remove, "w")]
    [InlineData("a SETACL Shared anyone \"\"\r\n", "Shared", "anyone", AclModification.Replace, "")]
    [InlineData("a SETACL Shared anyone lr0l9\r\n", "Shared", "anyone", AclModification.Replace, "lr09")]
    [InlineData("a SETACL Shared anyone +c\r\n", "Shared", "anyone", AclModification.Add, "kx")]
    public void Setacl_reads_mailbox_identifier_and_normalised_rights(string wire, string mailbox, string identifier, AclModification modification, string rights)
    {
        Assert.True(SetAclCommand.TryParse(ParserHarness.ParseOne(wire), false, out var setAcl, out var error), error);
        Assert.Equal(new SetAclCommand(mailbox, identifier, modification, rights), setAcl);
    }

    [Theory]
    [InlineData("a SETACL Shared anyone LR\r\n", "Rights are the letters lrswipkxtea (and c, d) or digits, optionally after + or -")]
    [InlineData("a SETACL Shared anyone lrz\r\n", "Rights are the letters lrswipkxtea (and c, d) or digits, optionally after + or -")]
    [InlineData("a SETACL Shared anyone +-r\r\n", "Rights are the letters lrswipkxtea (and c, d) or digits, optionally after + or -")]
    [InlineData("a SETACL Shared anyone\r\n", "Expected SETACL mailbox identifier rights")]
    [InlineData("a SETACL Shared anyone lr extra\r\n", "Expected SETACL mailbox identifier rights")]
    [InlineData("a SETACL\r\n", "Expected a mailbox name")]
    public void Setacl_refuses_bad_rights_with_a_reason(string wire, string reason)
    {
        Assert.False(SetAclCommand.TryParse(ParserHarness.ParseOne(wire), false, out _, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("a DELETEACL INBOX Fred\r\n", true, "INBOX", "Fred")]
    [InlineData("a LISTRIGHTS Shared/Projects \"smith\"\r\n", true, "Shared/Projects", "smith")]
    [InlineData("a DELETEACL INBOX\r\n", false, null, null)]
    [InlineData("a LISTRIGHTS INBOX a b\r\n", false, null, null)]
    public void Deleteacl_and_listrights_take_mailbox_and_identifier(string wire, bool valid, string? mailbox, string? identifier)
    {
        Assert.Equal(valid, AclIdentifierCommand.TryParse(ParserHarness.ParseOne(wire), false, out var command, out var error));
        Assert.Equal((mailbox, identifier), (command?.Mailbox, command?.Identifier));
        Assert.Equal(valid, error is null);
    }

    [Theory]
    [InlineData("a GETACL inbox\r\n", "INBOX")]
    [InlineData("a MYRIGHTS Shared/Projects\r\n", "Shared/Projects")]
    [InlineData("a GETQUOTAROOT Drafts\r\n", "Drafts")]
    public void Getacl_myrights_and_getquotaroot_take_one_mailbox(string wire, string mailbox)
    {
        Assert.True(MailboxCommand.TryParse(ParserHarness.ParseOne(wire), false, out var command, out _));
        Assert.Equal(mailbox, command.Mailbox);
    }

    [Theory]
    [InlineData("a GETQUOTA \"\"\r\n", true, "")]
    [InlineData("a GETQUOTA user.fred\r\n", true, "user.fred")]
    [InlineData("a GETQUOTA\r\n", false, null)]
    [InlineData("a GETQUOTA a b\r\n", false, null)]
    public void Getquota_takes_a_quota_root(string wire, bool valid, string? root)
    {
        Assert.Equal(valid, GetQuotaCommand.TryParse(ParserHarness.ParseOne(wire), out var command, out _));
        Assert.Equal(root, command?.QuotaRoot);
    }

    [Theory]
    [InlineData("a SETQUOTA \"\" (STORAGE 512)\r\n", "", "STORAGE=512")]
    [InlineData("a SETQUOTA user.fred (storage 1024 MESSAGE 9223372036854775807 X-FOO 0)\r\n", "user.fred", "STORAGE=1024 MESSAGE=9223372036854775807 X-FOO=0")]
    [InlineData("a SETQUOTA \"\" ()\r\n", "", "")]
    public void Setquota_reads_resource_limits(string wire, string root, string limits)
    {
        Assert.True(SetQuotaCommand.TryParse(ParserHarness.ParseOne(wire), out var command, out var error), error);
        Assert.Equal((root, limits), (command.QuotaRoot, string.Join(' ', command.Limits.Select(l => $"{l.Resource}={l.Limit}"))));
    }

    [Theory]
    [InlineData("a SETQUOTA \"\"\r\n", "Expected SETQUOTA quota-root (resource limit ...)")]
    [InlineData("a SETQUOTA \"\" (STORAGE)\r\n", "SETQUOTA takes pairs of resource name and limit")]
    [InlineData("a SETQUOTA \"\" (STORAGE -1)\r\n", "SETQUOTA takes pairs of resource name and limit")]
    [InlineData("a SETQUOTA \"\" (STORAGE 9223372036854775808)\r\n", "SETQUOTA takes pairs of resource name and limit")]
    [InlineData("a SETQUOTA \"\" (\"STORAGE\" 1)\r\n", "SETQUOTA takes pairs of resource name and limit")]
    [InlineData("a SETQUOTA \"\" (STORAGE 1 storage 2)\r\n", "SETQUOTA names a resource twice")]
    [InlineData("a SETQUOTA \"\" (STORAGE 1) x\r\n", "Expected SETQUOTA quota-root (resource limit ...)")]
    public void Setquota_refuses_malformed_limits_with_a_reason(string wire, string reason)
    {
        Assert.False(SetQuotaCommand.TryParse(ParserHarness.ParseOne(wire), out _, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("a REPLACE 3 Drafts (\\Draft) {5+}\r\nhello\r\n", false, 3u, "Drafts", 1)]
    [InlineData("a UID REPLACE 4294967295 INBOX \"07-Feb-1994 21:52:25 -0800\" ~{5+}\r\nhello\r\n", true, 4294967295u, "INBOX", 0)]
    [InlineData("a REPLACE * Drafts {5+}\r\nhello\r\n", false, 0u, "Drafts", 0)]
    public void Replace_reads_the_number_the_mailbox_and_one_message(string wire, bool uid, uint number, string mailbox, int flags)
    {
        Assert.True(ReplaceCommand.TryParse(ParserHarness.ParseOne(wire), false, out var replace, out var error), error);
        Assert.Equal((uid, number, mailbox, flags), (replace.Uid, replace.Number, replace.Mailbox, replace.Message.Flags.Count));
        Assert.Equal("hello"u8.ToArray(), replace.Message.Data.Bytes.ToArray());
    }

    [Theory]
    [InlineData("a REPLACE 1:2 Drafts {1+}\r\nx\r\n", "Expected REPLACE message-number mailbox message")]
    [InlineData("a REPLACE 1,2 Drafts {1+}\r\nx\r\n", "Expected REPLACE message-number mailbox message")]
    [InlineData("a REPLACE $ Drafts {1+}\r\nx\r\n", "Expected REPLACE message-number mailbox message")]
    [InlineData("a REPLACE 0 Drafts {1+}\r\nx\r\n", "Expected REPLACE message-number mailbox message")]
    [InlineData("a REPLACE 1 Drafts\r\n", "Expected the message as a literal")]
    [InlineData("a REPLACE 1 Drafts {1+}\r\nx {1+}\r\ny\r\n", "REPLACE takes one message")]
    public void Replace_refuses_malformed_input_with_a_reason(string wire, string reason)
    {
        Assert.False(ReplaceCommand.TryParse(ParserHarness.ParseOne(wire), false, out _, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void Replace_streams_the_message_but_not_the_mailbox_name()
    {
        var parser = new ImapCommandParser(ImapParserLimits.Authenticated) { StreamLiteral = ImapLiteralContext.IsReplaceMessage };
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("a UID REPLACE 7 {6+}\r\nDrafts {4+}\r\nbody\r\n")));
        var stream = parser.Parse(ref reader);
        Assert.Equal((ImapParseStatus.StreamLiteral, 4L), (stream.Status, stream.LiteralSize));
        reader.Advance(4);
        parser.EndStreamedLiteral();
        Assert.True(ReplaceCommand.TryParse(parser.Parse(ref reader).Command!, false, out var replace, out _));
        Assert.Equal(("Drafts", ImapArgumentKind.StreamedLiteral), (replace.Mailbox, replace.Message.Data.Kind));
    }

    [Theory]
    [InlineData("a NAMESPACE\r\n", true)]
    [InlineData("a UNSELECT\r\n", true)]
    [InlineData("a CLOSE\r\n", true)]
    [InlineData("a CHECK\r\n", true)]
    [InlineData("a IDLE\r\n", true)]
    [InlineData("a NAMESPACE x\r\n", false)]
    [InlineData("a IDLE ()\r\n", false)]
    public void Namespace_unselect_close_check_and_idle_take_no_arguments(string wire, bool valid)
    {
        Assert.Equal(valid, NoArgumentsCommand.TryParse(ParserHarness.ParseOne(wire), out _));
    }
}
