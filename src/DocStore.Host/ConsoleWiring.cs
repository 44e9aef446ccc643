using DocStore.Core.Administration;
using DocStore.Core.Mailboxes;
using DocStore.Storage.Administration;
using DocStore.Storage.Mailboxes;
using DocStore.Storage.Principals;
using DocStore.Storage.Sharing;
using DocStore.Web.Console;

namespace DocStore.Host;

/// <summary>The web console's services on PostgreSQL, and its routes.</summary>
internal static class ConsoleWiring
{
    public static IServiceCollection AddConsole(this IServiceCollection services, string dataDirectory)
    {
        services.AddSingleton<IWebSessionStore, WebSessionStore>();
        services.AddSingleton<IUserProfileStore, UserStore>();
        services.AddSingleton<IAuditQuery, AuditQuery>();
        services.AddSingleton<IGroupDirectory, GroupDirectory>();
        services.AddSingleton<SystemStatistics>();
        services.AddSingleton<ISystemStatistics>(sp => sp.GetRequiredService<SystemStatistics>());
        services.AddSingleton<ICollectionDirectory>(sp => sp.GetRequiredService<SystemStatistics>());
        // The same store IMAP uses, so special-use and quota changes take its locks and audit.
        services.AddSingleton<ICollectionSettings>(sp => (MailboxStore)sp.GetRequiredService<IMailboxStore>());
        services.AddDocStoreConsole(Path.Combine(dataDirectory, "keys"));
        return services;
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.MapDocStoreConsole();
        return app;
    }
}
