using System.Text;

namespace DocStore.Imap.Search;

/// <summary>A node of a thread tree: a message, or a dummy (null) standing for one that is absent or did not match.</summary>
internal sealed class ThreadNode(SortableMessage? message)
{
    public SortableMessage? Message { get; set; } = message;

    public ThreadNode? Parent { get; set; }

    public List<ThreadNode> Children { get; set; } = [];

    /// <summary>The message a dummy is sorted and named by: its first child's (RFC 5256 §3 REFERENCES steps 4 to 6).</summary>
    public SortableMessage Representative => Message ?? Children[0].Representative;
}

/// <summary>The threading algorithms of RFC 5256 §3 and the thread-list syntax of its §5.</summary>
internal static class Threading
{
    /// <summary>
    /// ORDEREDSUBJECT: messages grouped by base subject; the earliest of each group is the root,
    /// the rest are its children by sent date; threads ordered by their root's sent date.
    /// </summary>
    public static List<ThreadNode> OrderedSubject(IEnumerable<SortableMessage> messages)
    {
        var threads = new List<ThreadNode>();
        foreach (var group in messages.GroupBy(m => m.Subject, StringComparer.Ordinal))
        {
            var ordered = group.Order(SentDateOrder.Instance).ToList();
            var root = new ThreadNode(ordered[0]);
            root.Children.AddRange(ordered.Skip(1).Select(m => new ThreadNode(m) { Parent = root }));
            threads.Add(root);
        }
        threads.Sort((a, b) => SentDateOrder.Instance.Compare(a.Representative, b.Representative));
        return threads;
    }

    /// <summary>REFERENCES (RFC 5256 §3): JWZ's algorithm, steps 1 to 6 as the RFC numbers them.</summary>
    public static List<ThreadNode> References(IEnumerable<SortableMessage> messages)
    {
        // (1) Link messages by their references; the input is in mailbox (sequence) order.
        var byId = new Dictionary<string, ThreadNode>(StringComparer.Ordinal);
        var all = new List<ThreadNode>();
        ThreadNode Lookup(string id)
        {
            if (!byId.TryGetValue(id, out var node))
            {
                node = new ThreadNode(null);
                byId[id] = node;
                all.Add(node);
            }
            return node;
        }

        foreach (var message in messages)
        {
            ThreadNode node;
            if (message.MessageId is { } id && (!byId.TryGetValue(id, out var known) || known.Message is null))
            {
                node = Lookup(id);
                node.Message = message;
            }
            else
            {
                // No Message-ID, or a duplicate of an earlier message's: a unique ID of its own.
                node = new ThreadNode(message);
                all.Add(node);
            }

            // (1.A) Each reference the parent of the next, unless it has a parent or it would loop.
            ThreadNode? previous = null;
            foreach (var reference in message.References)
            {
                var current = Lookup(reference);
                if (previous is not null && current.Parent is null && !WouldLoop(previous, current))
                {
                    Link(previous, current);
                }
                previous = current;
            }

            // (1.B) The last reference is the message's parent, replacing a link from a truncated References.
            if (previous is null)
            {
                Unlink(node);
            }
            else if (previous != node.Parent && !WouldLoop(previous, node))
            {
                Unlink(node);
                Link(previous, node);
            }
        }

        // (2) The messages without a parent are the root set; (3) prune the dummies.
        var roots = Prune(all.Where(n => n.Parent is null), atRoot: true);

        // (4) Order the root set by sent date, a dummy by its earliest child.
        foreach (var root in roots.Where(r => r.Message is null))
        {
            root.Children.Sort(NodeOrder);
        }
        roots.Sort(NodeOrder);

        // (5) Gather the threads under the root that share a base subject.
        roots = MergeBySubject(roots);

        // (6) Order every set of siblings by sent date, the deepest first.
        SortTree(roots);
        return roots;
    }

