using System.CommandLine;
using DocStore.Host;

var root = new RootCommand("DocStore: a document-management system whose front door is IMAP.");
foreach (var option in HostSettings.CommonOptions)
{
    root.Options.Add(option);
}

var serve = ServeCommand.Create();
root.Subcommands.Add(serve);
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(UserCommands.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(ReindexCommand.Create());
foreach (var sharing in SharingCommands.Create())
{
    root.Subcommands.Add(sharing);
}
root.Subcommands.Add(DocumentCommands.Trash());
root.Subcommands.Add(DocumentCommands.Audit());
root.Subcommands.Add(DocumentCommands.Check());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(ExportCommand.Create());

// `docstore` alone means `docstore serve`, with any configuration overrides that follow.
if (args.Length == 0 || args[0].StartsWith('-') && args[0] is not ("-h" or "--help" or "-?" or "--version"))
{
    args = ["serve", .. args];
}

// The host handles SIGINT/SIGTERM itself (graceful shutdown stops the embedded PostgreSQL last);
// System.CommandLine's own handler would kill the process two seconds in.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
