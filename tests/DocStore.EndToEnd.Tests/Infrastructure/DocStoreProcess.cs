using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace DocStore.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real <c>docstore</c> executable, run as a child process on loopback with its own data
/// folder and free ports: what a user runs, so kill -9 and SIGTERM are real too.
/// </summary>
public sealed partial class DocStoreProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource<bool> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DocStoreProcess(Process process, string dataDirectory, int imapPort, int tlsPort, int httpPort)
    {
        this.process = process;
        DataDirectory = dataDirectory;
        ImapPort = imapPort;
        TlsPort = tlsPort;
        HttpPort = httpPort;
    }

    public string DataDirectory { get; }

    public int ImapPort { get; }

    public int TlsPort { get; }

    public int HttpPort { get; }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>The one-time admin password the first start printed, if it printed one.</summary>
    public string? PrintedAdminPassword => AdminPasswordPattern().Match(Output) is { Success: true } m ? m.Groups["password"].Value : null;

    /// <summary>Writes the server's self-signed certificate as PEM, for clients that verify it.</summary>
    public async Task ExportCertificatePemAsync(string path)
    {
        using var pfx = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
            Path.Combine(DataDirectory, "tls", "server.pfx"), null);
        await File.WriteAllTextAsync(path, pfx.ExportCertificatePem());
    }

    /// <summary>
    /// Starts <c>docstore serve</c> and waits until it says it is up (or fails). With ports of its
    /// own choosing it tries again on fresh ports when one was taken between the choice and the
    /// bind (another test's server, or a client's source port); the output of every try is kept,
    /// so the admin password a first try printed is still found.
    /// </summary>
    public static async Task<DocStoreProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null, (int Imap, int Tls, int Http)? ports = null)
    {
        var earlier = "";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(dataDirectory, settings, ports ?? (FreePort(), FreePort(), FreePort()), earlier);
            }
            catch (PortTakenException ex) when (ports is null && attempt < 4)
            {
                earlier = ex.Output;
            }
        }
    }

    private static async Task<DocStoreProcess> StartOnceAsync(string dataDirectory, IReadOnlyDictionary<string, string>? settings, (int Imap, int Tls, int Http) ports, string earlier)
    {
        var (imap, tls, http) = ports;
        var info = HostCommand("serve", "--data-dir", dataDirectory, $"--Imap:Port={imap}", $"--Imap:TlsPort={tls}", $"--Http:Port={http}");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>(StringComparer.Ordinal))
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        var child = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new DocStoreProcess(child, dataDirectory, imap, tls, http);
        server.output.Append(earlier);
        child.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        child.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        child.Exited += (_, _) => server.ready.TrySetResult(false);
        child.Start();
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();

        var started = await server.ready.Task.WaitAsync(TimeSpan.FromSeconds(120));
        if (!started)
        {
            var output = server.Output;
            if (output.Contains("cannot listen", StringComparison.Ordinal))
            {
                await WaitForExitAsync(child);
                child.Dispose();
                throw new PortTakenException(output);
            }
            throw new InvalidOperationException($"docstore did not start:\n{output}");
        }
        return server;
    }

    /// <summary>Runs a CLI verb to completion: exit code and everything it printed.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string? standardInput, params string[] arguments) =>
        ExternalTool.RunAsync(HostCommand(arguments), standardInput);

    /// <summary>
    /// Whatever the tests did, the stored invariants hold (issue #5): <c>docstore check</c> beside
    /// the running server, database and search index; what the indexer has not reached yet is
    /// only a note. Throws with check's list of problems.
    /// </summary>
    public static async Task CheckAsync(string dataDirectory)
    {
        var (exitCode, output) = await RunAsync(null, "check", "--data-dir", dataDirectory);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"docstore check found problems after the tests:\n{output}");
        }
    }

    /// <summary>SIGTERM, as a service manager would send: DocStore should stop cleanly.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await WaitForExitAsync(process);
        return process.ExitCode;
    }

    /// <summary>kill -9: no chance to clean up; PostgreSQL keeps running.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: false);
        await WaitForExitAsync(process);
    }

    private static Task WaitForExitAsync(Process process) => ExternalTool.WaitForExitAsync(process, TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await TerminateAsync();
        }
        process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
        if (line.Contains("DocStore is up", StringComparison.Ordinal))
        {
            ready.TrySetResult(true);
        }
    }

    private static ProcessStartInfo HostCommand(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(HostAssembly.Value);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }

    /// <summary>
    /// A loopback port nobody listens on, chosen below Linux's ephemeral range (32768 and up), so
    /// that the source ports of the tests' own client connections do not take it before the
    /// server binds it.
    /// </summary>
    public static int FreePort()
    {
        for (var i = 0; i < 50; i++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var candidate = new TcpListener(IPAddress.Loopback, port);
                candidate.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class PortTakenException(string output) : Exception("docstore could not listen on a chosen port")
    {
        public string Output { get; } = output;
    }

    // The host project builds beside this one in the same configuration.
    private static readonly Lazy<string> HostAssembly = new(() =>
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var root = testDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "DocStore.sln")))
        {
            root = root.Parent;
        }
        var configuration = testDirectory.Parent!.Name;
        var path = Path.Combine(root!.FullName, "src", "DocStore.Host", "bin", configuration, testDirectory.Name, "docstore.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the host first: {path} is missing.");
    });

    [GeneratedRegex(@"password:\s+(?<password>\S+)", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AdminPasswordPattern();
}
