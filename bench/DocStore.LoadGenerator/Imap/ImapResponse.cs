namespace DocStore.LoadGenerator.Imap;

/// <summary>
/// One server response: its text with every literal's bytes left out (the <c>{n}</c> markers
/// stay), and how many literal bytes it carried.
/// </summary>
internal readonly record struct ImapResponse(string Text, long LiteralBytes)
{
    public bool IsUntagged => Text.StartsWith("* ", StringComparison.Ordinal);

    public bool IsContinuation => Text.StartsWith('+');

    /// <summary>RFC 9051 §7.4.1: <c>* n FETCH (...)</c>.</summary>
    public bool IsFetch => IsUntagged && Text.Contains(" FETCH (", StringComparison.OrdinalIgnoreCase);

    /// <summary>The tagged completion's status (<c>OK</c>, <c>NO</c>, <c>BAD</c>) when this answers <paramref name="tag"/>.</summary>
    public string? StatusFor(string tag)
    {
        if (Text.Length <= tag.Length + 1 || !Text.StartsWith(tag, StringComparison.Ordinal) || Text[tag.Length] != ' ')
        {
            return null;
        }

        var rest = Text.AsSpan(tag.Length + 1);
        var end = rest.IndexOf(' ');
        return (end < 0 ? rest : rest[..end]).ToString().ToUpperInvariant();
    }

    /// <summary>RFC 9051 §7.3.1: <c>* n EXISTS</c>.</summary>
    public bool TryGetExists(out long count)
    {
        count = 0;
        if (!IsUntagged || !Text.EndsWith(" EXISTS", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return long.TryParse(Text.AsSpan(2, Text.Length - 2 - " EXISTS".Length), out count);
    }
}

/// <summary>The server answered a command with NO or BAD, or with something a client cannot use.</summary>
internal sealed class ImapCommandException(string message) : Exception(message);
