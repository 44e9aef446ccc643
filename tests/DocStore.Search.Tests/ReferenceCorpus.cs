using System.Text;
using DocStore.Core.Search;
using MimeKit;

namespace DocStore.Search.Tests;

/// <summary>
/// A generated mailbox without attachments, with planted words in every field: mixed case,
/// umlauts and other non-ASCII letters, RFC 2047 encoded headers, several charsets and every
/// transfer encoding. <see cref="Matches"/> is the brute-force reference: a full scan of the
/// parsed messages with the RFC's meaning (case-insensitive substring), written independently
/// of the index.
/// </summary>
internal sealed class ReferenceCorpus
{
    public static readonly string[] Words =
    [
        "Vertrag", "Rechnung", "Angebot", "Müller", "Größe", "STRASSE", "straße", "Ärger", "naïve", "Café", "invoice", "contract",
        "alpha", "Beta", "GAMMA", "délai", "Œuvre", "Ångström", "Zürich", "résumé", "projekt", "Projektplan", "plan", "ÜBERWEISUNG", "x", "ab",
    ];

    private static readonly string[] Charsets = ["utf-8", "iso-8859-1", "iso-8859-15", "windows-1252"];

    private static readonly ContentEncoding[] Encodings = [ContentEncoding.QuotedPrintable, ContentEncoding.Base64, ContentEncoding.EightBit, ContentEncoding.Default];

    private ReferenceCorpus(IReadOnlyList<(DocumentVersion Version, byte[] Bytes, MimeMessage Parsed)> messages) => Messages = messages;

    public IReadOnlyList<(DocumentVersion Version, byte[] Bytes, MimeMessage Parsed)> Messages { get; }

    public static ReferenceCorpus Generate(int count, int seed)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var random = new Random(seed);
        string Phrase(int min, int max) => string.Join(' ', Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => Mixed(Words[random.Next(Words.Length)])));
        string Mixed(string word) => random.Next(4) switch
        {
            0 => word.ToUpperInvariant(),
            1 => word.ToLowerInvariant(),
            _ => word,
        };

        var messages = new List<(DocumentVersion, byte[], MimeMessage)>(count);
        for (var i = 0; i < count; i++)
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress(Phrase(1, 2), $"{Words[random.Next(Words.Length)].ToLowerInvariant()}{i}@example.org".Normalize(NormalizationForm.FormKD).Where(char.IsAscii).Aggregate(new StringBuilder(), (b, c) => b.Append(c)).ToString()));
            message.To.Add(new MailboxAddress(Phrase(1, 2), $"to{i % 7}@example.com"));
            if (random.Next(2) == 0)
            {
                message.Cc.Add(new MailboxAddress(Phrase(1, 1), $"cc{i % 5}@example.net"));
            }
            if (random.Next(4) == 0)
            {
                message.Bcc.Add(new MailboxAddress(Phrase(1, 1), "hidden@example.net"));
            }
            message.Subject = Phrase(0, 4);
            if (random.Next(3) == 0)
            {
                message.Headers.Add("X-Project", Phrase(1, 2));
            }
            message.MessageId = $"{i}.{seed}@corpus.example";
            message.Date = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(i);

            TextPart Text()
            {
                var part = new TextPart("plain") { ContentTransferEncoding = Encodings[random.Next(Encodings.Length)] };
                var charset = Charsets[random.Next(Charsets.Length)];
                var text = string.Join("\n", Enumerable.Range(0, random.Next(1, 6)).Select(_ => Phrase(0, 12)));
                // Œ exists in ISO-8859-15 and Windows-1252 only: UTF-8 otherwise.
                part.SetText(text.Contains('Œ', StringComparison.OrdinalIgnoreCase) && charset == "iso-8859-1" ? "utf-8" : charset, text);
                return part;
            }
            message.Body = random.Next(4) == 0 ? new Multipart("mixed") { Text(), Text() } : Text();

            using var buffer = new MemoryStream();
            message.WriteTo(FormatOptions.Default, buffer);
            var bytes = buffer.ToArray();
            messages.Add((new DocumentVersion(i + 1, 1), bytes, MimeMessage.Load(new MemoryStream(bytes))));
        }
        return new ReferenceCorpus(messages);
    }

    /// <summary>The reference: which messages a full scan finds for the criterion.</summary>
    public HashSet<DocumentVersion> Matches(TextCriterion criterion) =>
        Messages.Where(m => Scan(m.Parsed, criterion)).Select(m => m.Version).ToHashSet();

    private static bool Scan(MimeMessage message, TextCriterion criterion)
    {
        bool In(string haystack) => haystack.Contains(criterion.Value, StringComparison.OrdinalIgnoreCase);
        var body = string.Concat(message.BodyParts.OfType<TextPart>().Select(p => p.Text + "\n"));
        var allHeaders = string.Join('\n', message.Headers.Select(h => h.Field + ": " + h.Value));
        return criterion.Scope switch
        {
            TextScope.Body => In(body),
            TextScope.Text => In(allHeaders) || In(body),
            _ => message.Headers.Where(h => h.Field.Equals(criterion.HeaderName, StringComparison.OrdinalIgnoreCase)).Any(h => In(h.Value ?? "")),
        };
    }
}
