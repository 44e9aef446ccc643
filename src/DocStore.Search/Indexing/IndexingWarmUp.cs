using DocStore.Core.Search;
using Microsoft.Extensions.Logging;

namespace DocStore.Search.Indexing;

/// <summary>
/// The indexer's path once at start-up, into an index in memory that is thrown away: a small mail
/// with a text part and an attachment is extracted, added, committed and made searchable. Nothing
/// is written to the store or the live index. Without it the first mail filed after a restart
/// paid the compilation of extraction and Lucene's inversion (about 0.2 s of CPU on this
/// machine's two cores) while the IDLE sessions it had just woken were answering (issue #3).
/// </summary>
public static class IndexingWarmUp
{
    /// <summary>Runs the path; true when the warm-up mail was searchable at the end, as it must be.</summary>
    public static bool Run(ILogger logger)
    {
        using var scratch = TextIndex.InMemory();
        var version = new DocumentVersion(1, 1);
        VersionIndexing.Add(scratch, version, WarmUpMail, logger);
        scratch.Commit(1);
        scratch.Refresh();
        return scratch.IsSearchable(version);
    }

    private static readonly byte[] WarmUpMail = System.Text.Encoding.ASCII.GetBytes(
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
        "warm-up of the indexer\r\n" +
        "--b\r\n" +
        "Content-Type: text/plain; name=\"w.txt\"\r\n" +
        "Content-Disposition: attachment; filename=\"w.txt\"\r\n" +
        "Content-Transfer-Encoding: base64\r\n" +
        "\r\n" +
        "d2FybS11cA==\r\n" +
        "--b--\r\n");
}
