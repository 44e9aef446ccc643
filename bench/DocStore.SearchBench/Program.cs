using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using DocStore.SearchBench;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

// Usage:
//   DocStore.SearchBench append --port P --user U --password W --count N --label L --results FILE [--health URL] [--connections C]
//   DocStore.SearchBench search --port P --user U --password W --count N --label L --results FILE [--repeat R] [--max-seconds S]
//   DocStore.SearchBench maildir --dir MAILDIR --count N (writes the same corpus as files, for Dovecot)
var options = args.Skip(1).Chunk(2).ToDictionary(p => p[0].TrimStart('-'), p => p[1], StringComparer.Ordinal);
var verb = args[0];
var count = int.Parse(options["count"], CultureInfo.InvariantCulture);
const int Seed = 20261127;

if (string.Equals(verb, "maildir", StringComparison.Ordinal))
{
    // Dovecot reads a Maildir as it finds it, so the same corpus is written straight into cur/:
    // filling Dovecot through IMAP would measure its APPEND (bench/run-imap-bench.sh does that).
    var cur = Path.Combine(options["dir"], "cur");
    Directory.CreateDirectory(cur);
    Directory.CreateDirectory(Path.Combine(options["dir"], "new"));
    Directory.CreateDirectory(Path.Combine(options["dir"], "tmp"));
    var written = 0;
    Parallel.For(0, count, i =>
    {
        var bytes = Corpus.Message(Seed, i);
        var date = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i);
        var file = Path.Combine(cur, $"{1704067200 + i}.M{i}P1.bench:2,");
        File.WriteAllBytes(file, bytes);
        File.SetLastWriteTimeUtc(file, date);
        if (Interlocked.Increment(ref written) % 10_000 == 0)
        {
            Console.WriteLine($"{written} messages written");
        }
    });
    return;
}

var port = int.Parse(options["port"], CultureInfo.InvariantCulture);
var label = options["label"];
var results = options["results"];

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
    // MULTIAPPEND batches of 100 on two connections (or --connections): the corpus goes in as fast
    // as the server files it.
    var connections = int.Parse(options.GetValueOrDefault("connections", "2"), CultureInfo.InvariantCulture);
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
    await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Worker()));
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
    // A server that scans every message needs seconds a query at 200,000 messages: each query
    // stops repeating after --max-seconds (at least three timed runs), and the table says how many ran.
    var maxSeconds = double.Parse(options.GetValueOrDefault("max-seconds", "600"), CultureInfo.InvariantCulture);
    using var client = await ConnectAsync();
    var inbox = (ImapFolder)client.Inbox;
    await inbox.OpenAsync(FolderAccess.ReadOnly);
    var queries = new (string Name, string Query, SearchQuery Typed)[]
    {
        ("rare word (TEXT)", $"TEXT {Corpus.RareWord}", SearchQuery.MessageContains(Corpus.RareWord)),
        ("common word (TEXT)", "TEXT invoice", SearchQuery.MessageContains("invoice")),
        ("SUBJECT", "SUBJECT budget", SearchQuery.SubjectContains("budget")),
        ("FROM", "FROM okafor", SearchQuery.FromContains("okafor")),
        ("word only inside a PDF (BODY)", $"BODY {Corpus.PdfOnlyWord}", SearchQuery.BodyContains(Corpus.PdfOnlyWord)),
        ("substring inside a word (BODY)", "BODY nvoic", SearchQuery.BodyContains("nvoic")),
        ("substring over a word boundary (BODY)", "BODY \"et agen\"", SearchQuery.BodyContains("et agen")),
        ("Thunderbird: UNDELETED OR SUBJECT x FROM x", "UNDELETED OR SUBJECT okafor FROM okafor",
            SearchQuery.NotDeleted.And(SearchQuery.SubjectContains("okafor").Or(SearchQuery.FromContains("okafor")))),
    };
    // Each query three ways: through MailKit's SearchAsync(string), a plain UID SEARCH whose
    // answer MailKit parses number by number (a client application's view, its parsing included);
    // through MailKit's typed SearchAsync(SearchQuery), what applications built on MailKit call,
    // which asks for an ESEARCH answer (UID ranges) where the server offers it; and the plain
    // command on a bare socket, timed until the tagged OK has arrived (what the server and the
    // wire take; for a common word the plain answer is 20,000 or 200,000 numbers, and MailKit's
    // parse of them is more than the server's search).
    await using var wire = await WireClient.ConnectAsync(port, options["user"], options["password"]);
    await WarmUpClientAsync();
    foreach (var (name, query, typed) in queries)
    {
        var (timings, hits) = await TimeAsync(async () => (await inbox.SearchAsync(query)).Count);
        Record($"{name} p50", Median(timings), "ms");
        Record($"{name} p95", P95(timings), "ms");
        Record($"{name} hits", hits, "messages");
        Record($"{name} timed runs", timings.Count, "runs");
        var (typedTimings, typedHits) = await TimeAsync(async () => (await inbox.SearchAsync(typed)).Count);
        if (typedHits != hits)
        {
            throw new InvalidOperationException($"{name}: MailKit's typed query found {typedHits} messages, the plain SEARCH {hits}");
        }
        Record($"{name} typed query p50", Median(typedTimings), "ms");
        Record($"{name} typed query p95", P95(typedTimings), "ms");
        var (onWire, _) = await TimeAsync(async () => { await wire.CommandAsync("UID SEARCH " + query); return 0; });
        Record($"{name} on the wire p50", Median(onWire), "ms");
        Record($"{name} on the wire p95", P95(onWire), "ms");
    }
    await client.DisconnectAsync(true);

    // The client warms up before anything is timed: .NET recompiles MailKit's parsing code after
    // about 30 calls of it (tiered compilation with PGO, in two steps and in the background), and a
    // series timed while that happens measures the client's JIT, not the search (session 11: runs
    // of 40-68 ms clustered 30 to 60 calls into the common word's series, whose other runs took
    // 7-10 ms and whose server part, on the wire, 1 ms). The server needs none of this: it warms
    // itself up before it accepts connections. At least 100 searches or 20 s, then a pause for
    // the background compilation to finish.
    async Task WarmUpClientAsync()
    {
        var spent = Stopwatch.StartNew();
        for (var i = 0; i < 100 && (i < 10 || spent.Elapsed.TotalSeconds < 20); i++)
        {
            var (_, query, typed) = queries[i % queries.Length];
            await inbox.SearchAsync(query);
            await inbox.SearchAsync(typed);
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
    }

    // The first run is not timed (it may build what later runs reuse); at least three are timed.
    async Task<(List<double> Timings, int Hits)> TimeAsync(Func<Task<int>> run)
    {
        var timings = new List<double>();
        var hits = 0;
        var spent = Stopwatch.StartNew();
        for (var i = 0; i <= repeat && (i <= 3 || spent.Elapsed.TotalSeconds < maxSeconds); i++)
        {
            var stopwatch = Stopwatch.StartNew();
            hits = await run();
            stopwatch.Stop();
            if (i > 0)
            {
                timings.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }
        timings.Sort();
        return (timings, hits);
    }

    static double Median(List<double> sorted) => sorted[sorted.Count / 2];

    static double P95(List<double> sorted) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.95) - 1)];
}
