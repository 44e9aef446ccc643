using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Search;
using DocStore.Search.Indexing;
using DocStore.Storage.Documents;
using DocStore.Storage.Maintenance;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Principals;
using DocStore.Storage.Search;
using DocStore.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>The indexer against real PostgreSQL: catching up, resuming, late commits, read your writes.</summary>
public sealed class IndexerTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MailboxStore store = new(database.DataSource);
    private readonly SearchFeed feed = new(database.DataSource);

    [Fact]
    public async Task The_indexer_commits_its_mark_with_the_index_and_a_restart_indexes_nothing_twice()
    {
        using var folder = new ScratchDirectory("index");
        var (user, mailbox) = await NewMailboxAsync();
        var versions = new List<DocumentVersion>();
        for (var i = 0; i < 5; i++)
        {
            versions.Add(await AppendAsync(user, mailbox, $"Subject: Filed {i}\r\n\r\nwortmarke{i}\r\n"));
        }

        using (var index = TextIndex.Open(folder.Path))
        {
            var indexer = await RunAsync(index, () => versions.All(index.IsSearchable) && index.Mark >= LastSeq());
            Assert.True(indexer.IndexedSinceStart >= versions.Count, "every filed version was indexed by this run");
        }

        using (var reopened = TextIndex.Open(folder.Path))
        {
            Assert.True(reopened.Mark >= LastSeq(), "the mark was committed with the documents");
            Assert.All(versions, v => Assert.True(reopened.IsSearchable(v)));
            var indexer = await RunAsync(reopened, () => true);
            Assert.Equal(0, indexer.IndexedSinceStart);
            var found = await new FullTextSearch(reopened, feed, NullLogger<FullTextSearch>.Instance)
                .MatchAsync([new TextCriterion(TextScope.Body, null, "WORTMARKE3")], versions, None);
            Assert.Equal([versions[3]], found[0]);
        }
    }

    [Fact]
    public async Task A_change_that_commits_after_a_later_one_is_indexed_and_the_mark_waits_for_it()
    {
        var index = TextIndex.InMemory();
        var (user, mailbox) = await NewMailboxAsync();
        await using var late = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await late.BeginTransactionAsync();
        var lateVersion = await FileWithoutEntryAsync(late, transaction, "Subject: Late\r\n\r\nspaetzuender\r\n");
        var lateSeq = await late.ExecuteScalarAsync<long>("INSERT INTO change (kind, document_id) VALUES ('append', @document) RETURNING seq",
            new { document = lateVersion.DocumentId }, transaction);

        var early = await AppendAsync(user, mailbox, "Subject: Early\r\n\r\nfruehaufsteher\r\n");
        using var stop = new CancellationTokenSource();
        var indexer = new SearchIndexer(index, feed, new SearchOptions { PollInterval = TimeSpan.FromMilliseconds(20) }, NullLogger<SearchIndexer>.Instance);
        await indexer.StartAsync(stop.Token);
        try
        {
            await WaitAsync(() => index.IsSearchable(early));
            // A few more rounds of the indexer: the mark must still not pass the open transaction.
            await Task.Delay(300);
            Assert.True(index.Mark < lateSeq, $"the mark {index.Mark} passed seq {lateSeq} of a transaction that has not committed");
            Assert.False(index.Contains(lateVersion));

            await transaction.CommitAsync();
            await WaitAsync(() => index.IsSearchable(lateVersion) && index.Mark >= lateSeq);
        }
        finally
        {
            await indexer.StopAsync(None);
            index.Dispose();
        }
    }

    [Fact]
    public async Task The_lag_in_health_counts_an_acknowledged_append_the_indexer_has_not_seen_yet()
    {
        using var folder = new ScratchDirectory("index");
        using var index = TextIndex.InMemory();
        var (user, mailbox) = await NewMailboxAsync();
        await AppendAsync(user, mailbox, "Subject: Vorher\r\n\r\nvorher\r\n");
        // An hour between polls: after catching up, the indexer sees nothing new during this test.
        var options = new SearchOptions { PollInterval = TimeSpan.FromHours(1), BatchDelay = TimeSpan.Zero, BurstDeferral = TimeSpan.Zero };
        var indexer = new SearchIndexer(index, feed, options, NullLogger<SearchIndexer>.Instance);
        var jobs = new IndexRebuildJobs(database.DataSource);
        var rebuilder = new IndexRebuilder(index, indexer, feed, jobs, new IndexLocation(folder.Path), options, NullLogger<IndexRebuilder>.Instance);
        var probe = new SearchHealthProbe(index, indexer, rebuilder);
        // The console's figure (GET /api/system/index) must agree with /health's.
        using var maintenance = new IndexMaintenance(index, indexer, rebuilder, jobs, feed, TimeProvider.System, NullLogger<IndexMaintenance>.Instance);

        // Not started: it has seen no change at all.
        Assert.Equal(LastSeq() - index.Mark, await LagAsync());
        Assert.True(await LagAsync() > 0, "the changes filed before the indexer started count");

        await indexer.StartAsync(None);
        try
        {
            await WaitAsync(() => index.Mark >= LastSeq());
            Assert.Equal(0, await LagAsync());

            // Filed while the indexer waits for its next poll.
            await AppendAsync(user, mailbox, "Subject: Nachher\r\n\r\nnachher\r\n");
            Assert.Equal(LastSeq() - index.Mark, await LagAsync());
            Assert.True(await LagAsync() > 0, "the acknowledged APPEND is not in the index yet");
        }
        finally
        {
            await indexer.StopAsync(None);
        }

        async Task<long> LagAsync()
        {
            var console = (await maintenance.StateAsync(None)).Lag;
            var health = await probe.CheckAsync(None);
            Assert.True(health.Healthy, health.Summary);
            var lag = (long)health.Data!["lag"]!;
            Assert.Equal(lag, console);
            return lag;
        }
    }

    [Fact]
    public async Task During_a_burst_the_indexer_waits_for_the_feed_to_go_quiet_and_a_search_that_finds_it_behind_ends_the_wait()
    {
        using var index = TextIndex.InMemory();
        var (user, mailbox) = await NewMailboxAsync();
        var options = new SearchOptions
        {
            // A poll a second: the burst below moves the sequence every 5 ms, so only a stall of
            // the test's own loop for a whole second (not a busy CI machine's usual hiccup) could
            // look to the indexer like the end of the burst.
            PollInterval = TimeSpan.FromSeconds(1), BatchDelay = TimeSpan.Zero, BurstDeferral = TimeSpan.FromHours(1), BurstDeferralLag = int.MaxValue,
        };
        var indexer = new SearchIndexer(index, feed, options, NullLogger<SearchIndexer>.Instance);
        using var stop = new CancellationTokenSource();
        await using var connection = await database.DataSource.OpenConnectionAsync(None);
        var burst = Task.CompletedTask;
        await indexer.StartAsync(None);
        try
        {
            var first = await AppendAsync(user, mailbox, "Subject: Erste\r\n\r\nerste\r\n");
            await WaitAsync(() => index.Contains(first));
            // From here a burst that does not end: the change sequence moves every few milliseconds.
            burst = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await connection.ExecuteAsync("SELECT nextval(pg_get_serial_sequence('change', 'seq'))");
                    await Task.Delay(5);
                }
            });
            var next = await AppendAsync(user, mailbox, "Subject: Zweite\r\n\r\nburstwort\r\n");
            // Two of the indexer's polls: it waits for the burst to end.
            await Task.Delay(options.PollInterval * 2);
            Assert.False(index.Contains(next), "the indexer read a change of the burst while it went on");

            var found = await new FullTextSearch(index, feed, NullLogger<FullTextSearch>.Instance)
                .MatchAsync([new TextCriterion(TextScope.Body, null, "burstwort")], [first, next], None);
            Assert.Equal([next], found[0]);
            await WaitAsync(() => index.Contains(next));
        }
        finally
        {
            await stop.CancelAsync();
            await burst;
            await indexer.StopAsync(None);
        }
    }

    [Fact]
    public async Task A_search_right_after_filing_finds_the_message_however_far_behind_the_indexer_is()
    {
        using var index = TextIndex.InMemory();
        var (user, mailbox) = await NewMailboxAsync();
        var filed = await AppendAsync(user, mailbox, "Subject: Neu\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGerade abgelegt: Übergabeprotokoll\r\n");
        var search = new FullTextSearch(index, feed, NullLogger<FullTextSearch>.Instance);

        var found = await search.MatchAsync(
            [new TextCriterion(TextScope.Text, null, "übergabeprotokoll"), new TextCriterion(TextScope.Header, "Subject", "neu"), new TextCriterion(TextScope.Body, null, "nirgends")],
            [filed], None);

        Assert.False(index.IsSearchable(filed));
        Assert.Equal([filed], found[0]);
        Assert.Equal([filed], found[1]);
        Assert.Empty(found[2]);
    }

    [Fact]
    public async Task A_search_makes_what_the_indexer_added_but_has_not_refreshed_searchable_by_a_refresh()
    {
        using var index = TextIndex.InMemory();
        var (user, mailbox) = await NewMailboxAsync();
        var filed = await AppendAsync(user, mailbox, "Subject: Gepuffert\r\n\r\nPufferwort im Schreibpuffer\r\n");
        // As the indexer leaves a burst's versions until the burst ends: added, not refreshed.
        VersionIndexing.Add(index, filed, (await feed.ReadAsync(filed, None))!.Value, NullLogger.Instance);
        Assert.True(index.Contains(filed));
        Assert.False(index.IsSearchable(filed));

        var found = await new FullTextSearch(index, feed, NullLogger<FullTextSearch>.Instance)
            .MatchAsync([new TextCriterion(TextScope.Body, null, "pufferwort"), new TextCriterion(TextScope.Body, null, "nirgends")], [filed], None);

        Assert.Equal([filed], found[0]);
        Assert.Empty(found[1]);
        Assert.True(index.IsSearchable(filed), "the search refreshed the index instead of extracting the version again in memory");
    }

    [Fact]
    public async Task A_purged_document_leaves_the_index_and_the_rest_stays()
    {
        using var folder = new ScratchDirectory("index");
        var (user, mailbox) = await NewMailboxAsync();
        var kept = await AppendAsync(user, mailbox, "Subject: Kept\r\n\r\nbleibt\r\n");
        var purged = await AppendAsync(user, mailbox, "Subject: Purged\r\n\r\nverschwindet\r\n", new MessageFlags(false, false, false, true, false, []));
        using (var index = TextIndex.Open(folder.Path))
        {
            await RunAsync(index, () => index.IsSearchable(kept) && index.IsSearchable(purged));
            await store.ExpungeAsync(user, mailbox.Id, null, Actor(user), None);
            Assert.True(await new DocumentStore(database.DataSource).PurgeAsync(new User(0, "admin", null, IsAdmin: true, Disabled: false, default), purged.DocumentId, Actor(user), None));
            await RunAsync(index, () => !index.IsSearchable(purged));
        }

        var committed = TextIndex.ReadCommitted(folder.Path)!.Value;
        Assert.Contains(kept, committed.Versions);
        Assert.DoesNotContain(purged, committed.Versions);
    }

    [Fact]
    public async Task A_scope_map_kept_between_searches_follows_new_versions_a_refresh_a_changed_scope_and_a_removal()
    {
        using var index = TextIndex.InMemory();
        var (user, mailbox) = await NewMailboxAsync();
        var one = await AppendAsync(user, mailbox, "Subject: Eins\r\n\r\nkonfituere eins\r\n");
        var two = await AppendAsync(user, mailbox, "Subject: Zwei\r\n\r\nkonfituere zwei\r\n");
        var three = await AppendAsync(user, mailbox, "Subject: Drei\r\n\r\nkonfituere drei\r\n");
        await IndexAsync(index, one, two);
        var search = new FullTextSearch(index, feed, NullLogger<FullTextSearch>.Instance);
        object? state = null;
        async Task<List<int>[]> MatchAsync(DocumentVersion[] versions, params string[] words)
        {
            var scope = new SearchScope(versions, state);
            var found = await search.MatchPositionsAsync([.. words.Select(w => new TextCriterion(TextScope.Text, null, w))], scope, None);
            state = scope.State;
            return [.. found.Select(p => Enumerable.Range(0, versions.Length).Where(p.Contains).ToList())];
        }

        var first = await MatchAsync([one, two], "konfituere");
        Assert.IsType<ScopeMap>(state);
        // Three is filed after the index's refresh: judged in memory (read your writes).
        var withThree = await MatchAsync([one, two, three], "konfituere", "drei");
        var kept = state;
        var again = await MatchAsync([one, two, three], "konfituere", "drei");
        Assert.Same(kept, state);
        await IndexAsync(index, three);
        var afterRefresh = await MatchAsync([one, two, three], "konfituere", "drei");
        Assert.NotSame(kept, state);
        Assert.Empty(((ScopeMap)state!).Pending);
        // The mailbox changed (an expunge, the order of another view, a version twice): positions follow.
        var reordered = await MatchAsync([three, two], "drei", "eins");
        var twice = await MatchAsync([two, three, two], "zwei");
        kept = state;
        index.RemoveDocuments(new HashSet<long> { three.DocumentId });
        var afterRemoval = await MatchAsync([two, three, two], "drei");

        Assert.Equal([0, 1], first[0]);
        Assert.Equal([[0, 1, 2], [2]], withThree);
        Assert.Equal([[0, 1, 2], [2]], again);
        Assert.Equal([[0, 1, 2], [2]], afterRefresh);
        Assert.Equal([[0], []], reordered);
        Assert.Equal([0, 2], twice[0]);
        // Taken out of the index (still in PostgreSQL here): no longer the index's to answer, so judged apart.
        Assert.NotSame(kept, state);
        Assert.Equal([1], ((ScopeMap)state!).Pending);
        Assert.Equal([1], afterRemoval[0]);
    }

    private async Task IndexAsync(TextIndex index, params DocumentVersion[] versions)
    {
        foreach (var version in versions)
        {
            VersionIndexing.Add(index, version, (await feed.ReadAsync(version, None))!.Value, NullLogger.Instance);
        }
        index.Refresh();
    }

    private long LastSeq() => feed.LastAllocatedSeqAsync(None).GetAwaiter().GetResult();

    private async Task<SearchIndexer> RunAsync(TextIndex index, Func<bool> until)
    {
        var indexer = new SearchIndexer(index, feed, new SearchOptions { PollInterval = TimeSpan.FromMilliseconds(20) }, NullLogger<SearchIndexer>.Instance);
        await indexer.StartAsync(None);
        try
        {
            await WaitAsync(until);
            await WaitAsync(() => index.Mark >= LastSeq());
        }
        finally
        {
            await indexer.StopAsync(None);
        }
        return indexer;
    }

    // Waits for the background indexer; the bound only stops a broken test from hanging.
    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the indexer did not get there within a minute");
            await Task.Delay(20);
        }
    }

    private async Task<(User User, Mailbox Mailbox)> NewMailboxAsync()
    {
        var (_, user) = await new UserStore(database.DataSource).AddAsync($"u{Guid.NewGuid():N}"[..20], "h", isAdmin: false, null, None);
        await store.CreateAsync(user!, "Search", null, Actor(user!), None);
        return (user!, (await store.FindAsync(user!, "Search", None))!);
    }

    private static Actor Actor(User user) => new(user.Id, user.Name, IPAddress.Loopback, "search-tests");

    private async Task<DocumentVersion> AppendAsync(User user, Mailbox mailbox, string message, MessageFlags? flags = null)
    {
        var bytes = Encoding.UTF8.GetBytes($"Message-ID: <{Guid.NewGuid():N}@example.org>\r\n" + message);
        using var stream = new MemoryStream(bytes);
        var result = await store.AppendAsync(user, mailbox.Id, stream, flags ?? MessageFlags.None, DateTimeOffset.UtcNow, Actor(user), None);
        var summary = (await store.MessagesAsync(user, mailbox.Id, None)).Single(m => m.Uid == result.Uid);
        return new DocumentVersion(summary.DocumentId, summary.Version);
    }

    private static async Task<DocumentVersion> FileWithoutEntryAsync(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var sha256 = SHA256.HashData(bytes);
        await connection.ExecuteAsync("INSERT INTO blob (sha256, size) VALUES (@sha256, @size)", new { sha256, size = bytes.Length }, transaction);
        await connection.ExecuteAsync("INSERT INTO blob_chunk (sha256, chunk_no, data) VALUES (@sha256, 0, @bytes)", new { sha256, bytes }, transaction);
        var document = await connection.ExecuteScalarAsync<long>("INSERT INTO document (kind) VALUES ('mail') RETURNING id", transaction: transaction);
        await connection.ExecuteAsync("INSERT INTO version (document_id, number, sha256, size, media_type) VALUES (@document, 1, @sha256, @size, 'message/rfc822')",
            new { document, sha256, size = bytes.Length }, transaction);
        return new DocumentVersion(document, 1);
    }
}
