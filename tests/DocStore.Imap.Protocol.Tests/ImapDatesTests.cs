namespace DocStore.Imap.Protocol.Tests;

public sealed class ImapDatesTests
{
    [Theory]
    [InlineData("17-Jul-1996 02:44:25 -0700", 1996, 7, 17, 2, 44, 25, -420)]
    [InlineData(" 1-Feb-1994 21:52:25 +0100", 1994, 2, 1, 21, 52, 25, 60)]
    [InlineData("01-feb-1994 21:52:25 +0000", 1994, 2, 1, 21, 52, 25, 0)]
    [InlineData("29-Feb-2024 23:59:60 +1400", 2024, 2, 29, 23, 59, 59, 840)]
    [InlineData("31-Dec-2023 00:00:00 -0530", 2023, 12, 31, 0, 0, 0, -330)]
    public void Date_times_parse_with_their_zone(string text, int year, int month, int day, int hour, int minute, int second, int offsetMinutes)
    {
        Assert.True(ImapDates.TryParseDateTime(text, out var value));
        Assert.Equal(new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.FromMinutes(offsetMinutes)), value);
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), value.Offset);
    }

    [Theory]
    [InlineData("1-Feb-1994 21:52:25 +0100")]
    [InlineData("01-Feb-94 21:52:25 +0100")]
    [InlineData("30-Feb-1994 21:52:25 +0100")]
    [InlineData("01-Fev-1994 21:52:25 +0100")]
    [InlineData("01-Feb-1994 24:00:00 +0100")]
    [InlineData("01-Feb-1994 21:52:25 0100")]
    [InlineData("01-Feb-1994 21:52:25 +0160")]
    [InlineData("01-Feb-1994 21:52:25 +1500")]
    [InlineData("01-Feb-1994 21:52:25 +0100 ")]
    [InlineData("\"01-Feb-1994 21:52:25 +0100\"")]
    [InlineData("")]
    public void Malformed_date_times_are_refused(string text)
    {
        Assert.False(ImapDates.TryParseDateTime(text, out _));
    }

    [Fact]
    public void Date_times_format_as_the_rfc_shows_and_round_trip()
    {
        var value = new DateTimeOffset(1994, 2, 1, 21, 52, 25, TimeSpan.FromMinutes(-330));
        var text = ImapDates.FormatDateTime(value);
        Assert.Equal("01-Feb-1994 21:52:25 -0530", text);
        Assert.True(ImapDates.TryParseDateTime(text, out var parsed));
        Assert.Equal((value, value.Offset), (parsed, parsed.Offset));
    }

    [Theory]
    [InlineData("1-Feb-1994", 1994, 2, 1)]
    [InlineData("01-FEB-1994", 1994, 2, 1)]
    [InlineData("31-dec-2023", 2023, 12, 31)]
    public void Search_dates_parse(string text, int year, int month, int day)
    {
        Assert.True(ImapDates.TryParseDate(text, out var value));
        Assert.Equal(new DateOnly(year, month, day), value);
    }

    [Theory]
    [InlineData("001-Feb-1994")]
    [InlineData("1-Feb-94")]
    [InlineData("32-Jan-1994")]
    [InlineData("1 Feb 1994")]
    [InlineData("x-Feb-1994")]
    public void Malformed_search_dates_are_refused(string text)
    {
        Assert.False(ImapDates.TryParseDate(text, out _));
    }

    [Fact]
    public void Search_dates_format_without_padding()
    {
        Assert.Equal("1-Feb-1994", ImapDates.FormatDate(new DateOnly(1994, 2, 1)));
    }
}
