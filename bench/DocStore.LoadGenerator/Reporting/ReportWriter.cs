using System.Globalization;
using System.Text;

namespace DocStore.LoadGenerator.Reporting;

/// <summary>
/// Writes RESULTS.md from one run's measurements: the median (range, count) of every figure per
/// server, DocStore's ratio to Dovecot sdbox, and each target of the issue marked pass or miss.
/// </summary>
internal static class ReportWriter
{
    private const string DocStore = "docstore";
    private const string Sdbox = "dovecot-sdbox";
    private const string Maildir = "dovecot-maildir";

    private static readonly Row[] Rows =
    [
        new("APPEND, 1 connection (msg/s)", "append.c1", "≥ sdbox", m => m.DocStore >= m.Sdbox),
        new("APPEND, 4 connections (msg/s)", "append.c4", "≥ sdbox", m => m.DocStore >= m.Sdbox),
        new("APPEND while filling the sync mailbox, 4 connections (msg/s)", "fill.c4", "", Target: null),
        new("First sync, cold (msg/s)", "sync.cold", "≥ sdbox", m => m.DocStore >= m.Sdbox),
        new("  then 200 full bodies, cold (msg/s)", "sync.cold.bodies", "", Target: null),
        new("First sync, warm (msg/s)", "sync.warm", "≥ ½ sdbox", m => m.DocStore >= m.Sdbox / 2),
        new("  then 200 full bodies, warm (msg/s)", "sync.warm.bodies", "", Target: null),
        new("STORE +FLAGS.SILENT, sequential (msg/s)", "store.sequential", "≥ sdbox and ≥ 10× maildir", m => m.DocStore >= m.Sdbox && m.DocStore >= 10 * m.Maildir),
        new("STORE +FLAGS.SILENT, pipelined (msg/s)", "store.pipelined", "≥ sdbox and ≥ 10× maildir", m => m.DocStore >= m.Sdbox && m.DocStore >= 10 * m.Maildir),
        new("Server memory (PSS) before the idle connections (MB)", "idle.pss_baseline_mb", "", Target: null),
        new("Server memory (PSS) with the idle connections (MB)", "idle.pss_mb", "< 300 MB", m => m.DocStore < 300),
        new("IDLE notification delay p50 (ms)", "idle.notify_p50_ms", "< 50 ms", m => m.DocStore < 50),
        new("IDLE notification delay p95 (ms)", "idle.notify_p95_ms", "", Target: null),
        new("IDLE notification delay max (ms)", "idle.notify_max_ms", "", Target: null),
        new("Server CPU per IDLE round: APPEND to the last EXISTS (ms)", "idle.server_cpu_ms", "", Target: null),
        new("Idle connections not notified within 30 s", "idle.not_notified", "", Target: null),
        new("Idle connections the server closed", "idle.lost", "", Target: null),
        new("Time to open the idle connections (s)", "idle.connect_s", "", Target: null),
        new("Server memory (PSS) with 100 idle connections (MB)", "idle100.pss_mb", "", Target: null),
        new("IDLE notification delay p50, 100 connections (ms)", "idle100.notify_p50_ms", "", Target: null),
        new("Server memory (PSS) with 500 idle connections (MB)", "idle500.pss_mb", "", Target: null),
        new("IDLE notification delay p50, 500 connections (ms)", "idle500.notify_p50_ms", "", Target: null),
    ];

    public static void Write(Arguments arguments)
    {
        var measurements = new ResultLog(arguments.Get("results")).ReadAll();
        var byKey = measurements.GroupBy(m => (m.Server, m.Metric)).ToDictionary(g => g.Key, g => g.ToList());
        var text = new StringBuilder();
        text.AppendLine("# IMAP load: DocStore against Dovecot")
            .AppendLine()
            .AppendLine($"Written by `bench/run-imap-bench.sh` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. Every figure: the median of the")
            .AppendLine("repetitions (range and count in brackets), DocStore and Dovecot measured in the same run on")
            .AppendLine("loopback. The ratio is DocStore's median over Dovecot sdbox's.")
            .AppendLine()
            .AppendLine("| measurement | DocStore | Dovecot sdbox | Dovecot maildir | DocStore / sdbox | target | result |")
            .AppendLine("|---|---|---|---|---|---|---|");
        foreach (var row in Rows)
        {
            var medians = new Medians(
                Median(byKey, DocStore, row.Metric), Median(byKey, Sdbox, row.Metric), Median(byKey, Maildir, row.Metric));
            var ratio = medians.DocStore / medians.Sdbox;
            text.Append(CultureInfo.InvariantCulture, $"| {row.Title} | {Cell(byKey, DocStore, row.Metric)} | {Cell(byKey, Sdbox, row.Metric)} | ")
                .Append(CultureInfo.InvariantCulture, $"{Cell(byKey, Maildir, row.Metric)} | {(double.IsFinite(ratio) ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "–")} | ")
                .AppendLine(CultureInfo.InvariantCulture, $"{row.TargetText} | {Verdict(row, medians)} |");
        }

        text.AppendLine().AppendLine("## Machine and parameters").AppendLine().AppendLine("```")
            .AppendLine(File.ReadAllText(arguments.Get("machine")).TrimEnd())
            .AppendLine("```").AppendLine()
            .AppendLine("## Every repetition").AppendLine()
            .AppendLine("| server | figure | value | detail |").AppendLine("|---|---|---|---|");
        foreach (var measurement in measurements)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {measurement.Server} | {measurement.Metric} | {Format(measurement.Value)} | {measurement.Detail} |");
        }

        File.WriteAllText(arguments.Get("out"), text.ToString());
        Console.WriteLine($"wrote {arguments.Get("out")}");
    }

    private static string Verdict(Row row, Medians medians)
    {
        if (row.Target is null)
        {
            return "";
        }

        var needed = new List<double> { medians.DocStore, medians.Sdbox };
        if (row.TargetText.Contains("maildir", StringComparison.Ordinal))
        {
            needed.Add(medians.Maildir);
        }

        if (row.TargetText.Contains("MB", StringComparison.Ordinal) || row.TargetText.Contains("ms", StringComparison.Ordinal))
        {
            needed = [medians.DocStore];
        }

        return needed.Exists(double.IsNaN) ? "not measured" : row.Target(medians) ? "**pass**" : "**miss**";
    }

    private static double Median(Dictionary<(string, string), List<Measurement>> byKey, string server, string metric) =>
        byKey.TryGetValue((server, metric), out var list) ? Statistics.Median(list.Select(m => m.Value)) : double.NaN;

    private static string Cell(Dictionary<(string, string), List<Measurement>> byKey, string server, string metric)
    {
        if (!byKey.TryGetValue((server, metric), out var list))
        {
            return "–";
        }

        var median = Format(Statistics.Median(list.Select(m => m.Value)));
        return list.Count == 1
            ? $"{median} (n=1)"
            : $"{median} ({Format(list.Min(m => m.Value))}–{Format(list.Max(m => m.Value))}, n={list.Count})";
    }

    private static string Format(double value) => value switch
    {
        double.NaN => "–",
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };

    private sealed record Medians(double DocStore, double Sdbox, double Maildir);

    private sealed record Row(string Title, string Metric, string TargetText, Func<Medians, bool>? Target);
}
