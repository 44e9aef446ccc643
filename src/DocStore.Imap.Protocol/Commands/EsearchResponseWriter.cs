namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// RFC 4731 §3.1 ESEARCH responses: <c>* ESEARCH (TAG "t") [UID] MIN m MAX n COUNT c ALL set</c>,
/// with RFC 7377 §2.1's correlators <c>(TAG "t" MAILBOX "m" UIDVALIDITY v)</c> and RFC 6203 §4's
/// <c>RELEVANCY (scores)</c>, one score per message of ALL, in the same order.
/// </summary>
public static class EsearchResponseWriter
{
    /// <summary>
    /// Writes one ESEARCH response for <paramref name="results"/> (ascending). Options holding
    /// nothing but SAVE mean ALL. <paramref name="relevancy"/> is required with
    /// <see cref="SearchReturnOptions.Relevancy"/>: a score from 1 to 100 per result.
    /// </summary>
    public static void Write(ImapResponseWriter writer, string tag, bool uid, SearchReturnOptions options, IReadOnlyList<uint> results,
        (string Name, long UidValidity)? mailbox = null, IReadOnlyList<int>? relevancy = null) =>
        Write(writer, tag, uid, options, new EsearchResults(results.Count, results.Count == 0 ? 0 : results.Min(), results.Count == 0 ? 0 : results.Max(), results), mailbox, relevancy);

    /// <summary>
    /// As above from what is known of the results: a COUNT, MIN or MAX alone needs no list of
    /// them (<see cref="EsearchResults.All"/> may then be null); ALL and RELEVANCY need it.
    /// </summary>
    public static void Write(ImapResponseWriter writer, string tag, bool uid, SearchReturnOptions options, EsearchResults results,
        (string Name, long UidValidity)? mailbox = null, IReadOnlyList<int>? relevancy = null)
    {
        if ((options & ~SearchReturnOptions.Save) == SearchReturnOptions.None)
        {
            options |= SearchReturnOptions.All;
        }
        if (results.Count > 0 && results.All is null && (options.HasFlag(SearchReturnOptions.All) || options.HasFlag(SearchReturnOptions.Relevancy)))
        {
            throw new ArgumentException("ALL and RELEVANCY need the list of results", nameof(results));
        }
        writer.BeginUntagged();
        writer.WriteRaw("ESEARCH (TAG "u8);
        writer.WriteString(tag);
        if (mailbox is { } correlated)
        {
            writer.WriteRaw(" MAILBOX "u8);
            writer.WriteMailbox(correlated.Name);
            writer.WriteRaw(" UIDVALIDITY "u8);
            writer.WriteNumber(correlated.UidValidity);
        }
        writer.CloseList();
        if (uid)
        {
            writer.WriteRaw(" UID"u8);
        }
        if (results.Count > 0 && options.HasFlag(SearchReturnOptions.Min))
        {
            writer.WriteRaw(" MIN "u8);
            writer.WriteNumber(results.Min);
        }
        if (results.Count > 0 && options.HasFlag(SearchReturnOptions.Max))
        {
            writer.WriteRaw(" MAX "u8);
            writer.WriteNumber(results.Max);
        }
        if (options.HasFlag(SearchReturnOptions.Count))
        {
            writer.WriteRaw(" COUNT "u8);
            writer.WriteNumber(results.Count);
        }
        if (results.Count > 0 && options.HasFlag(SearchReturnOptions.All))
        {
            writer.WriteRaw(" ALL "u8);
            writer.WriteAtom(SequenceSet.Format(results.All!));
        }
        // RFC 6203 §4: like ALL, left out when nothing matched.
        if (results.Count > 0 && options.HasFlag(SearchReturnOptions.Relevancy))
        {
            if (relevancy is null || relevancy.Count != results.Count || relevancy.Any(s => s is < 1 or > 100))
            {
                throw new ArgumentException("RELEVANCY needs one score from 1 to 100 per result", nameof(relevancy));
            }
            writer.WriteRaw(" RELEVANCY ("u8);
            for (var i = 0; i < relevancy.Count; i++)
            {
                if (i > 0)
                {
                    writer.WriteSpace();
                }
                writer.WriteNumber(relevancy[i]);
            }
            writer.CloseList();
        }
        writer.WriteCrlf();
    }
}

/// <summary>What an ESEARCH response says of the results: how many, the least and the greatest (0 when none), and, when asked for, all of them ascending.</summary>
public readonly record struct EsearchResults(int Count, uint Min, uint Max, IReadOnlyList<uint>? All);
