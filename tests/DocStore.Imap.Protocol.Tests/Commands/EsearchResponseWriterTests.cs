using System.Buffers;
using System.Text;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Protocol.Tests.Commands;

public sealed class EsearchResponseWriterTests
{
    private const SearchReturnOptions All = SearchReturnOptions.All;
    private const SearchReturnOptions Relevancy = SearchReturnOptions.Relevancy;

    public static TheoryData<string, bool, SearchReturnOptions, uint[], int[]?, string> Responses() => new()
    {
        // RFC 6203 §4's example.
        { "B1", false, Relevancy | All, [1, 5, 10], [4, 99, 42], "* ESEARCH (TAG \"B1\") ALL 1,5,10 RELEVANCY (4 99 42)\r\n" },
        { "a", true, Relevancy | All | SearchReturnOptions.Count, [3, 4, 5], [100, 1, 57], "* ESEARCH (TAG \"a\") UID COUNT 3 ALL 3:5 RELEVANCY (100 1 57)\r\n" },
        { "a", false, Relevancy, [7], [50], "* ESEARCH (TAG \"a\") RELEVANCY (50)\r\n" },
        { "a", false, Relevancy | SearchReturnOptions.Min | SearchReturnOptions.Max, [2, 9], [10, 20], "* ESEARCH (TAG \"a\") MIN 2 MAX 9 RELEVANCY (10 20)\r\n" },
        // Like ALL, RELEVANCY is left out when nothing matched.
        { "a", true, Relevancy | All | SearchReturnOptions.Count, [], [], "* ESEARCH (TAG \"a\") UID COUNT 0\r\n" },
        { "a", false, SearchReturnOptions.Save, [1, 2], null, "* ESEARCH (TAG \"a\") ALL 1:2\r\n" },
        { "a", false, All | SearchReturnOptions.Count, [1, 2], null, "* ESEARCH (TAG \"a\") COUNT 2 ALL 1:2\r\n" },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void Esearch_responses_are_written_byte_for_byte(string tag, bool uid, SearchReturnOptions options, uint[] results, int[]? relevancy, string expected)
    {
        var buffer = new ArrayBufferWriter<byte>();
        EsearchResponseWriter.Write(new ImapResponseWriter(buffer), tag, uid, options, results, relevancy: relevancy);
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void A_multi_mailbox_response_carries_the_mailbox_and_its_uidvalidity_before_the_scores()
    {
        var buffer = new ArrayBufferWriter<byte>();
        EsearchResponseWriter.Write(new ImapResponseWriter(buffer), "C2", uid: true, Relevancy | All, [10, 12], ("Shared/Verträge", 1700000000), [88, 3]);
        Assert.Equal("* ESEARCH (TAG \"C2\" MAILBOX Shared/Vertr&AOQ-ge UIDVALIDITY 1700000000) UID ALL 10,12 RELEVANCY (88 3)\r\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData(new[] { 50 })]
    [InlineData(new[] { 0, 50 })]
    [InlineData(new[] { 50, 101 })]
    public void Scores_must_be_one_per_result_from_1_to_100(int[] relevancy)
    {
        var writer = new ImapResponseWriter(new ArrayBufferWriter<byte>());
        Assert.Throws<ArgumentException>(() => EsearchResponseWriter.Write(writer, "a", uid: false, Relevancy, [1, 2], relevancy: relevancy));
    }

    [Fact]
    public void Count_min_and_max_are_written_without_the_list_of_results_which_all_needs()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var options = SearchReturnOptions.Count | SearchReturnOptions.Min | SearchReturnOptions.Max;
        EsearchResponseWriter.Write(new ImapResponseWriter(buffer), "a", uid: true, options, new EsearchResults(199993, 3, 200000, null));
        Assert.Equal("* ESEARCH (TAG \"a\") UID MIN 3 MAX 200000 COUNT 199993\r\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Throws<ArgumentException>(() => EsearchResponseWriter.Write(new ImapResponseWriter(new ArrayBufferWriter<byte>()), "a", uid: true, All, new EsearchResults(2, 1, 2, null)));
    }
}
