using DocStore.Storage.Embedded;
using Xunit;

namespace DocStore.Storage.Tests.Embedded;

/// <summary>The start-up advice about huge pages for the embedded PostgreSQL's shared memory.</summary>
public sealed class HugePagesTests
{
    private const string NoneReserved = "MemTotal:       24596844 kB\nHugePages_Total:       0\nHugePages_Free:        0\nHugepagesize:       2048 kB\n";
    private const string SomeReserved = "MemTotal:       24596844 kB\nHugePages_Total:     100\nHugePages_Free:       29\nHugepagesize:       2048 kB\n";

    [Fact]
    public void With_no_huge_pages_reserved_the_advice_names_the_count_postgresql_needs()
    {
        var advice = HugePages.Advice(NoneReserved, "try", 72, "143MB");

        Assert.NotNull(advice);
        Assert.Contains("(143MB)", advice, StringComparison.Ordinal);
        Assert.Contains("sysctl -w vm.nr_hugepages=72", advice, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SomeReserved, "try", 72)]   // the operator reserved some
    [InlineData(NoneReserved, "off", 72)]   // PostgreSQL is told not to use them
    [InlineData(NoneReserved, "try", -1)]   // PostgreSQL cannot use them here
    [InlineData("MemTotal: 1 kB\n", "try", 72)]  // no huge-page fields: nothing to go by
    [InlineData(null, "try", 72)]           // no /proc/meminfo: not Linux
    public void Otherwise_there_is_no_advice(string? meminfo, string setting, long needed)
    {
        Assert.Null(HugePages.Advice(meminfo, setting, needed, "143MB"));
    }
}
