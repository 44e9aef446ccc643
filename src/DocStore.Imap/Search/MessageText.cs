using System.Text;
using DocStore.Core.Mailboxes;
using MimeKit;

namespace DocStore.Imap.Search;

/// <summary>
/// The searchable text of one message, decoded (RFC 2047 words, charsets, transfer encodings)
/// for SEARCH's case-insensitive substring keys (RFC 9051 §6.4.4). A full scan: the Lucene index
/// of the search work replaces it for the text keys.
/// </summary>
internal sealed class MessageText
{
    private readonly MimeMessage message;
    private string? body;

    private MessageText(MimeMessage message) => this.message = message;

    public static MessageText Load(StoredMessage stored)
    {
        using var stream = new MemoryStream(stored.Bytes.ToArray(), writable: false);
        return new MessageText(MimeMessage.Load(stream));
    }

    /// <summary>All values of the named header field, decoded; empty when the field is absent.</summary>
    public IEnumerable<string> Header(string name) =>
        message.Headers.Where(h => h.Field.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value ?? "");

    /// <summary>The whole header, decoded, one field per line.</summary>
    public string AllHeaders => string.Join('\n', message.Headers.Select(h => h.Field + ": " + h.Value));

    /// <summary>The text of the text parts, decoded, plus the names of attachments.</summary>
    public string Body => body ??= ExtractBody();

    public DateTimeOffset? SentDate => message.Headers.Contains(HeaderId.Date) ? message.Date : null;

    private string ExtractBody()
    {
        var text = new StringBuilder();
        foreach (var part in message.BodyParts)
        {
            if (part is TextPart textPart)
            {
                text.Append(textPart.Text).Append('\n');
            }
            else if (part is MimePart { FileName: { } fileName })
            {
                text.Append(fileName).Append('\n');
            }
        }
        return text.ToString();
    }
}
