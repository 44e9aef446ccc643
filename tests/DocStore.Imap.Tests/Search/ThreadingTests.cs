using DocStore.Core.Mailboxes;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Search;
using Xunit;

namespace DocStore.Imap.Tests.Search;

/// <summary>RFC 5256 §3: ORDEREDSUBJECT, REFERENCES and SORT's order over sort data, as the wire shows them.</summary>
public sealed class ThreadingTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static SortableMessage M(int number, string subject, int minutes, string? id = null, string[]? references = null, string from = "", long size = 0)
    {
        var summary = new MessageSummary((uint)(number * 10), number, 1, size, Day.AddDays(-number), 1, MessageFlags.None);
        var baseSubject = BaseSubject.CollationKey(BaseSubject.Extract(subject, out var reply));
        return new SortableMessage(number, summary, baseSubject, reply, Day.AddMinutes(minutes), BaseSubject.CollationKey(from), "", "", "", "", id, references ?? []);
    }

    private static string Numbers(List<ThreadNode> threads) => Threading.Format(threads, m => (uint)m.Number);

    [Fact]
    public void Ordered_subject_groups_by_base_subject_and_orders_by_sent_date()
    {
        var messages = new[]
        {
            M(1, "Offer", 10), M(2, "Re: Offer", 30), M(3, "Invoice", 5), M(4, "RE: offer", 20),
            M(5, "Fwd: Invoice", 40), M(6, "Minutes", 1), M(7, "Re: Offer", 30),
        };

        Assert.Equal("(6)(3 5)(1 (4)(2)(7))", Numbers(Threading.OrderedSubject(messages)));
    }

    [Fact]
    public void References_builds_the_tree_from_References_and_In_Reply_To()
    {
        var messages = new[]
        {
            M(1, "Plan", 0, "a@x"),
            M(2, "Re: Plan", 10, "b@x", ["a@x"]),
            M(3, "Re: Plan", 20, "c@x", ["a@x", "b@x"]),
            M(4, "Re: Plan", 15, "d@x", ["a@x"]),
            M(5, "Budget", 5, "e@x"),
            M(6, "Re: Budget", 25, "f@x", ["e@x"]),
            M(7, "Re: Budget", 30, "g@x", ["e@x", "f@x"]),
        };

        // 1 has children 2 (with child 3) and 4; 5, 6, 7 are a chain.
        Assert.Equal("(1 (2 3)(4))(5 6 7)", Numbers(Threading.References(messages)));
    }

    [Fact]
    public void References_keeps_siblings_of_a_missing_parent_under_a_dummy()
    {
        var messages = new[]
        {
            M(3, "Re: Gone", 10, "c@x", ["gone@x"]),
            M(5, "Re: Gone", 5, "e@x", ["gone@x"]),
            M(8, "Alone", 0, "h@x", ["missing@x"]),
        };

        // RFC 5256 §4 example "((3)(5))": siblings of a parent that is absent; 8's dummy parent had one child and is promoted.
        Assert.Equal("(8)((5)(3))", Numbers(Threading.References(messages)));
    }

    [Fact]
    public void References_merges_threads_by_subject_with_the_original_as_parent()
    {
        var messages = new[]
        {
            M(1, "Re: Report", 20, "r1@x"),
            M(2, "Report", 10, "o@x"),
            M(3, "Other", 5, "p@x"),
            M(4, "Fwd: Report", 30, "r2@x"),
            M(5, "Report", 40, "o2@x"),
            M(6, "", 50, "s@x"),
            M(7, "", 60, "t@x"),
        };

        // 2 is not a reply, so the replies 1 and 4 join it; 5, another original, shares a dummy with 2.
        Assert.Equal("(3)((2 (1)(4))(5))(6)(7)", Numbers(Threading.References(messages)));
    }

    [Fact]
    public void References_ignores_loops_duplicates_and_later_truncated_references()
    {
        var messages = new[]
        {
            M(1, "A", 0, "a@x", ["b@x"]),
            M(2, "B", 10, "b@x", ["a@x"]),
            M(3, "C", 20, "a@x", ["b@x"]),
            M(4, "D", 30, "d@x", ["x@x", "y@x"]),
            M(5, "E", 40, "e@x", ["d@x"]),
            M(6, "F", 50, "f@x", ["y@x"]),
        };

        // 2 would be a parent of its own parent, so 1 stays 2's child; 3 repeats 1's Message-ID and
        // gets one of its own; y, a child of x by 4's References, stays so though 6 names only y.
        Assert.Equal("(2 (1)(3))((4 5)(6))", Numbers(Threading.References(messages)));
    }

    [Theory]
    [InlineData("SUBJECT", "2 4 3 1")]
    [InlineData("REVERSE SUBJECT", "1 3 2 4")]
    [InlineData("SUBJECT DATE", "4 2 3 1")]
    [InlineData("SUBJECT REVERSE DATE", "2 4 3 1")]
    [InlineData("FROM", "4 3 2 1")]
    [InlineData("SIZE", "3 1 2 4")]
    [InlineData("REVERSE ARRIVAL", "1 2 3 4")]
    [InlineData("DATE", "1 4 3 2")]
    public void Sort_orders_by_each_criterion_then_by_sequence_number(string criteria, string expected)
    {
        var messages = new List<SortableMessage>
        {
            M(1, "zeta", 0, from: "zoe", size: 200),
            M(2, "Re: alpha", 30, from: "Bob", size: 300),
            M(3, "beta", 20, from: "anne", size: 100),
            M(4, "ALPHA", 10, from: "", size: 300),
        };
        var parsed = criteria.Split(' ');
        var list = new List<SortCriterion>();
        for (var i = 0; i < parsed.Length; i++)
        {
            var reverse = parsed[i] == "REVERSE";
            var name = reverse ? parsed[++i] : parsed[i];
            list.Add(new SortCriterion(Enum.Parse<SortField>(name, ignoreCase: true), reverse));
        }

        messages.Sort(new SortOrder(list, new Relevancy(AllKey.Instance, indexed: null)));

        Assert.Equal(expected, string.Join(' ', messages.Select(m => m.Number)));
    }
}
