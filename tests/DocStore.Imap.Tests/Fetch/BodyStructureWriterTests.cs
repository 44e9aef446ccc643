using System.Buffers;
using System.Text;
using DocStore.Core.Mime;
using DocStore.Imap.Fetch;
using DocStore.Imap.Protocol;
using Xunit;

namespace DocStore.Imap.Tests.Fetch;

public sealed class BodyStructureWriterTests
{
    private static readonly MessageStructure Structure = MessageAnalyzer.Analyze(Encoding.UTF8.GetBytes(
        "From: \"Bob B.\" <bob@example.com>\r\n" +
        "To: Friends: a@example.com;\r\n" +
        "Subject: hi\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=b\r\n" +
        "\r\n" +
        "--b\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Language: de, en\r\n" +
        "\r\n" +
        "one\r\ntwo\r\n" +
        "--b\r\n" +
        "Content-Type: image/png; name=\"a.png\"\r\n" +
        "Content-Disposition: attachment; filename=a.png\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "\r\n" +
        "iVBORw==\r\n" +
        "--b--\r\n"));

    [Fact]
    public void The_envelope_has_groups_and_defaults_sender_and_reply_to_to_from()
    {
        Assert.Equal(
            "(NIL \"hi\" ((\"Bob B.\" NIL \"bob\" \"example.com\")) ((\"Bob B.\" NIL \"bob\" \"example.com\")) " +
            "((\"Bob B.\" NIL \"bob\" \"example.com\")) ((NIL NIL \"Friends\" NIL)(NIL NIL \"a\" \"example.com\")(NIL NIL NIL NIL)) NIL NIL NIL NIL)",
            Write(w => EnvelopeWriter.Write(w, Structure.Envelope)));
    }

    [Fact]
    public void Body_has_no_extension_data()
    {
        Assert.Equal(
            "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 8 1)" +
            "(\"image\" \"png\" (\"name\" \"a.png\") NIL NIL \"base64\" 8) \"mixed\")",
            Write(w => BodyStructureWriter.WriteBody(w, Structure.Body)));
    }

    [Fact]
    public void Bodystructure_has_md5_disposition_language_and_location()
    {
        Assert.Equal(
            "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 8 1 NIL NIL (\"de\" \"en\") NIL)" +
            "(\"image\" \"png\" (\"name\" \"a.png\") NIL NIL \"base64\" 8 NIL (\"attachment\" (\"filename\" \"a.png\")) NIL NIL)" +
            " \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)",
            Write(w => BodyStructureWriter.WriteBodyStructure(w, Structure.Body)));
    }

    private static string Write(Action<ImapResponseWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new ImapResponseWriter(buffer));
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
