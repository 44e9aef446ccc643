using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DocStore.Storage.Maintenance;

namespace DocStore.Host;

/// <summary>
/// <c>docstore export &lt;folder&gt;</c>: every blob once under <c>blobs/</c>, the metadata in
/// <c>docstore-export.json</c>, and a Maildir per collection under <c>maildir/</c> (flags in the
/// file names' <c>:2,</c> info, keywords as Dovecot's letters) that other mail tools can read.
/// <c>docstore import &lt;folder&gt;</c> reads it back.
/// </summary>
internal static class ExportCommand
{
    private static readonly string[] MaildirFolders = ["cur", "new", "tmp"];

    public static Command Create()
    {
        var target = new Argument<string>("folder") { Description = "An empty or new folder to write the export to." };
        var command = new Command("export", "Export every collection, document, version, tag and flag: Maildir plus metadata JSON, with a progress bar.") { target };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = Path.GetFullPath(parse.GetValue(target)!);
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            {
                await Console.Error.WriteLineAsync($"docstore: {folder} is not empty; export into a new or empty folder.");
                return 1;
            }
            await using var cli = await CliDatabase.OpenAsync(parse, cancellationToken);
            if (cli is null)
            {
                return 1;
            }
            await using var snapshot = await ExportSnapshot.OpenAsync(cli.Database.DataSource, cancellationToken);
            var manifest = await snapshot.ReadManifestAsync(cancellationToken);

            var blobs = Path.Combine(folder, ExportManifest.BlobFolder);
            Directory.CreateDirectory(blobs);
            var hashes = manifest.Documents.SelectMany(d => d.Versions)
                .SelectMany(v => v.FileSha256 is { } file ? new[] { v.Sha256, file } : [v.Sha256])
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var progress = new ProgressBar("Exporting");
            var total = hashes.Count + manifest.Entries.Count;
            long done = 0;
            foreach (var hash in hashes)
            {
                await using (var file = File.Create(Path.Combine(blobs, hash)))
                {
                    await snapshot.CopyBlobAsync(hash, file, cancellationToken);
                }
                progress.Report((++done, total));
            }

            manifest = await WriteMaildirsAsync(manifest, folder, () => progress.Report((++done, total)), cancellationToken);
            await using (var json = File.Create(Path.Combine(folder, ExportManifest.FileName)))
            {
                await JsonSerializer.SerializeAsync(json, manifest, ExportManifest.Json, cancellationToken);
            }
            progress.Report((total, total));
            Console.WriteLine($"Exported {manifest.Collections.Count} collections, {manifest.Documents.Count} documents " +
                $"({manifest.Documents.Sum(d => d.Versions.Count)} versions, {manifest.Documents.Count(d => d.TrashedAt is not null)} in the trash) " +
                $"and {manifest.Entries.Count} entries to {folder}.");
            return 0;
        });
        return command;
    }

    /// <summary>One Maildir per collection, in the collection tree: the bytes of each entry's version, its flags in the name.</summary>
    private static async Task<ExportManifest> WriteMaildirsAsync(ExportManifest manifest, string folder, Action step, CancellationToken cancellationToken)
    {
        var documents = manifest.Documents.ToDictionary(d => d.Id);
        var collections = new List<ExportCollection>();
        var entries = new List<ExportEntry>();
        var byCollection = manifest.Entries.ToLookup(e => e.CollectionId);
        foreach (var collection in manifest.Collections)
        {
            var relative = Path.Combine(["maildir", collection.Owner is { } owner ? Path.Combine("users", owner) : "shared", .. collection.Path.Split('/').Select(Segment)]);
            var maildir = Path.Combine(folder, relative);
            foreach (var sub in MaildirFolders)
            {
                Directory.CreateDirectory(Path.Combine(maildir, sub));
            }
            // Dovecot's convention: keyword number n is the letter 'a' + n in the info; 26 at most.
            var keywords = byCollection[collection.Id].SelectMany(e => documents[e.DocumentId].Tags).Distinct(StringComparer.OrdinalIgnoreCase).Take(26).ToList();
            if (keywords.Count > 0)
            {
                await File.WriteAllLinesAsync(Path.Combine(maildir, "dovecot-keywords"), keywords.Select((k, i) => $"{i} {k}"), cancellationToken);
            }
            foreach (var entry in byCollection[collection.Id])
            {
                var version = documents[entry.DocumentId].Versions.Single(v => v.Number == entry.Version);
                var seen = collection.Owner is { } user ? entry.SeenBy.Contains(user, StringComparer.OrdinalIgnoreCase) : entry.SeenBy.Count > 0;
                var name = string.Create(CultureInfo.InvariantCulture, $"{entry.InternalDate.ToUnixTimeSeconds()}.U{entry.Uid}.docstore:2,{Info(entry, seen, documents[entry.DocumentId].Tags, keywords)}");
                var file = Path.Combine(maildir, "cur", name);
                File.Copy(Path.Combine(folder, ExportManifest.BlobFolder, version.Sha256), file);
                File.SetLastWriteTimeUtc(file, entry.InternalDate.UtcDateTime);
                entries.Add(entry with { MaildirFile = Path.Combine(relative, "cur", name).Replace('\\', '/') });
                step();
            }
            collections.Add(collection with { Maildir = relative.Replace('\\', '/') });
        }
        return manifest with { Collections = collections, Entries = entries };
    }

    /// <summary>Maildir's flag letters in ASCII order (D draft, F flagged, R replied, S seen, T trashed), then the keywords' letters.</summary>
    private static string Info(ExportEntry entry, bool seen, IReadOnlyList<string> tags, List<string> keywords)
    {
        var info = new StringBuilder();
        info.Append(entry.Draft ? "D" : "").Append(entry.Flagged ? "F" : "").Append(entry.Answered ? "R" : "").Append(seen ? "S" : "").Append(entry.Deleted ? "T" : "");
        foreach (var index in tags.Select(t => keywords.FindIndex(k => string.Equals(k, t, StringComparison.OrdinalIgnoreCase))).Where(i => i >= 0).Order())
        {
            info.Append((char)('a' + index));
        }
        return info.ToString();
    }

    // A collection called cur, new or tmp would mix with its parent's Maildir folders.
    private static string Segment(string name) => MaildirFolders.Contains(name, StringComparer.Ordinal) ? "_" + name : name;
}
