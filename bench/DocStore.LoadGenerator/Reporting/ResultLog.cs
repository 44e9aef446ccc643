using System.Text.Json;

namespace DocStore.LoadGenerator.Reporting;

/// <summary>One measured figure of one repetition against one server.</summary>
internal sealed record Measurement(string Server, string Metric, double Value, string Detail);

/// <summary>Measurements as JSON lines, appended by every verb of one run and read by <c>report</c>.</summary>
internal sealed class ResultLog(string path)
{
    public void Append(Measurement measurement) =>
        File.AppendAllText(path, JsonSerializer.Serialize(measurement) + "\n");

    public IReadOnlyList<Measurement> ReadAll() =>
        File.ReadLines(path)
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<Measurement>(line) ?? throw new InvalidDataException($"Bad line in {path}: {line}"))
            .ToList();
}
