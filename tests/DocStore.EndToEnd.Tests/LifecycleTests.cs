using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>Start, crash, restart, stop: each test with its own data folder.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task After_kill_9_the_same_command_comes_back_with_all_data()
    {
        using var directory = new ScratchDirectory("docstore-e2e-");
        var first = await DocStoreProcess.StartAsync(directory.Path);
        var ports = (first.ImapPort, first.TlsPort, first.HttpPort);
        var admin = first.PrintedAdminPassword!;
        // A CLI verb next to the running server uses its PostgreSQL and leaves it running.
        var (code, output) = await DocStoreProcess.RunAsync("s3cret-for-erin\n", "user", "add", "erin", "--data-dir", directory.Path);
        Assert.True(code == 0, output);

        await first.KillAsync();
        await using var second = await DocStoreProcess.StartAsync(directory.Path, ports: ports);

        Assert.Null(second.PrintedAdminPassword);
        using var client = await ImapClients.ConnectAsync(second.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("erin", "s3cret-for-erin");
        Assert.True(client.IsAuthenticated);
        using var adminClient = await ImapClients.ConnectAsync(second.TlsPort, SecureSocketOptions.SslOnConnect);
        await adminClient.AuthenticateAsync("admin", admin);
    }

    [Fact]
    public async Task Sigterm_stops_docstore_and_its_postgresql()
    {
        using var directory = new ScratchDirectory("docstore-e2e-");
        var server = await DocStoreProcess.StartAsync(directory.Path);

        var exitCode = await server.TerminateAsync();

        Assert.Equal(0, exitCode);
        Assert.False(File.Exists(Path.Combine(directory.Path, "postgres", "postmaster.pid")), server.Output);
        Assert.Contains("DocStore is stopping", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_connection_string_it_uses_that_database_and_starts_no_postgresql()
    {
        using var directory = new ScratchDirectory("docstore-e2e-");
        var cluster = await TestCluster.GetAsync();
        var name = "external_" + Guid.NewGuid().ToString("N")[..12];
        await cluster.CreateDatabaseAsync(name, CancellationToken.None);

        await using var server = await DocStoreProcess.StartAsync(directory.Path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:DocStore"] = cluster.ConnectionStringFor(name),
            ["Admin:InitialPassword"] = "configured-admin-password",
        });

        Assert.False(Directory.Exists(Path.Combine(directory.Path, "postgres")));
        Assert.Null(server.PrintedAdminPassword);
        using var client = await ImapClients.ConnectAsync(server.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("admin", "configured-admin-password");
        Assert.True(client.IsAuthenticated);
    }

    [Fact]
    public async Task Without_the_loopback_exception_plain_connections_advertise_logindisabled()
    {
        using var directory = new ScratchDirectory("docstore-e2e-");
        await using var server = await DocStoreProcess.StartAsync(directory.Path, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Imap:AllowInsecureAuthOnLoopback"] = "false",
            ["Admin:InitialPassword"] = "container-admin",
        });

        using (var plain = await ImapClients.ConnectAsync(server.ImapPort, SecureSocketOptions.None))
        {
            Assert.True(plain.Capabilities.HasFlag(ImapCapabilities.LoginDisabled));
            Assert.DoesNotContain("PLAIN", plain.AuthenticationMechanisms);
            await Assert.ThrowsAnyAsync<Exception>(() => plain.AuthenticateAsync("admin", "container-admin"));
        }

        using var secured = await ImapClients.ConnectAsync(server.ImapPort, SecureSocketOptions.StartTls);
        Assert.False(secured.Capabilities.HasFlag(ImapCapabilities.LoginDisabled));
        await secured.AuthenticateAsync("admin", "container-admin");
        Assert.True(secured.IsAuthenticated);
    }
    [Fact]
    public async Task With_fast_flag_durability_a_store_is_seen_by_another_session_and_kept_over_a_restart()
    {
        using var directory = new ScratchDirectory("docstore-e2e-");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Storage:FlagDurability"] = "fast",
            ["Admin:InitialPassword"] = "fast-flags-admin",
        };
        var first = await DocStoreProcess.StartAsync(directory.Path, settings);
        var ports = (first.ImapPort, first.TlsPort, first.HttpPort);
        using (var writer = await ImapClients.ConnectAsync(first.TlsPort, SecureSocketOptions.SslOnConnect))
        using (var watcher = await ImapClients.ConnectAsync(first.TlsPort, SecureSocketOptions.SslOnConnect))
        {
            await writer.AuthenticateAsync("admin", "fast-flags-admin");
            await watcher.AuthenticateAsync("admin", "fast-flags-admin");
            for (var i = 0; i < 3; i++)
            {
                await writer.Inbox.AppendAsync(new MimeMessage([new MailboxAddress("A", "a@example.org")], [new MailboxAddress("B", "b@example.org")], $"fast {i}", new TextPart("plain") { Text = "body" }));
            }
            await writer.Inbox.OpenAsync(FolderAccess.ReadWrite);
            await watcher.Inbox.OpenAsync(FolderAccess.ReadOnly);
            var changed = new List<int>();
            watcher.Inbox.MessageFlagsChanged += (_, e) => changed.Add(e.Index);

            await writer.Inbox.StoreAsync(1, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Flagged | MessageFlags.Seen) { Silent = true });
            await watcher.NoOpAsync();

            Assert.Equal([1], changed);
            var flags = (await watcher.Inbox.FetchAsync(0, -1, MessageSummaryItems.Flags)).Select(m => m.Flags!.Value).ToList();
            Assert.Equal([MessageFlags.None, MessageFlags.Flagged | MessageFlags.Seen, MessageFlags.None], flags);
        }

        Assert.Equal(0, await first.TerminateAsync());
        await using var second = await DocStoreProcess.StartAsync(directory.Path, settings, ports);
        using var client = await ImapClients.ConnectAsync(second.TlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("admin", "fast-flags-admin");
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var kept = (await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Flags)).Select(m => m.Flags!.Value).ToList();
        Assert.Equal([MessageFlags.None, MessageFlags.Flagged | MessageFlags.Seen, MessageFlags.None], kept);
    }

    [Fact]
    public async Task An_unknown_flag_durability_stops_the_start_with_a_reason()
    {
        using var directory = new ScratchDirectory("docstore-e2e-");

        var (code, output) = await DocStoreProcess.RunAsync(null, "serve", "--data-dir", directory.Path, "--Storage:FlagDurability=sometimes");

        Assert.Equal(1, code);
        Assert.Contains("Storage:FlagDurability is 'sometimes'; it must be 'durable' or 'fast'.", output, StringComparison.Ordinal);
    }
}
