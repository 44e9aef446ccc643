using System.Net;
using System.Text;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Principals;
using DocStore.Storage.Search;
using DocStore.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DocStore.Search.Tests;

/// <summary>SEARCH=FUZZY against real PostgreSQL: a version not indexed yet is judged, and scores as it will once indexed.</summary>
public sealed class FuzzyReadYourWritesTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MailboxStore store = new(database.DataSource);
    private readonly SearchFeed feed = new(database.DataSource);

    [Fact]
    public async Task A_fuzzy_search_right_after_filing_finds_the_typo_and_scores_it_as_the_index_will()
    {
        var (_, user) = await new UserStore(database.DataSource).AddAsync($"u{Guid.NewGuid():N}"[..20], "h", isAdmin: false, null, None);
        await store.CreateAsync(user!, "Fuzzy", null, Actor(user!), None);
        var mailbox = (await store.FindAsync(user!, "Fuzzy", None))!;
        var filed = new List<DocumentVersion>();
        foreach (var message in new[]
        {
            "Subject: Mietvertrag Lindenstrasse\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDer Vertrag ist unterschrieben.\r\n",
            "Subject: Urlaub\r\n\r\nBis bald.\r\n",
            "Subject: Nachtrag\r\n\r\nZum Vertrg fehlt die Anlage.\r\n",
        })
        {
            var bytes = Encoding.UTF8.GetBytes($"Message-ID: <{Guid.NewGuid():N}@example.org>\r\n" + message);
            var result = await store.AppendAsync(user!, mailbox.Id, new MemoryStream(bytes), MessageFlags.None, DateTimeOffset.UtcNow, Actor(user!), None);
            var summary = (await store.MessagesAsync(user!, mailbox.Id, None)).Single(m => m.Uid == result.Uid);
            filed.Add(new DocumentVersion(summary.DocumentId, summary.Version));
        }
        using var index = TextIndex.InMemory();
        var search = new FuzzyTextSearch(index, feed, NullLogger<FuzzyTextSearch>.Instance);
        TextCriterion[] criteria = [new(TextScope.Body, null, "Vertrag"), new(TextScope.Header, "Subject", "Lindenstrase"), new(TextScope.Text, null, "nirgendwo")];

        var before = await search.MatchFuzzyAsync(criteria, filed, None);
        Assert.DoesNotContain(filed, index.IsSearchable);
        foreach (var version in filed)
        {
            index.Add(version, SearchDocuments.Build(version, MessageTextExtractor.Extract((await feed.ReadAsync(version, None))!.Value)));
        }
        index.Refresh();
        var after = await search.MatchFuzzyAsync(criteria, filed, None);

        // "Vertrag" whole in 1; "Vertrg" one edit away in 3; "Lindenstrase" one edit inside "Mietvertrag Lindenstrasse".
        Assert.Equal([filed[0], filed[2]], before[0].Keys.OrderBy(v => v.DocumentId));
        Assert.Equal(1, before[0][filed[0]]);
        Assert.InRange(before[0][filed[2]], 0.01, 0.5);
        Assert.Equal([filed[0]], before[1].Keys);
        Assert.Empty(before[2]);
        Assert.All(Enumerable.Range(0, criteria.Length), i => Assert.Equal(before[i].OrderBy(p => p.Key.DocumentId), after[i].OrderBy(p => p.Key.DocumentId)));
    }

    private static Actor Actor(Core.Principals.User user) => new(user.Id, user.Name, IPAddress.Loopback, "fuzzy-tests");
}
