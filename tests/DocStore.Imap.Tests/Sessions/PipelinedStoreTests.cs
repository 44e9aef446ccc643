using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using Xunit;

namespace DocStore.Imap.Tests.Sessions;

/// <summary>
/// Pipelined STOREs (issue #3): which commands share a store call. The wait for more commands is
/// set to an hour, so every outcome here is decided by what the client sent, never by a clock: a
/// session that waited where it must not would never answer.
/// </summary>
public sealed class PipelinedStoreTests
{
    private static ImapOptions Options() => new() { PipelineWait = TimeSpan.FromHours(1) };

    [Fact]
    public async Task A_refill_whose_first_store_arrives_alone_waits_and_runs_as_one_group_with_the_rest()
    {
        var store = new FlagMailbox(8);
        await using var imap = await SelectedAsync(store);

        await imap.SendAsync(string.Concat(Enumerable.Range(1, 4).Select(i => $"s{i} UID STORE {i} +FLAGS.SILENT (\\Flagged)\r\n")));
        var burst = await imap.ReadUntilTaggedAsync("s4");
        // The client refills its window one command per answer: t1 is read alone before t2 comes.
        var waiting = imap.NextInputWaitAsync();
        await imap.SendAsync("t1 UID STORE 5 +FLAGS (\\Flagged)\r\n");
        await waiting;
        await imap.SendAsync("t2 UID STORE 6 +FLAGS.SILENT (\\Flagged)\r\nt3 UID STORE 7 +FLAGS.SILENT (\\Flagged)\r\nt4 UID STORE 8 +FLAGS (\\Flagged)\r\n");
        var refill = await imap.ReadUntilTaggedAsync("t4");

        Assert.Equal(Enumerable.Range(1, 4).Select(i => $"s{i} OK UID STORE completed"), burst);
        Assert.Equal(
            ["* 5 FETCH (FLAGS (\\Flagged) UID 5)", "t1 OK UID STORE completed", "t2 OK UID STORE completed", "t3 OK UID STORE completed",
             "* 8 FETCH (FLAGS (\\Flagged) UID 8)", "t4 OK UID STORE completed"],
            refill);
        Assert.Equal([4, 4], store.CommandsPerCall);
        Assert.All(store.Flagged, Assert.True);
    }

    [Fact]
    public async Task A_client_that_sends_one_store_per_round_trip_is_answered_without_any_wait()
    {
        var store = new FlagMailbox(3);
        await using var imap = await SelectedAsync(store);

        var answers = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            answers.AddRange(await imap.CommandAsync($"c{i}", $"STORE {i} +FLAGS.SILENT (\\Seen)"));
        }

        Assert.Equal(["c1 OK STORE completed", "c2 OK STORE completed", "c3 OK STORE completed"], answers);
        Assert.Equal([1, 1, 1], store.CommandsPerCall);
    }

    [Fact]
    public async Task After_a_pipelined_group_another_command_ends_the_pipelining_so_a_lone_store_is_not_held()
    {
        var store = new FlagMailbox(4);
        await using var imap = await SelectedAsync(store);

        await imap.SendAsync("s1 STORE 1 +FLAGS.SILENT (\\Seen)\r\ns2 STORE 2 +FLAGS.SILENT (\\Seen)\r\n");
        await imap.ReadUntilTaggedAsync("s2");
        var noop = await imap.CommandAsync("n1", "NOOP");
        var lone = await imap.CommandAsync("l1", "STORE 3 +FLAGS.SILENT (\\Seen)");

        Assert.Equal(["n1 OK NOOP completed"], noop);
        Assert.Equal(["l1 OK STORE completed"], lone);
        Assert.Equal([2, 1], store.CommandsPerCall);
    }

    [Fact]
    public async Task A_line_other_than_a_store_ends_the_group_without_a_wait_and_is_answered_after_it()
    {
        var store = new FlagMailbox(4);
        await using var imap = await SelectedAsync(store);

        await imap.SendAsync("s1 STORE 1 +FLAGS.SILENT (\\Seen)\r\ns2 STORE 2 +FLAGS.SILENT (\\Seen)\r\n");
        await imap.ReadUntilTaggedAsync("s2");
        await imap.SendAsync("t1 STORE 3 +FLAGS.SILENT (\\Seen)\r\nt2 NOOP\r\n");
        var answers = await imap.ReadUntilTaggedAsync("t2");

        Assert.Equal(["t1 OK STORE completed", "t2 OK NOOP completed"], answers);
        Assert.Equal([2, 1], store.CommandsPerCall);
    }

    private static async Task<SessionHarness> SelectedAsync(FlagMailbox store)
    {
        var imap = new SessionHarness(Options(), tls: true, mailboxes: store);
        await imap.ReadLineAsync();
        await imap.CommandAsync("a1", $"LOGIN alice \"{SessionHarness.Password}\"");
        var select = await imap.CommandAsync("a2", "SELECT INBOX");
        Assert.StartsWith("a2 OK ", select[^1], StringComparison.Ordinal);
        return imap;
    }

    /// <summary>An owned INBOX of messages without flags that records how many commands each store call carried.</summary>
    private sealed class FlagMailbox(int count) : NoMailboxes
    {
        private readonly Mailbox inbox = new(1, Guid.NewGuid(), "INBOX", null, 1, count + 1, 10) { Rights = MailboxRights.All, Owned = true };
        private readonly MessageFlags[] flags = Enumerable.Repeat(MessageFlags.None, count).ToArray();
        private long modSeq = 10;

        public List<int> CommandsPerCall { get; } = [];

        public IEnumerable<bool> Flagged => flags.Select(f => f.Flagged);

        public override Task<Mailbox?> FindAsync(User user, string name, CancellationToken cancellationToken) =>
            Task.FromResult<Mailbox?>(name == "INBOX" ? inbox : null);

        public override Task<IReadOnlyList<MessageSummary>> MessagesAsync(User user, long mailboxId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MessageSummary>>(
                [.. flags.Select((f, i) => new MessageSummary((uint)i + 1, i + 1, 1, 100, DateTimeOffset.UnixEpoch, 1, f))]);

        public override Task<MailboxState?> StateAsync(User user, long mailboxId, CancellationToken cancellationToken) =>
            Task.FromResult<MailboxState?>(new MailboxState(flags.Length + 1, modSeq));

        public override Task<FlagStoreResult> StoreFlagsAsync(User user, long mailboxId, IReadOnlyCollection<uint> uids, FlagChange change, Actor actor, CancellationToken cancellationToken) =>
            StoreFlagsAsync(user, mailboxId, [uids], change, actor, cancellationToken);

        public override Task<FlagStoreResult> StoreFlagsAsync(User user, long mailboxId, IReadOnlyList<IReadOnlyCollection<uint>> commands, FlagChange change, Actor actor, CancellationToken cancellationToken)
        {
            CommandsPerCall.Add(commands.Count);
            var before = modSeq++;
            var add = change.Operation == FlagOperation.Add;
            var results = new List<FlagResult>();
            foreach (var uid in commands.SelectMany(c => c).Distinct().Order())
            {
                var f = flags[uid - 1];
                f = f with
                {
                    Seen = change.Flags.Contains("\\Seen") ? add : f.Seen,
                    Flagged = change.Flags.Contains("\\Flagged") ? add : f.Flagged,
                };
                flags[uid - 1] = f;
                results.Add(new FlagResult(uid, modSeq, f));
            }
            return Task.FromResult(new FlagStoreResult(results, before, modSeq));
        }
    }
}
