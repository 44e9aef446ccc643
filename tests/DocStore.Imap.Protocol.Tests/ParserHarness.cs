using System.Buffers;
using System.Text;
using DocStore.Imap.Protocol;

namespace DocStore.Imap.Protocol.Tests;

/// <summary>
/// Drives an <see cref="ImapCommandParser"/> the way the server does, and records what it says
/// as readable lines: the command rendered, <c>BAD tag reason</c>, <c>SYNC n</c>, <c>STREAM data</c>.
/// </summary>
internal static class ParserHarness
{
    /// <summary>
    /// Runs the input whole, in one-byte segments, one byte at a time, and split at every index;
    /// asserts that all runs agree and returns the events of the whole run.
    /// </summary>
    public static IReadOnlyList<string> RunAllSplits(string input, ImapParserLimits? limits = null, Func<ImapLiteralContext, bool>? stream = null) =>
        RunAllSplits(Encoding.UTF8.GetBytes(input), limits, stream);

    public static IReadOnlyList<string> RunAllSplits(byte[] input, ImapParserLimits? limits = null, Func<ImapLiteralContext, bool>? stream = null)
    {
        var expected = Run([input], limits, stream, oneByteSegments: false);
        Assert.Equal(expected, Run([input], limits, stream, oneByteSegments: true));
        Assert.Equal(expected, Run(input.Select(b => new[] { b }).ToArray(), limits, stream, oneByteSegments: false));
        for (var i = 1; i < input.Length; i++)
        {
            Assert.Equal(expected, Run([input[..i], input[i..]], limits, stream, oneByteSegments: false));
        }

        return expected;
    }

    public static List<string> Run(byte[][] chunks, ImapParserLimits? limits, Func<ImapLiteralContext, bool>? stream, bool oneByteSegments)
    {
        var parser = new ImapCommandParser(limits ?? ImapParserLimits.Authenticated) { StreamLiteral = stream };
        var events = new List<string>();
        var pending = new List<byte>();
        var streamed = new List<byte>();
        long streamRemaining = 0;
        foreach (var chunk in chunks)
        {
            pending.AddRange(chunk);
            while (true)
            {
                if (streamRemaining > 0)
                {
                    var take = (int)Math.Min(streamRemaining, pending.Count);
                    streamed.AddRange(pending.Take(take));
                    pending.RemoveRange(0, take);
                    streamRemaining -= take;
                    if (streamRemaining > 0)
                    {
                        break;
                    }

                    events.Add("STREAM " + Encoding.UTF8.GetString(streamed.ToArray()));
                    streamed.Clear();
                    parser.EndStreamedLiteral();
                }

                var sequence = oneByteSegments ? Segments.OneBytePerSegment(pending.ToArray()) : new ReadOnlySequence<byte>(pending.ToArray());
                var reader = new SequenceReader<byte>(sequence);
                var result = parser.Parse(ref reader);
                pending.RemoveRange(0, (int)reader.Consumed);
                if (result.Status == ImapParseStatus.NeedMoreData)
                {
                    Assert.Empty(pending);
                    break;
                }

                switch (result.Status)
                {
                    case ImapParseStatus.SynchronizingLiteral:
                        events.Add($"SYNC {result.LiteralSize}");
                        parser.AcceptLiteral();
                        break;
                    case ImapParseStatus.StreamLiteral:
                        streamRemaining = result.LiteralSize;
                        if (streamRemaining == 0)
                        {
                            events.Add("STREAM ");
                            parser.EndStreamedLiteral();
                        }

                        break;
                    case ImapParseStatus.Complete:
                        events.Add(result.Command!.ToString());
                        break;
                    default:
                        var error = result.Error!;
                        events.Add($"BAD {error.Tag ?? "*"} {error.Reason}" + (error.ResponseCode is null ? "" : $" [{error.ResponseCode}]") + (error.MustCloseConnection ? " CLOSE" : ""));
                        if (error.MustCloseConnection)
                        {
                            return events;
                        }

                        break;
                }
            }
        }

        return events;
    }

    /// <summary>Parses one complete command from the input, which must hold exactly one.</summary>
    public static ImapCommand ParseOne(string input, ImapParserLimits? limits = null)
    {
        var parser = new ImapCommandParser(limits ?? ImapParserLimits.Authenticated);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(input)));
        while (true)
        {
            var result = parser.Parse(ref reader);
            switch (result.Status)
            {
                case ImapParseStatus.SynchronizingLiteral:
                    parser.AcceptLiteral();
                    continue;
                case ImapParseStatus.Complete:
                    Assert.Equal(0, reader.Remaining);
                    return result.Command!;
                default:
                    throw new Xunit.Sdk.XunitException($"Expected a command, got {result.Status} {result.Error}");
            }
        }
    }
}

/// <summary>Builds multi-segment sequences, as a pipe hands them out.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segments(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++)
        {
            var next = new Segments(bytes.AsMemory(i, 1), i);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }
}
