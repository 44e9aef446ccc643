using System.Buffers;
using System.Text;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Protocol.Tests.Commands;

public sealed class AppendCommandTests
{
    [Fact]
    public void Append_reads_flags_date_and_the_message()
    {
        var wire = "A003 APPEND saved-messages (\\Seen) \"07-Feb-1994 21:52:25 -0800\" {5}\r\nhello\r\n";
        Assert.True(AppendCommand.TryParse(ParserHarness.ParseOne(wire), false, out var append, out var error), error);
        Assert.Equal("saved-messages", append.Mailbox);
        var message = Assert.Single(append.Messages);
        Assert.Equal(["\\Seen"], message.Flags);
        Assert.Equal(new DateTimeOffset(1994, 2, 7, 21, 52, 25, TimeSpan.FromHours(-8)), message.InternalDate);
        Assert.Equal("hello"u8.ToArray(), message.Data.Bytes.ToArray());
        Assert.False(message.IsBinary);
    }

    [Fact]
    public void Multiappend_reads_every_message_with_its_own_options()
    {
        var wire = "A1 APPEND INBOX {1+}\r\na (\\Draft) ~{1+}\r\nb \"01-Jan-2024 00:00:00 +0000\" {1+}\r\nc\r\n";
        Assert.True(AppendCommand.TryParse(ParserHarness.ParseOne(wire), false, out var append, out var error), error);
        Assert.Equal(3, append.Messages.Count);
        Assert.Equal((0, (DateTimeOffset?)null, false), (append.Messages[0].Flags.Count, append.Messages[0].InternalDate, append.Messages[0].IsBinary));
        Assert.Equal((1, true), (append.Messages[1].Flags.Count, append.Messages[1].IsBinary));
        Assert.NotNull(append.Messages[2].InternalDate);
    }

    [Fact]
    public void A_streamed_message_is_a_placeholder_with_its_size_and_the_mailbox_is_known_before_it()
    {
        var parser = new ImapCommandParser(ImapParserLimits.Authenticated) { StreamLiteral = ImapLiteralContext.IsAppendMessage };
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("a APPEND Drafts (\\Draft) ~{4+}\r\nab\0c\r\n")));
        var stream = parser.Parse(ref reader);
        Assert.Equal((ImapParseStatus.StreamLiteral, 4L, true), (stream.Status, stream.LiteralSize, stream.LiteralIsBinary));
        Assert.Equal("Drafts", parser.CurrentArguments[0].Atom);
        reader.Advance(4);
        parser.EndStreamedLiteral();
        var command = parser.Parse(ref reader).Command!;
        Assert.True(AppendCommand.TryParse(command, false, out var append, out _));
        var message = Assert.Single(append.Messages);
        Assert.Equal((ImapArgumentKind.StreamedLiteral, 4L, true), (message.Data.Kind, message.Data.Size, message.IsBinary));
    }

    [Theory]
    [InlineData("a APPEND INBOX\r\n")]
    [InlineData("a APPEND INBOX (\\Seen)\r\n")]
    [InlineData("a APPEND INBOX \"hello\"\r\n")]
    [InlineData("a APPEND INBOX \"31-Feb-1994 21:52:25 -0800\" {1+}\r\nx\r\n")]
    [InlineData("a APPEND INBOX (\\Recent) {1+}\r\nx\r\n")]
    [InlineData("a APPEND INBOX {1+}\r\nx extra\r\n")]
    [InlineData("a APPEND INBOX (CATENATE (TEXT {1+}\r\nx))\r\n")]
    public void Append_refuses_malformed_input(string wire)
    {
        Assert.False(AppendCommand.TryParse(ParserHarness.ParseOne(wire), false, out _, out var error));
        Assert.NotEmpty(error);
    }
}
