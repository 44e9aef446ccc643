using System.Text;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// How file_mail finds "the same mail, filed elsewhere by this user" (migration 0022 drives the
/// lookup by the versions with the mail's bytes or its Message-ID and body): the current version
/// of such a document is adopted, an older version of it is not.
/// </summary>
public sealed class FilingLookupTests : IClassFixture<MigratedDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly MigratedDatabase database;
    private readonly MailboxStore store;

    public FilingLookupTests(MigratedDatabase database)
    {
        this.database = database;
        store = new MailboxStore(database.DataSource);
    }

    [Fact]
    public async Task The_same_mail_in_another_mailbox_of_the_user_is_one_document_also_with_other_transport_headers()
    {
        var user = await NewUserAsync(database.DataSource);
        var first = await CreateMailboxAsync(store, user, "Lookup-A");
        var second = await CreateMailboxAsync(store, user, "Lookup-B");
        var third = await CreateMailboxAsync(store, user, "Lookup-C");
        var id = $"<{Guid.NewGuid():N}@example.com>";
        var sent = Encoding.ASCII.GetBytes($"From: a@example.com\r\nSubject: lookup\r\nMessage-ID: {id}\r\n\r\nthe body\r\n");
        var received = Encoding.ASCII.GetBytes($"Received: from mx by example.org\r\nFrom: a@example.com\r\nSubject: lookup\r\nMessage-ID: {id}\r\n\r\nthe body\r\n");

        await AppendAsync(store, user, first, sent);
        await AppendAsync(store, user, second, sent);
        await AppendAsync(store, user, third, received);

        var documents = new List<long>();
        foreach (var mailbox in new[] { first, second, third })
        {
            var message = Assert.Single(await store.MessagesAsync(user, mailbox.Id, None));
            Assert.Equal(1, message.Version);
            documents.Add(message.DocumentId);
        }
        Assert.Single(documents.Distinct());
        // The document keeps the bytes it was filed with first; the same body under other
        // transport headers is that document (DESIGN.md: the same mail twice is one document).
        Assert.Equal(sent, (await store.ReadAsync(documents[0], 1, None))!.Bytes.ToArray());
    }

    [Fact]
    public async Task A_mail_that_is_an_older_version_of_a_document_elsewhere_is_filed_as_its_own_document_with_its_own_bytes()
    {
        var user = await NewUserAsync(database.DataSource);
        var drafts = await CreateMailboxAsync(store, user, "Lookup-Drafts");
        var other = await CreateMailboxAsync(store, user, "Lookup-Other");
        var id = $"<{Guid.NewGuid():N}@example.com>";
        var older = Encoding.ASCII.GetBytes($"From: a@example.com\r\nSubject: draft\r\nMessage-ID: {id}\r\n\r\nfirst words\r\n");
        var newer = Encoding.ASCII.GetBytes($"From: a@example.com\r\nSubject: draft\r\nMessage-ID: {id}\r\n\r\nsecond words\r\n");
        await AppendAsync(store, user, drafts, older);
        await AppendAsync(store, user, drafts, newer);
        var revised = Assert.Single(await store.MessagesAsync(user, drafts.Id, None));
        Assert.Equal(2, revised.Version);

        // Only a document's current version is "the same mail elsewhere": the older bytes, filed
        // into another mailbox, are not an entry of version 2 of the revised document.
        await AppendAsync(store, user, other, older);

        var filed = Assert.Single(await store.MessagesAsync(user, other.Id, None));
        Assert.NotEqual(revised.DocumentId, filed.DocumentId);
        Assert.Equal(1, filed.Version);
        Assert.Equal(older, (await store.ReadAsync(filed.DocumentId, filed.Version, None))!.Bytes.ToArray());
    }
}
