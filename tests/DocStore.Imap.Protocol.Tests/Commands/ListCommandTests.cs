using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Protocol.Tests.Commands;

public sealed class ListCommandTests
{
    [Theory]
    [InlineData("a LIST \"\" *\r\n", false, "", "*")]
    [InlineData("a LIST \"\" %\r\n", false, "", "%")]
    [InlineData("a LIST Shared/ %/Projekt*\r\n", false, "Shared/", "%/Projekt*")]
    [InlineData("a LIST \"\" inbox\r\n", false, "", "INBOX")]
    [InlineData("a LIST \"\" Entw&APw-rfe/%\r\n", false, "", "Entwürfe/%")]
    [InlineData("a LIST \"\" \"Entwürfe/*\"\r\n", true, "", "Entwürfe/*")]
    [InlineData("a LIST \"\" foo]bar\r\n", false, "", "foo]bar")]
    [InlineData("a LIST \"\" {3+}\r\na b\r\n", false, "", "a b")]
    [InlineData("a LIST ~smith/Mail/ foo.*\r\n", false, "~smith/Mail/", "foo.*")]
    public void Basic_list_reads_reference_and_pattern(string wire, bool utf8, string reference, string pattern)
    {
        Assert.True(ListCommand.TryParse(ParserHarness.ParseOne(wire), utf8, out var list, out var error), error);
        Assert.Equal((reference, pattern), (list.Reference, Assert.Single(list.Patterns)));
        Assert.Equal(reference + pattern, Assert.Single(list.CanonicalPatterns));
        Assert.Equal((false, ListSelectOptions.None, ListReturnOptions.None, false), (list.IsExtended, list.Selection, list.Return, list.IsDelimiterRequest));
    }

    [Fact]
    public void An_empty_basic_pattern_asks_for_the_delimiter()
    {
        Assert.True(ListCommand.TryParse(ParserHarness.ParseOne("a LIST \"\" \"\"\r\n"), false, out var list, out _));
        Assert.True(list.IsDelimiterRequest);
    }

    [Theory]
    [InlineData("a LIST (SUBSCRIBED) \"\" *\r\n", ListSelectOptions.Subscribed, ListReturnOptions.Subscribed, "*")]
    [InlineData("a LIST () \"\" (\"\" %)\r\n", ListSelectOptions.None, ListReturnOptions.None, "%")]
    [InlineData("a LIST (subscribed RECURSIVEMATCH remote) \"\" (INBOX Drafts/*)\r\n",
        ListSelectOptions.Subscribed | ListSelectOptions.RecursiveMatch | ListSelectOptions.Remote, ListReturnOptions.Subscribed, "INBOX Drafts/*")]
    [InlineData("a LIST (SPECIAL-USE RECURSIVEMATCH) \"\" *\r\n", ListSelectOptions.SpecialUse | ListSelectOptions.RecursiveMatch, ListReturnOptions.SpecialUse, "*")]
    [InlineData("a LIST \"\" % RETURN (CHILDREN SPECIAL-USE MYRIGHTS)\r\n", ListSelectOptions.None, ListReturnOptions.Children | ListReturnOptions.SpecialUse | ListReturnOptions.MyRights, "%")]
    [InlineData("a LIST \"\" % RETURN ()\r\n", ListSelectOptions.None, ListReturnOptions.None, "%")]
    [InlineData("a LIST \"\" \"\" RETURN (SUBSCRIBED)\r\n", ListSelectOptions.None, ListReturnOptions.Subscribed, "")]
    public void Extended_list_reads_options_and_patterns(string wire, ListSelectOptions selection, ListReturnOptions returnOptions, string patterns)
    {
        Assert.True(ListCommand.TryParse(ParserHarness.ParseOne(wire), false, out var list, out var error), error);
        Assert.Equal((true, selection, returnOptions, patterns), (list.IsExtended, list.Selection, list.Return, string.Join(' ', list.Patterns)));
        Assert.False(list.IsDelimiterRequest);
    }

