using Dapper;
using DocStore.Storage.Mailboxes;
using DocStore.Testing;
using Xunit;
using static DocStore.Storage.Tests.Mailboxes.MailboxTestData;

namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>The start-up warm-up of APPEND's path must leave no trace: no row, no sequence value, no notification.</summary>
public sealed class FilingWarmUpTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private const string Footprint = """
        SELECT concat_ws(' | ',
               'documents ' || (SELECT count(*) FROM document), 'versions ' || (SELECT count(*) FROM version),
               'entries ' || (SELECT count(*) FROM entry), 'audit ' || (SELECT count(*) FROM audit),
               'changes ' || (SELECT count(*) FROM change), 'tags ' || (SELECT count(*) FROM document_tag),
               'blobs ' || (SELECT count(*) FROM blob),
               (SELECT string_agg(sequencename || '=' || COALESCE(last_value, 0), ',' ORDER BY sequencename) FROM pg_sequences),
               (SELECT string_agg(id || ':' || uidnext || ':' || highestmodseq, ',' ORDER BY id) FROM collection))
        """;

    [Fact]
    public async Task The_filing_warm_up_is_refused_before_the_database_writes_anything()
    {
        var store = new MailboxStore(database.DataSource);
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

        Assert.True(await store.WarmUpFilingAsync(CancellationToken.None));
        Assert.True(await store.WarmUpFilingAsync(CancellationToken.None));

        Assert.Equal(before, await connection.QuerySingleAsync<string>(Footprint));
        Assert.NotNull(await store.FindAsync(user, "INBOX", CancellationToken.None));
        // A notification would have arrived with the query's answer.
        await connection.ExecuteAsync("SELECT 1");
        Assert.Equal(0, notified);
    }
}
