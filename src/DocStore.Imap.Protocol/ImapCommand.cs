using System.Text;

namespace DocStore.Imap.Protocol;

/// <summary>
/// One complete client command: its tag, its name in upper case (<c>UID FETCH</c> for the UID
/// forms, RFC 9051 §6.4.9) and its argument tree.
/// </summary>
public sealed class ImapCommand(string tag, string name, IReadOnlyList<ImapArgument> arguments)
{
    public string Tag { get; } = tag;

    public string Name { get; } = name;

    public IReadOnlyList<ImapArgument> Arguments { get; } = arguments;

    /// <summary>True for <c>UID COPY</c>, <c>UID FETCH</c> and the other UID forms.</summary>
    public bool IsUid => Name.StartsWith("UID ", StringComparison.Ordinal);

    /// <summary>Renders the command (literals inline), for logs and tests; never log LOGIN this way.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder().Append(Tag).Append(' ').Append(Name);
        if (Arguments.Count > 0)
        {
            builder.Append(' ');
            ImapArgument.RenderItems(builder, Arguments);
        }

        return builder.ToString();
    }
}
