using DocStore.Core.Mailboxes;
using DocStore.Imap.Protocol;

namespace DocStore.Imap.Server;

/// <summary>
/// The session's view of its selected mailbox (RFC 9051 §5.2): message sequence numbers are
/// positions in <see cref="Messages"/>. The view changes only when the session tells clients
/// about it, so numbers stay stable between updates, as the RFC requires.
/// </summary>
internal sealed class SelectedMailbox(Mailbox mailbox, bool readOnly, IReadOnlyList<MessageSummary> messages)
{
    private List<MessageSummary> messages = [.. messages];

    public Mailbox Mailbox { get; private set; } = mailbox;

    public bool ReadOnly { get; } = readOnly;

    public IReadOnlyList<MessageSummary> Messages => messages;

    public int Count => messages.Count;

    /// <summary>RFC 5182: the UIDs the last SEARCH ... RETURN (SAVE) found, for <c>$</c>; reset with the selection.</summary>
    public IReadOnlySet<uint> SavedSearch { get; set; } = new HashSet<uint>();

    /// <summary>Messages (with their sequence numbers) a sequence set or UID set names.</summary>
    public IEnumerable<(int Number, MessageSummary Message)> Resolve(SequenceSet set, bool byUid)
    {
        if (messages.Count == 0)
        {
            yield break;
        }
        if (set.IsSavedResult)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (SavedSearch.Contains(messages[i].Uid))
                {
                    yield return (i + 1, messages[i]);
                }
            }
            yield break;
        }
        if (byUid)
        {
            var largest = messages[^1].Uid;
            for (var i = 0; i < messages.Count; i++)
            {
                if (set.Contains(messages[i].Uid, largest))
                {
                    yield return (i + 1, messages[i]);
                }
            }
            yield break;
        }
        for (var i = 0; i < messages.Count; i++)
        {
            if (set.Contains((uint)(i + 1), (uint)messages.Count))
            {
                yield return (i + 1, messages[i]);
            }
        }
    }

    /// <summary>True when a sequence set names numbers past the end (RFC 9051 §6.4.8: BAD).</summary>
    public bool OutOfRange(SequenceSet set) => set.Ranges.Any(r => r.Resolve((uint)messages.Count).High > messages.Count);

    /// <summary>
    /// Brings the view up to date with the store and reports what clients must hear: expunged
    /// sequence numbers (highest first, as each EXPUNGE shifts the later ones), the new count,
    /// and messages whose flags changed.
    /// </summary>
    public ViewUpdate Update(Mailbox current, IReadOnlyList<MessageSummary> latest, bool allowExpunge)
    {
        Mailbox = current;
        var latestByUid = latest.ToDictionary(m => m.Uid);
        var expunged = new List<int>();
        var changed = new List<(int, MessageSummary)>();
        var kept = new List<MessageSummary>(latest.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            if (latestByUid.TryGetValue(messages[i].Uid, out var now))
            {
                kept.Add(now);
                if (now.ModSeq != messages[i].ModSeq || !SameFlags(now.Flags, messages[i].Flags))
                {
                    changed.Add((kept.Count, now));
                }
            }
            else if (allowExpunge)
            {
                expunged.Add(i + 1);
            }
            else
            {
                // RFC 9051 §7.5.1: no EXPUNGE during FETCH, STORE or SEARCH; keep the ghost for now.
                kept.Add(messages[i]);
            }
        }
        var knownTop = messages.Count == 0 ? 0u : messages[^1].Uid;
        var added = latest.Where(m => m.Uid > knownTop).ToList();
        kept.AddRange(added);
        var grew = added.Count > 0 || expunged.Count > 0;
        messages = kept;
        expunged.Reverse();
        return new ViewUpdate(expunged, grew ? messages.Count : null, changed);
    }

    public void Replace(MessageSummary summary)
    {
        var index = messages.FindIndex(m => m.Uid == summary.Uid);
        if (index >= 0)
        {
            messages[index] = summary;
        }
    }

    private static bool SameFlags(MessageFlags a, MessageFlags b) =>
        a.Seen == b.Seen && a.Answered == b.Answered && a.Flagged == b.Flagged && a.Deleted == b.Deleted && a.Draft == b.Draft &&
        a.Keywords.Count == b.Keywords.Count && a.Keywords.All(k => b.Keywords.Contains(k, StringComparer.OrdinalIgnoreCase));
}

/// <summary>Untagged responses a view update owes the client.</summary>
internal sealed record ViewUpdate(IReadOnlyList<int> ExpungedDescending, int? Exists, IReadOnlyList<(int Number, MessageSummary Message)> FlagChanges);
