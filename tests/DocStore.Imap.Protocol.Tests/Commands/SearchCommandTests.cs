using System.Text;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Protocol.Tests.Commands;

public sealed class SearchCommandTests
{
    [Theory]
    [InlineData("a SEARCH ALL\r\n", "ALL")]
    [InlineData("a SEARCH answered deleted draft flagged seen recent\r\n", "(ANSWERED DELETED DRAFT FLAGGED SEEN RECENT)")]
    [InlineData("a SEARCH UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN\r\n", "(UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN)")]
    [InlineData("a SEARCH NEW\r\n", "(RECENT UNSEEN)")]
    [InlineData("a SEARCH OLD\r\n", "NOT RECENT")]
    [InlineData("a SEARCH KEYWORD $Forwarded UNKEYWORD Junk\r\n", "(KEYWORD $Forwarded UNKEYWORD Junk)")]
    [InlineData("a SEARCH BCC a CC b FROM \"Smith\" SUBJECT {4+}\r\nx yz TEXT NIL TO \"\" BODY contract\r\n",
        "(BCC \"a\" CC \"b\" FROM \"Smith\" SUBJECT \"x yz\" TEXT \"NIL\" TO \"\" BODY \"contract\")")]
    [InlineData("a SEARCH HEADER Message-ID \"<a@b>\"\r\n", "HEADER \"Message-ID\" \"<a@b>\"")]
    [InlineData("a SEARCH BEFORE 1-Feb-1994 ON \"01-feb-1994\" SINCE 31-Dec-2023\r\n", "(BEFORE 1-Feb-1994 ON 1-Feb-1994 SINCE 31-Dec-2023)")]
    [InlineData("a SEARCH SENTBEFORE 2-Mar-2020 SENTON 2-Mar-2020 SENTSINCE 2-Mar-2020\r\n", "(SENTBEFORE 2-Mar-2020 SENTON 2-Mar-2020 SENTSINCE 2-Mar-2020)")]
    [InlineData("a SEARCH SAVEDBEFORE 2-Mar-2020 SAVEDON 2-Mar-2020 SAVEDSINCE 2-Mar-2020 SAVEDATESUPPORTED\r\n",
        "(SAVEDBEFORE 2-Mar-2020 SAVEDON 2-Mar-2020 SAVEDSINCE 2-Mar-2020 SAVEDATESUPPORTED)")]
    [InlineData("a SEARCH LARGER 0 SMALLER 9223372036854775807\r\n", "(LARGER 0 SMALLER 9223372036854775807)")]
    [InlineData("a SEARCH OLDER 3600 YOUNGER 4294967295\r\n", "(OLDER 3600 YOUNGER 4294967295)")]
    [InlineData("a SEARCH 1:5,7 UID 10:* $ UID $\r\n", "(1:5,7 UID 10:* $ UID $)")]
    [InlineData("a SEARCH NOT OR SEEN FLAGGED\r\n", "NOT OR SEEN FLAGGED")]
    [InlineData("a SEARCH OR (FROM a TO b) NOT (SEEN)\r\n", "OR (FROM \"a\" TO \"b\") NOT SEEN")]
    [InlineData("a SEARCH OR OR OR FROM x TO x CC x SUBJECT x\r\n", "OR OR OR FROM \"x\" TO \"x\" CC \"x\" SUBJECT \"x\"")]
    [InlineData("a SEARCH MODSEQ 0\r\n", "MODSEQ 0")]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n", "MODSEQ \"/flags/\\\\draft\" all 620162338")]
    [InlineData("a SEARCH MODSEQ \"/FLAGS/$MDNSent\" PRIV 1\r\n", "MODSEQ \"/flags/$MDNSent\" priv 1")]
    [InlineData("a SEARCH EMAILID M6d99ac3275bb4e THREADID T_6-4\r\n", "(EMAILID M6d99ac3275bb4e THREADID T_6-4)")]
    [InlineData("a SEARCH FUZZY SUBJECT \"balcony\"\r\n", "FUZZY SUBJECT \"balcony\"")]
    [InlineData("a SEARCH FUZZY (SUBJECT \"IMAP break\")\r\n", "FUZZY SUBJECT \"IMAP break\"")]
    [InlineData("a SEARCH FUZZY SUBJECT work FROM user@example.com\r\n", "(FUZZY SUBJECT \"work\" FROM \"user@example.com\")")]
    [InlineData("a SEARCH fuzzy (FROM \"Dave\" SINCE 21-Jan-2009 BEFORE 24-Jan-2009)\r\n", "FUZZY (FROM \"Dave\" SINCE 21-Jan-2009 BEFORE 24-Jan-2009)")]
    [InlineData("a SEARCH NOT FUZZY OR BODY x SEEN\r\n", "NOT FUZZY OR BODY \"x\" SEEN")]
    [InlineData("a SEARCH ((((SEEN))))\r\n", "SEEN")]
    public void Search_keys_parse_into_the_storage_neutral_tree(string wire, string canonical)
    {
        Assert.True(SearchCommand.TryParse(ParserHarness.ParseOne(wire), out var search, out var error, out var code), error);
        Assert.Null(code);
        Assert.Equal(canonical, search.Key.ToString());
        Assert.Equal((false, null, null), (search.Uid, search.Return, search.Charset));
    }

    [Fact]
    public void The_tree_is_typed_and_compares_by_value()
    {
        Assert.True(SearchCommand.TryParse(ParserHarness.ParseOne("a UID SEARCH OR HEADER X-Tag \"a\\\\b\" NOT 2:4 SINCE 1-Jan-2024 seen\r\n"), out var search, out _, out _));
        SearchKey expected = new AndKey([
            new OrKey(new TextKey(SearchTextField.Header, "X-Tag", "a\\b"), new NotKey(new SequenceKey(SequenceSet.TryParse("2:4", out var set) ? set : null!, IsUid: false))),
            new DateKey(SearchDateField.Internal, SearchDateComparison.Since, new DateOnly(2024, 1, 1)),
            new FlagKey("\\SEEN", IsSet: true),
        ]);
        Assert.True(search.Uid);
        Assert.Equal(expected, search.Key);
        Assert.NotEqual<SearchKey>(new FlagKey("\\Seen", IsSet: false), new FlagKey("\\Seen", IsSet: true));
    }

    [Theory]
    [InlineData("a SEARCH RETURN () ALL\r\n", SearchReturnOptions.All)]
    [InlineData("a SEARCH RETURN (MIN max) ALL\r\n", SearchReturnOptions.Min | SearchReturnOptions.Max)]
    [InlineData("a SEARCH RETURN (COUNT ALL SAVE) ALL\r\n", SearchReturnOptions.Count | SearchReturnOptions.All | SearchReturnOptions.Save)]
    [InlineData("a SEARCH RETURN (SAVE) CHARSET UTF-8 ALL\r\n", SearchReturnOptions.Save)]
    [InlineData("a SEARCH RETURN (RELEVANCY ALL) FUZZY TEXT x\r\n", SearchReturnOptions.Relevancy | SearchReturnOptions.All)]
    [InlineData("a SEARCH RETURN (relevancy) OR SEEN FUZZY BODY helo\r\n", SearchReturnOptions.Relevancy)]
    [InlineData("a SEARCH RETURN (COUNT RELEVANCY SAVE) NOT FUZZY TEXT x\r\n", SearchReturnOptions.Count | SearchReturnOptions.Relevancy | SearchReturnOptions.Save)]
    public void Return_options_select_an_esearch_answer(string wire, SearchReturnOptions options)
    {
        Assert.True(SearchCommand.TryParse(ParserHarness.ParseOne(wire), out var search, out var error, out _), error);
        Assert.Equal(options, search.Return);
    }

    [Theory]
    [InlineData("a SEARCH CHARSET UTF-8 SUBJECT \"Grüße\"\r\n", "UTF-8", "SUBJECT \"Grüße\"")]
    [InlineData("a SEARCH CHARSET \"us-ascii\" SUBJECT hello\r\n", "US-ASCII", "SUBJECT \"hello\"")]
    [InlineData("a SEARCH SUBJECT {7+}\r\nGrüße\r\n", null, "SUBJECT \"Grüße\"")]
    public void Strings_decode_as_utf8(string wire, string? charset, string canonical)
    {
        Assert.True(SearchCommand.TryParse(ParserHarness.ParseOne(wire), out var search, out var error, out _), error);
        Assert.Equal((charset, canonical), (search.Charset, search.Key.ToString()));
    }

    [Theory]
    [InlineData("a SEARCH CHARSET ISO-8859-1 SUBJECT x\r\n")]
    [InlineData("a SEARCH RETURN (COUNT) CHARSET \"KOI8-R\" ALL\r\n")]
    public void An_unknown_charset_is_a_no_with_badcharset(string wire)
    {
        Assert.False(SearchCommand.TryParse(ParserHarness.ParseOne(wire), out _, out var error, out var code));
        Assert.Equal(("Unsupported charset; use UTF-8", "BADCHARSET (UTF-8 US-ASCII)"), (error, code));
    }

    [Theory]
    [InlineData("a SEARCH\r\n", "Missing search key")]
    [InlineData("a SEARCH CHARSET\r\n", "Expected a charset")]
    [InlineData("a SEARCH CHARSET (UTF-8) ALL\r\n", "Expected a charset")]
    [InlineData("a SEARCH CHARSET UTF-8\r\n", "Missing search key")]
    [InlineData("a SEARCH RETURN ALL\r\n", "RETURN takes a list of options")]
    [InlineData("a SEARCH RETURN (PARTIAL 1:10) ALL\r\n", "Unknown SEARCH return option")]
    [InlineData("a SEARCH FOO\r\n", "Unknown search key FOO")]
    [InlineData("a SEARCH \"SEEN\"\r\n", "Expected a search key")]
    [InlineData("a SEARCH ()\r\n", "Empty parenthesised search key")]
    [InlineData("a SEARCH SUBJECT\r\n", "SUBJECT takes a string")]
    [InlineData("a SEARCH SUBJECT (x)\r\n", "SUBJECT takes a string")]
    [InlineData("a SEARCH HEADER Subject\r\n", "HEADER takes a string")]
    [InlineData("a SEARCH HEADER \"a:b\" x\r\n", "HEADER takes a field name and a string")]
    [InlineData("a SEARCH KEYWORD \\Seen\r\n", "KEYWORD takes a keyword atom")]
    [InlineData("a SEARCH UNKEYWORD\r\n", "UNKEYWORD takes a keyword atom")]
    [InlineData("a SEARCH BEFORE 31-Feb-2024\r\n", "BEFORE takes a date such as 1-Feb-1994")]
    [InlineData("a SEARCH SENTON 2024-01-01\r\n", "SENTON takes a date such as 1-Feb-1994")]
    [InlineData("a SEARCH SAVEDSINCE {10+}\r\n1-Feb-1994\r\n", "SAVEDSINCE takes a date such as 1-Feb-1994")]
    [InlineData("a SEARCH LARGER -1\r\n", "LARGER takes a number")]
    [InlineData("a SEARCH SMALLER 9223372036854775808\r\n", "SMALLER takes a number")]
    [InlineData("a SEARCH OLDER 0\r\n", "OLDER takes a number of seconds, at least 1")]
    [InlineData("a SEARCH YOUNGER 4294967296\r\n", "YOUNGER takes a number of seconds, at least 1")]
    [InlineData("a SEARCH UID\r\n", "UID takes a sequence set")]
    [InlineData("a SEARCH UID 0\r\n", "UID takes a sequence set")]
    [InlineData("a SEARCH NOT\r\n", "Missing search key")]
    [InlineData("a SEARCH OR SEEN\r\n", "Missing search key")]
    [InlineData("a SEARCH FUZZY\r\n", "Missing search key")]
    [InlineData("a SEARCH FUZZY RELEVANCY\r\n", "Unknown search key RELEVANCY")]
    [InlineData("a SEARCH FUZZY SUBJECT\r\n", "SUBJECT takes a string")]
    [InlineData("a SEARCH RETURN (RELEVANCY ALL) TEXT \"Helo\"\r\n", "RETURN (RELEVANCY) needs a FUZZY search key")]
    [InlineData("a SEARCH RETURN (RELEVANCY) FUZZY\r\n", "Missing search key")]
    [InlineData("a SEARCH RETURN RELEVANCY FUZZY TEXT x\r\n", "RETURN takes a list of options")]
    [InlineData("a SEARCH MODSEQ\r\n", "Expected MODSEQ [\"/flags/flag\" priv|shared|all] mod-sequence")]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\seen\" 5\r\n", "Expected MODSEQ [\"/flags/flag\" priv|shared|all] mod-sequence")]
    [InlineData("a SEARCH MODSEQ \"/annotations/x\" all 5\r\n", "Expected MODSEQ [\"/flags/flag\" priv|shared|all] mod-sequence")]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\seen\" both 5\r\n", "Expected MODSEQ [\"/flags/flag\" priv|shared|all] mod-sequence")]
    [InlineData("a SEARCH MODSEQ 9223372036854775808\r\n", "Expected MODSEQ [\"/flags/flag\" priv|shared|all] mod-sequence")]
    [InlineData("a SEARCH EMAILID \"a b\"\r\n", "EMAILID takes an object id")]
    [InlineData("a SEARCH THREADID a.b\r\n", "THREADID takes an object id")]
    [InlineData("a SEARCH CHARSET US-ASCII SUBJECT \"é\"\r\n", "Search string has 8-bit characters but the charset is US-ASCII")]
    public void Search_refuses_malformed_input_with_a_reason(string wire, string reason)
    {
        Assert.False(SearchCommand.TryParse(ParserHarness.ParseOne(wire), out _, out var error, out var code));
        Assert.Equal(reason, error);
        Assert.Null(code);
    }

    [Fact]
    public void An_object_id_is_at_most_255_characters()
    {
        Assert.True(SearchCommand.TryParse(ParserHarness.ParseOne($"a SEARCH EMAILID {new string('a', 255)}\r\n"), out _, out _, out _));
        Assert.False(SearchCommand.TryParse(ParserHarness.ParseOne($"a SEARCH EMAILID {new string('a', 256)}\r\n"), out _, out _, out _));
    }

    [Fact]
    public void A_string_that_is_not_utf8_is_refused()
    {
        var parser = new ImapCommandParser(ImapParserLimits.Authenticated);
        var reader = new System.Buffers.SequenceReader<byte>(new System.Buffers.ReadOnlySequence<byte>(Encoding.Latin1.GetBytes("a SEARCH SUBJECT \"\u00e9\"\r\n")));
        Assert.False(SearchCommand.TryParse(parser.Parse(ref reader).Command!, out _, out var error, out _));
        Assert.Equal("Search string is not valid UTF-8", error);
    }

    [Theory]
    [InlineData(SearchCommand.MaxKeyDepth, true)]
    [InlineData(SearchCommand.MaxKeyDepth + 1, false)]
    public void Nesting_without_parentheses_is_bounded(int depth, bool valid)
    {
        var wire = "a SEARCH " + string.Concat(Enumerable.Repeat("NOT ", depth - 1)) + "SEEN\r\n";
        Assert.Equal(valid, SearchCommand.TryParse(ParserHarness.ParseOne(wire), out var search, out var error, out _));
        Assert.Equal(valid ? null : "Search keys nested too deeply", error);
        Assert.Equal(valid, search?.Key is NotKey);
    }

    [Theory]
    [InlineData("a SEARCH MODSEQ 5\r\n", true)]
    [InlineData("a SEARCH OR SEEN (NOT MODSEQ 5)\r\n", true)]
    [InlineData("a SEARCH FUZZY (SEEN)\r\n", false)]
    public void A_modseq_key_anywhere_in_the_tree_is_found(string wire, bool usesModSeq)
    {
        Assert.True(SearchCommand.TryParse(ParserHarness.ParseOne(wire), out var search, out _, out _));
        Assert.Equal(usesModSeq, search.UsesModSeq);
    }
}
