using System.Text;
using DocStore.Core.Mime;
using Xunit;

namespace DocStore.Core.Tests.Mime;

public sealed class MessageAnalyzerTests
{
    [Fact]
    public void Nesting_deeper_than_the_limit_becomes_an_opaque_body()
    {
        var message = new StringBuilder("Subject: deep\r\nMIME-Version: 1.0\r\n");
        for (var i = 0; i < 150; i++)
        {
            message.Append("Content-Type: multipart/mixed; boundary=\"b").Append(i).Append("\"\r\n\r\n--b").Append(i).Append("\r\n");
        }

        message.Append("Content-Type: text/plain\r\n\r\nbottom\r\n");
        var bytes = Bytes(message.ToString());

        var structure = MessageAnalyzer.Analyze(bytes);

        var depth = 0;
        var part = structure.Body;
        while (part.Parts is { } parts)
        {
            part = parts[0];
            depth++;
        }

        Assert.InRange(depth, 1, MessageAnalyzer.MaxDepth);
        Assert.EndsWith("bottom\r\n", Text(MessageSections.GetBody(bytes, structure, SectionSpec.Whole)), StringComparison.Ordinal);
        Assert.Contains("bottom", Text(bytes.AsMemory((int)part.BodyOffset, (int)part.Size)), StringComparison.Ordinal);
    }

