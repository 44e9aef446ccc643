using System.CommandLine;
using System.Globalization;
using DocStore.Core.Auditing;
using DocStore.Core.Documents;
using DocStore.Core.Principals;
using DocStore.Search.Indexing;
using DocStore.Storage.Documents;
using DocStore.Storage.Maintenance;
using DocStore.Storage.Search;

namespace DocStore.Host;

/// <summary><c>docstore trash list|restore|purge</c>, <c>docstore audit</c> and <c>docstore check</c> (database and search index): the administrator's side of documents.</summary>
internal static class DocumentCommands
{
    // The command line acts as an administrator; the audit trail names the operating-system user.
    private static readonly User Administrator = new(0, "docstore-cli", null, IsAdmin: true, Disabled: false, default);

    private static Actor CliActor => new(null, Environment.UserName, null, "docstore-cli");

    public static Command Trash()
    {
        var trash = new Command("trash", "List, restore and purge trashed documents.");

        var list = new Command("list", "List the documents in the trash.");
        list.SetAction(async (parse, cancellationToken) =>
        {
            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 1;
            }
            var documents = await new DocumentStore(cli.Database.DataSource).TrashListAsync(Administrator, cancellationToken);
            Console.WriteLine($"{"ID",8}  {"TRASHED (UTC)",-19}  {"HOLD",-4}  TITLE");
            foreach (var d in documents)
            {
                Console.WriteLine($"{d.Id,8}  {d.TrashedAt!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-19}  {(d.LegalHold ? "yes" : ""),-4}  {d.Title}");
            }
            Console.WriteLine($"{documents.Count} documents in the trash.");
            return 0;
        });

        var id = new Argument<long>("id") { Description = "The document id (from 'docstore trash list')." };
        var restore = new Command("restore", "Put a trashed document back into the collection it left (its owner's INBOX if that is gone).") { id };
        restore.SetAction((parse, cancellationToken) => RunAsync(parse, async store =>
        {
            var document = await store.RestoreAsync(Administrator, parse.GetValue(id), CliActor, cancellationToken);
            if (document is null)
            {
                await Console.Error.WriteLineAsync($"docstore: there is no document {parse.GetValue(id)}.");
                return 1;
            }
            var placement = document.Entries.Count > 0 ? document.Entries[0] : null;
            Console.WriteLine($"Restored document {document.Id} (EMAILID {document.EmailId}) into {placement?.Collection ?? "?"} as UID {placement?.Uid}.");
            return 0;
        }, cancellationToken));

        var optionalId = new Argument<long?>("id") { Description = "The document to purge now; without it, what retention lets go.", Arity = ArgumentArity.ZeroOrOne };
        var purge = new Command("purge", "Delete trashed documents for good: one by id, or all whose collection's retention period has run out. Legal hold refuses.") { optionalId };
        purge.SetAction((parse, cancellationToken) => RunAsync(parse, async store =>
        {
            if (parse.GetValue(optionalId) is { } one)
            {
                if (!await store.PurgeAsync(Administrator, one, CliActor, cancellationToken))
                {
                    await Console.Error.WriteLineAsync($"docstore: there is no document {one}.");
                    return 1;
                }
                Console.WriteLine($"Purged document {one}.");
                return 0;
            }
            Console.WriteLine($"Purged {await store.PurgeExpiredAsync(CliActor, cancellationToken)} documents whose retention period ran out.");
            return 0;
        }, cancellationToken));

        trash.Subcommands.Add(list);
        trash.Subcommands.Add(restore);
        trash.Subcommands.Add(purge);
        return trash;
    }

    public static Command Audit()
    {
        var user = new Option<string?>("--user") { Description = "Only this user's actions." };
        var action = new Option<string?>("--action") { Description = "Only this action (login, append, copy, move, flags, expunge, upload, download, trash, restore, ...)." };
        var document = new Option<long?>("--document") { Description = "Only this document." };
        var collection = new Option<long?>("--collection") { Description = "Only this collection." };
        var since = new Option<DateTimeOffset?>("--since") { Description = "From this time (ISO 8601)." };
        var limit = new Option<int>("--limit") { Description = "At most this many lines, newest first.", DefaultValueFactory = _ => 100 };
        var command = new Command("audit", "Show the audit trail, newest first.") { user, action, document, collection, since, limit };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, async store =>
        {
            var entries = await store.AuditAsync(Administrator, new AuditQuery(parse.GetValue(user), parse.GetValue(action), parse.GetValue(document),
                parse.GetValue(collection), parse.GetValue(since), null, parse.GetValue(limit)), cancellationToken);
            foreach (var e in entries)
            {
                Console.WriteLine(string.Join('\t',
                    e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), e.PrincipalName ?? "-", e.Action,
                    e.CollectionId is { } c ? $"collection={c}" : "-", e.DocumentId is { } d ? $"document={d}" : "-",
                    e.Address ?? "-", e.Client ?? "-", e.Details ?? ""));
            }
            return 0;
        }, cancellationToken));
        return command;
    }

    public static Command Check()
    {
        var skipIndex = new Option<bool>("--skip-index") { Description = "Leave out the search index (for a database no server has served yet: the server builds the index)." };
        var command = new Command("check", "Verify the stored invariants (entries, documents, versions, blobs and their hashes, UIDs, the search index); exits 1 on any problem.") { skipIndex };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 2;
            }
            var problems = new List<string>();
            var notes = new List<string>();
            if (!parse.GetValue(skipIndex))
            {
                await CheckIndexAsync(cli, problems, notes, cancellationToken);
            }
            problems.AddRange(await ConsistencyCheck.RunAsync(cli.Database.DataSource, new ProgressBar("Hashing blobs"), cancellationToken));
            foreach (var line in problems.Concat(notes))
            {
                Console.WriteLine(line);
            }
            Console.WriteLine(problems.Count == 0 ? "check: no problems found." : $"check: {problems.Count} problems found.");
            return problems.Count == 0 ? 0 : 1;
        });
        return command;
    }

    /// <summary>
    /// The committed index against the database. It is read first, so whatever changes while the
    /// database is read lies past its mark and counts as not indexed yet, never as a problem.
    /// </summary>
    private static async Task CheckIndexAsync(CliDatabase cli, List<string> problems, List<string> notes, CancellationToken cancellationToken)
    {
        var path = Path.Combine(HostSettings.DataDirectoryOf(cli.Configuration), "index");
        if (TextIndex.ReadCommitted(path) is not { } index)
        {
            var versions = await new SearchFeed(cli.Database.DataSource).CountVersionsAsync(cancellationToken);
            if (versions > 0)
            {
                problems.Add($"there is no search index in {path} for {versions} versions (docstore reindex rebuilds it)");
            }
            return;
        }
        var (found, pending) = await ConsistencyCheck.CheckIndexAsync(cli.Database.DataSource, index.Mark, index.Versions, cancellationToken);
        problems.AddRange(found);
        if (pending > 0)
        {
            notes.Add($"note: {pending} versions changed after the index's mark {index.Mark} and are not indexed yet (the server indexes them when it runs).");
        }
    }

    private static async Task<int> RunAsync(ParseResult parse, Func<DocumentStore, Task<int>> action, CancellationToken cancellationToken)
    {
        await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
        if (cli is null)
        {
            return 1;
        }
        try
        {
            return await action(new DocumentStore(cli.Database.DataSource));
        }
        catch (Exception ex) when (ex is LegalHoldException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"docstore: {ex.Message}");
            return 1;
        }
    }
}
