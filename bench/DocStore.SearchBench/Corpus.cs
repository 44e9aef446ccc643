using System.Text;
using DocStore.Testing;
using MimeKit;

namespace DocStore.SearchBench;

/// <summary>
/// The benchmark's mailbox, the same for the same seed: bodies of 2–50 KiB (log-uniform), 20%
/// with a PDF or Office attachment, and planted words whose frequency is known: a rare word in
/// 0.1% of the bodies, a word that occurs only inside PDF attachments (in 5% of the PDFs).
/// </summary>
public static class Corpus
{
    public const string RareWord = "quokkarine";
    public const string PdfOnlyWord = "xylocarpa";

    private static readonly string[] Words =
    [
        "invoice", "contract", "quarterly", "report", "meeting", "agenda", "draft", "review", "budget", "project", "delivery", "schedule",
        "approval", "signed", "customer", "supplier", "order", "the", "and", "for", "with", "please", "find", "attached", "regards", "update",
        "minutes", "policy", "compliance", "audit", "archive", "version", "document", "folder", "shared", "team", "office", "Rechnung", "Größe", "Müller",
    ];

    private static readonly string[] People = ["Alice Martin", "Bob Keller", "Chloe Dubois", "Dieter Braun", "Eva Novak", "Farid Haddad", "Grace Okafor", "Hiro Tanaka", "Ines García", "Jonas Berg"];

    public static byte[] Message(int seed, int index)
    {
        var random = new Random(unchecked((seed * 1_000_003) + index));
        string Sentence(int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));
        var size = (int)(2048 * Math.Pow(25, random.NextDouble()));
        var body = new StringBuilder(size + 200);
        while (body.Length < size)
        {
            body.Append(Sentence(8 + random.Next(8))).Append(".\r\n");
        }
        if (index % 1000 == 7)
        {
            body.Append("Note: ").Append(RareWord).Append(".\r\n");
        }
        var sender = People[random.Next(People.Length)];
        var message = new MimeMessage
        {
            Subject = Sentence(3 + random.Next(5)),
            Date = new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(700_000)),
            MessageId = $"{seed}.{index}@bench.example.org",
        };
        message.From.Add(new MailboxAddress(sender, sender.Split(' ')[1].ToLowerInvariant() + "@example.org"));
        message.To.Add(new MailboxAddress("Bench User", "bench@example.com"));
        var text = new TextPart("plain") { Text = body.ToString() };
        if (random.Next(5) != 0)
        {
            message.Body = text;
        }
        else
        {
            var builder = new BodyBuilder { TextBody = body.ToString() };
            var lines = Enumerable.Range(0, 20 + random.Next(60)).Select(_ => Sentence(10)).ToList();
            switch (random.Next(3))
            {
                case 0:
                    if (random.Next(20) == 0)
                    {
                        lines.Insert(lines.Count / 2, "Species " + PdfOnlyWord + " noted");
                    }
                    builder.Attachments.Add($"scan{index}.pdf", TestDocuments.Pdf([.. lines]), new ContentType("application", "pdf"));
                    break;
                case 1:
                    builder.Attachments.Add($"letter{index}.docx", TestDocuments.Docx([.. lines]),
                        ContentType.Parse("application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
                    break;
                default:
                    builder.Attachments.Add($"sheet{index}.xlsx", TestDocuments.Xlsx([.. lines]),
                        ContentType.Parse("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
                    break;
            }
            message.Body = builder.ToMessageBody();
        }
        using var buffer = new MemoryStream();
        message.WriteTo(FormatOptions.Default, buffer);
        return buffer.ToArray();
    }
}
