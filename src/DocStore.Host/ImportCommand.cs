using System.CommandLine;
using System.Text;
using System.Text.Json;
using DocStore.Core.Auditing;
using DocStore.Core.Documents;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Security;
using DocStore.Storage.Documents;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Maintenance;
using DocStore.Storage.Principals;

namespace DocStore.Host;

/// <summary>
/// <c>docstore import &lt;maildir|mbox|folder&gt; --into COLLECTION</c>: mail is filed as APPEND
/// files it (so the same mail imported twice is still one document), other files as uploads.
/// <c>docstore import &lt;export&gt;</c> reads back what <c>docstore export</c> wrote.
/// </summary>
internal static class ImportCommand
{
    private static readonly string[] MaildirFolders = ["cur", "new"];

    private static readonly Dictionary<string, string> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = "application/pdf",
        [".txt"] = "text/plain",
        [".md"] = "text/markdown",
        [".csv"] = "text/csv",
        [".html"] = "text/html",
        [".htm"] = "text/html",
        [".xml"] = "application/xml",
        [".json"] = "application/json",
        [".rtf"] = "application/rtf",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        [".odt"] = "application/vnd.oasis.opendocument.text",
        [".ods"] = "application/vnd.oasis.opendocument.spreadsheet",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".zip"] = "application/zip",
    };

    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "A DocStore export (docstore export), a Maildir (with cur/ and new/), an mbox file, or a folder of files." };
        var into = new Option<string?>("--into") { Description = "The collection to file into, e.g. Projects/Alpha (created if missing); not for a DocStore export, which keeps its own." };
        var user = new Option<string>("--user") { Description = "Whose collection (default: admin).", DefaultValueFactory = _ => "admin" };
        var command = new Command("import", "Import a DocStore export, or a Maildir, an mbox file or a folder of files into a collection, with a progress bar.") { source, into, user };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(source)!;
            if (File.Exists(Path.Combine(path, ExportManifest.FileName)))
            {
                return await ImportExportAsync(parse, path, cancellationToken);
            }
            if (parse.GetValue(into) is not { } name)
            {
                await Console.Error.WriteLineAsync("docstore: --into names the collection to import into.");
                return 2;
            }
            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 1;
            }
            var owner = (await new UserStore(cli.Database.DataSource).FindAsync(parse.GetValue(user)!, cancellationToken))?.User;
            if (owner is null)
            {
                await Console.Error.WriteLineAsync($"docstore: there is no user '{parse.GetValue(user)}'.");
                return 1;
            }
            var actor = new Actor(null, Environment.UserName, null, "docstore-import");
            var mailboxes = new MailboxStore(cli.Database.DataSource);
            if (await mailboxes.FindAsync(owner, name, cancellationToken) is null)
            {
                var created = await mailboxes.CreateAsync(owner, name, null, actor, cancellationToken);
                if (created != MailboxChange.Done)
                {
                    await Console.Error.WriteLineAsync($"docstore: cannot create the collection '{name}': {created}.");
                    return 1;
                }
            }
            var mailbox = (await mailboxes.FindAsync(owner, name, cancellationToken))!;

            int imported;
            if (Directory.Exists(Path.Combine(path, "cur")) || Directory.Exists(Path.Combine(path, "new")))
            {
                imported = await ImportMaildirAsync(mailboxes, owner, mailbox, path, actor, cancellationToken);
            }
            else if (File.Exists(path))
            {
                imported = await ImportMboxAsync(mailboxes, owner, mailbox, path, actor, cancellationToken);
            }
            else if (Directory.Exists(path))
            {
                imported = await ImportFilesAsync(new DocumentStore(cli.Database.DataSource), owner, mailbox, path, actor, cancellationToken);
            }
            else
            {
                await Console.Error.WriteLineAsync($"docstore: '{path}' is neither a Maildir, an mbox file nor a folder.");
                return 1;
            }
            Console.WriteLine($"Imported {imported} items into {mailbox.Name}; the same mail filed again stays one document.");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// A DocStore export, as <see cref="ExportRestore"/> describes: users missing here are created
    /// disabled, with a random password nobody knows, and listed, so that an administrator
    /// decides who may sign in (docstore user passwd, then docstore user enable).
    /// </summary>
    private static async Task<int> ImportExportAsync(ParseResult parse, string folder, CancellationToken cancellationToken)
    {
        ExportManifest? manifest;
        try
        {
            await using var json = File.OpenRead(Path.Combine(folder, ExportManifest.FileName));
            manifest = await JsonSerializer.DeserializeAsync<ExportManifest>(json, ExportManifest.Json, cancellationToken);
        }
        catch (JsonException ex)
        {
            await Console.Error.WriteLineAsync($"docstore: {Path.Combine(folder, ExportManifest.FileName)} cannot be read: {ex.Message}");
            return 1;
        }
        if (manifest is null)
        {
            await Console.Error.WriteLineAsync($"docstore: {Path.Combine(folder, ExportManifest.FileName)} is empty.");
            return 1;
        }
        await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
        if (cli is null)
        {
            return 1;
        }
        var blobs = Path.Combine(folder, ExportManifest.BlobFolder);
        ExportRestoreResult result;
        try
        {
            result = await ExportRestore.RunAsync(cli.Database.DataSource, manifest, hash => File.OpenRead(Path.Combine(blobs, hash)),
                () => PasswordHasher.Hash(AdminBootstrap.NewPassword()), new Actor(null, Environment.UserName, null, "docstore-import"),
                new ProgressBar("Importing"), cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or KeyNotFoundException or Npgsql.NpgsqlException)
        {
            await Console.Error.WriteLineAsync($"docstore: nothing was imported: {ex.Message}");
            return 1;
        }
        foreach (var name in result.CreatedUsers)
        {
            Console.WriteLine($"Created user {name}, disabled: give it a password with 'docstore user passwd {name}', then 'docstore user enable {name}'.");
        }
        Console.WriteLine($"Imported {result.Documents} documents ({result.Versions} versions) and {result.Entries} entries; " +
            $"created {result.Collections} collections; {result.SkippedDocuments} documents were here already and were left as they are.");
        return 0;
    }

    private static async Task<int> ImportMaildirAsync(MailboxStore store, User owner, Mailbox mailbox, string path, Actor actor, CancellationToken cancellationToken)
    {
        var files = MaildirFolders.Select(d => Path.Combine(path, d)).Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles).Order(StringComparer.Ordinal).ToList();
        var progress = new ProgressBar("Importing");
        for (var i = 0; i < files.Count; i++)
        {
            await using var stream = File.OpenRead(files[i]);
            await store.AppendAsync(owner, mailbox.Id, stream, MaildirFlags(Path.GetFileName(files[i])), new DateTimeOffset(File.GetLastWriteTimeUtc(files[i])), actor, cancellationToken);
            progress.Report((i + 1, files.Count));
        }
        return files.Count;
    }

    /// <summary>Maildir's info suffix <c>:2,FRST</c>: flagged, replied, seen, trashed; D draft.</summary>
    private static MessageFlags MaildirFlags(string fileName)
    {
        var info = fileName.LastIndexOf(":2,", StringComparison.Ordinal) is var at and >= 0 ? fileName[(at + 3)..] : "";
        return new MessageFlags(info.Contains('S', StringComparison.Ordinal), info.Contains('R', StringComparison.Ordinal), info.Contains('F', StringComparison.Ordinal),
            info.Contains('T', StringComparison.Ordinal), info.Contains('D', StringComparison.Ordinal), []);
    }

    /// <summary>mboxrd: messages start at "From " lines; one '>' comes off quoted "&gt;From " lines.</summary>
    private static async Task<int> ImportMboxAsync(MailboxStore store, User owner, Mailbox mailbox, string path, Actor actor, CancellationToken cancellationToken)
    {
        var text = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(path, cancellationToken));
        var lines = text.Split('\n');
        var messages = new List<StringBuilder>();
        foreach (var line in lines)
        {
            if (line.StartsWith("From ", StringComparison.Ordinal))
            {
                messages.Add(new StringBuilder());
                continue;
            }
            if (messages.Count == 0)
            {
                continue;
            }
            var unquoted = line.TrimStart('>').StartsWith("From ", StringComparison.Ordinal) && line.StartsWith('>') ? line[1..] : line;
            messages[^1].Append(unquoted).Append('\n');
        }
        var progress = new ProgressBar("Importing");
        for (var i = 0; i < messages.Count; i++)
        {
            // The blank line mbox puts between messages is not part of the message.
            var message = messages[i].ToString();
            message = message.EndsWith("\n\n", StringComparison.Ordinal) ? message[..^1] : message;
            await using var stream = new MemoryStream(Encoding.Latin1.GetBytes(message));
            await store.AppendAsync(owner, mailbox.Id, stream, new MessageFlags(false, false, false, false, false, []), DateTimeOffset.UtcNow, actor, cancellationToken);
            progress.Report((i + 1, messages.Count));
        }
        return messages.Count;
    }

    private static async Task<int> ImportFilesAsync(DocumentStore store, User owner, Mailbox mailbox, string path, Actor actor, CancellationToken cancellationToken)
    {
        var files = Directory.EnumerateFiles(path).Order(StringComparer.Ordinal).ToList();
        var progress = new ProgressBar("Importing");
        for (var i = 0; i < files.Count; i++)
        {
            await using var stream = File.OpenRead(files[i]);
            var name = Path.GetFileName(files[i]);
            var mediaType = MediaTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            await store.UploadAsync(owner, mailbox.Id, new Upload(name, mediaType, stream, null, [], null), actor, cancellationToken);
            progress.Report((i + 1, files.Count));
        }
        return files.Count;
    }
}
