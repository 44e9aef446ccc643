using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using Xunit;

namespace DocStore.Imap.Tests.Sessions;

/// <summary>
/// IDLE and the change listener, which listens only while a session watches (issue #3): IDLE
/// reads what changed before it only once the listener hears every later change, so no change
/// falls between that read and the listening.
/// </summary>
public sealed class IdleWatchTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Idle_reads_what_changed_only_after_the_change_listener_listens()
    {
        var notifier = new MailboxNotifier();
        // A change listener serves this notifier and has not started listening yet.
        notifier.Listened();
        var store = new CountingMailbox();
        await using var imap = new SessionHarness(tls: true, mailboxes: store, notifier: notifier);
        await imap.ReadLineAsync();
        await imap.CommandAsync("a1", $"LOGIN alice \"{SessionHarness.Password}\"");
        var select = await imap.CommandAsync("a2", "SELECT INBOX");
        Assert.StartsWith("a2 OK ", select[^1], StringComparison.Ordinal);
        var readsBefore = store.DeltaReads;

        await imap.SendAsync("i1 IDLE\r\n");
        // The continuation comes at once, though the listener does not listen yet (its lock may
        // wait for a writer's open transaction) ...
        Assert.Equal("+ idling", await imap.ReadLineAsync());
        // ... and the session watches, and waits for the listener: it has read nothing yet.
        await notifier.WatchedAsync(CancellationToken.None).WaitAsync(HangGuard);
        Assert.Equal(readsBefore, store.DeltaReads);

        notifier.Listening();
        await store.ReadsReachAsync(readsBefore + 1).WaitAsync(HangGuard);
        await imap.SendAsync("DONE\r\n");
        Assert.Equal(["i1 OK IDLE terminated"], await imap.ReadUntilTaggedAsync("i1"));

        // The watch ended with IDLE: the listener may stop listening.
        await notifier.UnwatchedAsync(CancellationToken.None).WaitAsync(HangGuard);
    }

    [Fact]
    public async Task Done_ends_an_idle_whose_watch_the_listener_has_not_granted_yet()
    {
        var notifier = new MailboxNotifier();
        notifier.Listened();
        var store = new CountingMailbox();
        await using var imap = new SessionHarness(tls: true, mailboxes: store, notifier: notifier);
        await imap.ReadLineAsync();
        await imap.CommandAsync("a1", $"LOGIN alice \"{SessionHarness.Password}\"");
        await imap.CommandAsync("a2", "SELECT INBOX");
        var readsBefore = store.DeltaReads;

        await imap.SendAsync("i1 IDLE\r\n");
        Assert.Equal("+ idling", await imap.ReadLineAsync());
        await notifier.WatchedAsync(CancellationToken.None).WaitAsync(HangGuard);
        Assert.Equal(readsBefore, store.DeltaReads);
        await imap.SendAsync("DONE\r\n");
        Assert.Equal(["i1 OK IDLE terminated"], await imap.ReadUntilTaggedAsync("i1"));

        // The listener never listened: the watch ended with IDLE all the same, and the session
        // goes on.
        await notifier.UnwatchedAsync(CancellationToken.None).WaitAsync(HangGuard);
        Assert.StartsWith("n1 OK ", (await imap.CommandAsync("n1", "NOOP"))[^1], StringComparison.Ordinal);
    }

    /// <summary>An owned, empty INBOX that counts the reads of what changed.</summary>
    private sealed class CountingMailbox : NoMailboxes
    {
        private readonly Mailbox inbox = new(1, Guid.NewGuid(), "INBOX", null, 1, 1, 10) { Rights = MailboxRights.All, Owned = true };
        private int deltaReads;

        public int DeltaReads => Volatile.Read(ref deltaReads);

        /// <summary>Completes once <paramref name="count"/> reads of what changed have begun.</summary>
        public async Task ReadsReachAsync(int count)
        {
            while (DeltaReads < count)
            {
                await Task.Delay(10);
            }
        }

        public override Task<Mailbox?> FindAsync(User user, string name, CancellationToken cancellationToken) =>
            Task.FromResult<Mailbox?>(name == "INBOX" ? inbox : null);

        public override Task<IReadOnlyList<MessageSummary>> MessagesAsync(User user, long mailboxId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MessageSummary>>([]);

        public override Task<MailboxState?> StateAsync(User user, long mailboxId, CancellationToken cancellationToken) =>
            Task.FromResult<MailboxState?>(new MailboxState(1, 10));

        public override Task<MailboxDelta> DeltaAsync(User user, long mailboxId, long sinceModSeq, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref deltaReads);
            return base.DeltaAsync(user, mailboxId, sinceModSeq, cancellationToken);
        }
    }
}
