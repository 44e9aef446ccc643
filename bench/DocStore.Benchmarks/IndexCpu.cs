using System.Diagnostics;
using System.Globalization;
using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using DocStore.SearchBench;
using Microsoft.Extensions.Logging.Abstractions;

namespace DocStore.Benchmarks;

/// <summary>
/// The indexer's CPU per message, in process, as the server's indexer spends it (issues #3, #4):
/// messages added in steps, two at a time (one per core, as <see cref="VersionIndexing"/>), a
/// commit and refresh once every 1,000 versions and at the end (as <c>SearchIndexer</c> with its
/// defaults), into an on-disk index; the clock stops once the writer is closed, so the merges
/// it started are paid for. Process CPU (user + system, every thread) per message and messages
/// per second of wall time, per round. The messages are made before the clock starts.
/// <code>
/// dotnet run -c Release --project bench/DocStore.Benchmarks -- index-cpu [--corpus search|append] [--messages 6000] [--rounds 3] [--dir /tmp/x] [--split]
/// </code>
/// <c>search</c> is the search benchmark's corpus (20 % real PDF or Office attachments);
/// <c>append</c> the IMAP load generator's (a fifth with a random-byte "PDF", HTML alternatives).
/// </summary>
internal static class IndexCpu
{
    private const int Step = 250;
    private const int RefreshEvery = 1000;

    public static int Run(string[] args)
    {
        string Option(string name, string fallback)
        {
            var at = Array.IndexOf(args, "--" + name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }
        var corpus = Option("corpus", "search");
        var count = int.Parse(Option("messages", "6000"), CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option("rounds", "3"), CultureInfo.InvariantCulture);
        var dir = Option("dir", Path.Combine(Path.GetTempPath(), "index-cpu-" + Environment.ProcessId));
        var extractOnly = args.Contains("--extract-only");
        // --split: one thread, the wall time of each step apart: extraction and the Lucene
        // document (any core) against IndexWriter.AddDocument (the live index's one thread state:
        // no other core can share it) and the commits and refreshes.
        var split = args.Contains("--split");
        var (extracting, building, writing, flushing) = (new Stopwatch(), new Stopwatch(), new Stopwatch(), new Stopwatch());
        var threads = int.Parse(Option("threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        var messages = corpus switch
        {
            "search" => Enumerable.Range(0, count).Select(i => Corpus.Message(20261127, i)).ToArray(),
            "append" => LoadGenerator.MessageFactory.Create(count, 1).ToArray(),
            _ => throw new ArgumentException("--corpus is search or append", nameof(args)),
        };
        Console.WriteLine($"{corpus}: {messages.Length} messages, {messages.Sum(m => (long)m.Length) / 1024 / 1024} MiB; format {SearchDocuments.Format}");
        for (var round = 1; round <= rounds; round++)
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var gcs = GC.CollectionCount(0);
            var allocated = GC.GetTotalAllocatedBytes(precise: false);
            var clock = Stopwatch.StartNew();
            long size = 0;
            if (extractOnly)
            {
                Parallel.For(0, messages.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => MessageTextExtractor.Extract(messages[i]));
            }
            else
            {
                using (var index = TextIndex.Open(dir))
                {
                    for (var start = 0; start < messages.Length; start += Step)
                    {
                        var end = Math.Min(messages.Length, start + Step);
                        if (split)
                        {
                            for (var i = start; i < end; i++)
                            {
                                var version = new DocumentVersion(i + 1, 1);
                                extracting.Start();
                                var text = MessageTextExtractor.Extract(messages[i]);
                                extracting.Stop();
                                building.Start();
                                var document = SearchDocuments.Build(version, text);
                                building.Stop();
                                writing.Start();
                                index.Add(version, document);
                                writing.Stop();
                            }
                        }
                        else
                        {
                            Parallel.For(start, end, new ParallelOptions { MaxDegreeOfParallelism = threads },
                                i => VersionIndexing.Add(index, new DocumentVersion(i + 1, 1), messages[i], NullLogger.Instance));
                        }
                        if (index.Unrefreshed >= RefreshEvery || end == messages.Length)
                        {
                            flushing.Start();
                            index.Commit(end);
                            index.Refresh();
                            flushing.Stop();
                        }
                    }
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  open index before the writer closes: {index.SizeInBytes() / 1024.0 / 1024.0:F1} MiB"));
                }
                size = new DirectoryInfo(dir).GetFiles().Sum(f => f.Length);
            }
            clock.Stop();
            if (split)
            {
                double PerMessage(Stopwatch watch) => watch.Elapsed.TotalMilliseconds * 1000 / messages.Length;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  wall µs/msg: extract {PerMessage(extracting):F0}, build {PerMessage(building):F0}, AddDocument {PerMessage(writing):F0}, commit+refresh {PerMessage(flushing):F0}"));
                foreach (var watch in new[] { extracting, building, writing, flushing })
                {
                    watch.Reset();
                }
            }
            process.Refresh();
            var spent = process.TotalProcessorTime - cpu;
            var files = extractOnly ? 0 : Directory.GetFiles(dir).Length;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: {spent.TotalMilliseconds / messages.Length:F3} ms CPU/msg, {messages.Length / clock.Elapsed.TotalSeconds:F0} msg/s, wall {clock.Elapsed.TotalSeconds:F1} s, index {size / 1024.0 / 1024.0:F1} MiB in {files} files, "
                + $"alloc {(GC.GetTotalAllocatedBytes(precise: false) - allocated) / messages.Length / 1024.0:F0} KiB/msg, gen0 {GC.CollectionCount(0) - gcs}, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        }
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
        return 0;
    }
}
