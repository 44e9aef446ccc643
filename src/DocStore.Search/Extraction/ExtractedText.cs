namespace DocStore.Search.Extraction;

/// <summary>
/// The searchable text of one message, decoded: every header field (RFC 2047 words decoded by
/// MimeKit) and the body (text parts, HTML as text, attachment names and the text inside
/// attachments and nested messages).
/// </summary>
/// <param name="Headers">The top-level header fields in order, name as written and decoded value.</param>
/// <param name="Body">The body text, parts separated by a line break.</param>
/// <param name="FailedParts">Parts whose text could not be extracted (the rest is still indexed).</param>
public sealed record ExtractedText(IReadOnlyList<(string Name, string Value)> Headers, string Body, int FailedParts)
{
    /// <summary>The whole header, one <c>Name: value</c> line per field, as SEARCH TEXT sees it.</summary>
    public string AllHeaders => string.Join('\n', Headers.Select(h => h.Name + ": " + h.Value));
}
