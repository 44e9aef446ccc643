using System.Text;
using MimeKit;
using UglyToad.PdfPig;

namespace DocStore.Search.Extraction;

/// <summary>The text inside an attachment whose format DocStore reads; null for any other.</summary>
internal static class AttachmentText
{
    public static string? Extract(MimePart part)
    {
        var kind = KindOf(part);
        if (kind == Kind.None || part.Content is null)
        {
            return null;
        }
        using var decoded = new MemoryStream();
        part.Content.DecodeTo(decoded);
        var bytes = decoded.ToArray();
        return kind switch
        {
            Kind.Pdf => Pdf(bytes),
            Kind.OfficeOpenXml => ZipXmlText.OfficeOpenXml(bytes),
            Kind.OpenDocument => ZipXmlText.OpenDocument(bytes),
            Kind.Rtf => RtfText.ToText(Encoding.Latin1.GetString(bytes)),
            Kind.Html => HtmlText.ToText(Encoding.UTF8.GetString(bytes)),
            _ => null,
        };
    }

    private enum Kind
    {
        None,
        Pdf,
        OfficeOpenXml,
        OpenDocument,
        Rtf,
        Html,
    }

    // Mail clients often send attachments as application/octet-stream: the file name decides then.
    private static Kind KindOf(MimePart part)
    {
        var type = part.ContentType.MimeType.ToLowerInvariant();
        var extension = Path.GetExtension(part.FileName ?? "").ToLowerInvariant();
        if (type is "application/pdf" || extension is ".pdf")
        {
            return Kind.Pdf;
        }
        if (type.StartsWith("application/vnd.openxmlformats-officedocument.", StringComparison.Ordinal) || extension is ".docx" or ".xlsx" or ".pptx")
        {
            return Kind.OfficeOpenXml;
        }
        if (type.StartsWith("application/vnd.oasis.opendocument.", StringComparison.Ordinal) || extension is ".odt" or ".ods" or ".odp")
        {
            return Kind.OpenDocument;
        }
        if (type is "application/rtf" or "text/rtf" || extension is ".rtf")
        {
            return Kind.Rtf;
        }
        if (extension is ".html" or ".htm")
        {
            return Kind.Html;
        }
        return Kind.None;
    }

    // ISO 32000-1 §7.5.2 puts the header at the start; readers (and PdfPig) accept it anywhere
    // in the first 1,024 bytes, after junk some mailers prepend.
    private const int PdfHeaderWithin = 1024;

    private static string Pdf(byte[] bytes)
    {
        // Issue #3: PdfPig given bytes that are no PDF at all (the bench's random-byte
        // attachments, a mislabelled file) searches all of them for objects before it gives up,
        // 3 % of the server's CPU. Without the header it is no PDF: failed at once, as PdfPig
        // would fail it, so the part is still counted and logged as not extracted.
        if (bytes.AsSpan(0, Math.Min(bytes.Length, PdfHeaderWithin)).IndexOf("%PDF-"u8) < 0)
        {
            throw new FormatException("no %PDF- header in the first 1,024 bytes");
        }
        using var document = PdfDocument.Open(bytes);
        var text = new StringBuilder();
        foreach (var page in document.GetPages())
        {
            text.AppendJoin(' ', page.GetWords().Select(w => w.Text)).Append('\n');
        }
        return text.ToString();
    }
}
