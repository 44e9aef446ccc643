using DocStore.EndToEnd.Tests.Infrastructure;
using DocStore.Testing;
using Microsoft.Playwright;
using Xunit;

namespace DocStore.Console.Tests;

/// <summary>
/// The real <c>docstore</c> on loopback and Debian's Chromium, headless, driven by Playwright.
/// Chromium missing is a failure, not a skip: CI installs it (<c>.ci/run</c>), and a browser
/// test that silently does not run proves nothing.
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private readonly ScratchDirectory directory = new("docstore-console-");

    public DocStoreProcess Server { get; private set; } = null!;

    public string AdminPassword { get; private set; } = null!;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseUrl => new($"http://127.0.0.1:{Server.HttpPort}/");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is missing at {ChromiumPath}: install it with 'apt-get install -y chromium' (.ci/run does).");
        }
        Server = await DocStoreProcess.StartAsync(directory.Path);
        AdminPassword = Server.PrintedAdminPassword ?? throw new InvalidOperationException($"no admin password printed:\n{Server.Output}");
        // Four engineers and CI share two cores: a page may take seconds to draw. Waiting longer never makes a failing check pass.
        Assertions.SetDefaultExpectTimeout(30_000);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh browser context (no cookies), collecting what the page logs to its console.</summary>
    public async Task<(IBrowserContext Context, IPage Page, List<string> ConsoleErrors)> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            // The console asks GET /api/session before signing in; its 401 is the expected answer.
            if (message.Type is "error" or "warning" && !message.Text.Contains("status of 401", StringComparison.Ordinal))
            {
                lock (errors)
                {
                    errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add(error);
            }
        };
        return (context, page, errors);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        Playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
            // The server's log beside the test output, to read after a failure.
            await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "docstore-server.log"), Server.Output);
        }
        directory.Dispose();
    }
}
