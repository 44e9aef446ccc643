using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>One field of an ID command: a name and a value that may be NIL.</summary>
public sealed record IdField(string Name, string? Value);

/// <summary>
/// RFC 2971 §3.3: <c>ID NIL</c> or <c>ID ("name" "value" ...)</c>. The RFC's own limits hold:
/// names up to 30 octets, values up to 1024, at most 30 pairs.
/// </summary>
public sealed class IdCommand
{
    public const int MaxFields = 30;
    public const int MaxNameLength = 30;
    public const int MaxValueLength = 1024;

    private IdCommand(IReadOnlyList<IdField>? fields) => Fields = fields;

    /// <summary>The fields in the order sent; null for <c>ID NIL</c>.</summary>
    public IReadOnlyList<IdField>? Fields { get; }

    /// <summary>The value of a field, by case-insensitive name (RFC 2971 §3.3).</summary>
    public string? this[string name] =>
        Fields?.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;

    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out IdCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (arguments.TryReadWord("NIL") && arguments.IsAtEnd)
        {
            result = new IdCommand(null);
            error = null;
            return true;
        }

        if (!arguments.TryReadList(out var items) || !arguments.IsAtEnd || items.Count == 0 || items.Count % 2 != 0)
        {
            error = "Expected ID NIL or ID (name value ...)";
            return false;
        }

        if (items.Count / 2 > MaxFields)
        {
            error = $"ID allows at most {MaxFields} fields";
            return false;
        }

        var fields = new List<IdField>(items.Count / 2);
        var pairs = new ImapArgumentReader(items);
        while (!pairs.IsAtEnd)
        {
            if (!pairs.TryReadString(out var name) || !pairs.TryReadNString(out var value))
            {
                error = "ID field names must be strings and values strings or NIL";
                return false;
            }

            if (Encoding.UTF8.GetByteCount(name) > MaxNameLength || value is not null && Encoding.UTF8.GetByteCount(value) > MaxValueLength)
            {
                error = $"ID field names are limited to {MaxNameLength} octets and values to {MaxValueLength}";
                return false;
            }

            fields.Add(new IdField(name, value));
        }

        result = new IdCommand(fields);
        error = null;
        return true;
    }
}