    [Fact]
    public void Status_return_option_carries_its_items()
    {
        Assert.True(ListCommand.TryParse(ParserHarness.ParseOne("a LIST \"\" % RETURN (STATUS (messages UNSEEN MESSAGES) CHILDREN)\r\n"), false, out var list, out _));
        Assert.Equal(ListReturnOptions.Status | ListReturnOptions.Children, list.Return);
        Assert.Equal(["MESSAGES", "UNSEEN"], list.StatusItems);
    }

    [Theory]
    [InlineData("a LIST\r\n", "Expected a mailbox name")]
    [InlineData("a LIST \"\"\r\n", "Expected LIST [(options)] reference pattern [RETURN (options)]")]
    [InlineData("a LIST \"\" * extra\r\n", "Expected LIST [(options)] reference pattern [RETURN (options)]")]
    [InlineData("a LIST \"\" a\\b\r\n", "Invalid mailbox pattern")]
    [InlineData("a LIST \"\" \"Entwürfe\"\r\n", "Mailbox name has 8-bit characters but UTF-8 is not enabled (modified UTF-7 expected)")]
    [InlineData("a LIST \"\" ()\r\n", "Empty LIST pattern list")]
    [InlineData("a LIST \"\" ((a))\r\n", "Invalid mailbox pattern")]
    [InlineData("a LIST (FOO) \"\" *\r\n", "Unknown LIST selection option")]
    [InlineData("a LIST (\"SUBSCRIBED\") \"\" *\r\n", "Unknown LIST selection option")]
    [InlineData("a LIST (RECURSIVEMATCH) \"\" *\r\n", "RECURSIVEMATCH needs another selection option such as SUBSCRIBED")]
    [InlineData("a LIST (REMOTE RECURSIVEMATCH) \"\" *\r\n", "RECURSIVEMATCH needs another selection option such as SUBSCRIBED")]
    [InlineData("a LIST \"\" * RETURN\r\n", "RETURN takes a list of options")]
    [InlineData("a LIST \"\" * RETURN (FOO)\r\n", "Unknown LIST return option")]
    [InlineData("a LIST \"\" * RETURN (STATUS)\r\n", "STATUS takes one list of STATUS items")]
    [InlineData("a LIST \"\" * RETURN (STATUS ())\r\n", "STATUS takes one list of STATUS items")]
    [InlineData("a LIST \"\" * RETURN (STATUS (FOO))\r\n", "STATUS takes one list of STATUS items")]
    [InlineData("a LIST \"\" * RETURN (STATUS (MESSAGES) STATUS (UNSEEN))\r\n", "STATUS takes one list of STATUS items")]
    [InlineData("a LIST \"\" * RETURN (CHILDREN) RETURN (CHILDREN)\r\n", "Expected LIST [(options)] reference pattern [RETURN (options)]")]
    public void List_refuses_malformed_input_with_a_reason(string wire, string reason)
    {
        Assert.False(ListCommand.TryParse(ParserHarness.ParseOne(wire), false, out _, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void Lsub_reads_reference_and_pattern()
    {
        Assert.True(LsubCommand.TryParse(ParserHarness.ParseOne("a LSUB \"#news.\" comp.mail.*\r\n"), false, out var lsub, out var error), error);
        Assert.Equal(new LsubCommand("#news.", "comp.mail.*"), lsub);
    }

    [Theory]
    [InlineData("a LSUB \"\"\r\n")]
    [InlineData("a LSUB \"\" * RETURN (CHILDREN)\r\n")]
    [InlineData("a LSUB (SUBSCRIBED) \"\" *\r\n")]
    [InlineData("a LSUB \"\" (a b)\r\n")]
    public void Lsub_refuses_the_extended_forms(string wire)
    {
        Assert.False(LsubCommand.TryParse(ParserHarness.ParseOne(wire), false, out _, out var error));
        Assert.NotEmpty(error);
    }
}
