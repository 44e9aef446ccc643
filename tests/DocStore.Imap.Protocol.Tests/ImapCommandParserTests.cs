using System.Buffers;
using System.Text;
using DocStore.Imap.Protocol;

namespace DocStore.Imap.Protocol.Tests;

/// <summary>Each case runs whole, in one-byte segments, byte by byte and split at every index.</summary>
public sealed class ImapCommandParserTests
{
    public static TheoryData<string, string[]> WellFormed => new()
    {
        { "a1 NOOP\r\n", ["a1 NOOP"] },
        { "a1 noop\r\n", ["a1 NOOP"] },
        { "a1 NOOP\n", ["a1 NOOP"] },
        { "\r\na1 NOOP\r\n", ["a1 NOOP"] },
        { "x]1 NOOP\r\n", ["x]1 NOOP"] },
        { "a1 NOOP\r\na2 CAPABILITY\r\na3 LOGOUT\r\n", ["a1 NOOP", "a2 CAPABILITY", "a3 LOGOUT"] },
        { "a2 uid fetch 1:*,5 (FLAGS UID)\r\n", ["a2 UID FETCH 1:*,5 (FLAGS UID)"] },
        { "a3 LOGIN \"fred\" \"p\\\"w\\\\d\"\r\n", ["a3 LOGIN \"fred\" \"p\\\"w\\\\d\""] },
        { "a3 LOGIN \"\" \"\"\r\n", ["a3 LOGIN \"\" \"\""] },
        { "a4 LOGIN {4}\r\nfred {3}\r\nabc\r\n", ["SYNC 4", "SYNC 3", "a4 LOGIN {4}\r\nfred {3}\r\nabc"] },
        { "a5 LOGIN {4+}\r\nfred {0+}\r\n\r\n", ["a5 LOGIN {4}\r\nfred {0}\r\n"] },
        { "a5 LOGIN {2}\r\n\r\n x\r\n", ["SYNC 2", "a5 LOGIN {2}\r\n\r\n x"] },
        { "a6 APPEND INBOX ~{3}\r\na\0b\r\n", ["SYNC 3", "a6 APPEND INBOX ~{3}\r\na\0b"] },
        { "a6 APPEND INBOX ~{3+}\r\nabc\r\n", ["a6 APPEND INBOX ~{3}\r\nabc"] },
        { "a7 STORE 1 +FLAGS.SILENT (\\Seen $Forwarded)\r\n", ["a7 STORE 1 +FLAGS.SILENT (\\Seen $Forwarded)"] },
        { "a8 LIST \"\" %/*\r\n", ["a8 LIST \"\" %/*"] },
        { "a9 ID NIL\r\n", ["a9 ID NIL"] },
        { "b1 X (() (a (b NIL)) \"q\")\r\n", ["b1 X (() (a (b NIL)) \"q\")"] },
        { "b2 SELECT foo[bar]\r\n", ["b2 SELECT foo[bar]"] },
        { "b3 SELECT ~user\r\n", ["b3 SELECT ~user"] },
        { "b4 SEARCH CHARSET UTF-8 SUBJECT \"Grüße\"\r\n", ["b4 SEARCH CHARSET UTF-8 SUBJECT \"Grüße\""] },
        {
            "c1 FETCH 1 (BODY.PEEK[HEADER.FIELDS (From \"Subject\")]<0.100> BODY[] BINARY[1.2] RFC822)\r\n",
            ["c1 FETCH 1 (BODY.PEEK[HEADER.FIELDS (From \"Subject\")]<0.100> BODY[] BINARY[1.2] RFC822)"]
        },
        { "c2 UID FETCH 1 BODY[1.MIME]\r\n", ["c2 UID FETCH 1 BODY[1.MIME]"] },
        { "c3 FETCH 1 BODY[HEADER.FIELDS ({4}\r\nFrom)]\r\n", ["SYNC 4", "c3 FETCH 1 BODY[HEADER.FIELDS ({4}\r\nFrom)]"] },
    };

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void Well_formed_commands_parse_the_same_however_the_input_is_split(string input, string[] expected)
    {
        Assert.Equal(expected, ParserHarness.RunAllSplits(input));
    }

