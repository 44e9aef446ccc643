using DocStore.Storage.Embedded;
using Xunit;

namespace DocStore.Storage.Tests.Embedded;

public sealed class ServerSettingsCheckTests
{
    [Theory]
    [InlineData("on", "on", "on", "", "0700", null)]
    [InlineData("on", "on", "local", "", "0700", null)]
    [InlineData("on", "on", "remote_apply", "", "0600", null)]
    [InlineData("off", "on", "on", "", "0700", "fsync is off")]
    [InlineData("on", "off", "on", "", "0700", "full_page_writes is off")]
    [InlineData("on", "on", "off", "", "0700", "synchronous_commit is off")]
    [InlineData("on", "on", "on", "localhost", "0700", "listen_addresses is 'localhost'")]
    [InlineData("on", "on", "on", "", "0770", "unix_socket_permissions is 0770")]
    [InlineData("on", "on", "on", "", "0777", "unix_socket_permissions is 0777")]
    public void Settings_that_risk_data_or_let_others_in_are_named(
        string fsync, string fullPageWrites, string synchronousCommit, string listenAddresses, string socketPermissions, string? problem)
    {
        var problems = ServerSettingsCheck.Problems(fsync, fullPageWrites, synchronousCommit, listenAddresses, socketPermissions);

        if (problem is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.StartsWith(problem, Assert.Single(problems), StringComparison.Ordinal);
        }
    }
}
