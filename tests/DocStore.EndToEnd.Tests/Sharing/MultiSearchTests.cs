using DocStore.EndToEnd.Tests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests.Sharing;

/// <summary>RFC 7377 ESEARCH IN (...): one search across the collections a user may read, and none other.</summary>
public sealed class MultiSearchTests(SharingServer fixture) : IClassFixture<SharingServer>
{
    private static MimeMessage Note(string subject, string text) =>
        new([new MailboxAddress("Alice", "alice@example.org")], [new MailboxAddress("Bob", "bob@example.org")], subject, new TextPart("plain") { Text = text });

    private async Task<ImapClient> SignInAsync(string user)
    {
        var client = await ImapClients.ConnectAsync(fixture.Server.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(user, SharingServer.PasswordOf(user));
        return client;
    }

    private static async Task<IMailFolder> CreateWithAsync(IMailFolder parent, string name, params MimeMessage[] messages)
    {
        var folder = await parent.CreateAsync(name, isMessageFolder: true)
            ?? throw new InvalidOperationException("CREATE failed");
        foreach (var message in messages)
        {
            await folder.AppendAsync(message);
        }
        return folder;
    }

    private static async Task<string> UidValidityAsync(RawImap imap, string mailbox)
    {
        var status = await imap.CommandAsync("V", $"STATUS \"{mailbox}\" (UIDVALIDITY)");
        var line = status.Single(l => l.StartsWith("* STATUS", StringComparison.Ordinal));
        return line[(line.LastIndexOf(' ') + 1)..].TrimEnd(')');
    }

    // The MAILBOX correlator is an astring (RFC 7377 §4), so these names go as atoms.
    [Fact]
    public async Task Bob_searches_his_own_tree_and_a_share_he_may_read_and_never_sees_what_he_may_not()
    {
        var s = Guid.NewGuid().ToString("N")[..6];
        var word = "Walrus" + s;
        using (var alice = await SignInAsync("alice"))
        {
            var root = alice.GetFolder(alice.PersonalNamespaces[0]);
            var deals = await CreateWithAsync(root, $"Deals{s}", Note("Offer", $"The {word} deal."), Note("Other", "Nothing to see."), Note("Again", $"more {word.ToUpperInvariant()}"));
            var closed = await CreateWithAsync(deals, "Closed", Note("Old", $"An old {word}."));
            await CreateWithAsync(root, $"Private{s}", Note("Secret", $"A private {word}."));
            await deals.SetAccessRightsAsync("bob", new AccessRights("lr"));
            // Bob may see that Closed exists, but not read it.
            await closed.SetAccessRightsAsync("bob", new AccessRights("l"));
            await alice.DisconnectAsync(true);
        }
        using (var bob = await SignInAsync("bob"))
        {
            await CreateWithAsync(bob.GetFolder(bob.PersonalNamespaces[0]), $"Mine{s}", Note("Nothing", "plain"), Note("Mine", $"my {word}"));
            await bob.DisconnectAsync(true);
        }

        await using var imap = await fixture.SignInAsync("bob");
        var capability = await imap.CommandAsync("C", "CAPABILITY");
        var everything = await imap.CommandAsync("E1", $"ESEARCH IN (personal subtree \"Users/alice/Deals{s}\") BODY \"{word.ToLowerInvariant()}\"");
        var counted = await imap.CommandAsync("E2", $"ESEARCH IN (subtree-one \"Users/alice/Deals{s}\" mailboxes (\"Mine{s}\")) RETURN (MIN COUNT) TEXT \"{word}\"");
        var unreadable = await imap.CommandAsync("E3", $"ESEARCH IN (mailboxes (\"Users/alice/Deals{s}/Closed\" \"Users/alice/Private{s}\")) TEXT \"{word}\"");
        var mine = await UidValidityAsync(imap, $"Mine{s}");
        var shared = await UidValidityAsync(imap, $"Users/alice/Deals{s}");

        Assert.Contains(" MULTISEARCH ", capability[0], StringComparison.Ordinal);
        Assert.Equal(
            [
                $"* ESEARCH (TAG \"E1\" MAILBOX Mine{s} UIDVALIDITY {mine}) UID ALL 2",
                $"* ESEARCH (TAG \"E1\" MAILBOX Users/alice/Deals{s} UIDVALIDITY {shared}) UID ALL 1,3",
                "E1 OK ESEARCH completed",
            ],
            everything);
        Assert.Equal(
            [
                $"* ESEARCH (TAG \"E2\" MAILBOX Users/alice/Deals{s} UIDVALIDITY {shared}) UID MIN 1 COUNT 2",
                $"* ESEARCH (TAG \"E2\" MAILBOX Mine{s} UIDVALIDITY {mine}) UID MIN 2 COUNT 1",
                "E2 OK ESEARCH completed",
            ],
            counted);
        Assert.Equal(["E3 OK ESEARCH completed"], unreadable);
    }

    [Fact]
    public async Task Alice_searches_a_subtree_one_level_deep_and_the_selected_mailbox_alone()
    {
        var s = Guid.NewGuid().ToString("N")[..6];
        using (var alice = await SignInAsync("alice"))
        {
            var tree = await CreateWithAsync(alice.GetFolder(alice.PersonalNamespaces[0]), $"Tree{s}", Note("Top", "heron top"));
            var a = await CreateWithAsync(tree, "A", Note("A", "heron a"));
            await CreateWithAsync(a, "Deep", Note("Deep", "heron deep"));
            await alice.DisconnectAsync(true);
        }

        await using var imap = await fixture.SignInAsync("alice");
        var one = await imap.CommandAsync("E1", $"ESEARCH IN (subtree-one \"Tree{s}\") RETURN (COUNT) BODY heron");
        var all = await imap.CommandAsync("E2", $"ESEARCH IN (subtree \"Tree{s}\") RETURN (COUNT) BODY heron");
        await imap.CommandAsync("S", $"SELECT \"Tree{s}/A\"");
        var selected = await imap.CommandAsync("E3", "ESEARCH BODY heron");

        Assert.Equal([$"Tree{s}", $"Tree{s}/A"], one.SkipLast(1).Select(l => l.Split(' ')[5]));
        Assert.Equal([$"Tree{s}", $"Tree{s}/A", $"Tree{s}/A/Deep"], all.SkipLast(1).Select(l => l.Split(' ')[5]));
        Assert.Matches($"^\\* ESEARCH \\(TAG \"E3\" MAILBOX Tree{s}/A UIDVALIDITY \\d+\\) UID ALL 1$", selected[0]);
    }

    [Fact]
    public async Task Malformed_or_misplaced_ESEARCH_is_refused_with_a_reason()
    {
        await using var imap = await fixture.SignInAsync("carol");

        var noSelection = await imap.CommandAsync("B1", "ESEARCH ALL");
        var delayed = await imap.CommandAsync("B2", "ESEARCH IN (selected-delayed) ALL");
        var save = await imap.CommandAsync("B3", "ESEARCH IN (personal) RETURN (SAVE) ALL");
        var empty = await imap.CommandAsync("B4", "ESEARCH IN () ALL");
        var noName = await imap.CommandAsync("B5", "ESEARCH IN (subtree) ALL");

        Assert.StartsWith("B1 BAD ", noSelection[^1], StringComparison.Ordinal);
        Assert.StartsWith("B2 BAD Unknown mailbox specifier", delayed[^1], StringComparison.Ordinal);
        Assert.Equal("B3 BAD RETURN (SAVE) needs IN (selected) alone", save[^1]);
        Assert.Equal("B4 BAD IN takes a list of mailbox specifiers", empty[^1]);
        Assert.StartsWith("B5 BAD ", noName[^1], StringComparison.Ordinal);
    }
}