    /// <summary>The threads as RFC 5256 §5 thread-lists: <c>(2)(3 6 (4 23)(44 7 96))</c>.</summary>
    public static string Format(IEnumerable<ThreadNode> threads, Func<SortableMessage, uint> number)
    {
        var text = new StringBuilder();
        void Members(ThreadNode node)
        {
            if (node.Message is { } message)
            {
                text.Append(number(message));
                if (node.Children.Count == 1)
                {
                    text.Append(' ');
                    Members(node.Children[0]);
                    return;
                }
                if (node.Children.Count > 1)
                {
                    text.Append(' ');
                }
            }
            foreach (var child in node.Children)
            {
                text.Append('(');
                Members(child);
                text.Append(')');
            }
        }

        foreach (var thread in threads)
        {
            text.Append('(');
            Members(thread);
            text.Append(')');
        }
        return text.ToString();
    }

    private static bool WouldLoop(ThreadNode parent, ThreadNode child)
    {
        for (var ancestor = parent; ancestor is not null; ancestor = ancestor.Parent)
        {
            if (ancestor == child)
            {
                return true;
            }
        }
        return false;
    }

    private static void Link(ThreadNode parent, ThreadNode child)
    {
        child.Parent = parent;
        parent.Children.Add(child);
    }

    private static void Unlink(ThreadNode node)
    {
        node.Parent?.Children.Remove(node);
        node.Parent = null;
    }

    // (3) A dummy without children goes; a dummy with children is replaced by them, except at
    // the root, where it stays when it has more than one.
    private static List<ThreadNode> Prune(IEnumerable<ThreadNode> nodes, bool atRoot)
    {
        var kept = new List<ThreadNode>();
        foreach (var node in nodes)
        {
            node.Children = Prune(node.Children, atRoot: false);
            if (node.Message is not null || (atRoot && node.Children.Count > 1))
            {
                kept.Add(node);
                continue;
            }
            foreach (var child in node.Children)
            {
                child.Parent = atRoot ? null : node.Parent;
                kept.Add(child);
            }
        }
        return kept;
    }

    private static List<ThreadNode> MergeBySubject(List<ThreadNode> roots)
    {
        // (5.B) One thread per base subject: a dummy wins over a message, and a message that is
        // not a reply or forward over one that is.
        var bySubject = new Dictionary<string, ThreadNode>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            var subject = root.Representative.Subject;
            if (subject.Length == 0)
            {
                continue;
            }
            if (!bySubject.TryGetValue(subject, out var holder))
            {
                bySubject[subject] = root;
            }
            else if (holder.Message is not null && (root.Message is null || (holder.Message.IsReplyOrForward && !root.Message.IsReplyOrForward)))
            {
                bySubject[subject] = root;
            }
        }

        // (5.C) Merge each other thread of that subject into the one in the table.
        var result = new List<ThreadNode>(roots);
        foreach (var root in roots)
        {
            var subject = root.Representative.Subject;
            // A root already merged (a table entry replaced by a dummy) is not merged twice.
            if (subject.Length == 0 || root.Parent is not null)
            {
                continue;
            }
            var holder = bySubject[subject];
            if (holder == root)
            {
                continue;
            }
            result.Remove(root);
            if (holder.Message is null && root.Message is null)
            {
                foreach (var child in root.Children)
                {
                    Link(holder, child);
                }
            }
            else if (holder.Message is null || (root.Message!.IsReplyOrForward && !holder.Message.IsReplyOrForward))
            {
                Link(holder, root);
            }
            else
            {
                var dummy = new ThreadNode(null);
                result[result.IndexOf(holder)] = dummy;
                Link(dummy, holder);
                Link(dummy, root);
                bySubject[subject] = dummy;
            }
        }
        return result;
    }

    private static void SortTree(List<ThreadNode> siblings)
    {
        foreach (var node in siblings)
        {
            SortTree(node.Children);
        }
        siblings.Sort(NodeOrder);
    }

    private static int NodeOrder(ThreadNode a, ThreadNode b) => SentDateOrder.Instance.Compare(a.Representative, b.Representative);
}

/// <summary>RFC 5256 §2.2: by sent date in UTC, ties by sequence number.</summary>
internal sealed class SentDateOrder : IComparer<SortableMessage>
{
    public static readonly SentDateOrder Instance = new();

    public int Compare(SortableMessage? x, SortableMessage? y)
    {
        var byDate = x!.SentDate.CompareTo(y!.SentDate);
        return byDate != 0 ? byDate : x.Number.CompareTo(y.Number);
    }
}
