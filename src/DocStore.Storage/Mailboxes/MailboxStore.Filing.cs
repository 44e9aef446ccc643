using System.Security.Cryptography;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Documents;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Core.Principals;
using MimeKit;
using Npgsql;

namespace DocStore.Storage.Mailboxes;

/// <summary>
/// Filing rules of a document store rather than a mail store (DESIGN.md principle 4): the same
/// mail filed twice stays one document, a client's "move" by APPEND + EXPUNGE keeps the
/// document with its history, a newer revision of a mail becomes its next version, and legal
/// hold refuses what would remove a document. APPEND's rules run in the database function
/// <c>file_mail</c> (migrations 0012, 0014, 0022, 0028); what comes before it (spooling, analysis, attachments) is here.
/// </summary>
public sealed partial class MailboxStore
{
    /// <summary>
    /// Runs APPEND's filing path once on <paramref name="connection"/> and rolls it back, so that
    /// neither this process nor that PostgreSQL backend pays for it at a client's first APPEND.
    /// ReadyToRun cannot precompile the framework's generic code over DocStore's own types (async
    /// state machines, Npgsql's typed parameters, the structure's JSON), and PostgreSQL parses
    /// <c>file_mail</c> and plans each of its statements and triggers once per backend, at their
    /// first execution (measured: 8–15 ms of a cold backend's CPU for its first APPEND, 3–5 ms later). The
    /// warm-up mail (<see cref="WarmUpMail"/>) is spooled, analysed, its attachment cut out, and
    /// filed as a new mail with \Seen and a keyword into the INBOX of a user made for it, all in
    /// one transaction that is rolled back: no row stays and no notification goes out (NOTIFY is
    /// delivered at commit). The user and its INBOX take an id no row can have (the negative
    /// backend process id) and draw nothing from their sequences; the document, change and audit
    /// ids the filing drew stay drawn, as with any APPEND that fails. Returns true when the mail
    /// was filed (and rolled back).
    /// </summary>
    public static async Task<bool> WarmUpFilingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long userId;
        await using (var command = new NpgsqlCommand(InsertWarmUpUser, connection, transaction))
        {
            userId = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        var user = new User(userId, "warm-up", null, IsAdmin: false, Disabled: false, DateTimeOffset.UnixEpoch);
        var actor = new Actor(null, null, null, "warm-up");
        var flags = new MessageFlags(Seen: true, Answered: false, Flagged: false, Deleted: false, Draft: false, ["warm-up"]);
        using var message = new ReadOnlyMemoryStream(WarmUpMail.Bytes);
        var mail = await PrepareAsync(new AppendItem(message, flags, DateTimeOffset.UnixEpoch), cancellationToken);
        MultiAppendResult result;
        await using (mail)
        {
            result = (await FileBatchAsync(connection, [new FilingRequest(user, new FilingTarget(0, ["INBOX"]), [mail], actor)], cancellationToken))[0];
        }
        await transaction.RollbackAsync(cancellationToken);
        return result.Uids.Count == 1;
    }

    // The warm-up's user and INBOX (see WarmUpFilingAsync): ids below every identity, no sequence drawn.
    private const string InsertWarmUpUser = """
        WITH warm_up AS (
            INSERT INTO principal (id, kind, name) OVERRIDING SYSTEM VALUE
            VALUES (-pg_backend_pid(), 'user', 'warm-up-' || pg_backend_pid())
            RETURNING id)
        INSERT INTO collection (id, owner_id, name, special_use, uidvalidity) OVERRIDING SYSTEM VALUE
        SELECT id, id, 'INBOX', NULL, 1 FROM warm_up
        RETURNING owner_id
        """;

    /// <summary>
    /// How long a document trashed by the last EXPUNGE of its entry is still found by APPEND of
    /// the same mail: Outlook "moves" across folders by APPEND to the target, then \Deleted and
    /// EXPUNGE in the source, in either order.
    /// </summary>
    public static readonly TimeSpan RefilingWindow = TimeSpan.FromMinutes(10);

    // The first reason found why entries of the collection may not be removed, or none.
    private const string SelectHoldReason = """
        SELECT reason FROM (
            SELECT 1 AS rank, format('The collection "%s" is on legal hold%s', c.name, COALESCE(': ' || c.legal_hold_reason, '')) AS reason
              FROM collection c WHERE c.id = @collection AND c.legal_hold
            UNION ALL
            SELECT 2, format('Document "%s" (%s) is on legal hold%s', d.title, d.object_id, COALESCE(': ' || d.legal_hold_reason, ''))
              FROM entry e JOIN document d ON d.id = e.document_id
             WHERE e.collection_id = @collection AND (@all OR e.uid = ANY(@uids)) AND d.legal_hold
        ) held
         ORDER BY rank
         LIMIT 1
        """;

    /// <summary>The most attachments of one mail that become child documents.</summary>
    private const int MaxAttachments = 100;

