using DocStore.Imap.Commands;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Search;

/// <summary>THREAD and UID THREAD (RFC 5256 §3): SEARCH's matches threaded by ORDEREDSUBJECT or REFERENCES.</summary>
internal static class ThreadHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!ThreadCommand.TryParse(command, out var thread, out var error, out var responseCode))
        {
            return responseCode is null ? Completion.Bad(error) : Completion.No(error, responseCode);
        }

        var matches = await SearchHandler.MatchAsync(session, thread.Key, cancellationToken);
        var messages = await SortableMessage.LoadAsync(session, matches, cancellationToken);
        var threads = thread.Algorithm == ThreadAlgorithm.OrderedSubject ? Threading.OrderedSubject(messages) : Threading.References(messages);

        var text = Threading.Format(threads, m => thread.Uid ? m.Summary.Uid : (uint)m.Number);
        session.Writer.WriteUntagged(text.Length == 0 ? "THREAD" : "THREAD " + text);
        return Completion.Ok($"{command.Name} completed");
    }
}
