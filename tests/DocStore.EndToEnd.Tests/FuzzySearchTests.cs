using DocStore.EndToEnd.Tests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>
/// SEARCH=FUZZY (RFC 6203) from real clients right after APPEND: typos found, exact matches
/// kept and scored highest, RELEVANCY scores in ESEARCH, SORT (RELEVANCY), ESEARCH IN.
/// </summary>
public sealed class FuzzySearchTests(FreshServer fixture) : IClassFixture<FreshServer>
{
    // 1: the word whole; 2: not at all; 3: inside a longer word; 4: one letter dropped.
    private static readonly (string Subject, string Body)[] Letters =
    [
        ("Quarterly invoice", "Please pay the invoice by Friday."),
        ("Lunch", "See you at noon."),
        ("Invoices overdue", "Three invoices are open."),
        ("Reminder", "The invoce is attached."),
    ];

    private async Task<(ImapClient Client, IMailFolder Folder, IList<UniqueId> Uids)> FileLettersAsync()
    {
        var client = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("admin", fixture.AdminPassword);
        var folder = await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync("Fuzzy" + Guid.NewGuid().ToString("N")[..8], true)
            ?? throw new InvalidOperationException("CREATE failed");
        var uids = new List<UniqueId>();
        foreach (var (subject, body) in Letters)
        {
            var message = new MimeMessage([new MailboxAddress("Anna Schmidt", "anna@example.org")], [new MailboxAddress("Archiv", "archiv@example.org")], subject, new TextPart("plain") { Text = body });
            uids.Add((await folder.AppendAsync(message))!.Value);
        }
        await folder.OpenAsync(FolderAccess.ReadOnly);
        return (client, folder, uids);
    }

