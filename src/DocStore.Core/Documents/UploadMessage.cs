using System.Globalization;
using System.Text;
using DocStore.Core.Principals;
using MimeKit;
using MimeKit.Utils;

namespace DocStore.Core.Documents;

/// <summary>
/// The message an uploaded file is over IMAP (DESIGN.md, IMAP mapping): From the uploader,
/// Subject the title, Date the upload time, a Message-ID derived from the document id and
/// version, a short text part with the metadata, and the file attached under its own name and
/// media type, base64, so a mail client saves exactly the uploaded bytes.
/// </summary>
public static class UploadMessage
{
    /// <summary>The host part of generated addresses and Message-IDs.</summary>
    public const string Domain = "docstore.invalid";

    public static string MessageIdOf(Guid document, int version) =>
        $"{document:N}.v{version.ToString(CultureInfo.InvariantCulture)}@{Domain}";

    /// <summary>Writes the message to <paramref name="output"/>; <paramref name="file"/> is read once.</summary>
    public static async Task WriteAsync(Stream output, User uploader, Guid document, int version, string title, Upload upload, Stream file,
        IReadOnlyList<string> tags, DateTimeOffset date, CancellationToken cancellationToken)
    {
        var message = new MimeMessage { Subject = title, Date = date, MessageId = MessageIdOf(document, version) };
        message.From.Add(new MailboxAddress(uploader.DisplayName ?? uploader.Name, $"{uploader.Name}@{Domain}"));
        message.To.Add(new MailboxAddress(uploader.DisplayName ?? uploader.Name, $"{uploader.Name}@{Domain}"));

        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Title: {title}")
            .AppendLine(CultureInfo.InvariantCulture, $"File: {upload.FileName}")
            .AppendLine(CultureInfo.InvariantCulture, $"Type: {upload.MediaType}")
            .AppendLine(CultureInfo.InvariantCulture, $"Size: {file.Length.ToString(CultureInfo.InvariantCulture)} bytes")
            .AppendLine(CultureInfo.InvariantCulture, $"Version: {version.ToString(CultureInfo.InvariantCulture)}")
            .AppendLine(CultureInfo.InvariantCulture, $"Uploaded by: {uploader.Name}, {date.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}")
            .AppendLine(CultureInfo.InvariantCulture, $"Document: {document:N}");
        if (tags.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Tags: {string.Join(", ", tags)}");
        }
        if (!string.IsNullOrWhiteSpace(upload.Comment))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Comment: {upload.Comment}");
        }

        var body = new TextPart("plain") { Text = text.ToString() };
        body.ContentType.Charset = "utf-8";
        body.ContentTransferEncoding = ContentEncoding.QuotedPrintable;
        var attachment = new MimePart(ContentType.TryParse(upload.MediaType, out var type) ? type : new ContentType("application", "octet-stream"))
        {
            Content = new MimeContent(file),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = upload.FileName,
        };
        message.Body = new Multipart("mixed") { body, attachment };

        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        // RFC 2231 parameters, which every current client reads, for names beyond ASCII.
        options.ParameterEncodingMethod = ParameterEncodingMethod.Rfc2231;
        await message.WriteToAsync(options, output, cancellationToken);
    }

    /// <summary>A file name safe to show and to save: no folders, no control characters, never empty.</summary>
    public static string CleanFileName(string? name)
    {
        var leaf = Path.GetFileName((name ?? "").Replace('\\', '/'));
        var cleaned = new string(leaf.Where(c => !char.IsControl(c) && c != '/').ToArray()).Trim();
        return cleaned.Length == 0 ? "upload.bin" : cleaned;
    }
}
