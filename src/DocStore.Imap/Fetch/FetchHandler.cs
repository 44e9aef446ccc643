using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Imap.Commands;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Fetch;

/// <summary>
/// FETCH and UID FETCH (RFC 9051 §6.4.5, §7.5.2). Structure comes from what was computed at
/// filing; sections are slices of the stored bytes, never a re-parse. A body section without
/// .PEEK sets \Seen (unless the mailbox was opened with EXAMINE) and the answer carries FLAGS.
/// </summary>
internal static class FetchHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!FetchCommand.TryParse(command, out var fetch, out var error))
        {
            return Completion.Bad(error);
        }
        if (fetch.ChangedSince is not null)
        {
            return Completion.Bad("CHANGEDSINCE needs CONDSTORE, which is not offered.");
        }
        var view = session.Selected!;
        if (!fetch.Uid && view.OutOfRange(fetch.Set))
        {
            return MailboxAnswers.SequenceOutOfRange;
        }

        var targets = view.Resolve(fetch.Set, fetch.Uid).ToList();
        var needed = ContentNeededBy(fetch.Items);
        // RFC 4314 §4: a FETCH without the "s" right must not set \Seen.
        var markSeen = fetch.SetsSeen && !view.ReadOnly && view.Rights.HasFlag(Core.Sharing.MailboxRights.Seen);
        var unknownEncoding = false;
        var downloads = ReturnsBodies(fetch.Items) ? new List<long>() : null;

        // The \Seen side effect for all unseen targets in one transaction, before the answers.
        var stored = markSeen
            ? await session.Backend.Mailboxes.StoreFlagsAsync(session.User!, view.Mailbox.Id,
                targets.Where(t => !t.Message.Flags.Seen).Select(t => t.Message.Uid).ToList(),
                new FlagChange(FlagOperation.Add, [@"\Seen"]), session.Actor, cancellationToken)
            : FlagStoreResult.None;
        var newlySeen = stored.ToDictionary(r => r.Uid);

        // The next batch is read while this one is written: the database's time (disk, after a
        // restart) overlaps the writing instead of adding to it. Each read has its own connection.
        var batches = Batches(targets, needed).ToList();
        var lines = new FetchResponseWriter(session.Writer, fetch.Items);
        // RFC 8474 EMAILID is the document's object id, which the view does not hold (SELECT
        // would read the document table for it): read in one round trip when asked for.
        var emailIds = fetch.Items.Any(i => i.Kind == FetchItemKind.EmailId)
            ? await session.Backend.Mailboxes.EmailIdsAsync(targets.Select(t => t.Message.DocumentId).ToHashSet(), cancellationToken)
            : null;
        Task<IReadOnlyDictionary<MessageKey, StoredMessage>>? reading = null;
        Task<IReadOnlyDictionary<MessageKey, StoredMessage>> Read(ContentNeeded need, int index) =>
            session.Backend.Mailboxes.ReadManyAsync(batches[index].Select(t => new MessageKey(t.Message.DocumentId, t.Message.Version)).ToHashSet(), need, cancellationToken);
        try
        {
            if (needed is { } first && batches.Count > 0)
            {
                reading = Read(first, 0);
            }
            for (var index = 0; index < batches.Count; index++)
            {
                var batch = batches[index];
                var contents = reading is null ? null : await reading;
                reading = needed is { } next && index + 1 < batches.Count ? Read(next, index + 1) : null;
                foreach (var (number, summary) in batch)
                {
                    var message = summary;
                    if (newlySeen.TryGetValue(message.Uid, out var seen))
                    {
                        message = message with { Flags = seen.Flags, ModSeq = seen.ModSeq };
                        view.Replace(message);
                    }
                    StoredMessage? content = null;
                    var emailId = Guid.Empty;
                    if ((contents is not null && !contents.TryGetValue(new MessageKey(message.DocumentId, message.Version), out content))
                        || (emailIds is not null && !emailIds.TryGetValue(message.DocumentId, out emailId)))
                    {
                        // RFC 9051 §7.5.2 allows omitting a message that vanished under us.
                        continue;
                    }
                    var includeFlags = markSeen && !summary.Flags.Seen && !fetch.Items.Any(i => i.Kind == FetchItemKind.Flags);
                    downloads?.Add(message.DocumentId);
                    unknownEncoding |= !lines.Write(number, message, emailId, content, includeFlags);
                    await session.FlushIfLargeAsync(cancellationToken);
                }
            }
        }
        finally
        {
            // A write that failed (the client went away) leaves a read in flight: it is awaited, not abandoned.
            if (reading is not null)
            {
                try
                {
                    await reading;
                }
                catch (Exception) when (reading.IsFaulted || reading.IsCanceled)
                {
                    // Only the failure that ended the loop matters.
                }
            }
        }

        if (downloads is { Count: > 0 })
        {
            await session.Backend.Mailboxes.RecordDownloadAsync(view.Mailbox.Id, downloads, session.Actor, cancellationToken);
        }
        // Every message the store changed is in the view now (Replace above); see StoreHandler.
        session.ViewIsCurrent = stored.ModSeqBefore is { } before && view.Advance(before, stored.ModSeqAfter);
        return unknownEncoding
            ? Completion.No("A part has a content transfer encoding DocStore cannot decode; fetch it with BODY[] instead.", "UNKNOWN-CTE")
            : Completion.Ok($"{command.Name} completed");
    }

    // Messages are read in batches: few round trips, and never more than this many bytes held.
    private const int BatchMessages = 500;
    private const int HeaderBatchMessages = 2000;
    private const long HeaderBatchBytes = 64L * 1024 * 1024;
    private const long BatchBytes = 16L * 1024 * 1024;

    /// <summary>What the items need of the stored message; null when the summary is enough.</summary>
    internal static ContentNeeded? ContentNeededBy(IReadOnlyList<FetchItem> items)
    {
        bool structure = false, header = false, bytes = false, full = false;
        foreach (var item in items)
        {
            switch (item.Kind)
            {
                case FetchItemKind.Flags or FetchItemKind.InternalDate or FetchItemKind.Rfc822Size or FetchItemKind.Uid
                    or FetchItemKind.ModSeq or FetchItemKind.EmailId or FetchItemKind.ThreadId or FetchItemKind.SaveDate
                    or FetchItemKind.Preview:
                    break;
                case FetchItemKind.Envelope or FetchItemKind.Body or FetchItemKind.BodyStructure:
                    structure = true;
                    break;
                case FetchItemKind.Rfc822Header:
                case FetchItemKind.BodySection when item.Section!.Part.Length == 0 && item.Section.Text is
                    FetchSectionText.Header or FetchSectionText.HeaderFields or FetchSectionText.HeaderFieldsNot:
                    header = true;
                    break;
                case FetchItemKind.Rfc822 or FetchItemKind.Rfc822Text:
                case FetchItemKind.BodySection or FetchItemKind.Binary when item.Section!.Part.Length == 0:
                    bytes = true;
                    break;
                default:
                    full = true;
                    break;
            }
        }
        return full || (bytes && structure) ? ContentNeeded.Full
            : bytes ? ContentNeeded.MessageBytes
            : header ? (structure ? ContentNeeded.Header : ContentNeeded.HeaderBytes)
            : structure ? ContentNeeded.Structure
            : null;
    }

    /// <summary>
    /// True when an item hands out message content beyond headers and structure (RFC822,
    /// RFC822.TEXT, BINARY[...], a BODY[...] section other than a header or MIME header): such a
    /// FETCH is a download and is audited.
    /// </summary>
    internal static bool ReturnsBodies(IReadOnlyList<FetchItem> items) => items.Any(item => item.Kind switch
    {
        FetchItemKind.Rfc822 or FetchItemKind.Rfc822Text or FetchItemKind.Binary => true,
        FetchItemKind.BodySection => item.Section!.Text is FetchSectionText.None or FetchSectionText.Text,
        _ => false,
    });

    private static IEnumerable<List<(int Number, MessageSummary Message)>> Batches(List<(int Number, MessageSummary Message)> targets, ContentNeeded? needed)
    {
        if (needed is null)
        {
            yield return targets;
            yield break;
        }
        // Header blocks are about a kilobyte: a first sync reads them in fewer, larger batches.
        var headers = needed is ContentNeeded.HeaderBytes or ContentNeeded.Header;
        var limit = headers ? HeaderBatchMessages : BatchMessages;
        var byteLimit = headers ? HeaderBatchBytes : BatchBytes;
        var batch = new List<(int Number, MessageSummary Message)>();
        long bytes = 0;
        foreach (var target in targets)
        {
            // A header is never larger than its message, and one read from its row or from the
            // blob's first chunk holds at most that chunk (1 MiB).
            var size = needed switch
            {
                ContentNeeded.Structure => 0,
                ContentNeeded.Header or ContentNeeded.HeaderBytes => Math.Min(target.Message.Size, 1024 * 1024),
                _ => target.Message.Size,
            };
            if (batch.Count > 0 && (batch.Count >= limit || bytes + size > byteLimit))
            {
                yield return batch;
                batch = [];
                bytes = 0;
            }
            batch.Add(target);
            bytes += size;
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
