using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Imap.Server;
using MimeKit;
using MimeKit.Utils;

namespace DocStore.Imap.Search;

/// <summary>
/// What SORT and THREAD (RFC 5256) compare for one matching message, read from the top-level
/// header and the envelope computed at filing, never from the body. The string keys are already
/// in collation form (<see cref="BaseSubject.CollationKey"/>); an absent field is the empty string.
/// </summary>
internal sealed record SortableMessage(
    int Number,
    MessageSummary Summary,
    string Subject,
    bool IsReplyOrForward,
    DateTimeOffset SentDate,
    string From,
    string To,
    string Cc,
    string DisplayFrom,
    string DisplayTo,
    string? MessageId,
    IReadOnlyList<string> References)
{
    private const int BatchSize = 500;

    /// <summary>The matches with only their view data, for criteria that need no header (ARRIVAL, SIZE).</summary>
    public static SortableMessage Bare(int number, MessageSummary summary) =>
        new(number, summary, "", false, summary.InternalDate, "", "", "", "", "", null, []);

    /// <summary>Reads the headers of the matches in batches and builds their sort data, in the order given.</summary>
    public static async Task<List<SortableMessage>> LoadAsync(ImapSession session, IReadOnlyList<(int Number, MessageSummary Message)> matches, CancellationToken cancellationToken)
    {
        var result = new List<SortableMessage>(matches.Count);
        foreach (var batch in matches.Chunk(BatchSize))
        {
            var keys = batch.Select(m => new MessageKey(m.Message.DocumentId, m.Message.Version)).ToHashSet();
            var stored = await session.Backend.Mailboxes.ReadManyAsync(keys, ContentNeeded.Header, cancellationToken);
            foreach (var (number, message) in batch)
            {
                // A version that vanished under us sorts as a message without any header.
                result.Add(stored.TryGetValue(new MessageKey(message.DocumentId, message.Version), out var content)
                    ? Read(number, message, content)
                    : Bare(number, message));
            }
        }
        return result;
    }

    public static SortableMessage Read(int number, MessageSummary summary, StoredMessage stored)
    {
        var envelope = stored.Structure.Envelope;
        using var stream = new MemoryStream(stored.Bytes.ToArray(), writable: false);
        var headers = HeaderList.Load(stream);
        var subject = BaseSubject.CollationKey(BaseSubject.Extract(headers[HeaderId.Subject], out var replyOrForward));

        // RFC 5256 §2.2: the Date header in UTC; without a valid one, the internal date.
        var sent = headers[HeaderId.Date] is { } date && DateUtils.TryParse(date, out var parsed) ? parsed : summary.InternalDate;

        return new SortableMessage(number, summary, subject, replyOrForward, sent,
            Mailbox(envelope.From), Mailbox(envelope.To), Mailbox(envelope.Cc),
            Display(headers[HeaderId.From]), Display(headers[HeaderId.To]),
            MessageIdOf(headers[HeaderId.MessageId]), ReferencesOf(headers));
    }

    // RFC 5256 §3: the [IMAP] addr-mailbox of the first address.
    private static string Mailbox(IReadOnlyList<EnvelopeAddress>? addresses) =>
        BaseSubject.CollationKey(addresses is { Count: > 0 } ? addresses[0].Mailbox : null);

    // RFC 5957 §3: the display name of the first address; without one, its addr-spec.
    private static string Display(string? field)
    {
        if (field is null || !InternetAddressList.TryParse(field, out var list) || list.Mailboxes.FirstOrDefault() is not { } first)
        {
            return "";
        }
        return BaseSubject.CollationKey(string.IsNullOrWhiteSpace(first.Name) ? first.Address : first.Name);
    }

    private static string? MessageIdOf(string? field) =>
        field is null ? null : MimeUtils.EnumerateReferences(field).FirstOrDefault();

    // RFC 5256 §3 REFERENCES: the References field's message IDs; without a valid one, the first
    // valid message ID of In-Reply-To.
    private static List<string> ReferencesOf(HeaderList headers)
    {
        var references = headers[HeaderId.References] is { } field ? MimeUtils.EnumerateReferences(field).ToList() : [];
        if (references.Count > 0)
        {
            return references;
        }
        return headers[HeaderId.InReplyTo] is { } inReplyTo && MimeUtils.EnumerateReferences(inReplyTo).FirstOrDefault() is { } parent ? [parent] : [];
    }
}
