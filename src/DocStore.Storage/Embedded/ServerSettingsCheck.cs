using Npgsql;

namespace DocStore.Storage.Embedded;

/// <summary>Refuses a server whose settings could lose committed documents or let others in.</summary>
internal static class ServerSettingsCheck
{
    private const int GroupAndOthers = 0b000_111_111;

    private const string Query = """
        SELECT current_setting('fsync'), current_setting('full_page_writes'), current_setting('synchronous_commit'),
               current_setting('listen_addresses'), current_setting('unix_socket_permissions')
        """;

    public static async Task VerifyAsync(NpgsqlConnection connection, string dataDirectory, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Query, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var problems = Problems(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4));
        if (problems.Count > 0)
        {
            throw new EmbeddedPostgresException(
                $"Refusing the embedded PostgreSQL in {dataDirectory}: {string.Join("; ", problems)}. " +
                "Remove these settings from its postgresql.conf, or undo them with ALTER SYSTEM RESET.");
        }
    }

    public static IReadOnlyList<string> Problems(string fsync, string fullPageWrites, string synchronousCommit, string listenAddresses, string socketPermissions)
    {
        var problems = new List<string>();
        if (fsync is "off")
        {
            problems.Add("fsync is off, so a crash can corrupt it");
        }
        if (fullPageWrites is "off")
        {
            problems.Add("full_page_writes is off, so a crash can leave torn pages");
        }
        // 'local' still waits for the local WAL flush; only 'off' acknowledges commits a crash can lose.
        if (synchronousCommit is "off")
        {
            problems.Add("synchronous_commit is off, so a crash can lose committed documents");
        }
        // Trust authentication is safe only when the owner-only socket is the sole way in.
        if (listenAddresses.Length > 0)
        {
            problems.Add($"listen_addresses is '{listenAddresses}', but it must listen on its Unix socket only");
        }
        if ((Convert.ToInt32(socketPermissions, 8) & GroupAndOthers) != 0)
        {
            problems.Add($"unix_socket_permissions is {socketPermissions}, but only its owner may connect");
        }
        return problems;
    }
}
