using System.Globalization;

namespace DocStore.LoadGenerator;

/// <summary>The command line after the verb: <c>--name value</c> pairs; a name may repeat.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, List<string>> values = new(StringComparer.Ordinal);

    public Arguments(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"Expected '--name value' at '{args[i]}'.", nameof(args));
            }

            var name = args[i][2..];
            if (!values.TryGetValue(name, out var list))
            {
                list = [];
                values[name] = list;
            }

            list.Add(args[i + 1]);
        }
    }

    public string Get(string name) =>
        values.TryGetValue(name, out var list) ? list[^1] : throw new ArgumentException($"--{name} is required.", nameof(name));

    public string Get(string name, string fallback) => values.TryGetValue(name, out var list) ? list[^1] : fallback;

    public int GetInt(string name, int fallback) =>
        values.TryGetValue(name, out var list) ? int.Parse(list[^1], CultureInfo.InvariantCulture) : fallback;

    public double GetDouble(string name, double fallback) =>
        values.TryGetValue(name, out var list) ? double.Parse(list[^1], CultureInfo.InvariantCulture) : fallback;

    public IReadOnlyList<string> GetAll(string name) => values.TryGetValue(name, out var list) ? list : [];
}
