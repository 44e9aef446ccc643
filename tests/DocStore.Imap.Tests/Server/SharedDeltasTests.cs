using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Imap.Server;
using DocStore.Imap.Tests.Sessions;
using Xunit;

namespace DocStore.Imap.Tests.Server;

/// <summary>The sessions one change wakes read what changed once; the next change reads afresh.</summary>
public sealed class SharedDeltasTests
{
    private static readonly User Alice = new(1, "alice", null, false, false, DateTimeOffset.UnixEpoch);
    private static readonly User Bob = new(2, "bob", null, false, false, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Sessions_woken_by_one_signal_share_one_read_per_user_and_starting_point()
    {
        var store = new CountingStore();
        var notifier = new MailboxNotifier();
        var deltas = new SharedDeltas(store);
        var signal = notifier.Signal(7);
        notifier.Changed(7);

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => deltas.ReadAsync(signal, Alice, 7, 1)));
        await deltas.ReadAsync(signal, Bob, 7, 1);
        await deltas.ReadAsync(signal, Alice, 7, 2);

        Assert.All(answers, a => Assert.Equal(5, a.State!.HighestModSeq));
        Assert.Equal(3, store.StateReads);
    }

    [Fact]
    public async Task The_next_change_gives_a_new_signal_and_a_fresh_read()
    {
        var store = new CountingStore();
        var notifier = new MailboxNotifier();
        var deltas = new SharedDeltas(store);
        var first = notifier.Signal(7);
        Assert.Same(first, notifier.Signal(7));
        notifier.Changed(7);
        var second = notifier.Signal(7);
        Assert.True(first.IsCompleted);
        Assert.False(second.IsCompleted);

        await deltas.ReadAsync(first, Alice, 7, 1);
        await deltas.ReadAsync(second, Alice, 7, 1);

        Assert.Equal(2, store.StateReads);
    }

    private sealed class CountingStore : NoMailboxes
    {
        private int stateReads;

        public int StateReads => stateReads;

        public override async Task<MailboxState?> StateAsync(User user, long mailboxId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref stateReads);
            await Task.Yield();
            return new MailboxState(10, 5);
        }

        public override Task<IReadOnlyList<MessageSummary>> ChangedSinceAsync(User user, long mailboxId, long modSeq, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MessageSummary>>([]);

        public override Task<IReadOnlyList<uint>> ExpungedSinceAsync(User user, long mailboxId, long modSeq, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<uint>>([]);
    }
}