    [Fact]
    public void Parts_beyond_ten_thousand_are_not_recorded()
    {
        var message = new StringBuilder("Subject: many\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
        for (var i = 0; i < 10_001; i++)
        {
            message.Append("--b\r\nContent-Type: text/plain\r\n\r\npart ").Append(i).Append("\r\n");
        }

        message.Append("--b--\r\n");

        var structure = MessageAnalyzer.Analyze(Bytes(message.ToString()));

        Assert.Equal(MessageAnalyzer.MaxParts - 1, structure.Body.Parts!.Count);
        Assert.Equal("part 9998", Text(MessageSections.GetBody(Bytes(message.ToString()), structure, "9999")));
    }

    [Fact]
    public void A_truncated_multipart_keeps_the_parts_it_has_and_the_last_runs_to_the_end()
    {
        var bytes = Bytes("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\r\nfirst\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>cut he");

        var structure = MessageAnalyzer.Analyze(bytes);

        Assert.Equal(2, structure.Body.Parts!.Count);
        Assert.Equal("first", Text(MessageSections.GetBody(bytes, structure, "1")));
        Assert.Equal("<p>cut he", Text(MessageSections.GetBody(bytes, structure, "2")));
        Assert.Equal("html", structure.Body.Parts[1].Subtype);
    }

    [Fact]
    public void A_multipart_without_boundary_is_one_opaque_part()
    {
        var bytes = Bytes("MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n\r\nbody\r\n--x--\r\n");

        var structure = MessageAnalyzer.Analyze(bytes);

        var body = structure.Body;
        Assert.Equal("--x\r\n\r\nbody\r\n--x--\r\n", Text(bytes.AsMemory((int)body.BodyOffset, (int)body.Size)));
        Assert.Null(body.Parts);
        Assert.Equal("multipart", body.Type);
    }

    [Fact]
    public void Bare_line_feeds_give_offsets_into_the_bytes_as_received()
    {
        var bytes = Bytes("Subject: lf\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=eol\n\n--eol\nContent-Type: text/plain\n\nline one\nline two\n--eol--\n");

        var structure = MessageAnalyzer.Analyze(bytes);

        Assert.Equal("line one\nline two", Text(MessageSections.GetBody(bytes, structure, "1")));
        Assert.Equal("Content-Type: text/plain\n\n", Text(MessageSections.GetBody(bytes, structure, "1.MIME")));
        Assert.Equal(1, structure.Body.Parts![0].Lines);
        Assert.Equal("lf", structure.Envelope.Subject);
    }

    [Fact]
    public void Eight_bit_headers_are_read_as_utf8_and_otherwise_as_latin1()
    {
        var utf8 = MessageAnalyzer.Analyze(Bytes("Subject: Grüße ✓\r\nFrom: Jöran <j@bücher.example>\r\n\r\nx"));
        var latin1 = MessageAnalyzer.Analyze(Encoding.Latin1.GetBytes("Subject: caf\u00e9\r\n\r\nx"));

        Assert.Equal("Grüße ✓", utf8.Envelope.Subject);
        Assert.Equal(new EnvelopeAddress("Jöran", null, "j", "bücher.example"), utf8.Envelope.From![0]);
        Assert.Equal("café", latin1.Envelope.Subject);
    }

    [Fact]
    public void Rfc2231_continuations_are_joined_and_left_encoded()
    {
        var structure = MessageAnalyzer.Analyze(Bytes(
            "MIME-Version: 1.0\r\nContent-Type: application/pdf;\r\n name*1*=%20b.pdf; name*0*=utf-8''a;\r\n title*0=\"x \"; title*1=y\r\n\r\nx"));

        Assert.Equal(
            [new MimeParameter("name*", "utf-8''a%20b.pdf"), new MimeParameter("title", "x y")],
            structure.Body.Parameters);
    }

    [Fact]
    public void Encoded_words_stay_as_the_sender_wrote_them()
    {
        var structure = MessageAnalyzer.Analyze(Bytes(
            "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n  =?UTF-8?Q?_und?=\r\nFrom: =?ISO-8859-1?Q?Fran=E7ois?= <f@example.fr>\r\n\r\nx"));

        Assert.Equal("=?UTF-8?B?R3LDvMOfZQ==?= =?UTF-8?Q?_und?=", structure.Envelope.Subject);
        Assert.Equal("=?ISO-8859-1?Q?Fran=E7ois?=", structure.Envelope.From![0].Name);
        Assert.Same(structure.Envelope.From, structure.Envelope.Sender);
        Assert.Same(structure.Envelope.From, structure.Envelope.ReplyTo);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n")]
    [InlineData("no header at all")]
    [InlineData("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n--\r\n")]
    [InlineData("Content-Type: message/rfc822\r\n\r\n")]
    [InlineData("From: (unclosed comment <a@b>\r\nTo: \"unclosed\r\nCc: <@route:>, ,;:@\r\n\r\n")]
    public void Malformed_messages_never_throw(string message)
    {
        var bytes = Bytes(message);

        var structure = MessageAnalyzer.Analyze(bytes);

        Assert.Equal(bytes.Length, structure.EndOffset);
        Assert.Equal(message, Text(MessageSections.GetBody(bytes, structure, SectionSpec.Whole)));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20240101);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 2000)];
            random.NextBytes(bytes);
            var structure = MessageAnalyzer.Analyze(bytes);
            Assert.InRange(structure.EndOffset, 0, bytes.Length);
        }
    }

    [Fact]
    public async Task A_stream_gives_the_same_structure_as_memory()
    {
        var bytes = GoldenCorpus.Message("001");
        await using var stream = new MemoryStream(bytes, writable: false);

        var fromStream = await MessageAnalyzer.AnalyzeAsync(stream, CancellationToken.None);

        Assert.Equal(MessageStructureJson.Serialize(MessageAnalyzer.Analyze(bytes)), MessageStructureJson.Serialize(fromStream));
    }

    [Fact]
    public void The_structure_survives_a_round_trip_through_json()
    {
        var structure = MessageAnalyzer.Analyze(GoldenCorpus.Message("016"));
        var json = MessageStructureJson.Serialize(structure);

        var again = MessageStructureJson.Deserialize(json);

        Assert.Equal(json, MessageStructureJson.Serialize(again));
        Assert.Contains("\"headerOffset\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"size\"", json, StringComparison.Ordinal);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    private static string Text(SectionResult result)
    {
        Assert.Equal(SectionStatus.Ok, result.Status);
        return Text(result.Data);
    }
}