    [Fact]
    public async Task MailKit_finds_a_misspelled_word_right_after_APPEND_with_relevancy_scores_exact_matches_first()
    {
        var (client, folder, uids) = await FileLettersAsync();
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.FuzzySearch), "SEARCH=FUZZY is advertised");

        var exact = await folder.SearchAsync(SearchQuery.BodyContains("invoice"));
        var fuzzy = await folder.SearchAsync(SearchOptions.All | SearchOptions.Relevancy, SearchQuery.Fuzzy(SearchQuery.BodyContains("invoice")));
        var typo = await folder.SearchAsync(SearchQuery.Fuzzy(SearchQuery.SubjectContains("invoize")));
        var mixed = await folder.SearchAsync(SearchQuery.Fuzzy(SearchQuery.BodyContains("invoice")).And(SearchQuery.SubjectContains("remind")));

        Assert.Equal([uids[0], uids[2]], exact);
        Assert.Equal([uids[0], uids[2], uids[3]], fuzzy.UniqueIds);
        Assert.True(fuzzy.UniqueIds.ToHashSet().IsSupersetOf(exact), "FUZZY finds every exact match");
        // The word whole scores 100, inside "invoices" less, one edit away least (below every exact match).
        Assert.Equal([100, 94, 43], (fuzzy.Relevancy ?? []).Select(s => (int)s));
        Assert.Equal([uids[0]], typo);
        Assert.Equal([uids[3]], mixed);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task On_the_wire_RELEVANCY_follows_ALL_SORT_puts_the_best_first_ESEARCH_IN_scores_each_mailbox_and_RELEVANCY_without_FUZZY_is_BAD()
    {
        var (client, folder, _) = await FileLettersAsync();
        var uidValidity = folder.UidValidity;
        await client.DisconnectAsync(true);
        await using var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        await imap.CommandAsync("L", $"LOGIN admin \"{fixture.AdminPassword}\"");
        await imap.CommandAsync("S", $"SELECT \"{folder.FullName}\"");

        var capability = await imap.CommandAsync("C", "CAPABILITY");
        var plain = await imap.CommandAsync("A", "SEARCH FUZZY BODY \"invoice\"");
        var scored = await imap.CommandAsync("B", "UID SEARCH RETURN (RELEVANCY ALL COUNT) FUZZY TEXT \"Helo\"");
        var sorted = await imap.CommandAsync("D", "SORT (RELEVANCY) UTF-8 FUZZY BODY \"invoice\"");
        var reversed = await imap.CommandAsync("E", "UID SORT (REVERSE RELEVANCY) UTF-8 FUZZY BODY \"invoice\"");
        var everywhere = await imap.CommandAsync("F", $"ESEARCH IN (mailboxes \"{folder.FullName}\") RETURN (RELEVANCY ALL) FUZZY (BODY \"invoce\")");
        var partly = await imap.CommandAsync("G", "SEARCH RETURN (RELEVANCY ALL) OR FUZZY BODY \"invoce\" SUBJECT \"lunch\"");
        var flagsOnly = await imap.CommandAsync("H", "SEARCH RETURN (RELEVANCY ALL) FUZZY UNSEEN");
        var noFuzzy = await imap.CommandAsync("I", "SEARCH RETURN (RELEVANCY ALL) BODY \"invoice\"");
        var noFuzzySort = await imap.CommandAsync("J", "SORT (RELEVANCY) UTF-8 ALL");
        var missing = await imap.CommandAsync("K", "SEARCH FUZZY");

        Assert.Contains(" SEARCH=FUZZY ", capability[0], StringComparison.Ordinal);
        Assert.Equal(["* SEARCH 1 3 4", "A OK SEARCH completed"], plain);
        // No "helo" anywhere, nor a word one edit away ("hello", "help"): nothing, and no ALL or RELEVANCY.
        Assert.Equal(["* ESEARCH (TAG \"B\") UID COUNT 0", "B OK UID SEARCH completed"], scored);
        Assert.Equal(["* SORT 1 3 4", "D OK SORT completed"], sorted);
        Assert.Equal(["* SORT 4 3 1", "E OK UID SORT completed"], reversed);
        // "invoce": exact and whole in 4 (100); one edit from "invoice" in 1 (43); "invoices" is two away.
        Assert.Equal([$"* ESEARCH (TAG \"F\" MAILBOX {folder.FullName} UIDVALIDITY {uidValidity}) UID ALL 1,4 RELEVANCY (43 100)", "F OK ESEARCH completed"], everywhere);
        // OR: the better side scores; 2 matches only through the exact, non-fuzzy side: the lowest score.
        Assert.Equal(["* ESEARCH (TAG \"G\") ALL 1:2,4 RELEVANCY (43 1 100)", "G OK SEARCH completed"], partly);
        Assert.Equal(["* ESEARCH (TAG \"H\") ALL 1:4 RELEVANCY (100 100 100 100)", "H OK SEARCH completed"], flagsOnly);
        Assert.Equal("I BAD RETURN (RELEVANCY) needs a FUZZY search key", noFuzzy[^1]);
        Assert.Equal("J BAD Sort key RELEVANCY needs a FUZZY search key", noFuzzySort[^1]);
        Assert.Equal("K BAD Missing search key", missing[^1]);
    }

    [Fact]
    public async Task Pythons_imaplib_reads_relevancy_scores_of_a_misspelled_TEXT_search()
    {
        var folder = "PyFuzzy" + Guid.NewGuid().ToString("N")[..8];
        var script = $$"""
            import imaplib, ssl, sys
            c = imaplib.IMAP4_SSL('127.0.0.1', {{fixture.Server.TlsPort}}, ssl_context=ssl._create_unverified_context())
            c.login('admin', sys.stdin.readline().strip())
            typ, caps = c.capability()
            assert b' SEARCH=FUZZY ' in caps[0], caps
            assert c.create('{{folder}}')[0] == 'OK'
            for subject, body in [('Vertrag Miete', 'Der Mietvertrag liegt bei.'), ('Urlaub', 'Bis bald.'), ('Nachtrag', 'Zum Vertrag: siehe Anlage.')]:
                msg = ('From: a@example.org\r\nSubject: %s\r\n\r\n%s\r\n' % (subject, body)).encode()
                assert c.append('{{folder}}', None, None, msg)[0] == 'OK'
            c.select('{{folder}}')
            typ, data = c.uid('SEARCH', 'RETURN', '(RELEVANCY ALL)', 'FUZZY', 'TEXT', '"Vertarg"')
            assert typ == 'OK', data
            typ, esearch = c.response('ESEARCH')
            assert esearch[0].endswith(b' UID ALL 1,3 RELEVANCY (43 43)'), esearch
            typ, data = c.uid('SEARCH', 'FUZZY', 'SUBJECT', '"Vertarg"')
            assert data[0] == b'1', data
            typ, data = c.uid('SEARCH', 'SUBJECT', '"Vertarg"')
            assert data[0] == b'', data
            c.logout()
            print('ALL OK')
            """;

        var (exitCode, output) = await ExternalTool.RunAsync("python3", ["-c", script], fixture.AdminPassword + "\n");

        Assert.True(exitCode == 0, output);
        Assert.Contains("ALL OK", output, StringComparison.Ordinal);
    }
}
