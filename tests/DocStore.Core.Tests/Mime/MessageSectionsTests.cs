using System.Text;
using DocStore.Core.Mime;
using Xunit;

namespace DocStore.Core.Tests.Mime;

public sealed class MessageSectionsTests
{
    private static readonly byte[] Message = Encoding.ASCII.GetBytes(
        "From: a@example.com\r\n" +
        "subject: folded\r\n\tsecond line\r\n" +
        "To: b@example.com\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=b\r\n" +
        "\r\n" +
        "--b\r\n" +
        "Content-Type: text/plain\r\n" +
        "Content-Transfer-Encoding: quoted-printable\r\n" +
        "\r\n" +
        "caf=C3=A9=\r\n!\r\n" +
        "--b\r\n" +
        "Content-Type: application/octet-stream\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "\r\n" +
        "AAEC/w==\r\n" +
        "--b\r\n" +
        "Content-Type: application/octet-stream\r\n" +
        "Content-Transfer-Encoding: x-uuencode\r\n" +
        "\r\n" +
        "begin 644 x\r\n" +
        "--b--\r\n");

    private static readonly MessageStructure Structure = MessageAnalyzer.Analyze(Message);

    [Fact]
    public void Header_fields_match_names_ignoring_case_and_keep_continuation_lines()
    {
        Assert.Equal(
            "subject: folded\r\n\tsecond line\r\nTo: b@example.com\r\n\r\n",
            Body("HEADER.FIELDS (SUBJECT to)"));
    }

    [Fact]
    public void Header_fields_not_keeps_the_others_and_the_blank_line()
    {
        Assert.Equal(
            "From: a@example.com\r\nTo: b@example.com\r\n\r\n",
            Body("HEADER.FIELDS.NOT (Subject MIME-Version Content-Type)"));
    }

    [Theory]
    [MemberData(nameof(GoldenCorpus.Names), MemberType = typeof(GoldenCorpus))]
    public void Header_fields_written_to_a_buffer_are_the_bytes_get_body_returns(string name)
    {
        var message = GoldenCorpus.Message(name);
        var structure = MessageAnalyzer.Analyze(message);
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (var text in new[]
        {
            "HEADER.FIELDS (From To Cc Subject Date Message-ID References In-Reply-To Content-Type)",
            "HEADER.FIELDS (SUBJECT received x-none)",
            "HEADER.FIELDS.NOT (From To Cc Subject Date Message-ID References In-Reply-To Content-Type)",
            "HEADER.FIELDS.NOT (Received)",
        })
        {
            Assert.True(SectionSpec.TryParse(text, out var section));
            output.ResetWrittenCount();
            Assert.True(MessageSections.TryWriteHeaderFields(message, structure, section, output));
            Assert.Equal(MessageSections.GetBody(message, structure, section).Data.ToArray(), output.WrittenSpan.ToArray());
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("HEADER")]
    [InlineData("TEXT")]
    [InlineData("1")]
    [InlineData("1.MIME")]
    [InlineData("3.HEADER.FIELDS (From)")]
    public void Only_the_message_s_own_header_fields_are_written_to_a_buffer(string text)
    {
        Assert.True(SectionSpec.TryParse(text, out var section));
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.False(MessageSections.TryWriteHeaderFields(Message, Structure, section, output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Header_text_and_mime_are_slices_of_the_stored_bytes()
    {
        Assert.EndsWith("boundary=b\r\n\r\n", Body("HEADER"), StringComparison.Ordinal);
        Assert.StartsWith("--b\r\n", Body("TEXT"), StringComparison.Ordinal);
        Assert.Equal("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n", Body("2.MIME"));
        Assert.Equal("AAEC/w==", Body("2"));
        Assert.Equal(Encoding.ASCII.GetString(Message), Body(""));
    }

    [Fact]
    public void A_part_that_does_not_exist_is_reported()
    {
        Assert.Equal(SectionStatus.NoSuchPart, MessageSections.GetBody(Message, Structure, "4").Status);
        Assert.Equal(SectionStatus.NoSuchPart, MessageSections.GetBody(Message, Structure, "1.1").Status);
        Assert.Equal(SectionStatus.NoSuchPart, MessageSections.GetBody(Message, Structure, "1.HEADER").Status);
    }

    [Fact]
    public void Binary_undoes_base64_and_quoted_printable()
    {
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, MessageSections.GetBinary(Message, Structure, [2]).Data.ToArray());
        Assert.Equal("café!", Encoding.UTF8.GetString(MessageSections.GetBinary(Message, Structure, [1]).Data.Span));
        Assert.Equal(4, MessageSections.GetBinarySize(Message, Structure, [2]));
    }

    [Fact]
    public void Binary_of_an_unknown_encoding_asks_for_unknown_cte()
    {
        Assert.Equal(SectionStatus.UnknownEncoding, MessageSections.GetBinary(Message, Structure, [3]).Status);
        Assert.Null(MessageSections.GetBinarySize(Message, Structure, [3]));
    }

    [Fact]
    public void Part_one_of_a_single_part_message_is_its_body()
    {
        var message = Encoding.ASCII.GetBytes("Subject: x\r\n\r\nhello\r\n");
        var structure = MessageAnalyzer.Analyze(message);

        Assert.Equal("hello\r\n", Encoding.ASCII.GetString(MessageSections.GetBody(message, structure, "1").Data.Span));
        Assert.Equal("Subject: x\r\n\r\n", Encoding.ASCII.GetString(MessageSections.GetBody(message, structure, "1.MIME").Data.Span));
    }

    [Theory]
    [InlineData("", new int[0], SectionText.None)]
    [InlineData("1.2.3", new[] { 1, 2, 3 }, SectionText.None)]
    [InlineData("header", new int[0], SectionText.Header)]
    [InlineData("2.TEXT", new[] { 2 }, SectionText.Text)]
    [InlineData("4.1.MIME", new[] { 4, 1 }, SectionText.Mime)]
    [InlineData("3.HEADER.FIELDS (From \"To\")", new[] { 3 }, SectionText.HeaderFields)]
    [InlineData("HEADER.FIELDS.NOT (X-A)", new int[0], SectionText.HeaderFieldsNot)]
    public void Section_specifiers_parse(string text, int[] part, SectionText kind)
    {
        Assert.True(SectionSpec.TryParse(text, out var section));
        Assert.Equal(part, section.Part);
        Assert.Equal(kind, section.Text);
    }

    [Theory]
    [InlineData("MIME")]
    [InlineData("0")]
    [InlineData("1.")]
    [InlineData("1.BODY")]
    [InlineData("HEADER.FIELDS ()")]
    [InlineData("HEADER.FIELDS From")]
    public void Invalid_section_specifiers_are_refused(string text) =>
        Assert.False(SectionSpec.TryParse(text, out _));

    private static string Body(string section)
    {
        var result = MessageSections.GetBody(Message, Structure, section);
        Assert.Equal(SectionStatus.Ok, result.Status);
        return Encoding.UTF8.GetString(result.Data.Span);
    }
}
