using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using DocStore.Imap.Protocol;

namespace DocStore.Benchmarks;

/// <summary>
/// The command parser on what clients send most: a pipelined burst of FETCH and STORE lines
/// (mbsync, Thunderbird) and a LOGIN with a literal. Baseline: scanning the same bytes for CRLF,
/// the least any line-based server must do.
/// </summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private byte[] burst = [];

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            text.Append($"a{i} UID FETCH {i + 1}:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)])\r\n");
            text.Append($"b{i} UID STORE {i + 1} +FLAGS.SILENT (\\Seen $Forwarded)\r\n");
        }
        burst = Encoding.ASCII.GetBytes(text.ToString());
    }

    [Benchmark(Baseline = true)]
    public int ScanLines()
    {
        var lines = 0;
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(burst));
        while (reader.TryAdvanceTo((byte)'\n'))
        {
            lines++;
        }
        return lines;
    }

    [Benchmark]
    public int ParseBurst()
    {
        var parser = new ImapCommandParser(ImapParserLimits.Authenticated);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(burst));
        var commands = 0;
        while (parser.Parse(ref reader).Status == ImapParseStatus.Complete)
        {
            commands++;
        }
        return commands;
    }
}
