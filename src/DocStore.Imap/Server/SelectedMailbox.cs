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

    public Mailbox Mailbox { get; } = mailbox;

    public bool ReadOnly { get; } = readOnly;

    /// <summary>The user's rights on the mailbox, read again before every selected-state command (RFC 4314 §5.1.1).</summary>
    public Core.Sharing.MailboxRights Rights { get; set; } = mailbox.Rights;

    public IReadOnlyList<MessageSummary> Messages => messages;

    public int Count => messages.Count;

    /// <summary>
    /// What the full-text search keeps for this mailbox's next SEARCH, with a count of the
    /// changes of the view's versions: every change of <c>messages</c> goes through a place that
    /// counts it, or the next SEARCH would reuse a map of the old view.
    /// </summary>
    public Search.SearchStateHolder SearchState { get; } = new();

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
        // The set's sorted, disjoint intervals: a STORE of one UID in a 20,000-message mailbox
        // looks at one message (a binary search), not at all 20,000. Mailbox order, each once.
        if (byUid)
        {
            foreach (var (low, high) in set.Resolve(messages[^1].Uid))
            {
                for (var i = FirstAtOrAbove(low); i < messages.Count && messages[i].Uid <= high; i++)
                {
                    yield return (i + 1, messages[i]);
                }
            }
            yield break;
        }
        foreach (var (low, high) in set.Resolve((uint)messages.Count))
        {
            for (var number = (int)low; number <= (int)high; number++)
            {
                yield return (number, messages[number - 1]);
            }
        }
    }

    /// <summary>The index of the first message whose UID is at least <paramref name="uid"/> (Count when none).</summary>
    private int FirstAtOrAbove(uint uid)
    {
        int low = 0, high = messages.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (messages[middle].Uid < uid)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    /// <summary>True when a sequence set names numbers past the end (RFC 9051 §6.4.8: BAD).</summary>
    public bool OutOfRange(SequenceSet set) => set.Ranges.Any(r => r.Resolve((uint)messages.Count).High > messages.Count);

    /// <summary>The mailbox's HIGHESTMODSEQ as far as this session has told its client.</summary>
    public long HighestModSeq { get; private set; } = mailbox.HighestModSeq;

    /// <summary>
    /// Applies what changed since <see cref="HighestModSeq"/> and reports what clients must hear:
    /// expunged sequence numbers (highest first, as each EXPUNGE shifts the later ones), the new
    /// count, and messages whose flags changed. Without <paramref name="allowExpunge"/> (RFC 9051
    /// §7.5.1: not during FETCH, STORE or SEARCH) expunged messages stay as ghosts and the view
    /// keeps its old HIGHESTMODSEQ, so the next allowed moment reports them.
    /// </summary>
    public ViewUpdate Apply(MailboxState current, IReadOnlyList<MessageSummary> changed, IReadOnlyList<uint> expunged, bool allowExpunge)
    {
        var expungedNumbers = new List<int>();
        if (allowExpunge && expunged.Count > 0)
        {
            var gone = expunged.ToHashSet();
            for (var i = messages.Count - 1; i >= 0; i--)
            {
                if (gone.Contains(messages[i].Uid))
                {
                    expungedNumbers.Add(i + 1);
                    messages.RemoveAt(i);
                    SearchState.Generation++;
                }
            }
        }

        var flagChanges = new List<(int, MessageSummary)>();
        var added = 0;
        foreach (var message in changed)
        {
            if (messages.Count == 0 || message.Uid > messages[^1].Uid)
            {
                messages.Add(message);
                SearchState.Generation++;
                added++;
                continue;
            }
            var index = IndexOf(message.Uid);
            if (index >= 0 && (message.ModSeq != messages[index].ModSeq || !SameFlags(message.Flags, messages[index].Flags)))
            {
                Put(index, message);
                flagChanges.Add((index + 1, message));
            }
        }

        if (allowExpunge || expunged.Count == 0)
        {
            HighestModSeq = current.HighestModSeq;
        }
        return new ViewUpdate(expungedNumbers, added > 0 || expungedNumbers.Count > 0 ? messages.Count : null, flagChanges);
    }

    /// <summary>The index of the message with this UID, or -1.</summary>
    private int IndexOf(uint uid)
    {
        var index = FirstAtOrAbove(uid);
        return index < messages.Count && messages[index].Uid == uid ? index : -1;
    }

    /// <summary>
    /// After the session's own change, which moved the mailbox from <paramref name="before"/> to
    /// <paramref name="after"/>: when the view stood exactly at <paramref name="before"/>, nothing
    /// else happened in between, so the view (with the change applied through <see cref="Replace"/>)
    /// is current at <paramref name="after"/> and true is returned. Otherwise the view stays and
    /// the usual update check reports what else changed.
    /// </summary>
    public bool Advance(long before, long after)
    {
        if (HighestModSeq != before)
        {
            return false;
        }
        HighestModSeq = after;
        return true;
    }

    public void Replace(MessageSummary summary)
    {
        var index = IndexOf(summary.Uid);
        if (index >= 0)
        {
            Put(index, summary);
        }
    }

    // Every change of the list's versions is counted for the full-text search's kept map.
    private void Put(int index, MessageSummary message)
    {
        if (messages[index].DocumentId != message.DocumentId || messages[index].Version != message.Version)
        {
            SearchState.Generation++;
        }
        messages[index] = message;
    }

    private static bool SameFlags(MessageFlags a, MessageFlags b) =>
        a.Seen == b.Seen && a.Answered == b.Answered && a.Flagged == b.Flagged && a.Deleted == b.Deleted && a.Draft == b.Draft &&
        a.Keywords.Count == b.Keywords.Count && a.Keywords.All(k => b.Keywords.Contains(k, StringComparer.OrdinalIgnoreCase));
}

/// <summary>Untagged responses a view update owes the client.</summary>
internal sealed record ViewUpdate(IReadOnlyList<int> ExpungedDescending, int? Exists, IReadOnlyList<(int Number, MessageSummary Message)> FlagChanges);
