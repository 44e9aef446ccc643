using System.Text;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Search;
using Xunit;

namespace DocStore.Imap.Tests.Search;

/// <summary>
/// The key tree of a SEARCH over the session's view: keys the view answers never read the
/// message; a key that needs its text (SENTBEFORE and friends, text keys without an index)
/// reads it only when the outcome depends on it, and then decides as a full read would.
/// </summary>
public sealed class SearchEvaluatorTests
{
    private static readonly byte[] Mail = Encoding.ASCII.GetBytes(
        "From: a@example.com\r\nDate: Tue, 10 Mar 2026 09:00:00 +0000\r\nSubject: Quarterly budget\r\n\r\nThe invoice is attached.\r\n");

    private static readonly MessageSummary Seen = Message(1, new MessageFlags(true, false, false, false, false, ["$Filed"]));
    private static readonly MessageSummary Unseen = Message(2, MessageFlags.None);

    private static MessageSummary Message(uint uid, MessageFlags flags) =>
        new(uid, uid, 1, Mail.Length, new DateTimeOffset(2026, 3, 12, 8, 0, 0, TimeSpan.Zero), uid, flags);

    private static readonly SearchKey SentBeforeEleventh = new DateKey(SearchDateField.Sent, SearchDateComparison.Before, new DateOnly(2026, 3, 11));
    private static readonly SearchKey SentOnTwelfth = new DateKey(SearchDateField.Sent, SearchDateComparison.On, new DateOnly(2026, 3, 12));
    private static readonly SearchKey IsSeen = new FlagKey("\\seen", IsSet: true);

    public static TheoryData<string, SearchKey, bool, bool, bool> Cases => new()
    {
        // name, key, matches Seen, matches Unseen, reads text of Seen
        { "flag, any case", IsSeen, true, false, false },
        { "keyword", new FlagKey("$filed", IsSet: true), true, false, false },
        { "\\Recent is never set", new FlagKey("\\Recent", IsSet: true), false, false, false },
        { "sent date from the Date header", SentBeforeEleventh, true, true, true },
        { "OR decided by its left side reads nothing", new OrKey(IsSeen, SentOnTwelfth), true, false, false },
        { "AND decided by a false flag reads nothing", new AndKey([SentBeforeEleventh, new FlagKey("\\Flagged", IsSet: true)]), false, false, false },
        { "NOT of a text key reads it", new NotKey(SentOnTwelfth), true, true, true },
        { "body text without an index", new TextKey(SearchTextField.Body, null, "INVOICE"), true, true, true },
        { "text absent", new TextKey(SearchTextField.Subject, null, "contract"), false, false, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_key_tree_matches_as_a_full_read_would_and_reads_the_text_only_when_it_decides(
        string name, SearchKey key, bool matchesSeen, bool matchesUnseen, bool readsSeen)
    {
        var reads = new List<uint>();
        var evaluator = new SearchEvaluator(2, 2, new HashSet<uint>(), DateTimeOffset.UtcNow, message =>
        {
            reads.Add(message.Uid);
            return Task.FromResult<MessageText?>(MessageText.Load(new StoredMessage(Mail, MessageAnalyzer.Analyze(Mail))));
        });

        Assert.Equal(matchesSeen, await evaluator.MatchesAsync(key, 1, Seen));
        Assert.Equal(readsSeen, reads.Contains(1u));
        Assert.Equal(matchesUnseen, await evaluator.MatchesAsync(key, 2, Unseen));
        _ = name; // names the case in the runner's output
    }

    [Fact]
    public void A_tree_judged_as_set_operations_over_the_mailbox_equals_judging_each_message()
    {
        var messages = Enumerable.Range(1, 150).Select(i => Message((uint)(i * 2), new MessageFlags(i % 2 == 0, i % 3 == 0, i % 5 == 0, i % 7 == 0, false, i % 4 == 0 ? ["$Filed"] : []))).ToList();
        var evaluator = new SearchEvaluator(messages.Count, messages[^1].Uid, new HashSet<uint> { 4, 6, 300 }, DateTimeOffset.UtcNow, _ => throw new InvalidOperationException("no text is read"));
        Assert.True(DocStore.Imap.Protocol.SequenceSet.TryParse("3:40,99:*", out var numbers));
        Assert.True(DocStore.Imap.Protocol.SequenceSet.TryParse("1:20,250", out var uids));
        Assert.True(DocStore.Imap.Protocol.SequenceSet.TryParse("$", out var saved));
        SearchKey[] trees =
        [
            new AllKey(),
            IsSeen,
            new NotKey(new FlagKey("\\Deleted", IsSet: true)),
            new FlagKey("$FILED", IsSet: true),
            new AndKey([]),
            new AndKey([IsSeen, new FlagKey("\\Answered", IsSet: false), new SequenceKey(numbers!, IsUid: false)]),
            new OrKey(new SequenceKey(uids!, IsUid: true), new NotKey(new OrKey(IsSeen, new FlagKey("\\Flagged", IsSet: true)))),
            new NotKey(new AndKey([new SequenceKey(saved!, IsUid: false), new SizeKey(SearchSizeComparison.Larger, 10)])),
        ];
        foreach (var tree in trees)
        {
            var all = evaluator.TryMatchAll(tree, messages);
            Assert.NotNull(all);
            for (var i = 0; i < messages.Count; i++)
            {
                Assert.True(evaluator.TryMatch(tree, i + 1, messages[i], out var one));
                Assert.Equal(one, all.Contains(i));
            }
        }
        // A key that needs a message's text leaves the decision to each message.
        Assert.Null(evaluator.TryMatchAll(new OrKey(IsSeen, SentOnTwelfth), messages));
    }
}
