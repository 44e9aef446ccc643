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
                    if (contents is not null && !contents.TryGetValue(new MessageKey(message.DocumentId, message.Version), out content))
                    {
                        // RFC 9051 §7.5.2 allows omitting a message that vanished under us.
                        continue;
                    }
                    var includeFlags = markSeen && !summary.Flags.Seen && !fetch.Items.Any(i => i.Kind == FetchItemKind.Flags);
                    downloads?.Add(message.DocumentId);
                    unknownEncoding |= !WriteMessage(session.Writer, number, message, content, fetch.Items, includeFlags);
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
        var batch = new List<(int Number, MessageSummary Message)>();
        long bytes = 0;
        foreach (var target in targets)
        {
            var size = needed is ContentNeeded.Full or ContentNeeded.MessageBytes ? target.Message.Size : 0;
            if (batch.Count > 0 && (batch.Count >= BatchMessages || bytes + size > BatchBytes))
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

    /// <summary>Writes one <c>* n FETCH (...)</c>; false when a BINARY item met an unknown encoding.</summary>
    private static bool WriteMessage(ImapResponseWriter writer, int number, MessageSummary message, StoredMessage? content, IReadOnlyList<FetchItem> items, bool includeFlags)
    {
        var ok = true;
        writer.BeginUntagged();
        writer.WriteNumber(number);
        writer.WriteRaw(" FETCH ("u8);
        var first = true;
        void Next()
        {
            if (!first)
            {
                writer.WriteSpace();
            }
            first = false;
        }
        if (includeFlags)
        {
            Next();
            writer.WriteRaw("FLAGS "u8);
            FlagsWriter.WriteFlagList(writer, message.Flags);
        }
        foreach (var item in items)
        {
            Next();
            switch (item.Kind)
            {
                case FetchItemKind.Flags:
                    writer.WriteRaw("FLAGS "u8);
                    FlagsWriter.WriteFlagList(writer, message.Flags);
                    break;
                case FetchItemKind.Uid:
                    writer.WriteRaw("UID "u8);
                    writer.WriteNumber(message.Uid);
                    break;
                case FetchItemKind.InternalDate:
                    writer.WriteRaw("INTERNALDATE "u8);
                    writer.WriteString(ImapDates.FormatDateTime(message.InternalDate));
                    break;
                case FetchItemKind.Rfc822Size:
                    writer.WriteRaw("RFC822.SIZE "u8);
                    writer.WriteNumber(message.Size);
                    break;
                case FetchItemKind.ModSeq:
                    writer.WriteRaw("MODSEQ ("u8);
                    writer.WriteNumber(message.ModSeq);
                    writer.CloseList();
                    break;
                case FetchItemKind.EmailId:
                    writer.WriteRaw("EMAILID ("u8);
                    writer.WriteAtom(message.EmailId.ToString("N"));
                    writer.CloseList();
                    break;
                case FetchItemKind.ThreadId:
                    writer.WriteRaw("THREADID NIL"u8);
                    break;
                case FetchItemKind.SaveDate:
                    writer.WriteRaw("SAVEDATE NIL"u8);
                    break;
                case FetchItemKind.Envelope:
                    writer.WriteRaw("ENVELOPE "u8);
                    EnvelopeWriter.Write(writer, content!.Structure.Envelope);
                    break;
                case FetchItemKind.Body:
                    writer.WriteRaw("BODY "u8);
                    BodyStructureWriter.WriteBody(writer, content!.Structure.Body);
                    break;
                case FetchItemKind.BodyStructure:
                    writer.WriteRaw("BODYSTRUCTURE "u8);
                    BodyStructureWriter.WriteBodyStructure(writer, content!.Structure.Body);
                    break;
                case FetchItemKind.Rfc822:
                    writer.WriteRaw("RFC822 "u8);
                    writer.WriteLiteral(content!.Bytes.Span);
                    break;
                case FetchItemKind.Rfc822Header:
                    writer.WriteRaw("RFC822.HEADER "u8);
                    writer.WriteLiteral(MessageSections.GetBody(content!.Bytes, content.Structure, new SectionSpec([], SectionText.Header, [])).Data.Span);
                    break;
                case FetchItemKind.Rfc822Text:
                    writer.WriteRaw("RFC822.TEXT "u8);
                    writer.WriteLiteral(MessageSections.GetBody(content!.Bytes, content.Structure, new SectionSpec([], SectionText.Text, [])).Data.Span);
                    break;
                case FetchItemKind.BodySection:
                    item.WriteResponseName(writer);
                    writer.WriteSpace();
                    var body = MessageSections.GetBody(content!.Bytes, content.Structure, ToSpec(item.Section!));
                    // RFC 9051 §6.4.5: a part that does not exist is an empty string, not an error.
                    writer.WriteLiteral(Slice(body.Data, item.Partial).Span);
                    break;
                case FetchItemKind.Binary:
                    item.WriteResponseName(writer);
                    writer.WriteSpace();
                    var binary = MessageSections.GetBinary(content!.Bytes, content.Structure, ToPart(item.Section!));
                    ok &= binary.Status != SectionStatus.UnknownEncoding;
                    var data = Slice(binary.Data, item.Partial).Span;
                    // RFC 3516 §4.2: literal8 only when the decoded bytes hold NUL.
                    if (data.Contains((byte)0))
                    {
                        writer.WriteLiteral8(data);
                    }
                    else
                    {
                        writer.WriteLiteral(data);
                    }
                    break;
                case FetchItemKind.BinarySize:
                    item.WriteResponseName(writer);
                    writer.WriteSpace();
                    var size = MessageSections.GetBinarySize(content!.Bytes, content.Structure, ToPart(item.Section!));
                    ok &= size is not null;
                    writer.WriteNumber(size ?? 0);
                    break;
                default:
                    writer.WriteRaw("PREVIEW NIL"u8);
                    break;
            }
        }
        writer.CloseList();
        writer.WriteCrlf();
        return ok;
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> data, FetchPartial? partial)
    {
        if (partial is not { } p)
        {
            return data;
        }
        if (p.Origin >= (ulong)data.Length)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        var length = (int)Math.Min(p.Length, (ulong)data.Length - p.Origin);
        return data.Slice((int)p.Origin, length);
    }

    private static int[] ToPart(FetchSection section) => section.Part.Select(n => (int)n).ToArray();

    private static SectionSpec ToSpec(FetchSection section) => new(ToPart(section), section.Text switch
    {
        FetchSectionText.Header => SectionText.Header,
        FetchSectionText.HeaderFields => SectionText.HeaderFields,
        FetchSectionText.HeaderFieldsNot => SectionText.HeaderFieldsNot,
        FetchSectionText.Text => SectionText.Text,
        FetchSectionText.Mime => SectionText.Mime,
        _ => SectionText.None,
    }, section.HeaderFields);
}