    public static TheoryData<string, string[]> Malformed => new()
    {
        { " NOOP\r\na2 NOOP\r\n", ["BAD * Missing tag", "a2 NOOP"] },
        { "a+1 NOOP\r\na2 NOOP\r\n", ["BAD * Invalid tag", "a2 NOOP"] },
        { "* OK hello\r\na2 NOOP\r\n", ["BAD * Invalid tag", "a2 NOOP"] },
        { "\"a1\" NOOP\r\na2 NOOP\r\n", ["BAD * Invalid tag", "a2 NOOP"] },
        { "a1\r\na2 NOOP\r\n", ["BAD a1 Missing command name", "a2 NOOP"] },
        { "a1 UID\r\n", ["BAD a1 Missing command name"] },
        { "a1 NO!OP\r\na2 NOOP\r\n", ["BAD a1 Invalid command name", "a2 NOOP"] },
        { "a1 FOO (a b\r\na2 NOOP\r\n", ["BAD a1 Missing ')'", "a2 NOOP"] },
        { "a1 FOO a)\r\na2 NOOP\r\n", ["BAD a1 Unexpected ')'", "a2 NOOP"] },
        { "a1 FOO (a))\r\na2 NOOP\r\n", ["BAD a1 Unexpected ')'", "a2 NOOP"] },
        { "a1 FOO a  b\r\na2 NOOP\r\n", ["BAD a1 Unexpected space", "a2 NOOP"] },
        { "a1 FOO a \r\na2 NOOP\r\n", ["BAD a1 Missing argument after space", "a2 NOOP"] },
        { "a1 FOO a\"b\"\r\na2 NOOP\r\n", ["BAD a1 Unexpected quoted string", "a2 NOOP"] },
        { "a1 LOGIN {4x}\r\na2 NOOP\r\n", ["BAD a1 Invalid literal header", "a2 NOOP"] },
        { "a1 LOGIN {}\r\na2 NOOP\r\n", ["BAD a1 Invalid literal header", "a2 NOOP"] },
        { "a1 LOGIN {4} x\r\na2 NOOP\r\n", ["BAD a1 A literal header must end its line", "a2 NOOP"] },
        { "a1 LOGIN {99999999999999999999}\r\na2 NOOP\r\n", ["BAD a1 Literal size too large", "a2 NOOP"] },
        { "a1 SELECT Entwürfe\r\na2 NOOP\r\n", ["BAD a1 8-bit character outside a quoted string or literal", "a2 NOOP"] },
        { "a1 NO\0OP\r\na2 NOOP\r\n", ["BAD a1 NUL byte in command", "a2 NOOP"] },
        { "a1 LOGIN \"a\0\" b\r\na2 NOOP\r\n", ["BAD a1 NUL byte in quoted string", "a2 NOOP"] },
        { "a1 LOGIN {3+}\r\na\0b c\r\na2 NOOP\r\n", ["BAD a1 NUL byte in literal (use literal8)", "a2 NOOP"] },
        { "a1 LOGIN \"a\rb\" c\r\na2 NOOP\r\n", ["BAD a1 Unterminated quoted string", "a2 NOOP"] },
        { "a1 LOGIN \"ab\nx\r\na2 NOOP\r\n", ["BAD a1 Unterminated quoted string", "BAD x Missing command name", "a2 NOOP"] },
        { "a1 LOGIN \"a\\qb\" c\r\na2 NOOP\r\n", ["BAD a1 Invalid escape in quoted string", "a2 NOOP"] },
        { "a1 NOOP\rx\r\na2 NOOP\r\n", ["BAD a1 CR without LF", "a2 NOOP"] },
        { "a1 NOOP\x01\r\na2 NOOP\r\n", ["BAD a1 Control character in command", "a2 NOOP"] },
        { "a1 FETCH 1 BODY[]x\r\na2 NOOP\r\n", ["BAD a1 Missing space between arguments", "a2 NOOP"] },
        { "a1 FETCH 1 BODY[HEADER\r\na2 NOOP\r\n", ["BAD a1 Missing ']'", "a2 NOOP"] },
        { "a1 FETCH 1 BODY[1 BODY[2]]\r\na2 NOOP\r\n", ["BAD a1 Nested section", "a2 NOOP"] },
        { "a1 FETCH 1 (BODY[1)]\r\na2 NOOP\r\n", ["BAD a1 Unexpected ')'", "a2 NOOP"] },
        { "a1 FOO ) {5+}\r\nhello\r\na2 NOOP\r\n", ["BAD a1 Unexpected ')'", "a2 NOOP"] },
        { "a1 FOO ) {5}\r\na2 NOOP\r\n", ["BAD a1 Unexpected ')'", "a2 NOOP"] },
        { "a1 FOO ) ~{2+}\r\n\r\n {1+}\r\n)\r\na2 NOOP\r\n", ["BAD a1 Unexpected ')'", "a2 NOOP"] },
        { "a1 FOO a{2+}\r\nxy\r\na2 NOOP\r\n", ["BAD a1 Unexpected literal", "a2 NOOP"] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_commands_are_errors_with_reasons_and_the_next_command_still_parses(string input, string[] expected)
    {
        Assert.Equal(expected, ParserHarness.RunAllSplits(input));
    }

    [Theory]
    [InlineData("a1 LOGIN aaaaaaaaaaaa\r\n", "a1 LOGIN aaaaaaaaaaaa")]
    [InlineData("a1 LOGIN aaaaaaaaaaaaa\r\n", "BAD a1 Command line too long [TOOBIG]")]
    [InlineData("a1 LOGIN aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", "BAD a1 Command line too long [TOOBIG]")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", "BAD * Command line too long [TOOBIG]")]
    [InlineData("a1 LOGIN {3+}\r\nabc {12345+}\r\n" + "x\r\n", "BAD a1 Command line too long [TOOBIG]")]
    public void A_line_is_refused_just_over_its_limit_and_the_connection_goes_on(string line, string expected)
    {
        var limits = ImapParserLimits.Authenticated with { MaxLineLength = 23 };
        var input = line.Replace("{12345+}\r\n", "{12345+}\r\n" + new string('x', 12345), StringComparison.Ordinal);
        Assert.Equal([expected, "a2 NOOP"], ParserHarness.RunAllSplits(input + "a2 NOOP\r\n", limits));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void A_line_over_its_limit_inside_a_literal_header_still_discards_the_literal(int padding)
    {
        // The limit counts command text with CRLFs across all lines of a command, not literal data;
        // with this padding it is crossed at each byte of "{12+}\r\n" in turn, then after it.
        var limits = ImapParserLimits.Authenticated with { MaxLineLength = 23 };
        var input = "a1 LOGIN " + new string('a', padding) + " {12+}\r\nabcdefghijkl\r\na2 NOOP\r\n";
        var expected = padding <= 4 ? $"a1 LOGIN {new string('a', padding)} {{12}}\r\nabcdefghijkl" : "BAD a1 Command line too long [TOOBIG]";
        Assert.Equal([expected, "a2 NOOP"], ParserHarness.RunAllSplits(input, limits));
    }

    [Theory]
    [InlineData("a1 LOGIN {10}\r\n0123456789 {0}\r\n\r\n", new[] { "SYNC 10", "SYNC 0", "a1 LOGIN {10}\r\n0123456789 {0}\r\n" })]
    [InlineData("a1 LOGIN {6}\r\n012345 {5}\r\na2 NOOP\r\n", new[] { "SYNC 6", "BAD a1 Literal too large [TOOBIG]", "a2 NOOP" })]
    [InlineData("a1 LOGIN {11}\r\na2 NOOP\r\n", new[] { "BAD a1 Literal too large [TOOBIG]", "a2 NOOP" })]
    [InlineData("a1 LOGIN {11+}\r\n01234567890 x\r\na2 NOOP\r\n", new[] { "BAD a1 Literal too large [TOOBIG]", "a2 NOOP" })]
    [InlineData("a1 LOGIN {101+}\r\n", new[] { "BAD a1 Literal too large [TOOBIG] CLOSE" })]
    public void In_memory_literals_are_limited_per_command(string input, string[] expected)
    {
        var limits = ImapParserLimits.Authenticated with { MaxLiteralSize = 10, MaxStreamedLiteralSize = 100 };
        Assert.Equal(expected, ParserHarness.RunAllSplits(input, limits));
    }

    [Fact]
    public void Literal_minus_refuses_non_synchronizing_literals_over_4096_bytes_and_discards_them()
    {
        var limits = ImapParserLimits.Authenticated with { MaxNonSynchronizingLiteralSize = 4096, MaxLiteralSize = 10_000 };
        var input = "a1 X {4097+}\r\n" + new string('x', 4097) + " y\r\na2 X {4096+}\r\n" + new string('x', 4096) + "\r\n";
        var events = ParserHarness.Run([Encoding.ASCII.GetBytes(input)], limits, stream: null, oneByteSegments: false);
        Assert.Equal(["BAD a1 Non-synchronizing literal too large [TOOBIG]", "a2 X {4096}\r\n" + new string('x', 4096)], events);
    }

    [Fact]
    public void Pre_authentication_limits_allow_the_id_list_but_no_nesting_inside_it()
    {
        var events = ParserHarness.RunAllSplits("a1 ID (\"name\" \"x\")\r\na2 ID ((\"name\"))\r\na3 NOOP\r\n", ImapParserLimits.PreAuthentication);
        Assert.Equal(["a1 ID (\"name\" \"x\")", "BAD a2 Too many nested lists", "a3 NOOP"], events);
    }

    public static TheoryData<string, string[]> Streamed => new()
    {
        { "a1 APPEND INBOX (\\Seen) {5}\r\nhello\r\n", ["SYNC 5", "STREAM hello", "a1 APPEND INBOX (\\Seen) {5}<streamed>"] },
        { "a1 APPEND INBOX {3+}\r\nabc {2+}\r\nde\r\n", ["STREAM abc", "STREAM de", "a1 APPEND INBOX {3}<streamed> {2}<streamed>"] },
        { "a1 APPEND {5+}\r\nINBOX ~{3+}\r\na\0c\r\n", ["STREAM a\0c", "a1 APPEND {5}\r\nINBOX ~{3}<streamed>"] },
        { "a1 APPEND INBOX {0+}\r\n\r\n", ["STREAM ", "a1 APPEND INBOX {0}<streamed>"] },
        { "a1 APPEND INBOX {1001}\r\na2 NOOP\r\n", ["BAD a1 Literal too large [TOOBIG]", "a2 NOOP"] },
        { "a1 LOGIN {1}\r\nx {1}\r\ny\r\n", ["SYNC 1", "SYNC 1", "a1 LOGIN {1}\r\nx {1}\r\ny"] },
    };

    [Theory]
    [MemberData(nameof(Streamed))]
    public void Literals_the_caller_asks_for_are_streamed_to_it_and_parsing_goes_on_after_them(string input, string[] expected)
    {
        var limits = ImapParserLimits.Authenticated with { MaxStreamedLiteralSize = 1000 };
        Assert.Equal(expected, ParserHarness.RunAllSplits(input, limits, ImapLiteralContext.IsAppendMessage));
    }

    [Fact]
    public void A_rejected_synchronizing_literal_abandons_the_command()
    {
        var parser = new ImapCommandParser(ImapParserLimits.Authenticated) { StreamLiteral = ImapLiteralContext.IsAppendMessage };
        var reader = Reader("a1 APPEND INBOX {50000000}\r\na2 NOOP\r\n");
        var first = parser.Parse(ref reader);
        Assert.Equal((ImapParseStatus.SynchronizingLiteral, 50000000L, true), (first.Status, first.LiteralSize, first.LiteralIsStreamed));
        Assert.Equal(("a1", "APPEND"), (parser.CurrentTag, parser.CurrentCommandName));
        parser.RejectLiteral();
        var second = parser.Parse(ref reader);
        Assert.Equal("a2 NOOP", second.Command?.ToString());
    }

    [Fact]
    public void Parsing_on_without_answering_a_literal_is_a_programming_error()
    {
        var parser = new ImapCommandParser(ImapParserLimits.Authenticated);
        var reader = Reader("a1 LOGIN {3}\r\n");
        Assert.Equal(ImapParseStatus.SynchronizingLiteral, parser.Parse(ref reader).Status);
        Assert.Throws<InvalidOperationException>(() =>
        {
            var again = Reader("abc\r\n");
            parser.Parse(ref again);
        });
        Assert.Throws<InvalidOperationException>(parser.EndStreamedLiteral);
    }

    [Fact]
    public void Limits_switched_after_login_apply_to_the_next_command()
    {
        var parser = new ImapCommandParser(ImapParserLimits.PreAuthentication);
        var reader = Reader("a1 LOGIN u p\r\na2 X ((1))\r\n");
        Assert.Equal(ImapParseStatus.Complete, parser.Parse(ref reader).Status);
        parser.Limits = ImapParserLimits.Authenticated;
        Assert.Equal("a2 X ((1))", parser.Parse(ref reader).Command?.ToString());
    }

    [Fact]
    public void A_discarded_command_skips_to_the_end_of_its_line()
    {
        var parser = new ImapCommandParser(ImapParserLimits.Authenticated) { StreamLiteral = ImapLiteralContext.IsAppendMessage };
        var reader = Reader("a1 APPEND INBOX {3+}\r\nabc {2+}\r\nde\r\na2 NOOP\r\n");
        var result = parser.Parse(ref reader);
        Assert.Equal(ImapParseStatus.StreamLiteral, result.Status);
        reader.Advance(result.LiteralSize);
        parser.EndStreamedLiteral();
        parser.DiscardCommand();
        Assert.Equal("a2 NOOP", parser.Parse(ref reader).Command?.ToString());
    }

    [Fact]
    public void The_argument_tree_exposes_kinds_bytes_and_sections()
    {
        var command = ParserHarness.ParseOne("t UID FETCH 1:2 (BODY.PEEK[HEADER.FIELDS (Date)]<5.10> nil \"q\")\r\n");
        Assert.Equal(("t", "UID FETCH", true), (command.Tag, command.Name, command.IsUid));
        var list = command.Arguments[1];
        Assert.Equal(ImapArgumentKind.List, list.Kind);
        var section = list.Items[0];
        Assert.Equal((ImapArgumentKind.Section, "BODY.PEEK", "5.10"), (section.Kind, section.Atom, section.Partial));
        Assert.True(section.Items[0].IsAtom("header.fields"));
        Assert.Equal(ImapArgumentKind.Nil, list.Items[1].Kind);
        Assert.Equal("q"u8.ToArray(), list.Items[2].Bytes.ToArray());
    }

    private static SequenceReader<byte> Reader(string text) => new(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)));
}
