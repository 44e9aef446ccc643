using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>The threading algorithms of RFC 5256 §3.</summary>
public enum ThreadAlgorithm
{
    /// <summary>By base subject, then sent date.</summary>
    OrderedSubject,

    /// <summary>By References and In-Reply-To (JWZ's algorithm).</summary>
    References,
}

/// <summary>
/// RFC 5256 §3: <c>[UID] THREAD algorithm charset keys</c>; the keys are SEARCH's (see
/// <see cref="SearchCommand"/> for charsets and BADCHARSET).
/// </summary>
public sealed class ThreadCommand
{
    private ThreadCommand(bool uid, ThreadAlgorithm algorithm, string charset, SearchKey key)
    {
        Uid = uid;
        Algorithm = algorithm;
        Charset = charset;
        Key = key;
    }

    public bool Uid { get; }

    public ThreadAlgorithm Algorithm { get; }

    public string Charset { get; }

    public SearchKey Key { get; }

    /// <summary>As <see cref="SearchCommand.TryParse"/>: a BADCHARSET response code means NO.</summary>
    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out ThreadCommand? result, [NotNullWhen(false)] out string? error, out string? responseCode)
    {
        result = null;
        responseCode = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        ThreadAlgorithm? algorithm = arguments.TryReadAtom(out var name) ? name.ToUpperInvariant() switch
        {
            "ORDEREDSUBJECT" => ThreadAlgorithm.OrderedSubject,
            "REFERENCES" => ThreadAlgorithm.References,
            _ => null,
        } : null;
        if (algorithm is null)
        {
            error = "Expected THREAD ORDEREDSUBJECT|REFERENCES charset keys";
            return false;
        }

        arguments.TryRead(out var charsetArgument);
        if (!SearchKeyParser.TryParseCharset(charsetArgument, out var charset, out error, out responseCode) ||
            !SearchKeyParser.TryParseProgram(arguments, charset, out var key, out error))
        {
            return false;
        }

        result = new ThreadCommand(command.IsUid, algorithm.Value, charset, key);
        return true;
    }
}
