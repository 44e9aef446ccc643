using System.Text;
using DocStore.Core.Mime;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace DocStore.Search.Extraction;

/// <summary>
/// Extracts <see cref="ExtractedText"/> from a message's bytes. Charsets and transfer encodings are
/// MimeKit's; PDF, Office Open XML, OpenDocument, RTF and HTML are turned into text; a nested
/// message/rfc822 contributes its header and body. A part that fails is logged and counted and
/// the rest of the message is still extracted.
/// </summary>
public static class MessageTextExtractor
{
    // MIME depth limit of DESIGN.md: deeper nesting is not followed.
    private const int MaxDepth = 100;

    // Mail in windows-1252, ISO-8859-15, KOI8-R, Shift_JIS, ... : .NET knows only the Unicode
    // encodings and Latin-1 until the code-page provider is registered (once per process).
    static MessageTextExtractor() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static ExtractedText Extract(ReadOnlyMemory<byte> bytes, ILogger? logger = null)
    {
        using var stream = new ReadOnlyMemoryStream(bytes);
        var message = MimeMessage.Load(stream);
        var failed = 0;
        var body = new StringBuilder();
        AppendBody(message, body, 0, ref failed, logger);
        var headers = message.Headers.Select(h => (h.Field, h.Value ?? "")).ToList();
        return new ExtractedText(headers, body.ToString(), failed);
    }

    private static void AppendBody(MimeMessage message, StringBuilder body, int depth, ref int failed, ILogger? logger)
    {
        foreach (var part in message.BodyParts)
        {
            try
            {
                if (part is TextPart { FileName: { } textFileName })
                {
                    body.Append(textFileName).Append('\n');
                }
                switch (part)
                {
                    case TextPart text when text.IsHtml:
                        body.Append(HtmlText.ToText(text.Text)).Append('\n');
                        break;
                    case TextPart text when text.IsRichText:
                        body.Append(RtfText.ToText(text.Text)).Append('\n');
                        break;
                    case TextPart text:
                        body.Append(text.Text).Append('\n');
                        break;
                    case MessagePart { Message: { } nested } when depth < MaxDepth:
                        foreach (var header in nested.Headers)
                        {
                            body.Append(header.Field).Append(": ").Append(header.Value).Append('\n');
                        }
                        AppendBody(nested, body, depth + 1, ref failed, logger);
                        break;
                    case MimePart mime:
                        if (mime.FileName is { } fileName)
                        {
                            body.Append(fileName).Append('\n');
                        }
                        if (AttachmentText.Extract(mime) is { } extracted)
                        {
                            body.Append(extracted).Append('\n');
                        }
                        break;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failed++;
                // One line per part: a mailbox full of broken PDFs must not bury the log in stack
                // traces; the trace is there at Debug level for whoever looks into one.
                logger?.LogWarning("Text of a {MediaType} part could not be extracted ({Error}: {Reason}); the message is indexed without it",
                    part.ContentType.MimeType, ex.GetType().Name, ex.Message);
                logger?.LogDebug(ex, "Extraction of a {MediaType} part failed", part.ContentType.MimeType);
            }
        }
    }
}
