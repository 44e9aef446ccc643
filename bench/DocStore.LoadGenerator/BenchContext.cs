using DocStore.LoadGenerator.Reporting;

namespace DocStore.LoadGenerator;

/// <summary>Where a scenario connects (<c>--host --port --user --password</c>) and the name its figures go under (<c>--server</c>).</summary>
internal sealed record ServerEndpoint(string Label, string Host, int Port, string User, string Password)
{
    public static ServerEndpoint From(Arguments arguments) => new(
        arguments.Get("server"),
        arguments.Get("host", "127.0.0.1"),
        arguments.GetInt("port", 143),
        arguments.Get("user"),
        arguments.Get("password"));
}

/// <summary>What a scenario needs: the server and the log its measurements are appended to.</summary>
internal sealed class BenchContext(ServerEndpoint server, ResultLog results)
{
    public ServerEndpoint Server => server;

    public void Record(string metric, double value, string detail)
    {
        results.Append(new Measurement(server.Label, metric, value, detail));
        Console.WriteLine($"{server.Label,-16} {metric,-24} {value,12:0.0}   {detail}");
    }
}
