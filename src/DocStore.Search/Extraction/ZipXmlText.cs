using System.IO.Compression;
using System.Text;
using System.Xml;

namespace DocStore.Search.Extraction;

/// <summary>
/// Text of the zip-of-XML office formats, read with the framework's zip and XML readers: Office
/// Open XML (.docx, .xlsx, .pptx) and OpenDocument (.odt, .ods, .odp).
/// </summary>
internal static class ZipXmlText
{
    // Elements after which a line ends, so words of two paragraphs or cells never run together.
    private static readonly HashSet<string> BlockEnds = new(StringComparer.Ordinal) { "p", "tab", "br", "tr", "tc", "c", "si", "row", "h", "table-cell", "list-item", "line-break" };

    // A zip bomb expands past this; what fits is indexed.
    private const long MaxXmlBytes = 64L * 1024 * 1024;

    public static string OfficeOpenXml(byte[] bytes) => Read(bytes, name =>
        name is "word/document.xml" || name.StartsWith("word/header", StringComparison.Ordinal) || name.StartsWith("word/footer", StringComparison.Ordinal) ||
        name is "word/footnotes.xml" or "xl/sharedStrings.xml" || (name.StartsWith("xl/worksheets/sheet", StringComparison.Ordinal) && name.EndsWith(".xml", StringComparison.Ordinal)) ||
        (name.StartsWith("ppt/slides/slide", StringComparison.Ordinal) && name.EndsWith(".xml", StringComparison.Ordinal)) ||
        (name.StartsWith("ppt/notesSlides/", StringComparison.Ordinal) && name.EndsWith(".xml", StringComparison.Ordinal)),
        // Only the text runs: w:t, a:t, t of shared strings and inline strings, v of cells.
        element => element is "t" or "v");

    public static string OpenDocument(byte[] bytes) => Read(bytes, name => name is "content.xml" or "styles.xml", _ => true);

    private static string Read(byte[] bytes, Func<string, bool> wanted, Func<string, bool> textElement)
    {
        using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
        var text = new StringBuilder();
        long budget = MaxXmlBytes;
        foreach (var entry in zip.Entries.Where(e => wanted(e.FullName)).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            budget -= entry.Length;
            if (budget < 0)
            {
                break;
            }
            using var stream = entry.Open();
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            var inText = new Stack<bool>();
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        if (!reader.IsEmptyElement)
                        {
                            inText.Push(textElement(reader.LocalName));
                        }
                        else if (BlockEnds.Contains(reader.LocalName))
                        {
                            text.Append(reader.LocalName is "tab" ? '\t' : '\n');
                        }
                        break;
                    case XmlNodeType.EndElement:
                        if (inText.Count > 0)
                        {
                            inText.Pop();
                        }
                        if (BlockEnds.Contains(reader.LocalName))
                        {
                            text.Append('\n');
                        }
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace when inText.Count > 0 && inText.Peek():
                        text.Append(reader.Value);
                        break;
                }
            }
            text.Append('\n');
        }
        return text.ToString();
    }
}
