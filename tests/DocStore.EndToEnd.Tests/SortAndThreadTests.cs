using System.Text;
using DocStore.EndToEnd.Tests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>RFC 5256 SORT and THREAD from MailKit and on the wire, over a small conversation filed by APPEND.</summary>
public sealed class SortAndThreadTests(FreshServer fixture) : IClassFixture<FreshServer>
{
    private static MimeMessage Message(string id, string subject, string date, string from, string? references = null, string? inReplyTo = null)
    {
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = $"About {subject}." } };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(new MailboxAddress("Team", "team@example.org"));
        message.MessageId = id;
        message.Headers.Replace(HeaderId.Date, date);
        if (references is not null)
        {
            message.Headers.Add(HeaderId.References, references);
        }
        if (inReplyTo is not null)
        {
            message.Headers.Add(HeaderId.InReplyTo, inReplyTo);
        }
        return message;
    }

    // Sequence numbers 1 to 6. Message 2's Date is 11:30 UTC, after message 1's 10:00.
    private static readonly MimeMessage[] Conversation =
    [
        Message("q1@test", "Quarterly plan", "Sun, 1 Nov 2026 10:00:00 +0000", "Carla <carla@example.org>"),
        Message("q2@test", "Re: Quarterly plan", "Sun, 1 Nov 2026 09:30:00 -0200", "anton@example.org", references: "<q1@test>"),
        Message("l1@test", "Lunch", "Sat, 31 Oct 2026 23:00:00 +0000", "bert@example.org"),
        Message("q3@test", "Re: Re: Quarterly plan", "Mon, 2 Nov 2026 08:00:00 +0000", "Aaron Dora <dora@example.org>", references: "<q1@test> <q2@test>"),
        Message("q4@test", "RE: quarterly PLAN", "Sun, 1 Nov 2026 12:00:00 +0000", "emil@example.org", inReplyTo: "<q1@test>"),
        Message("f1@test", "Fwd: Lunch", "Tue, 3 Nov 2026 07:00:00 +0000", "anton@example.org"),
    ];

    private async Task<(ImapClient Client, IMailFolder Folder, List<UniqueId> Uids)> FileConversationAsync()
    {
        var client = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("admin", fixture.AdminPassword);
        var folder = await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync("Thread" + Guid.NewGuid().ToString("N")[..8], true)
            ?? throw new InvalidOperationException("CREATE failed");
        // A message appended and expunged first, so UIDs differ from sequence numbers.
        await folder.AppendAsync(Message("gone@test", "Gone", "Sun, 1 Nov 2026 00:00:00 +0000", "x@example.org"), MessageFlags.Deleted);
        var uids = new List<UniqueId>();
        foreach (var message in Conversation)
        {
            uids.Add((await folder.AppendAsync(message))!.Value);
        }
        await folder.OpenAsync(FolderAccess.ReadWrite);
        await folder.ExpungeAsync();
        return (client, folder, uids);
    }

    private static string Shape(IEnumerable<MessageThread> threads, List<UniqueId> uids)
    {
        var text = new StringBuilder();
        void Write(MessageThread thread)
        {
            text.Append('(');
            text.Append(thread.UniqueId is { } uid ? (uids.IndexOf(uid) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-");
            foreach (var child in thread.Children)
            {
                Write(child);
            }
            text.Append(')');
        }
        foreach (var thread in threads)
        {
            Write(thread);
        }
        return text.ToString();
    }

    [Fact]
    public async Task MailKit_sorts_by_base_subject_date_and_sender_with_UID_SORT()
    {
        var (client, folder, uids) = await FileConversationAsync();
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Sort));

        var bySubject = await folder.SortAsync(SearchQuery.All, [OrderBy.Subject, OrderBy.ReverseDate]);
        var byDate = await folder.SortAsync(SearchQuery.All, [OrderBy.Date]);
        var byFrom = await folder.SortAsync(SearchQuery.All, [OrderBy.From]);
        var plan = await folder.SortAsync(SearchQuery.SubjectContains("plan").And(SearchQuery.Not(SearchQuery.FromContains("emil"))), [OrderBy.ReverseDate]);

        int[] Numbers(IEnumerable<UniqueId> sorted) => sorted.Select(u => uids.IndexOf(u) + 1).ToArray();
        Assert.Equal([6, 3, 4, 5, 2, 1], Numbers(bySubject));
        Assert.Equal([3, 1, 2, 5, 4, 6], Numbers(byDate));
        Assert.Equal([2, 6, 3, 1, 4, 5], Numbers(byFrom));
        Assert.Equal([4, 2, 1], Numbers(plan));
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task MailKit_threads_by_references_and_by_ordered_subject_with_UID_THREAD()
    {
        var (client, folder, uids) = await FileConversationAsync();
        Assert.Contains(ThreadingAlgorithm.References, client.ThreadingAlgorithms);
        Assert.Contains(ThreadingAlgorithm.OrderedSubject, client.ThreadingAlgorithms);

        var references = await folder.ThreadAsync(ThreadingAlgorithm.References, SearchQuery.All);
        var ordered = await folder.ThreadAsync(ThreadingAlgorithm.OrderedSubject, SearchQuery.All);
        var replies = await folder.ThreadAsync(ThreadingAlgorithm.References, SearchQuery.SubjectContains("re:"));

        // 6 forwards 3 and joins its thread by subject; 2 and 5 answer 1, 4 answers 2.
        Assert.Equal("(3(6))(1(2(4))(5))", Shape(references, uids));
        Assert.Equal("(3(6))(1(2)(5)(4))", Shape(ordered, uids));
        // 1 did not match: its replies are siblings under a dummy.
        Assert.Equal("(-(2(4))(5))", Shape(replies, uids));
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task SORT_and_THREAD_answer_sequence_numbers_on_the_wire_and_refuse_bad_input()
    {
        var (client, folder, _) = await FileConversationAsync();
        await client.DisconnectAsync(true);
        await using var imap = await RawImap.ConnectAsync(fixture.Server.TlsPort);
        await imap.CommandAsync("L", $"LOGIN admin \"{fixture.AdminPassword}\"");
        await imap.CommandAsync("S", $"SELECT \"{folder.FullName}\"");

        var capability = await imap.CommandAsync("C", "CAPABILITY");
        var sort = await imap.CommandAsync("A", "SORT (SUBJECT REVERSE DATE) UTF-8 ALL");
        var display = await imap.CommandAsync("X", "SORT (DISPLAYFROM) UTF-8 ALL");
        var sortText = await imap.CommandAsync("B", "SORT (REVERSE SIZE) US-ASCII BODY \"lunch\"");
        var nothing = await imap.CommandAsync("D", "SORT (DATE) UTF-8 TEXT \"not in mailbox\"");
        var thread = await imap.CommandAsync("E", "THREAD REFERENCES UTF-8 ALL");
        var ordered = await imap.CommandAsync("F", "THREAD ORDEREDSUBJECT UTF-8 NOT FROM \"carla\"");
        var none = await imap.CommandAsync("G", "THREAD REFERENCES UTF-8 SUBJECT \"nowhere\"");
        var badKey = await imap.CommandAsync("H", "SORT (WEIGHT) UTF-8 ALL");
        var badCharset = await imap.CommandAsync("I", "THREAD REFERENCES KOI8-R ALL");
        var badAlgorithm = await imap.CommandAsync("J", "THREAD X-JWZ UTF-8 ALL");
        var relevancy = await imap.CommandAsync("K", "SORT (RELEVANCY) UTF-8 ALL");

        Assert.Contains(" SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES ", capability[0], StringComparison.Ordinal);
        Assert.Equal(["* SORT 6 3 4 5 2 1", "A OK SORT completed"], sort);
        Assert.Equal(["* SORT 6 3", "B OK SORT completed"], sortText);
        // RFC 5957: the display name, else the address: "Aaron Dora", anton@ (2, 6), bert@, "Carla", emil@.
        Assert.Equal(["* SORT 4 2 6 3 1 5", "X OK SORT completed"], display);
        Assert.Equal(["* SORT", "D OK SORT completed"], nothing);
        Assert.Equal(["* THREAD (3 6)(1 (2 4)(5))", "E OK THREAD completed"], thread);
        Assert.Equal(["* THREAD (3 6)(2 (5)(4))", "F OK THREAD completed"], ordered);
        Assert.Equal(["* THREAD", "G OK THREAD completed"], none);
        Assert.Equal("H BAD Unknown sort key", badKey[^1]);
        Assert.StartsWith("I NO [BADCHARSET", badCharset[^1], StringComparison.Ordinal);
        Assert.StartsWith("J BAD Expected THREAD", badAlgorithm[^1], StringComparison.Ordinal);
        Assert.Equal("K BAD Sort key RELEVANCY needs a FUZZY search key", relevancy[^1]);
    }
}
