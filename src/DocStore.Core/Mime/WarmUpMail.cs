namespace DocStore.Core.Mime;

/// <summary>
/// The small mail the start-up warm-ups run through the filing and indexing paths (issue #3): a
/// text part and a text attachment, with an encoded word in the subject, so that MIME analysis,
/// attachment spooling, extraction and Lucene's inversion are all compiled before the first real
/// APPEND. It is never stored: filing is refused before it writes, indexing goes to a scratch index.
/// </summary>
public static class WarmUpMail
{
    /// <summary>The mail's bytes, CRLF line ends.</summary>
    public static ReadOnlyMemory<byte> Bytes { get; } = System.Text.Encoding.ASCII.GetBytes(
        "From: Warm-up <warm-up@docstore.invalid>\r\n" +
        "To: Nobody <nobody@docstore.invalid>\r\n" +
        "Subject: =?utf-8?q?warm-up?=\r\n" +
        "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n" +
        "Message-ID: <warm-up@docstore.invalid>\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n" +
        "\r\n" +
        "--b\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "\r\n" +
        "warm-up\r\n" +
        "--b\r\n" +
        "Content-Type: text/plain; name=\"w.txt\"\r\n" +
        "Content-Disposition: attachment; filename=\"w.txt\"\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "\r\n" +
        "d2FybS11cA==\r\n" +
        "--b--\r\n");
}
