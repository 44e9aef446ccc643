namespace DocStore.Imap.Protocol.Tests;

public sealed class SequenceSetTests
{
    [Theory]
    [InlineData("1", 10u, new uint[] { 1 })]
    [InlineData("2,4:6,9", 10u, new uint[] { 2, 4, 5, 6, 9 })]
    [InlineData("6:4", 10u, new uint[] { 4, 5, 6 })]
    [InlineData("*", 10u, new uint[] { 10 })]
    [InlineData("8:*", 10u, new uint[] { 8, 9, 10 })]
    [InlineData("*:8", 10u, new uint[] { 8, 9, 10 })]
    [InlineData("15:*", 10u, new uint[] { 10 })]
    [InlineData("1:*", 0u, new uint[0])]
    [InlineData("3,1:2,2,3", 10u, new uint[] { 1, 2, 3 })]
    [InlineData("11:20", 10u, new uint[0])]
    [InlineData("4294967295", 4294967295u, new uint[] { 4294967295 })]
    public void Sets_enumerate_ascending_distinct_and_within_the_maximum(string text, uint max, uint[] expected)
    {
        Assert.True(SequenceSet.TryParse(text, out var set));
        Assert.Equal(expected, set.Enumerate(max));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("01")]
    [InlineData("1,")]
    [InlineData(",1")]
    [InlineData("1:")]
    [InlineData("1:2:3")]
    [InlineData("4294967296")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1 2")]
    [InlineData("$,1")]
    [InlineData("**")]
    public void Invalid_sets_are_refused(string text)
    {
        Assert.False(SequenceSet.TryParse(text, out _));
    }

    [Theory]
    [InlineData("1:*,5,*:3", "1:*,5,*:3")]
    [InlineData("7:7", "7")]
    public void Sets_render_as_sent(string text, string expected)
    {
        Assert.True(SequenceSet.TryParse(text, out var set));
        Assert.Equal(expected, set.ToString());
    }

    [Fact]
    public void The_saved_result_marker_is_its_own_set()
    {
        Assert.True(SequenceSet.TryParse("$", out var set));
        Assert.True(set.IsSavedResult);
        Assert.Equal("$", set.ToString());
    }

    [Theory]
    [InlineData(new uint[0], "")]
    [InlineData(new uint[] { 5 }, "5")]
    [InlineData(new uint[] { 3, 1, 2, 5 }, "1:3,5")]
    [InlineData(new uint[] { 7, 7, 8, 10, 11, 12, 20 }, "7:8,10:12,20")]
    [InlineData(new uint[] { 1, 2, 3, 5, 9, 10 }, "1:3,5,9:10")]
    [InlineData(new uint[] { 4, 9 }, "4,9")]
    public void Numbers_format_compactly(uint[] numbers, string expected)
    {
        Assert.Equal(expected, SequenceSet.Format(numbers));
    }

    [Fact]
    public void Random_sets_agree_between_contains_enumerate_resolve_and_format()
    {
        var random = new Random(20240601);
        for (var round = 0; round < 500; round++)
        {
            var max = (uint)random.Next(0, 60);
            var text = RandomSet(random);
            Assert.True(SequenceSet.TryParse(text, out var set), text);
            Assert.True(SequenceSet.TryParse(set.ToString(), out var rendered), set.ToString());
            Assert.Equal(set.Enumerate(max), rendered.Enumerate(max));

            var members = set.Enumerate(max).ToList();
            var expected = Enumerable.Range(1, (int)max).Select(n => (uint)n).Where(n => set.Contains(n, max)).ToList();
            Assert.Equal(expected, members);

            var formatted = SequenceSet.Format(members);
            if (members.Count > 0)
            {
                Assert.True(SequenceSet.TryParse(formatted, out var reparsed), formatted);
                Assert.Equal(members, reparsed.Enumerate(max));
                Assert.Equal(set.Resolve(max).Count, reparsed.Ranges.Count);
            }
        }
    }

    private static string RandomSet(Random random)
    {
        var parts = Enumerable.Range(0, random.Next(1, 5)).Select(_ =>
        {
            var first = Number(random);
            return random.Next(2) == 0 ? first : first + ":" + Number(random);
        });
        return string.Join(',', parts);

        static string Number(Random random) => random.Next(8) == 0 ? "*" : random.Next(1, 70).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