    /// <summary>An attachment decoded and spooled before the transaction.</summary>
    private sealed record SpooledAttachment(SpooledBlob Blob, string FileName, string MediaType);

    /// <summary>A mail spooled, analysed and hashed, its attachments decoded: all before it is filed.</summary>
    private sealed class PreparedMail(AppendItem item, SpooledBlob blob, MessageStructure structure, byte[] bodySha256,
        List<SpooledAttachment> attachments) : IAsyncDisposable
    {
        public AppendItem Item { get; } = item;

        public SpooledBlob Blob { get; } = blob;

        public MessageStructure Structure { get; } = structure;

        public byte[] BodySha256 { get; } = bodySha256;

        public List<SpooledAttachment> Attachments { get; } = attachments;

        /// <summary>Every blob is in memory: the filing statement carries their bytes and needs no transaction of its own.</summary>
        public bool InMemory => Blob.Bytes is not null && Attachments.TrueForAll(a => a.Blob.Bytes is not null);

        public async ValueTask DisposeAsync()
        {
            await Blob.DisposeAsync();
            foreach (var attachment in Attachments)
            {
                await attachment.Blob.DisposeAsync();
            }
        }
    }

    private static async Task<PreparedMail> PrepareAsync(AppendItem item, CancellationToken cancellationToken)
    {
        var blob = await BlobStore.SpoolAsync(item.Message, cancellationToken);
        try
        {
            var structure = blob.Bytes is { } bytes ? MessageAnalyzer.Analyze(bytes) : await MessageAnalyzer.AnalyzeAsync(blob.File, cancellationToken);
            var bodySha256 = await HashBodyAsync(blob, structure.BodyOffset, cancellationToken);
            // MimeKit parses the mail again only when the structure shows a part to decode.
            var attachments = HasAttachment(structure.Body) ? await SpoolAttachmentsAsync(blob, cancellationToken) : [];
            return new PreparedMail(item, blob, structure, bodySha256, attachments);
        }
        catch
        {
            await blob.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether a part, here or in an embedded message, is marked as an attachment (what MimeKit's <c>Attachments</c> lists).</summary>
    private static bool HasAttachment(BodyPart part) =>
        string.Equals(part.Disposition?.Type, "attachment", StringComparison.OrdinalIgnoreCase)
        || (part.Parts?.Any(HasAttachment) ?? false)
        || (part.Message is { } message && HasAttachment(message.Body));

    /// <summary>
    /// The mail's attachments, decoded. A mail MimeKit cannot read has none here and is filed
    /// all the same: its bytes are what counts.
    /// </summary>
    private static async Task<List<SpooledAttachment>> SpoolAttachmentsAsync(SpooledBlob blob, CancellationToken cancellationToken)
    {
        var attachments = new List<SpooledAttachment>();
        try
        {
            blob.File.Position = 0;
            using var message = await MimeMessage.LoadAsync(blob.File, cancellationToken);
            var number = 0;
            foreach (var part in message.Attachments.OfType<MimePart>().Where(p => p.Content is not null).Take(MaxAttachments))
            {
                number++;
                await using var decoded = new MemoryStream();
                await part.Content!.DecodeToAsync(decoded, cancellationToken);
                decoded.Position = 0;
                var name = UploadMessage.CleanFileName(part.FileName ?? $"attachment-{number}");
                attachments.Add(new SpooledAttachment(await BlobStore.SpoolAsync(decoded, cancellationToken), name, part.ContentType.MimeType));
            }
        }
        catch (Exception ex) when (ex is FormatException or ParseException or InvalidOperationException or NotSupportedException)
        {
            // Note: malformed mail is common; the message itself is still filed byte for byte.
        }
        finally
        {
            blob.File.Position = 0;
        }
        return attachments;
    }

    /// <summary>Throws <see cref="LegalHoldException"/> when a hold forbids removing these entries (all when <paramref name="uids"/> is null).</summary>
    internal static async Task EnsureNotHeldAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long collection, long[]? uids,
        string refused, CancellationToken cancellationToken)
    {
        var reason = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(SelectHoldReason,
            new { collection, all = uids is null, uids = uids ?? [] }, transaction, cancellationToken: cancellationToken));
        if (reason is not null)
        {
            throw new LegalHoldException($"{reason}; {refused}");
        }
    }

    /// <summary>The SHA-256 of the message's body: the bytes after its header.</summary>
    private static async Task<byte[]> HashBodyAsync(SpooledBlob blob, long bodyOffset, CancellationToken cancellationToken)
    {
        if (blob.Bytes is { } bytes)
        {
            return SHA256.HashData(bytes.AsSpan((int)Math.Min(bodyOffset, bytes.Length)));
        }
        blob.File.Position = Math.Min(bodyOffset, blob.File.Length);
        var hash = await SHA256.HashDataAsync(blob.File, cancellationToken);
        blob.File.Position = 0;
        return hash;
    }
}
