using System.CommandLine;
using System.Net.Sockets;
using Dapper;
using DocStore.Storage.Health;
using Microsoft.Extensions.Configuration;

namespace DocStore.Host;

/// <summary><c>docstore status</c>: the database, the schema, what is stored, and whether the server answers.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show the state of this DocStore: database, schema, counts, listeners.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 1;
            }
            var database = await new DatabaseHealthProbe(cli.Database.DataSource, cli.Database.Description).CheckAsync(cancellationToken);
            Console.WriteLine($"Data folder:   {HostSettings.DataDirectoryOf(cli.Configuration)}");
            Console.WriteLine($"Database:      {(database.Healthy ? "ok" : "FAILING")}: {database.Summary}");
            Console.WriteLine($"Schema:        version {cli.Migration.CurrentVersion}");
            if (await cli.Database.HugePagesAdviceAsync(cancellationToken) is { } hugePages)
            {
                Console.WriteLine($"Huge pages:    {hugePages}");
            }

            await using var connection = await cli.Database.DataSource.OpenConnectionAsync(cancellationToken);
            var counts = await connection.QuerySingleAsync<(long Users, long Groups, long Collections, long Documents, long Blobs, long Bytes)>(new CommandDefinition("""
                SELECT (SELECT count(*) FROM principal WHERE kind = 'user'),
                       (SELECT count(*) FROM principal WHERE kind = 'group'),
                       (SELECT count(*) FROM collection),
                       (SELECT count(*) FROM document WHERE trashed_at IS NULL),
                       (SELECT count(*) FROM blob),
                       (SELECT coalesce(sum(size), 0)::bigint FROM blob)
                """, cancellationToken: cancellationToken));
            Console.WriteLine($"Users:         {counts.Users} ({counts.Groups} groups)");
            Console.WriteLine($"Collections:   {counts.Collections}");
            Console.WriteLine($"Documents:     {counts.Documents} ({counts.Blobs} blobs, {counts.Bytes:N0} bytes)");
            Console.WriteLine($"Index:         {await SearchStatus.DescribeAsync(cli, cancellationToken)}");
            Console.WriteLine($"Index rebuild: {await SearchStatus.DescribeRebuildAsync(cli, cancellationToken)}");

            var imap = cli.Configuration.GetSection("Imap");
            var http = cli.Configuration.GetSection("Http");
            var up = 0;
            foreach (var (name, host, port) in new[]
            {
                ("IMAP", imap["BindAddress"] ?? "127.0.0.1", imap.GetValue("Port", 1143)),
                ("IMAPS", imap["BindAddress"] ?? "127.0.0.1", imap.GetValue("TlsPort", 1993)),
                ("HTTP", http["BindAddress"] ?? "127.0.0.1", http.GetValue("Port", 8080)),
            })
            {
                var answering = await AnswersAsync(host, port, cancellationToken);
                up += answering ? 1 : 0;
                Console.WriteLine($"{name + ":",-14} {host}:{port} {(answering ? "answering" : "not answering")}");
            }
            Console.WriteLine(up == 3 ? "Server:        running" : up == 0 ? "Server:        not running (start it with: docstore serve)" : "Server:        partly answering");
            return database.Healthy ? 0 : 1;
        });
        return command;
    }

    private static async Task<bool> AnswersAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
