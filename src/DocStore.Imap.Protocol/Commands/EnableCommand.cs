using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>RFC 9051 §6.3.1 (RFC 5161): <c>ENABLE capability ...</c>, at least one.</summary>
public sealed class EnableCommand
{
    private EnableCommand(IReadOnlyList<string> capabilities) => Capabilities = capabilities;

    /// <summary>The capability names in upper case, in the order sent.</summary>
    public IReadOnlyList<string> Capabilities { get; }

    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out EnableCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var capabilities = new List<string>(command.Arguments.Count);
        var arguments = new ImapArgumentReader(command.Arguments);
        while (arguments.TryReadAtom(out var capability))
        {
            capabilities.Add(capability.ToUpperInvariant());
        }

        if (capabilities.Count == 0 || !arguments.IsAtEnd)
        {
            error = "Expected ENABLE capability ...";
            return false;
        }

        result = new EnableCommand(capabilities);
        error = null;
        return true;
    }
}
