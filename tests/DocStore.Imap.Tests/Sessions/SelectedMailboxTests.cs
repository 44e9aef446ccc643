using DocStore.Core.Mailboxes;
using DocStore.Imap.Protocol;
using DocStore.Imap.Server;
using Xunit;

namespace DocStore.Imap.Tests.Sessions;

/// <summary>The selected mailbox's view: sequence numbers and the updates clients are owed (RFC 9051 §7.4).</summary>
public sealed class SelectedMailboxTests
{
    private static readonly Mailbox Box = new(1, Guid.NewGuid(), "INBOX", null, 7, 6, 10);

    [Fact]
    public void Expunges_are_reported_highest_number_first_and_flag_changes_use_the_numbers_after_them()
    {
        var view = new SelectedMailbox(Box, readOnly: false, [Message(1, 1), Message(2, 2), Message(3, 3), Message(5, 4)]);

        var update = view.Apply(new MailboxState(7, 12), [Message(5, 12, seen: true), Message(6, 11)], expunged: [2, 3], allowExpunge: true);

        Assert.Equal([3, 2], update.ExpungedDescending);
        Assert.Equal(3, update.Exists);
        Assert.Equal([(2, 5u)], update.FlagChanges.Select(c => (c.Number, c.Message.Uid)));
        Assert.Equal(new uint[] { 1, 5, 6 }, view.Messages.Select(m => m.Uid));
        Assert.Equal(12, view.HighestModSeq);
    }

    [Fact]
    public void Without_expunge_permission_the_expunged_stay_as_ghosts_until_the_next_allowed_moment()
    {
        var view = new SelectedMailbox(Box, readOnly: false, [Message(1, 1), Message(2, 2)]);

        var during = view.Apply(new MailboxState(3, 11), [], expunged: [1], allowExpunge: false);
        var modSeqDuring = view.HighestModSeq;
        var after = view.Apply(new MailboxState(3, 11), [], expunged: [1], allowExpunge: true);

        Assert.Empty(during.ExpungedDescending);
        Assert.Null(during.Exists);
        Assert.Equal(10, modSeqDuring);
        Assert.Equal(11, view.HighestModSeq);
        Assert.Equal([1], after.ExpungedDescending);
        Assert.Equal(new uint[] { 2 }, view.Messages.Select(m => m.Uid));
    }

    [Fact]
    public void Sequence_sets_name_numbers_uids_and_the_saved_result()
    {
        var view = new SelectedMailbox(Box, readOnly: false, [Message(4, 1), Message(9, 2), Message(12, 3)]);
        view.SavedSearch = new HashSet<uint> { 12 };
        Assert.Equal([(2, 9u), (3, 12u)], view.Resolve(Set("2:*"), byUid: false).Select(m => (m.Number, m.Message.Uid)));
        Assert.Equal([(2, 9u), (3, 12u)], view.Resolve(Set("5:*"), byUid: true).Select(m => (m.Number, m.Message.Uid)));
        Assert.Equal([(3, 12u)], view.Resolve(SequenceSet.SavedResult, byUid: true).Select(m => (m.Number, m.Message.Uid)));
        Assert.True(view.OutOfRange(Set("4")));
        Assert.False(view.OutOfRange(Set("2:*")));
    }

    [Fact]
    public void Uid_sets_with_gaps_overlaps_stars_and_any_order_name_each_message_once_in_mailbox_order()
    {
        var view = new SelectedMailbox(Box, readOnly: false, [Message(4, 1), Message(9, 2), Message(12, 3), Message(20, 4), Message(21, 5)]);

        (int, uint)[] Uids(string set) => [.. view.Resolve(Set(set), byUid: true).Select(m => (m.Number, m.Message.Uid))];
        (int, uint)[] Numbers(string set) => [.. view.Resolve(Set(set), byUid: false).Select(m => (m.Number, m.Message.Uid))];

        Assert.Equal([(3, 12u)], Uids("12"));
        Assert.Empty(Uids("13"));
        Assert.Empty(Uids("1:3,5:8,13:19"));
        Assert.Equal([(1, 4u), (3, 12u), (4, 20u)], Uids("20,12,1:4"));
        Assert.Equal([(2, 9u), (3, 12u), (4, 20u)], Uids("10:20,9:12,12"));
        Assert.Equal([(5, 21u)], Uids("*"));
        Assert.Equal([(5, 21u)], Uids("100:*"));
        Assert.Equal([(4, 20u), (5, 21u)], Uids("*:20"));
        Assert.Equal([(1, 4u), (2, 9u), (3, 12u), (4, 20u), (5, 21u)], Uids("1:*"));
        Assert.Equal([(1, 4u), (4, 20u), (5, 21u)], Numbers("4:*,1,5"));
        Assert.Equal([(2, 9u), (3, 12u)], Numbers("3:2"));
    }

    private static SequenceSet Set(string text) => SequenceSet.TryParse(text, out var set) ? set : throw new FormatException(text);

    [Fact]
    public void The_search_generation_changes_with_each_append_expunge_and_new_version_but_not_with_a_flag_change()
    {
        // The full-text search reuses its map of the view while the generation stays the same.
        var view = new SelectedMailbox(Box, readOnly: false, [Message(1, 1), Message(2, 2), Message(3, 3)]);
        var generations = new List<long> { view.SearchState.Generation };

        view.Apply(new MailboxState(7, 11), [Message(2, 11, seen: true)], expunged: [], allowExpunge: true);
        generations.Add(view.SearchState.Generation);
        view.Apply(new MailboxState(7, 12), [Message(4, 12)], expunged: [], allowExpunge: true);
        generations.Add(view.SearchState.Generation);
        view.Apply(new MailboxState(7, 13), [], expunged: [1], allowExpunge: false);
        generations.Add(view.SearchState.Generation);
        view.Apply(new MailboxState(7, 13), [], expunged: [1], allowExpunge: true);
        generations.Add(view.SearchState.Generation);
        view.Replace(Message(3, 14) with { Version = 2 });
        generations.Add(view.SearchState.Generation);
        view.Replace(Message(3, 15, seen: true) with { Version = 2 });
        generations.Add(view.SearchState.Generation);

        // flag change: same; append: new; ghost kept: same; expunge: new; new version: new; flags again: same.
        Assert.Equal(generations[0], generations[1]);
        Assert.NotEqual(generations[1], generations[2]);
        Assert.Equal(generations[2], generations[3]);
        Assert.NotEqual(generations[3], generations[4]);
        Assert.NotEqual(generations[4], generations[5]);
        Assert.Equal(generations[5], generations[6]);
    }

    private static MessageSummary Message(uint uid, long modSeq, bool seen = false) =>
        new(uid, uid, 1, 100, DateTimeOffset.UnixEpoch, modSeq, MessageFlags.None with { Seen = seen });
}
