using System.Buffers;
using System.Text;
using System.Text.Json;
using DocStore.Core.Mime;
using DocStore.Imap.Fetch;
using DocStore.Imap.Protocol;
using Xunit;

namespace DocStore.Imap.Tests.Fetch;

/// <summary>
/// ENVELOPE, BODY and BODYSTRUCTURE written from the analyzed structure equal the reference
/// server's (Dovecot's) for every message of the golden corpus, up to the choice between quoted
/// string and literal.
/// </summary>
public sealed class GoldenBodyStructureTests
{
    /// <summary>
    /// Where DocStore answers differently from the reference, on purpose; the RFC decides.
    /// Key: "NNN envelope", "NNN body" or "NNN bodystructure".
    /// </summary>
    private const string InvalidContentType =
        "'Content-Type: application-x-gzip' has no subtype. RFC 2045 §5.2 says to take a " +
        "syntactically invalid Content-Type as text/plain; charset=us-ascii; the reference " +
        "sends the type and subtype as empty strings.";

    private const string NestedCloseDelimiter =
        "RFC 2046 §5.1.1: the CRLF before a boundary belongs to the boundary. Parts 3, 4, 4.2 " +
        "end with a nested close-delimiter directly followed by the outer boundary; the " +
        "reference counts that CRLF (2 octets, 1 line) into the part, we do not.";

    private const string EmptyParameter =
        "'multipart/mixed;; boundary=...' has an empty parameter (not allowed by RFC 2045 §5.1). " +
        "The reference then ignores every parameter and shows an empty multipart; we skip the " +
        "empty one and show the two parts the sender wrote.";

    private const string BareLineFeeds =
        "Bare LF line ends, kept as received (DESIGN.md); sizes count the octets we serve, the " +
        "reference counts the CRs it adds.";

    private static readonly Dictionary<string, string> Exceptions = new(StringComparer.Ordinal)
    {
        ["013 body"] = InvalidContentType,
        ["013 bodystructure"] = InvalidContentType,
        ["016 body"] = NestedCloseDelimiter,
        ["016 bodystructure"] = NestedCloseDelimiter,
        ["031 body"] = EmptyParameter,
        ["031 bodystructure"] = EmptyParameter,
        ["078 body"] = BareLineFeeds,
        ["078 bodystructure"] = BareLineFeeds,
    };

    public static TheoryData<string> Messages()
    {
        var names = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal))
        {
            names.Add(Path.GetFileNameWithoutExtension(file));
        }

        return names;
    }

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Corpus");

    [Theory]
    [MemberData(nameof(Messages))]
    public void Envelope_body_and_bodystructure_equal_the_reference(string name)
    {
        var structure = MessageAnalyzer.Analyze(File.ReadAllBytes(Path.Combine(Folder, name + ".eml")));
        using var reference = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, name + ".json")));
        var differences = new List<string>();
        Compare(name, "envelope", reference, w => EnvelopeWriter.Write(w, structure.Envelope), differences);
        Compare(name, "body", reference, w => BodyStructureWriter.WriteBody(w, structure.Body), differences);
        Compare(name, "bodystructure", reference, w => BodyStructureWriter.WriteBodyStructure(w, structure.Body), differences);
        Assert.True(differences.Count == 0, string.Join(", ", differences));
    }

    private static void Compare(string name, string item, JsonDocument reference, Action<ImapResponseWriter> write, List<string> differences)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new ImapResponseWriter(buffer));
        var expected = reference.RootElement.GetProperty(item).GetString()!;
        var expectedNormal = ImapValueNormalizer.Normalize(Encoding.UTF8.GetBytes(expected));
        var actualNormal = ImapValueNormalizer.Normalize(buffer.WrittenSpan);
        var actualPath = Path.Combine(Folder, $"{name}.{item}.actual");
        File.Delete(actualPath);
        if (string.Equals(expectedNormal, actualNormal, StringComparison.Ordinal) || Exceptions.ContainsKey($"{name} {item}"))
        {
            return;
        }

        File.WriteAllText(actualPath, $"expected:\n{expectedNormal}\nactual:\n{actualNormal}\n");
        differences.Add($"{item} differs, see {actualPath}");
    }
}
