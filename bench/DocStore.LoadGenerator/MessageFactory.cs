using System.Globalization;
using System.Text;

namespace DocStore.LoadGenerator;

/// <summary>
/// Makes realistic messages, the same ones for the same seed: 2–50 KiB (log-uniform, so most are
/// small, as in a real mailbox), about half plain text, a quarter multipart/alternative with an
/// HTML part and a fifth multipart/mixed with a base64 attachment.
/// </summary>
internal static class MessageFactory
{
    private const int MinSize = 2 * 1024;
    private const int MaxSize = 50 * 1024;

    private static readonly string[] Words =
    [
        "invoice", "contract", "quarterly", "report", "meeting", "agenda", "draft", "review", "budget",
        "project", "delivery", "schedule", "approval", "signed", "customer", "supplier", "order", "the",
        "and", "for", "with", "please", "find", "attached", "regards", "update", "minutes", "policy",
        "compliance", "audit", "archive", "version", "document", "folder", "shared", "team", "office",
    ];

    private static readonly string[] People =
    [
        "Alice Martin", "Bob Keller", "Chloe Dubois", "Dieter Braun", "Eva Novak", "Farid Haddad",
        "Grace Okafor", "Hiro Tanaka", "Ines Garcia", "Jonas Berg",
    ];

    public static IReadOnlyList<byte[]> Create(int count, int seed)
    {
        var random = new Random(seed);
        var messages = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            messages[i] = Create(random, seed, i);
        }

        return messages;
    }

    private static byte[] Create(Random random, int seed, int index)
    {
        var size = (int)(MinSize * Math.Pow((double)MaxSize / MinSize, random.NextDouble()));
        var kind = random.NextDouble();
        var text = new StringBuilder(size + 1024);
        var sender = People[random.Next(People.Length)];
        var date = new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(700_000));
        var rfcDate = date.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var messageId = $"<{seed}.{index}.{random.Next():x8}@mail.example.org>";
        text.Append("Return-Path: <").Append(Address(sender)).Append(">\r\n")
            .Append("Received: from mail.example.org (mail.example.org [192.0.2.10])\r\n\tby mx.example.com with ESMTPS id ")
            .Append(random.Next().ToString("x8", CultureInfo.InvariantCulture)).Append("; ").Append(rfcDate).Append("\r\n")
            .Append("From: \"").Append(sender).Append("\" <").Append(Address(sender)).Append(">\r\n")
            .Append("To: Bench User <bench@example.com>\r\n")
            .Append("Subject: ").Append(Sentence(random, 3 + random.Next(6))).Append("\r\n")
            .Append("Date: ").Append(rfcDate).Append("\r\n")
            .Append("Message-ID: ").Append(messageId).Append("\r\n")
            .Append("MIME-Version: 1.0\r\n");

        var boundary = $"=_bench_{seed}_{index}";
        if (kind < 0.55)
        {
            text.Append("Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n");
            Paragraphs(random, text, size);
        }
        else if (kind < 0.8)
        {
            text.Append("Content-Type: multipart/alternative; boundary=\"").Append(boundary).Append("\"\r\n\r\n")
                .Append("--").Append(boundary).Append("\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
            Paragraphs(random, text, text.Length + ((size - text.Length) / 2));
            text.Append("\r\n--").Append(boundary).Append("\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<html><body>\r\n");
            Paragraphs(random, text, size - 40, "<p>", "</p>");
            text.Append("</body></html>\r\n--").Append(boundary).Append("--\r\n");
        }
        else
        {
            text.Append("Content-Type: multipart/mixed; boundary=\"").Append(boundary).Append("\"\r\n\r\n")
                .Append("--").Append(boundary).Append("\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
            Paragraphs(random, text, text.Length + 600);
            text.Append("\r\n--").Append(boundary)
                .Append("\r\nContent-Type: application/pdf; name=\"scan-").Append(index).Append(".pdf\"\r\n")
                .Append("Content-Disposition: attachment; filename=\"scan-").Append(index).Append(".pdf\"\r\n")
                .Append("Content-Transfer-Encoding: base64\r\n\r\n");
            var attachment = new byte[Math.Max(256, (size - text.Length - 80) * 3 / 4)];
            random.NextBytes(attachment);
            var base64 = Convert.ToBase64String(attachment);
            for (var at = 0; at < base64.Length; at += 76)
            {
                text.Append(base64.AsSpan(at, Math.Min(76, base64.Length - at))).Append("\r\n");
            }

            text.Append("--").Append(boundary).Append("--\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static void Paragraphs(Random random, StringBuilder text, int until, string open = "", string close = "")
    {
        while (text.Length < until)
        {
            text.Append(open);
            var line = 0;
            for (var words = 20 + random.Next(60); words > 0; words--)
            {
                var word = Words[random.Next(Words.Length)];
                if (line + word.Length > 72)
                {
                    text.Append("\r\n");
                    line = 0;
                }

                text.Append(word).Append(' ');
                line += word.Length + 1;
            }

            text.Append(close).Append("\r\n\r\n");
        }
    }

    private static string Sentence(Random random, int words) =>
        string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));

    private static string Address(string person) => person.Replace(' ', '.').ToLowerInvariant() + "@example.org";
}
