using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>
/// <c>docstore serve</c> with its embedded PostgreSQL says at start-up, and <c>docstore status</c>
/// says, how many huge pages to reserve when the machine has none (issue #3: first syncs about
/// 1.3 times faster with them), and neither says anything about them when some are reserved.
/// </summary>
public sealed class HugePagesAdviceTests
{
    [Fact]
    public async Task The_embedded_server_and_its_status_say_how_many_huge_pages_to_reserve_when_none_are()
    {
        using var directory = new ScratchDirectory("docstore-e2e-");
        await using var server = await DocStoreProcess.StartAsync(directory.Path);
        var status = await DocStoreProcess.RunAsync(null, "status", "--data-dir", directory.Path);

        Assert.True(status.ExitCode == 0, status.Output);
        var reserved = DocStore.Storage.Embedded.HugePages.Reserved(await File.ReadAllTextAsync("/proc/meminfo"));
        if (reserved == 0)
        {
            Assert.Matches(@"Reserving \d+ \(as root: sysctl -w vm\.nr_hugepages=\d+", server.Output);
            Assert.Matches(@"Huge pages: +PostgreSQL's shared memory .* sysctl -w vm\.nr_hugepages=\d+", status.Output);
        }
        else
        {
            Assert.DoesNotContain("vm.nr_hugepages", server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Huge pages:", status.Output, StringComparison.Ordinal);
        }
    }
}
