using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DocStore.Core.Mime;
using Xunit;

namespace DocStore.Core.Tests.Mime;

/// <summary>
/// Every section the reference server (Dovecot) answered for the corpus has the same size and
/// SHA-256 when served by slicing the stored bytes with the analyzed structure.
/// </summary>
public sealed class GoldenSectionTests
{
    /// <summary>
    /// Where DocStore answers differently from the reference, on purpose; the RFC decides.
    /// Key: "NNN BODY[...]" or "NNN *" for every section of a message.
    /// </summary>
    private const string Composite =
        "RFC 3516 §4.2 removes the section's own Content-Transfer-Encoding; a multipart or message/rfc822 has none (RFC 2045 §6.4), so BINARY of it is its body as stored. The reference also decodes the parts inside and rewrites their headers.";

    private const string NestedCloseDelimiter =
        "RFC 2046 §5.1.1: the CRLF before a boundary belongs to the boundary. This part ends with a nested close-delimiter directly followed by the outer boundary; the reference counts that CRLF into the part, we leave it to the outer boundary.";

    private const string EmptyParameter =
        "'multipart/mixed;; boundary=...' has an empty parameter (not allowed by RFC 2045 §5.1). " +
        "The reference then ignores every parameter and shows an empty multipart; we skip the " +
        "empty one, as MimeKit and common clients do, and show the parts the sender wrote.";

    private const string BareLineFeeds =
        "The message uses bare LF line ends. DESIGN.md keeps bytes exactly as received and BODY[] " +
        "returns them byte for byte; the reference serves CRLF, so every size counts the CRs it adds.";

    private static readonly Dictionary<string, string> Exceptions = new(StringComparer.Ordinal)
    {
        ["001 BINARY[3]"] = Composite,
        ["035 BINARY[2]"] = Composite,
        ["035 BINARY[2.2]"] = Composite,
        ["046 BINARY[1]"] = Composite,
        ["047 BINARY[2]"] = Composite,
        ["063 BINARY[1]"] = Composite,
        ["069 BINARY[1]"] = Composite,
        ["071 BINARY[1]"] = Composite,
        ["016 BODY[3]"] = NestedCloseDelimiter,
        ["016 BINARY[3]"] = NestedCloseDelimiter,
        ["016 BODY[4]"] = NestedCloseDelimiter,
        ["016 BINARY[4]"] = NestedCloseDelimiter,
        ["016 BODY[4.2]"] = NestedCloseDelimiter,
        ["016 BINARY[4.2]"] = NestedCloseDelimiter,
        ["016 BODY[4.2.2]"] = NestedCloseDelimiter,
        ["016 BINARY[4.2.2]"] = NestedCloseDelimiter,
        ["024 BODY[1]"] = NestedCloseDelimiter,
        ["024 BINARY[1]"] = NestedCloseDelimiter,
        ["063 BODY[1]"] = NestedCloseDelimiter,
        ["031 *"] = EmptyParameter,
        ["078 *"] = BareLineFeeds,
    };

    public static TheoryData<string> Messages => GoldenCorpus.Names();

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_section_has_the_reference_size_and_digest(string name)
    {
        GoldenCorpus.DeleteActual(name, ".sections");
        var message = GoldenCorpus.Message(name);
        var structure = MessageAnalyzer.Analyze(message);
        var report = new StringBuilder();
        var failures = 0;
        foreach (var section in GoldenCorpus.Reference(name).GetProperty("sections").EnumerateObject())
        {
            var expectedSize = section.Value.GetProperty("size").GetInt64();
            var expectedHash = section.Value.GetProperty("sha256").GetString();
            var actual = Fetch(message, structure, section.Name);
            var actualHash = Convert.ToHexStringLower(SHA256.HashData(actual.Span));
            var same = actual.Length == expectedSize && string.Equals(actualHash, expectedHash, StringComparison.Ordinal);
            var excused = Exceptions.ContainsKey($"{name} {section.Name}") || Exceptions.ContainsKey($"{name} *");
            report.Append(CultureInfo.InvariantCulture, $"{(same ? "same" : excused ? "excused" : "DIFF")} {section.Name} expected {expectedSize} actual {actual.Length}\n");
            if (!same && !excused)
            {
                failures++;
                report.Append(Encoding.UTF8.GetString(actual.Span)).Append("\n----\n");
            }
        }

        if (failures > 0)
        {
            var path = GoldenCorpus.WriteActual(name, ".sections", report.ToString());
            Assert.Fail($"{failures} section(s) of {name} differ from the reference; see {path}");
        }
    }

    private static ReadOnlyMemory<byte> Fetch(byte[] message, MessageStructure structure, string section)
    {
        var open = section.IndexOf('[', StringComparison.Ordinal);
        var spec = section[(open + 1)..^1];
        if (section.StartsWith("BINARY[", StringComparison.Ordinal))
        {
            var part = spec.Split('.').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToList();
            var binary = MessageSections.GetBinary(message, structure, part);
            Assert.Equal(SectionStatus.Ok, binary.Status);
            return binary.Data;
        }

        Assert.True(SectionSpec.TryParse(spec, out var parsed), section);
        var body = MessageSections.GetBody(message, structure, parsed);
        Assert.Equal(SectionStatus.Ok, body.Status);
        return body.Data;
    }
}
