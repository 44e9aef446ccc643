using Dapper;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>
/// The warm-up of APPEND's path on a new connection (<c>docstore serve</c> runs it on every one)
/// files its mail to the end and leaves no trace: no row, no notification, no user, mailbox or
/// UIDVALIDITY drawn, and nobody's mailbox counters moved.
/// </summary>
public sealed class FilingWarmUpTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private const string Footprint = """
        SELECT concat_ws(' | ',
               'principals ' || (SELECT count(*) FROM principal), 'collections ' || (SELECT count(*) FROM collection),
               'documents ' || (SELECT count(*) FROM document), 'versions ' || (SELECT count(*) FROM version),
               'entries ' || (SELECT count(*) FROM entry), 'seen ' || (SELECT count(*) FROM entry_seen),
               'audit ' || (SELECT count(*) FROM audit), 'changes ' || (SELECT count(*) FROM change),
               'tags ' || (SELECT count(*) FROM document_tag), 'blobs ' || (SELECT count(*) FROM blob),
               'chunks ' || (SELECT count(*) FROM blob_chunk), 'headers ' || (SELECT count(*) FROM version_header),
               (SELECT string_agg(sequencename || '=' || COALESCE(last_value, 0), ',' ORDER BY sequencename) FROM pg_sequences
                 WHERE sequencename IN ('principal_id_seq', 'collection_id_seq', 'collection_uidvalidity_seq')),
               (SELECT string_agg(id || ':' || uidnext || ':' || highestmodseq, ',' ORDER BY id) FROM collection))
        """;

    [Fact]
    public async Task The_filing_warm_up_files_its_mail_and_rolls_it_back()
    {
        // A user with an INBOX, so that a warm-up filing into a real mailbox would show.
        var user = await NewUserAsync(database.DataSource);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using (var listen = new Npgsql.NpgsqlCommand($"LISTEN {ChangeListener.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync();
        }
        var notified = 0;
        connection.Notification += (_, _) => notified++;
        var before = await connection.QuerySingleAsync<string>(Footprint);

        await using (var warming = await database.DataSource.OpenConnectionAsync())
        {
            // True only when file_mail answered with a UID: the whole path ran.
            Assert.True(await MailboxStore.WarmUpFilingAsync(warming, CancellationToken.None));
            // Twice on one backend (its user and INBOX are keyed by the backend).
            Assert.True(await MailboxStore.WarmUpFilingAsync(warming, CancellationToken.None));
        }

        Assert.Equal(before, await connection.QuerySingleAsync<string>(Footprint));
        var inbox = await new MailboxStore(database.DataSource).FindAsync(user, "INBOX", CancellationToken.None);
        Assert.NotNull(inbox);
        // A notification would have arrived with the query's answer.
        await connection.ExecuteAsync("SELECT 1");
        Assert.Equal(0, notified);
    }
}
