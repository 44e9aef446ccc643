using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using DocStore.SearchBench;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

// Usage: DocStore.SearchBench append|search --port P --user U --password W --count N --label L --results FILE [--health URL] [--repeat R]
var options = args.Skip(1).Chunk(2).ToDictionary(p => p[0].TrimStart('-'), p => p[1], StringComparer.Ordinal);
var verb = args[0];
var port = int.Parse(options["port"], CultureInfo.InvariantCulture);
var count = int.Parse(options["count"], CultureInfo.InvariantCulture);
var label = options["label"];
var results = options["results"];
const int Seed = 20261127;

async Task<ImapClient> ConnectAsync()
{
    var client = new ImapClient { Timeout = 600_000 };
    await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
    await client.AuthenticateAsync(options["user"], options["password"]);
    return client;
}

void Record(string measurement, double value, string unit)
{
    var line = JsonSerializer.Serialize(new { server = label, measurement, value, unit, count });
    File.AppendAllText(results, line + "\n");
    Console.WriteLine(line);
}

if (string.Equals(verb, "append", StringComparison.Ordinal))
{
    // Two connections, MULTIAPPEND batches of 100: the corpus goes in as fast as the server files it.
    var stopwatch = Stopwatch.StartNew();
    long corpusBytes = 0;
    var next = -1;
    async Task Worker()
    {
        using var client = await ConnectAsync();
        while (true)
        {
            var start = Interlocked.Add(ref next, 100) - 99;
            if (start >= count)
            {
                break;
            }
            var batch = Enumerable.Range(start, Math.Min(100, count - start)).Select(i =>
            {
                var bytes = Corpus.Message(Seed, i);
                Interlocked.Add(ref corpusBytes, bytes.Length);
                return (IAppendRequest)new AppendRequest(MimeMessage.Load(new MemoryStream(bytes)));
            }).ToList();
            await client.Inbox.AppendAsync(batch);
        }
        await client.DisconnectAsync(true);
    }
    await Task.WhenAll(Worker(), Worker());
    var appended = stopwatch.Elapsed.TotalSeconds;
    Record("APPEND throughput", count / appended, "msg/s");
    Record("corpus size", corpusBytes / 1048576.0, "MiB");
    if (options.TryGetValue("health", out var health))
    {
        // Indexing throughput: from the first APPEND until the index holds every message.
        using var http = new HttpClient();
        long documents;
        long lag;
        do
        {
            await Task.Delay(100);
            var data = (await http.GetFromJsonAsync<JsonElement>(health)).GetProperty("checks").GetProperty("search").GetProperty("data");
            documents = data.GetProperty("documents").GetInt64();
            lag = data.GetProperty("lag").GetInt64();
        }
        while (documents < count || lag > 0);
        Record("index caught up after the last APPEND", (stopwatch.Elapsed.TotalSeconds - appended) * 1000, "ms");
        Record("APPEND and index throughput", count / stopwatch.Elapsed.TotalSeconds, "msg/s");
    }
}
else
{
    var repeat = int.Parse(options.GetValueOrDefault("repeat", "30"), CultureInfo.InvariantCulture);
    using var client = await ConnectAsync();
    var inbox = (ImapFolder)client.Inbox;
    await inbox.OpenAsync(FolderAccess.ReadOnly);
    var queries = new (string Name, string Query)[]
    {
        ("rare word (TEXT)", $"TEXT {Corpus.RareWord}"),
        ("common word (TEXT)", "TEXT invoice"),
        ("SUBJECT", "SUBJECT budget"),
        ("FROM", "FROM okafor"),
        ("word only inside a PDF (BODY)", $"BODY {Corpus.PdfOnlyWord}"),
        ("substring inside a word (BODY)", "BODY nvoic"),
        ("substring over a word boundary (BODY)", "BODY \"et agen\""),
        ("Thunderbird: UNDELETED OR SUBJECT x FROM x", "UNDELETED OR SUBJECT okafor FROM okafor"),
    };
    foreach (var (name, query) in queries)
    {
        var timings = new List<double>();
        var hits = 0;
        for (var i = 0; i <= repeat; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            var found = await inbox.SearchAsync(query);
            stopwatch.Stop();
            hits = found.Count;
            if (i > 0)
            {
                timings.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }
        timings.Sort();
        Record($"{name} p50", timings[timings.Count / 2], "ms");
        Record($"{name} p95", timings[Math.Min(timings.Count - 1, (int)Math.Ceiling(timings.Count * 0.95) - 1)], "ms");
        Record($"{name} hits", hits, "messages");
    }
    await client.DisconnectAsync(true);
}
