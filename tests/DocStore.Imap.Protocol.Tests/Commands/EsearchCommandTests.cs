using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Protocol.Tests.Commands;

public sealed class EsearchCommandTests
{
    private static string Sources(EsearchCommand command) =>
        string.Join(' ', command.Sources.Select(s => s.Mailboxes.Count == 0 ? s.Kind.ToString() : $"{s.Kind}[{string.Join(',', s.Mailboxes)}]"));

    [Theory]
    [InlineData("a ESEARCH ALL\r\n", "Selected", SearchReturnOptions.All, "ALL")]
    [InlineData("a ESEARCH IN (personal) UNSEEN\r\n", "Personal", SearchReturnOptions.All, "UNSEEN")]
    [InlineData("a ESEARCH IN (mailboxes \"folder1\" subtree \"folder2\") unseen\r\n", "Mailboxes[folder1] Subtree[folder2]", SearchReturnOptions.All, "UNSEEN")]
    [InlineData("a ESEARCH IN (SUBTREE-ONE (a b/c) inboxes subscribed selected) RETURN (MIN COUNT) subject \"chad\"\r\n", "SubtreeOne[a,b/c] Inboxes Subscribed Selected", SearchReturnOptions.Min | SearchReturnOptions.Count, "SUBJECT \"chad\"")]
    [InlineData("a ESEARCH IN (mailboxes inbox) RETURN () CHARSET UTF-8 TEXT x\r\n", "Mailboxes[INBOX]", SearchReturnOptions.All, "TEXT \"x\"")]
    [InlineData("a ESEARCH IN (mailboxes \"&AMQ-rger\") ALL\r\n", "Mailboxes[Ärger]", SearchReturnOptions.All, "ALL")]
    [InlineData("a ESEARCH RETURN (SAVE) $\r\n", "Selected", SearchReturnOptions.Save, "$")]
    [InlineData("a ESEARCH IN (personal) RETURN (RELEVANCY ALL) FUZZY TEXT helo\r\n", "Personal", SearchReturnOptions.Relevancy | SearchReturnOptions.All, "FUZZY TEXT \"helo\"")]
    public void Esearch_reads_sources_return_options_and_keys(string wire, string sources, SearchReturnOptions options, string keys)
    {
        Assert.True(EsearchCommand.TryParse(ParserHarness.ParseOne(wire), utf8Accept: false, out var search, out var error, out _), error);
        Assert.Equal((sources, options, keys), (Sources(search), search.Return, search.Key.ToString()));
    }

    [Theory]
    [InlineData("a ESEARCH IN () ALL\r\n", "IN takes a list of mailbox specifiers", null)]
    [InlineData("a ESEARCH IN personal ALL\r\n", "IN takes a list of mailbox specifiers", null)]
    [InlineData("a ESEARCH IN (selected-delayed) ALL\r\n", "Unknown mailbox specifier; expected selected, inboxes, personal, subscribed, subtree, subtree-one or mailboxes", null)]
    [InlineData("a ESEARCH IN (subtree) ALL\r\n", "subtree needs a mailbox name", null)]
    [InlineData("a ESEARCH IN (mailboxes ()) ALL\r\n", "mailboxes needs a mailbox name", null)]
    [InlineData("a ESEARCH IN (personal) RETURN (SAVE) ALL\r\n", "RETURN (SAVE) needs IN (selected) alone", null)]
    [InlineData("a ESEARCH IN (personal) OR $ SEEN\r\n", "$ refers to the selected mailbox; search it alone", null)]
    [InlineData("a ESEARCH IN (personal) RETURN (BEST) ALL\r\n", "Unknown SEARCH return option", null)]
    [InlineData("a ESEARCH IN (personal) CHARSET KOI8-R ALL\r\n", "Unsupported charset; use UTF-8", "BADCHARSET (UTF-8 US-ASCII)")]
    [InlineData("a ESEARCH IN (personal)\r\n", "Missing search key", null)]
    [InlineData("a ESEARCH IN (personal) RETURN (RELEVANCY) TEXT helo\r\n", "RETURN (RELEVANCY) needs a FUZZY search key", null)]
    public void Esearch_refuses_malformed_input_with_a_reason(string wire, string reason, string? code)
    {
        Assert.False(EsearchCommand.TryParse(ParserHarness.ParseOne(wire), utf8Accept: false, out _, out var error, out var responseCode));
        Assert.Equal((reason, code), (error, responseCode));
    }
}
