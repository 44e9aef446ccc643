using System.Diagnostics.CodeAnalysis;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>RFC 7162 §3.2.5: the QRESYNC select parameter.</summary>
/// <param name="UidValidity">The UIDVALIDITY the client knew.</param>
/// <param name="ModSeq">The last known HIGHESTMODSEQ.</param>
/// <param name="KnownUids">Optional: the UIDs the client knows.</param>
/// <param name="KnownSequenceNumbers">Optional: message numbers matched with <paramref name="KnownUidsForSequence"/>.</param>
/// <param name="KnownUidsForSequence">Optional: the UIDs of those message numbers.</param>
public sealed record QresyncParameters(uint UidValidity, ulong ModSeq, SequenceSet? KnownUids, SequenceSet? KnownSequenceNumbers, SequenceSet? KnownUidsForSequence);

/// <summary>
/// RFC 9051 §6.3.2/§6.3.3: <c>SELECT</c>/<c>EXAMINE mailbox [(params)]</c>, with the RFC 7162
/// parameters CONDSTORE and QRESYNC.
/// </summary>
public sealed record SelectCommand(string Mailbox, bool ReadOnly, bool CondStore, QresyncParameters? Qresync)
{
    public static bool TryParse(ImapCommand command, bool utf8Accept, [NotNullWhen(true)] out SelectCommand? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var arguments = new ImapArgumentReader(command.Arguments);
        if (!arguments.TryReadMailbox(utf8Accept, out var mailbox, out error))
        {
            return false;
        }

        var condStore = false;
        QresyncParameters? qresync = null;
        if (arguments.TryReadList(out var parameters))
        {
            // RFC 4466 §2.1: select-params hold at least one parameter.
            if (parameters.Count == 0)
            {
                error = "Empty SELECT parameter list";
                return false;
            }

            var reader = new ImapArgumentReader(parameters);
            while (!reader.IsAtEnd)
            {
                if (reader.TryReadWord("CONDSTORE"))
                {
                    condStore = true;
                }
                else if (qresync is null && reader.TryReadWord("QRESYNC") && reader.TryReadList(out var qresyncItems) && TryParseQresync(qresyncItems, out qresync))
                {
                    condStore = true;
                }
                else
                {
                    error = "Unknown or malformed SELECT parameter";
                    return false;
                }
            }
        }

        if (!arguments.IsAtEnd)
        {
            error = $"Expected {command.Name} mailbox [(parameters)]";
            return false;
        }

        result = new SelectCommand(mailbox, string.Equals(command.Name, "EXAMINE", StringComparison.Ordinal), condStore, qresync);
        return true;
    }

    private static bool TryParseQresync(IReadOnlyList<ImapArgument> items, [NotNullWhen(true)] out QresyncParameters? qresync)
    {
        qresync = null;
        var reader = new ImapArgumentReader(items);
        if (!reader.TryReadNzNumber(out var uidValidity) || !reader.TryReadNumber(out var modSeq) || modSeq == 0)
        {
            return false;
        }

        SequenceSet? knownUids = null;
        if (reader.TryReadAtom(out var known))
        {
            if (!SequenceSet.TryParse(known, out knownUids) || knownUids.IsSavedResult)
            {
                return false;
            }
        }

        SequenceSet? sequences = null;
        SequenceSet? uids = null;
        if (reader.TryReadList(out var match))
        {
            var pair = new ImapArgumentReader(match);
            if (!pair.TryReadAtom(out var sequenceText) || !pair.TryReadAtom(out var uidText) || !pair.IsAtEnd ||
                !SequenceSet.TryParse(sequenceText, out sequences) || !SequenceSet.TryParse(uidText, out uids))
            {
                return false;
            }
        }

        qresync = new QresyncParameters(uidValidity, modSeq, knownUids, sequences, uids);
        return reader.IsAtEnd;
    }
}
