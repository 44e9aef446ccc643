using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Protocol.Tests.Commands;

public sealed class SortAndThreadCommandTests
{
    [Theory]
    [InlineData("a SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n", false, "Subject", "UTF-8", "SINCE 1-Feb-1994")]
    [InlineData("a UID SORT (REVERSE DATE arrival) us-ascii ALL\r\n", true, "-Date Arrival", "US-ASCII", "ALL")]
    [InlineData("a SORT (CC FROM SIZE TO DISPLAYFROM reverse DISPLAYTO) \"UTF-8\" UNDELETED SUBJECT x\r\n", false, "Cc From Size To DisplayFrom -DisplayTo", "UTF-8", "(UNDELETED SUBJECT \"x\")")]
    [InlineData("a SORT (REVERSE RELEVANCY) UTF-8 FUZZY TEXT x\r\n", false, "-Relevancy", "UTF-8", "FUZZY TEXT \"x\"")]
    [InlineData("a UID SORT (relevancy DATE) UTF-8 UNSEEN FUZZY SUBJECT \"Helo\"\r\n", true, "Relevancy Date", "UTF-8", "(UNSEEN FUZZY SUBJECT \"Helo\")")]
    public void Sort_reads_criteria_charset_and_keys(string wire, bool uid, string criteria, string charset, string keys)
    {
        Assert.True(SortCommand.TryParse(ParserHarness.ParseOne(wire), out var sort, out var error, out _), error);
        Assert.Equal((uid, charset, keys), (sort.Uid, sort.Charset, sort.Key.ToString()));
        Assert.Equal(criteria, string.Join(' ', sort.Criteria.Select(c => (c.Reverse ? "-" : "") + c.Field)));
    }

    [Theory]
    [InlineData("a SORT UTF-8 ALL\r\n", "Expected SORT (criteria) charset keys", null)]
    [InlineData("a SORT () UTF-8 ALL\r\n", "Expected SORT (criteria) charset keys", null)]
    [InlineData("a SORT (REVERSE) UTF-8 ALL\r\n", "REVERSE must be followed by a sort key", null)]
    [InlineData("a SORT (REVERSE REVERSE DATE) UTF-8 ALL\r\n", "REVERSE must be followed by a sort key", null)]
    [InlineData("a SORT (MODSEQ) UTF-8 ALL\r\n", "Unknown sort key", null)]
    [InlineData("a SORT (DATE) ALL\r\n", "Unsupported charset; use UTF-8", "BADCHARSET (UTF-8 US-ASCII)")]
    [InlineData("a SORT (DATE) UTF-8\r\n", "Missing search key", null)]
    [InlineData("a SORT (DATE)\r\n", "Expected a charset", null)]
    [InlineData("a SORT (RELEVANCY) UTF-8 SUBJECT \"Helo\"\r\n", "Sort key RELEVANCY needs a FUZZY search key", null)]
    [InlineData("a SORT (DATE REVERSE RELEVANCY) UTF-8 ALL\r\n", "Sort key RELEVANCY needs a FUZZY search key", null)]
    public void Sort_refuses_malformed_input_with_a_reason(string wire, string reason, string? code)
    {
        Assert.False(SortCommand.TryParse(ParserHarness.ParseOne(wire), out _, out var error, out var responseCode));
        Assert.Equal((reason, code), (error, responseCode));
    }

    [Theory]
    [InlineData("a THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000\r\n", false, ThreadAlgorithm.OrderedSubject, "SINCE 5-Mar-2000")]
    [InlineData("a UID THREAD references US-ASCII NOT DELETED\r\n", true, ThreadAlgorithm.References, "NOT DELETED")]
    public void Thread_reads_algorithm_charset_and_keys(string wire, bool uid, ThreadAlgorithm algorithm, string keys)
    {
        Assert.True(ThreadCommand.TryParse(ParserHarness.ParseOne(wire), out var thread, out var error, out _), error);
        Assert.Equal((uid, algorithm, keys), (thread.Uid, thread.Algorithm, thread.Key.ToString()));
    }

    [Theory]
    [InlineData("a THREAD REFS UTF-8 ALL\r\n", "Expected THREAD ORDEREDSUBJECT|REFERENCES charset keys", null)]
    [InlineData("a THREAD (REFERENCES) UTF-8 ALL\r\n", "Expected THREAD ORDEREDSUBJECT|REFERENCES charset keys", null)]
    [InlineData("a THREAD REFERENCES BIG5 ALL\r\n", "Unsupported charset; use UTF-8", "BADCHARSET (UTF-8 US-ASCII)")]
    [InlineData("a THREAD REFERENCES UTF-8 SEEN FOO\r\n", "Unknown search key FOO", null)]
    public void Thread_refuses_malformed_input_with_a_reason(string wire, string reason, string? code)
    {
        Assert.False(ThreadCommand.TryParse(ParserHarness.ParseOne(wire), out _, out var error, out var responseCode));
        Assert.Equal((reason, code), (error, responseCode));
    }
}
