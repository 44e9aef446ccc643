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
        new(uid, uid, 1, Guid.NewGuid(), Mail.Length, new DateTimeOffset(2026, 3, 12, 8, 0, 0, TimeSpan.Zero), uid, flags);

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
}
