using System.Text;
using DocStore.Search.Extraction;
using DocStore.Testing;
using MimeKit;
using Xunit;

namespace DocStore.Search.Tests;

public sealed class ExtractionTests
{
    private static byte[] WithAttachment(string fileName, string mediaType, byte[] content)
    {
        var builder = new BodyBuilder { TextBody = "See the attachment." };
        builder.Attachments.Add(fileName, content, ContentType.Parse(mediaType));
        var message = new MimeMessage(new[] { new MailboxAddress("A", "a@example.org") }, new[] { new MailboxAddress("B", "b@example.org") }, "Attachment", builder.ToMessageBody());
        using var buffer = new MemoryStream();
        message.WriteTo(buffer);
        return buffer.ToArray();
    }

    public static TheoryData<string, string, byte[], string> Attachments() => new()
    {
        { "scan.pdf", "application/pdf", TestDocuments.Pdf("Invoice number", "Frobnicator 4711 delivered"), "Frobnicator 4711" },
        { "scan.pdf", "application/octet-stream", TestDocuments.Pdf("Octet stream quuxalicious"), "quuxalicious" },
        { "letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", TestDocuments.Docx("Dear Sir", "Zahlungsbedingungen gelten"), "Zahlungsbedingungen gelten" },
        { "sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", TestDocuments.Xlsx("Quartalsumsatz", "Köln"), "Quartalsumsatz" },
        { "deck.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", TestDocuments.Pptx("Roadmap Zeppelin"), "Roadmap Zeppelin" },
        { "text.odt", "application/vnd.oasis.opendocument.text", TestDocuments.OpenDocument("application/vnd.oasis.opendocument.text", "Mietvertrag Hauptstraße"), "Mietvertrag Hauptstraße" },
        { "calc.ods", "application/vnd.oasis.opendocument.spreadsheet", TestDocuments.OpenDocument("application/vnd.oasis.opendocument.spreadsheet", "Kassenbuch"), "Kassenbuch" },
        { "show.odp", "application/vnd.oasis.opendocument.presentation", TestDocuments.OpenDocument("application/vnd.oasis.opendocument.presentation", "Vortrag Brandschutz"), "Vortrag Brandschutz" },
        { "note.rtf", "application/rtf", Encoding.ASCII.GetBytes(@"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\*\generator Word;}\f0 Gr\'fc\'dfe aus Gen\u232?ve\par Schluss}"), "Grüße aus Genève" },
        { "page.html", "text/html", Encoding.UTF8.GetBytes("<html><head><style>p{}</style></head><body><p>Sehr &amp; geehrte</p><script>x()</script></body></html>"), "Sehr & geehrte" },
    };

    [Theory]
    [MemberData(nameof(Attachments))]
    public void The_text_inside_an_attachment_is_extracted(string fileName, string mediaType, byte[] content, string expected)
    {
        var text = MessageTextExtractor.Extract(WithAttachment(fileName, mediaType, content));

        Assert.Contains(expected, text.Body, StringComparison.Ordinal);
        Assert.Contains(fileName, text.Body, StringComparison.Ordinal);
        Assert.Equal(0, text.FailedParts);
    }

    [Fact]
    public void Html_bodies_are_searched_as_the_text_a_reader_sees()
    {
        var message = new MimeMessage { Subject = "html", Body = new TextPart("html") { Text = "<p>Bis <b>morgen</b>&nbsp;früh</p><!-- hidden -->" } };
        using var buffer = new MemoryStream();
        message.WriteTo(buffer);

        var text = MessageTextExtractor.Extract(buffer.ToArray());

        Assert.Contains("Bis morgen\u00a0früh", text.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden", text.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nested_message_contributes_its_header_and_body()
    {
        var inner = new MimeMessage { Subject = "Weitergeleitet: Kündigung", Body = new TextPart("plain") { Text = "Innerer Text mit Kaufpreis" } };
        var outer = new MimeMessage { Subject = "Fwd", Body = new Multipart("mixed") { new TextPart("plain") { Text = "see below" }, new MessagePart { Message = inner } } };
        using var buffer = new MemoryStream();
        outer.WriteTo(buffer);

        var text = MessageTextExtractor.Extract(buffer.ToArray());

        Assert.Contains("Kaufpreis", text.Body, StringComparison.Ordinal);
        Assert.Contains("Subject: Weitergeleitet: Kündigung", text.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_attachment_is_counted_and_the_rest_of_the_message_is_still_extracted()
    {
        var bytes = WithAttachment("broken.pdf", "application/pdf", Encoding.ASCII.GetBytes("%PDF-1.4 this is not a PDF at all"));

        var text = MessageTextExtractor.Extract(bytes);

        Assert.Equal(1, text.FailedParts);
        Assert.Contains("See the attachment.", text.Body, StringComparison.Ordinal);
        Assert.Contains(("Subject", "Attachment"), text.Headers);
    }

    [Fact]
    public void Random_bytes_named_pdf_are_counted_as_not_extracted_and_the_rest_of_the_message_is_still_extracted()
    {
        var noise = new byte[20_000];
        new Random(7).NextBytes(noise);
        var bytes = WithAttachment("scan.pdf", "application/pdf", noise);

        var text = MessageTextExtractor.Extract(bytes);

        Assert.Equal(1, text.FailedParts);
        Assert.Contains("See the attachment.", text.Body, StringComparison.Ordinal);
        Assert.Contains("scan.pdf", text.Body, StringComparison.Ordinal);
    }
}
