using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>RFC 9208 §4.1.1: <c>GETQUOTA quota-root</c>, an astring.</summary>
public sealed record GetQuotaCommand(string QuotaRoot)
{
    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out GetQuotaCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadAString(out var root) || !arguments.IsAtEnd)
        {
            error = "Expected GETQUOTA quota-root";
            return false;
        }

        result = new GetQuotaCommand(root);
        error = null;
        return true;
    }
}

/// <summary>One resource limit of SETQUOTA: the resource name in upper case and the limit.</summary>
public readonly record struct QuotaLimit(string Resource, ulong Limit);

/// <summary>
/// RFC 9208 §4.1.3: <c>SETQUOTA quota-root (resource limit ...)</c>; an empty list removes all
/// limits. Resources are STORAGE (in KiB), MESSAGE, MAILBOX, ANNOTATION-STORAGE or an extension
/// atom, which the handler refuses if it does not know it.
/// </summary>
public sealed record SetQuotaCommand(string QuotaRoot, IReadOnlyList<QuotaLimit> Limits)
{
    public static bool TryParse(ImapCommand command, [NotNullWhen(true)] out SetQuotaCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadAString(out var root) || !arguments.TryReadList(out var items) || !arguments.IsAtEnd)
        {
            error = "Expected SETQUOTA quota-root (resource limit ...)";
            return false;
        }

        var limits = new List<QuotaLimit>(items.Count / 2);
        var reader = new ImapArgumentReader(items);
        while (!reader.IsAtEnd)
        {
            // RFC 9208 §7: resource-limit = number64.
            if (!reader.TryReadAtom(out var resource) || !reader.TryReadNumber(out var limit) || limit > long.MaxValue)
            {
                error = "SETQUOTA takes pairs of resource name and limit";
                return false;
            }

            var name = resource.ToUpperInvariant();
            if (limits.Exists(l => string.Equals(l.Resource, name, StringComparison.Ordinal)))
            {
                error = "SETQUOTA names a resource twice";
                return false;
            }

            limits.Add(new QuotaLimit(name, limit));
        }

        result = new SetQuotaCommand(root, limits);
        error = null;
        return true;
    }
}
