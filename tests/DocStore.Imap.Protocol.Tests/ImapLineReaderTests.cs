using System.Buffers;
using System.Text;

namespace DocStore.Imap.Protocol.Tests;

public sealed class ImapLineReaderTests
{
    [Theory]
    [InlineData("AGZy\r\nnext", ImapLineStatus.Complete, "AGZy", 6)]
    [InlineData("DONE\nnext", ImapLineStatus.Complete, "DONE", 5)]
    [InlineData("\r\n", ImapLineStatus.Complete, "", 2)]
    [InlineData("AGZy\r", ImapLineStatus.NeedMoreData, "", 0)]
    [InlineData("0123456789", ImapLineStatus.NeedMoreData, "", 0)]
    [InlineData("01234567890", ImapLineStatus.TooLong, "", 0)]
    [InlineData("012345678\r\n", ImapLineStatus.TooLong, "", 0)]
    [InlineData("01234567\r\n", ImapLineStatus.Complete, "01234567", 10)]
    public void Lines_are_read_whole_or_not_at_all(string input, ImapLineStatus status, string line, long consumed)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(input)));
        Assert.Equal(status, ImapLineReader.TryReadLine(ref reader, 10, out var read));
        Assert.Equal((line, consumed), (Encoding.ASCII.GetString(read), reader.Consumed));
    }

    [Theory]
    [InlineData("DONE", true)]
    [InlineData("done", true)]
    [InlineData("DONE ", false)]
    [InlineData("DON", false)]
    public void Done_ends_idle_in_any_case(string line, bool done)
    {
        Assert.Equal(done, ImapLineReader.IsDone(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(line))));
    }
}
