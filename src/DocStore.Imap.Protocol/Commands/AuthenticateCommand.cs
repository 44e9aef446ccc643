using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// RFC 9051 §6.2.2: <c>AUTHENTICATE mechanism [initial-response]</c>; the initial response is
/// SASL-IR (RFC 4959), where <c>=</c> stands for an empty one.
/// </summary>
public sealed class AuthenticateCommand
{
    private AuthenticateCommand(string mechanism, byte[]? initialResponse)
    {
        Mechanism = mechanism;
        InitialResponse = initialResponse;
    }

    /// <summary>The SASL mechanism in upper case, e.g. <c>PLAIN</c>.</summary>
    public string Mechanism { get; }

    /// <summary>The decoded initial response; null when the client sent none.</summary>
    public byte[]? InitialResponse { get; }

    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out AuthenticateCommand? result, [NotNullWhen(false)] out string? error)
    {
        var arguments = new ImapArgumentReader(command.Arguments);
        result = null;
        if (!arguments.TryReadAtom(out var mechanism) || !IsMechanismName(mechanism))
        {
            error = "Expected AUTHENTICATE mechanism [initial-response]";
            return false;
        }

        byte[]? initial = null;
        if (arguments.TryReadAtom(out var encoded) && !TryDecode(encoded, out initial))
        {
            error = "Initial response is not valid base64";
            return false;
        }

        if (!arguments.IsAtEnd)
        {
            error = "Expected AUTHENTICATE mechanism [initial-response]";
            return false;
        }

        result = new AuthenticateCommand(mechanism.ToUpperInvariant(), initial);
        error = null;
        return true;
    }

    /// <summary>
    /// A client's response line during the exchange (RFC 9051 §6.2.2): base64, possibly empty,
    /// or <c>*</c> to cancel. False when it is not valid base64.
    /// </summary>
    public static bool TryParseResponse(in ReadOnlySequence<byte> line, out byte[]? data, out bool cancelled)
    {
        var text = Encoding.ASCII.GetString(line);
        cancelled = string.Equals(text, "*", StringComparison.Ordinal);
        data = null;
        return cancelled || TryDecode(text, out data, emptyMarker: false);
    }

    private static bool TryDecode(string encoded, [NotNullWhen(true)] out byte[]? data, bool emptyMarker = true)
    {
        data = null;
        if (emptyMarker && string.Equals(encoded, "=", StringComparison.Ordinal))
        {
            data = [];
            return true;
        }

        // Strict: padded base64 only, no whitespace (RFC 4959 §3, RFC 4648 §4).
        if (encoded.Length % 4 != 0 || encoded.AsSpan().ContainsAnyExcept(Base64Characters))
        {
            return false;
        }

        var buffer = new byte[encoded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(encoded, buffer, out var written))
        {
            return false;
        }

        data = buffer[..written];
        return true;
    }

    private static readonly SearchValues<char> Base64Characters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    /// <summary>RFC 4422 §3.1: 1 to 20 of upper-case letters, digits, hyphen and underscore.</summary>
    private static bool IsMechanismName(string name) =>
        name.Length is > 0 and <= 20 && !name.AsSpan().ContainsAnyExcept(MechanismCharacters);

    private static readonly SearchValues<char> MechanismCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}
