using DocStore.Web.Api;
using DocStore.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace DocStore.Web.Console;

/// <summary>
/// The web console: its REST API under <c>/api</c>, the OpenAPI document at
/// <c>/openapi/v1.json</c>, and the front end (the repository's <c>web/</c>, copied beside the
/// executable as <c>console/</c>) at <c>/</c>. The security headers, the anti-forgery check and
/// the problem-details bodies wrap the whole pipeline, so they hold for every endpoint, the
/// console's and everyone else's.
/// </summary>
public static class ConsoleSetup
{
    /// <summary>Where the front end's files are, beside the executable.</summary>
    public static string FrontEndDirectory => Path.Combine(AppContext.BaseDirectory, "console");

    /// <param name="keyDirectory">Where the keys that protect session cookies are kept, so sessions survive a restart.</param>
    public static IServiceCollection AddDocStoreConsole(this IServiceCollection services, string keyDirectory)
    {
        services.AddSingleton<ConsoleClock>();
        services.AddSingleton<RecentProblems>();
        services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<RecentProblems>());
        services.AddConsoleSessions();
        // The keys sit in the data folder, readable by DocStore's user only, like the database
        // beside them; the framework's warning that they are not encrypted at rest says nothing new.
        var keys = Directory.CreateDirectory(keyDirectory);
        if (!OperatingSystem.IsWindows())
        {
            keys.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        }
        services.AddDataProtection().SetApplicationName("DocStore").PersistKeysToFileSystem(keys);
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error));
        services.AddOpenApi();
        services.AddTransient<IStartupFilter, Pipeline>();
        return services;
    }

    public static IEndpointRouteBuilder MapDocStoreConsole(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi();
        endpoints.MapConsoleSessions();
        endpoints.MapUserEndpoints();
        endpoints.MapCollectionEndpoints();
        endpoints.MapAuditEndpoints();
        endpoints.MapSystemEndpoints();
        endpoints.MapGroupEndpoints();
        endpoints.MapSearchEndpoints();
        endpoints.MapBrowseEndpoints();
        return endpoints;
    }

    private sealed class Pipeline(ILogger<Pipeline> logger) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<SecurityHeaders>();
            app.UseMiddleware<ApiStatusPages>();
            app.UseMiddleware<AntiForgery>();
            if (Directory.Exists(FrontEndDirectory))
            {
                var files = new PhysicalFileProvider(FrontEndDirectory);
                app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
                app.UseStaticFiles(new StaticFileOptions
                {
                    FileProvider = files,
                    // Always revalidate (ETag): an upgraded DocStore serves its new front end at once.
                    OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
                });
            }
            else
            {
                logger.LogWarning("The console's front end is missing ({Directory}): only the API is served", FrontEndDirectory);
            }
            next(app);
        };
    }
}
