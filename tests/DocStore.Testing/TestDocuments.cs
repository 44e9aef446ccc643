using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;

namespace DocStore.Testing;

/// <summary>
/// Small real documents for extraction tests and benchmarks, written byte by byte so no font or
/// office package is needed: a PDF with the standard Helvetica font, Office Open XML and
/// OpenDocument files with the parts their readers need.
/// </summary>
public static class TestDocuments
{
    /// <summary>A one-page PDF showing each line (ASCII) in Helvetica.</summary>
    public static byte[] Pdf(params string[] lines)
    {
        var content = new StringBuilder("BT /F1 12 Tf 72 720 Td 14 TL\n");
        foreach (var line in lines)
        {
            content.Append('(').Append(line.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("(", "\\(", StringComparison.Ordinal).Replace(")", "\\)", StringComparison.Ordinal)).Append(") Tj T*\n");
        }
        content.Append("ET");
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            $"<< /Length {Encoding.Latin1.GetByteCount(content.ToString())} >>\nstream\n{content}\nendstream",
        };
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        foreach (var (body, i) in objects.Select((o, i) => (o, i)))
        {
            offsets.Add(Encoding.Latin1.GetByteCount(pdf.ToString()));
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{body}\nendobj\n");
        }
        var xref = Encoding.Latin1.GetByteCount(pdf.ToString());
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }
        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(pdf.ToString());
    }

    /// <summary>A .docx whose paragraphs are the lines; each is split into two runs, as Word often does.</summary>
    public static byte[] Docx(params string[] paragraphs) => Zip(
        ("[Content_Types].xml", """<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"""),
        ("word/document.xml", "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" +
            string.Concat(paragraphs.Select(p => $"<w:p><w:r><w:t>{Escape(p[..(p.Length / 2)])}</w:t></w:r><w:r><w:t xml:space=\"preserve\">{Escape(p[(p.Length / 2)..])}</w:t></w:r></w:p>")) +
            "</w:body></w:document>"));

    /// <summary>An .xlsx with the strings in its shared-string table.</summary>
    public static byte[] Xlsx(params string[] cells) => Zip(
        ("[Content_Types].xml", """<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"""),
        ("xl/sharedStrings.xml", "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" + string.Concat(cells.Select(c => $"<si><t>{Escape(c)}</t></si>")) + "</sst>"),
        ("xl/worksheets/sheet1.xml", "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row><c><v>42</v></c></row></sheetData></worksheet>"));

    /// <summary>A .pptx with one slide showing the text.</summary>
    public static byte[] Pptx(string text) => Zip(
        ("[Content_Types].xml", """<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"""),
        ("ppt/slides/slide1.xml", $"<?xml version=\"1.0\"?><p:sld xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{Escape(text)}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"));

    /// <summary>An OpenDocument file (.odt, .ods or .odp: the same content.xml shape) with the paragraphs.</summary>
    public static byte[] OpenDocument(string mediaType, params string[] paragraphs) => Zip(
        ("mimetype", mediaType),
        ("content.xml", "<?xml version=\"1.0\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:text>" +
            string.Concat(paragraphs.Select(p => $"<text:p>{Escape(p)}</text:p>")) + "</office:text></office:body></office:document-content>"));

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static byte[] Zip(params (string Name, string Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(Encoding.UTF8.GetBytes(content));
            }
        }
        return buffer.ToArray();
    }
}
