using System.Runtime.InteropServices;
using System.Text;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Core.Principals;
using DocStore.Storage.Auditing;
using MimeKit.Utils;
using DocStore.Core.Sharing;
using Npgsql;
using NpgsqlTypes;

namespace DocStore.Storage.Mailboxes;

public sealed partial class MailboxStore
{
    private const string SelectCounts = """
        SELECT count(e.uid) AS Messages,
               count(e.uid) FILTER (WHERE s.uid IS NULL) AS Unseen,
               count(e.uid) FILTER (WHERE e.deleted) AS Deleted,
               COALESCE(sum(e.size), 0)::bigint AS Size,
               c.uidnext AS UidNext, c.uidvalidity AS UidValidity, c.highestmodseq AS HighestModSeq
          FROM collection c
          LEFT JOIN entry e ON e.collection_id = c.id
          LEFT JOIN entry_seen s ON s.collection_id = e.collection_id AND s.uid = e.uid AND s.principal_id = @owner
         WHERE c.id = @collection AND strpos(collection_rights(@collection, @owner), 'r') > 0
         GROUP BY c.id
        """;

    // RFC 4314 §4: APPEND and COPY need "i" on the target.
    private const string SelectOwnedUidValidity = "SELECT uidvalidity FROM collection WHERE id = @collection AND strpos(collection_rights(@collection, @owner), 'i') > 0";

    // Migrations 0012, 0014, 0022, 0028 and 0030: the whole filing of one mail, its answer one row.
    private const string FileMail = """
        SELECT o_uidvalidity, o_uid, o_document, o_outcome, o_unstored
          FROM file_mail($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)
        """;

    // The same into one of the user's own mailboxes named by its levels ($1, INBOX spelt so):
    // the name is resolved in the statement itself (as SelectByPath, without the rights, which
    // are all the owner's), so APPEND costs one round trip and one pooled connection, not two.
    // No such mailbox: collection 0, and file_mail raises DS404 (TRYCREATE).
    private static readonly string FileMailIntoOwn = """
        SELECT o_uidvalidity, o_uid, o_document, o_outcome, o_unstored
          FROM file_mail(COALESCE((
        """ + MailboxPath.WalkSql("$1::text[]", "c.owner_id = $2") + """

                   SELECT id FROM walk WHERE depth = cardinality($1::text[])), 0),
               $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)
        """;

    // Migration 0014: the filing locks of every mail of a MULTIAPPEND, taken in one order before
    // the first is filed, so two of them filing some of the same mails cannot deadlock.
    private const string LockMailFilings = "SELECT lock_mail_filings($1, $2)";

    /// <summary>The SQLSTATEs <c>file_mail</c> raises: no such mailbox (or no "i" right on it), a quota exceeded.</summary>
    private const string NoMailboxState = "DS404";

    private const string OverQuotaState = "DS507";

    // The trigger on entry assigns the UID and modseq and locks the collection row until commit.
    // APPEND (kind 'append', version 1) and COPY/MOVE (kind 'copy') file entries the same way.
    private const string InsertEntry = """
        WITH filed AS (
            INSERT INTO entry (collection_id, document_id, version_number, answered, flagged, deleted, draft, internal_date, internal_date_offset)
            VALUES (@collection, @document, @version, @answered, @flagged, @deleted, @draft, @internalDate, @internalDateOffset)
            RETURNING collection_id, uid, modseq
        ), seen AS (
            INSERT INTO entry_seen (collection_id, uid, principal_id, modseq)
            SELECT collection_id, uid, @owner, modseq FROM filed WHERE @seen
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
            SELECT @kind, collection_id, @document, uid, @owner FROM filed
        )
        SELECT uid FROM filed
        """;

    // The message row both reads return, up to the keywords' join. Nothing of the document row:
    // its EMAILID is read when a FETCH or SEARCH asks for it (EmailIdsAsync), and joining the
    // document table made SELECT read all of it from disk after a restart (issue #3, first sync).
    // No keywords is NULL, not an empty array: one allocation less per message.
    private const string MessageRow = """
        SELECT e.uid AS Uid, e.document_id AS DocumentId, e.version_number AS Version,
               e.size AS Size, e.internal_date AS InternalDate, e.internal_date_offset AS InternalDateOffset, e.modseq AS ModSeq, s.uid IS NOT NULL AS Seen,
               e.answered AS Answered, e.flagged AS Flagged, e.deleted AS Deleted, e.draft AS Draft,
               t.tags AS Keywords
          FROM entry e
          JOIN collection c ON c.id = e.collection_id AND strpos(collection_rights(@collection, @owner), 'r') > 0
          LEFT JOIN entry_seen s ON s.collection_id = e.collection_id AND s.uid = e.uid AND s.principal_id = @owner
        """;

    private const string SelectMessages = MessageRow + "\n" + """
          LEFT JOIN LATERAL (SELECT array_agg(tag ORDER BY tag COLLATE "C") AS tags FROM document_tag WHERE document_id = e.document_id) t ON true
         WHERE e.collection_id = @collection AND e.modseq > @modSeq
         ORDER BY e.uid
        """;

    // The whole mailbox (SELECT, a client's first sync): the same rows as SelectMessages with
    // modseq 0, but the keywords of the mailbox's documents aggregated once and hash-joined,
    // instead of one index probe and aggregate per entry (20,000 for a 20,000-message mailbox,
    // which took about 40 % of the query's time). SelectMessages keeps the per-entry form for
    // the few rows a change read returns. Unordered: PostgreSQL's sort of the joined rows cost
    // about as much CPU as the rest of the query (18 of 35 ms for 20,000 messages, perf stat of
    // the backend), and the rows mostly come in UID order already (the table's insertion order),
    // so the reader puts them in order instead (InUidOrder).
    private const string SelectAllMessages = MessageRow + "\n" + """
          LEFT JOIN (SELECT dt.document_id, array_agg(dt.tag ORDER BY dt.tag COLLATE "C") AS tags
                       FROM document_tag dt
                      WHERE dt.document_id IN (SELECT m.document_id FROM entry m WHERE m.collection_id = @collection)
                      GROUP BY dt.document_id) t ON t.document_id = e.document_id
         WHERE e.collection_id = @collection AND e.modseq > @modSeq
        """;

    private const string SelectVersion = """
        SELECT sha256 AS Sha256, size AS Size, structure::text AS Structure
          FROM version WHERE document_id = @document AND number = @version
        """;

    /// <summary>STATUS counts; <see cref="KeyNotFoundException"/> when the user has no such mailbox.</summary>
    public async Task<MailboxCounts> CountAsync(User user, long mailboxId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MailboxCounts>(new CommandDefinition(
                SelectCounts, new { collection = mailboxId, owner = user.Id }, cancellationToken: cancellationToken))
            ?? throw new KeyNotFoundException($"The user has no mailbox {mailboxId}.");
    }

    /// <summary>
    /// Files one message (see the interface). <see cref="KeyNotFoundException"/> when the user
    /// has no such mailbox, also when it is deleted while the message is being filed. Keywords
    /// the schema cannot hold as tags (not an IMAP atom) are left out.
    /// </summary>
    public async Task<AppendResult> AppendAsync(User user, long mailboxId, Stream message, MessageFlags flags, DateTimeOffset internalDate, Actor actor, CancellationToken cancellationToken)
    {
        var result = await AppendManyAsync(user, mailboxId, [new AppendItem(message, flags, internalDate)], actor, cancellationToken);
        return new AppendResult(result.UidValidity, result.Uids[0]);
    }

    /// <summary>
    /// Files the messages (RFC 3502: all of them, or none) through <c>file_mail</c> (migrations
    /// 0012, 0014). Messages are spooled, analysed and hashed first; when every blob fits in memory the
    /// statements go out as one batch, one implicit transaction, one round trip, committed before
    /// the answer is read to its end. Otherwise an explicit transaction streams the chunks of the
    /// blobs the function inserted without their bytes.
    /// </summary>
    public Task<MultiAppendResult> AppendManyAsync(User user, long mailboxId, IReadOnlyList<AppendItem> messages, Actor actor, CancellationToken cancellationToken) =>
        FileAsync(user, new FilingTarget(mailboxId, null), messages, actor, cancellationToken);

    /// <summary>
    /// MULTIAPPEND into one of the user's own mailboxes by name, found in the filing statement
    /// itself: one round trip per APPEND instead of a lookup and then the filing. Null when the
    /// name is not in the user's personal tree (the caller finds the mailbox and its rights
    /// first); <see cref="KeyNotFoundException"/> when the user has no such mailbox.
    /// </summary>
    public async Task<MultiAppendResult?> AppendToOwnAsync(User user, string name, IReadOnlyList<AppendItem> messages, Actor actor, CancellationToken cancellationToken)
    {
        if (!MailboxPath.TryParse(name, out var path) || path.Kind != TreeKind.Personal || path.Levels.Length == 0)
        {
            return null;
        }
        return await FileAsync(user, new FilingTarget(0, path.StoredLevels), messages, actor, cancellationToken);
    }

    /// <summary>Where file_mail files: a mailbox by id, or one of the user's own by its levels.</summary>
    private readonly record struct FilingTarget(long Id, string[]? OwnLevels)
    {
        public string Statement => OwnLevels is null ? FileMail : FileMailIntoOwn;
    }

    /// <summary>One APPEND or MULTIAPPEND, its mails spooled, analysed and hashed, ready to be filed.</summary>
    private sealed record FilingRequest(User User, FilingTarget Target, List<PreparedMail> Mails, Actor Actor);

    /// <summary>
    /// Filings grouped into one transaction share this key: one user into one mailbox (by id, or
    /// by the levels of its name). One user only, so a group takes that user's row and the
    /// mailbox's in the order a single filing does.
    /// </summary>
    private readonly record struct FilingKey(long User, long Mailbox, string? Levels);

    /// <summary>The most APPEND commands filed in one transaction (each with up to the in-memory limit per mail).</summary>
    private const int MaxFilingGroup = 32;

    private readonly FilingGroups<FilingKey, FilingRequest, MultiAppendResult> filingGroups = new(MaxFilingGroup, e => e is PostgresException);

    /// <summary>APPENDs waiting for a filing into their mailbox in flight, to be filed together after it (for tests).</summary>
    internal int FilingsWaiting => filingGroups.Waiting;

    private async Task<MultiAppendResult> FileAsync(User user, FilingTarget target, IReadOnlyList<AppendItem> messages, Actor actor, CancellationToken cancellationToken)
    {
        var prepared = new List<PreparedMail>(messages.Count);
        try
        {
            foreach (var item in messages)
            {
                prepared.Add(await PrepareAsync(item, cancellationToken));
            }

            try
            {
                if (prepared.TrueForAll(p => p.InMemory))
                {
                    // Group commit (FilingGroups): with other APPENDs of this user into this
                    // mailbox in one transaction when one is in flight; alone and at once otherwise.
                    var key = new FilingKey(user.Id, target.Id, target.OwnLevels is { } levels ? string.Join('\0', levels) : null);
                    return await filingGroups.FileAsync(key, new FilingRequest(user, target, prepared, actor), FileTogetherAsync);
                }
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                return await FileStreamingAsync(connection, user, target, prepared, actor, cancellationToken);
            }
            catch (PostgresException e) when (string.Equals(e.SqlState, NoMailboxState, StringComparison.Ordinal))
            {
                throw new KeyNotFoundException(e.MessageText, e);
            }
            catch (PostgresException e) when (string.Equals(e.SqlState, OverQuotaState, StringComparison.Ordinal))
            {
                throw new QuotaExceededException(e.MessageText, e);
            }
        }
        finally
        {
            foreach (var mail in prepared)
            {
                await mail.DisposeAsync();
            }
        }
    }

    // A group is filed to its end once it started (not cancelled with one client's command):
    // the others' APPENDs ride on it.
    private async Task<IReadOnlyList<MultiAppendResult>> FileTogetherAsync(IReadOnlyList<FilingRequest> requests)
    {
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        return await FileBatchAsync(connection, requests, CancellationToken.None);
    }

    /// <summary>
    /// Files the requests' mails as one batch of statements: one implicit transaction, one round
    /// trip, committed before the answer is read to its end. The filing locks of all the mails
    /// are taken first, in one order, when there are several (migration 0014).
    /// </summary>
    private static async Task<IReadOnlyList<MultiAppendResult>> FileBatchAsync(NpgsqlConnection connection, IReadOnlyList<FilingRequest> requests,
        CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        var mails = requests.SelectMany(r => r.Mails).ToList();
        var locking = mails.Count > 1;
        if (locking)
        {
            var command = new NpgsqlBatchCommand(LockMailFilings);
            AddFilingLockParameters(command.Parameters, mails);
            batch.BatchCommands.Add(command);
        }
        foreach (var request in requests)
        {
            foreach (var mail in request.Mails)
            {
                var command = new NpgsqlBatchCommand(request.Target.Statement);
                AddFilingParameters(command.Parameters, request.User, request.Target, mail, request.Actor);
                batch.BatchCommands.Add(command);
            }
        }

        var results = new MultiAppendResult[requests.Count];
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            if (locking)
            {
                await reader.NextResultAsync(cancellationToken);
            }
            for (var i = 0; i < requests.Count; i++)
            {
                long uidValidity = 0;
                var uids = new List<uint>(requests[i].Mails.Count);
                foreach (var _ in requests[i].Mails)
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        uidValidity = reader.GetInt64(0);
                        uids.Add(checked((uint)reader.GetInt64(1)));
                    }
                    await reader.NextResultAsync(cancellationToken);
                }
                results[i] = new MultiAppendResult(uidValidity, uids);
            }
        }
        return results;
    }

    private static async Task<MultiAppendResult> FileStreamingAsync(NpgsqlConnection connection, User user, FilingTarget target, List<PreparedMail> prepared,
        Actor actor, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long uidValidity = 0;
        var uids = new List<uint>(prepared.Count);
        if (prepared.Count > 1)
        {
            await using var command = new NpgsqlCommand(LockMailFilings, connection, transaction);
            AddFilingLockParameters(command.Parameters, prepared);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var mail in prepared)
        {
            byte[][] unstored;
            await using (var command = new NpgsqlCommand(target.Statement, connection, transaction))
            {
                AddFilingParameters(command.Parameters, user, target, mail, actor);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                uidValidity = reader.GetInt64(0);
                uids.Add(checked((uint)reader.GetInt64(1)));
                unstored = reader.GetFieldValue<byte[][]>(4);
            }
            foreach (var sha256 in unstored)
            {
                var blob = mail.Blob.Sha256.AsSpan().SequenceEqual(sha256)
                    ? mail.Blob
                    : mail.Attachments.First(a => a.Blob.Sha256.AsSpan().SequenceEqual(sha256)).Blob;
                await BlobStore.WriteChunksAsync(connection, transaction, blob, cancellationToken);
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return new MultiAppendResult(uidValidity, uids);
    }

    private static void AddFilingLockParameters(NpgsqlParameterCollection parameters, List<PreparedMail> prepared)
    {
        parameters.Add(new NpgsqlParameter<string?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = prepared.Select(p => p.Structure.Envelope.MessageId).ToArray() });
        parameters.Add(new NpgsqlParameter<byte[][]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = prepared.Select(p => p.Blob.Sha256).ToArray() });
    }

    private static void AddFilingParameters(NpgsqlParameterCollection parameters, User user, FilingTarget target, PreparedMail mail, Actor actor)
    {
        var flags = mail.Item.Flags;
        var envelope = mail.Structure.Envelope;
        var attachments = mail.Attachments;
        parameters.Add(target.OwnLevels is { } levels
            ? new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = levels }
            : new NpgsqlParameter<long> { TypedValue = target.Id });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = user.Id });
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)actor.PrincipalId ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)actor.PrincipalName ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Inet, Value = (object?)actor.Address ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)actor.Client ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = mail.Blob.Sha256 });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = mail.Blob.Size });
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)mail.Blob.Bytes ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = mail.BodySha256 });
        parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)envelope.MessageId ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = Title(envelope.Subject) });
        parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Jsonb, TypedValue = MessageStructureJson.Serialize(mail.Structure) });
        parameters.Add(new NpgsqlParameter<bool> { TypedValue = flags.Answered });
        parameters.Add(new NpgsqlParameter<bool> { TypedValue = flags.Flagged });
        parameters.Add(new NpgsqlParameter<bool> { TypedValue = flags.Deleted });
        parameters.Add(new NpgsqlParameter<bool> { TypedValue = flags.Draft });
        parameters.Add(new NpgsqlParameter<bool> { TypedValue = flags.Seen });
        // Keywords the schema cannot hold as tags (not an IMAP atom) are left out.
        parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = flags.Keywords.Where(KeywordTags.IsValid).ToArray() });
        parameters.Add(new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = mail.Item.InternalDate.UtcDateTime });
        parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)mail.Item.InternalDate.Offset.TotalMinutes });
        parameters.Add(new NpgsqlParameter<byte[][]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = attachments.Select(a => a.Blob.Sha256).ToArray() });
        parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = attachments.Select(a => a.Blob.Size).ToArray() });
        parameters.Add(new NpgsqlParameter<byte[]?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = attachments.Select(a => a.Blob.Bytes).ToArray() });
        parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = attachments.Select(a => a.FileName).ToArray() });
        parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = attachments.Select(a => a.MediaType).ToArray() });
        parameters.Add(new NpgsqlParameter<TimeSpan> { NpgsqlDbType = NpgsqlDbType.Interval, TypedValue = RefilingWindow });
    }

    public Task<IReadOnlyList<MessageSummary>> MessagesAsync(User user, long mailboxId, CancellationToken cancellationToken) =>
        ChangedSinceAsync(user, mailboxId, 0, cancellationToken);

    /// <summary>
    /// Entries whose modseq is above <paramref name="modSeq"/>. A change of this user's \Seen or
    /// of a keyword (a document tag) rewrites the entry row too, so its modseq covers them.
    /// </summary>
    public async Task<IReadOnlyList<MessageSummary>> ChangedSinceAsync(User user, long mailboxId, long modSeq, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(modSeq == 0 ? SelectAllMessages : SelectMessages, connection);
        AddViewParameters(command.Parameters, mailboxId, user.Id, modSeq);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var messages = new List<MessageSummary>();
        while (await reader.ReadAsync(cancellationToken))
        {
            messages.Add(ReadSummary(reader));
        }
        return modSeq == 0 ? InUidOrder(messages) : messages;
    }

    /// <summary>
    /// <paramref name="messages"/> sorted by UID (unique in a mailbox); one pass when they came in
    /// order, as a mailbox's rows mostly do until STOREs move them.
    /// </summary>
    private static List<MessageSummary> InUidOrder(List<MessageSummary> messages)
    {
        for (var i = 1; i < messages.Count; i++)
        {
            if (messages[i].Uid < messages[i - 1].Uid)
            {
                // By a key array: a comparison delegate per compare cost 6 % of the server's
                // CPU for a SELECT of 20,000 rows filed over 4 connections (perf).
                var uids = new uint[messages.Count];
                for (var j = 0; j < uids.Length; j++)
                {
                    uids[j] = messages[j].Uid;
                }
                uids.AsSpan().Sort(CollectionsMarshal.AsSpan(messages));
                break;
            }
        }
        return messages;
    }

    /// <summary>
    /// The stored bytes and structure of a version, whoever's it is: the caller has already
    /// resolved it from an entry the user may see.
    /// </summary>
    public async Task<StoredMessage?> ReadAsync(long documentId, int version, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(
            SelectVersion, new { document = documentId, version }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var bytes = await BlobStore.ReadAsync(connection, row.Sha256, row.Size, cancellationToken);
        // A version filed without a structure (not through APPEND) is analyzed on reading instead.
        var structure = row.Structure is null ? MessageAnalyzer.Analyze(bytes) : MessageStructureJson.Deserialize(row.Structure);
        return new StoredMessage(bytes, structure);
    }

    /// <summary>The document title: the Subject with its RFC 2047 encoded-words decoded.</summary>
    private static string Title(string? subject)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            return "";
        }
        // PostgreSQL text cannot hold NUL, which an encoded-word can carry.
        return Rfc2047.DecodeText(Encoding.UTF8.GetBytes(subject)).Replace('\0', '\uFFFD').Trim();
    }

    /// <summary>
    /// Files one entry of a document version with these flags and internal date (UID and modseq
    /// by trigger, a change row of <paramref name="kind"/>, \Seen for <paramref name="owner"/>);
    /// returns its UID. APPEND, REPLACE, uploads and restores all file through here.
    /// </summary>
    internal static Task<long> InsertEntryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long collection, long document, int version,
        string kind, MessageFlags flags, DateTimeOffset internalDate, long owner, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertEntry, new
        {
            collection,
            document,
            version,
            kind,
            flags.Answered,
            flags.Flagged,
            flags.Deleted,
            flags.Draft,
            internalDate = internalDate.UtcDateTime,
            internalDateOffset = (short)internalDate.Offset.TotalMinutes,
            owner,
            flags.Seen,
        }, transaction, cancellationToken: cancellationToken));

    private sealed record VersionRow(byte[] Sha256, long Size, string? Structure);

    /// <summary>
    /// One row of <see cref="SelectMessages"/> (columns by position) as a summary. Read by hand
    /// rather than by Dapper: Dapper emits and compiles a reader per query text at its first row
    /// after every restart, and the first change that 1,000 idling sessions wait for paid that
    /// compilation (the delta query) before any of them could answer.
    /// </summary>
    private static MessageSummary ReadSummary(NpgsqlDataReader reader)
    {
        var utc = DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc);
        bool seen = reader.GetBoolean(7), answered = reader.GetBoolean(8), flagged = reader.GetBoolean(9), deleted = reader.GetBoolean(10), draft = reader.GetBoolean(11);
        var flags = reader.IsDBNull(12)
            ? PlainFlags[(seen ? 1 : 0) | (answered ? 2 : 0) | (flagged ? 4 : 0) | (deleted ? 8 : 0) | (draft ? 16 : 0)]
            : new MessageFlags(seen, answered, flagged, deleted, draft, reader.GetFieldValue<string[]>(12));
        return new MessageSummary(checked((uint)reader.GetInt64(0)), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt64(3),
            new DateTimeOffset(utc).ToOffset(TimeSpan.FromMinutes(reader.GetInt16(5))), reader.GetInt64(6), flags);
    }

    // The system flags without keywords, one shared instance per combination (records, never
    // changed): a mailbox's messages mostly have no keywords and a few combinations of flags.
    private static readonly MessageFlags[] PlainFlags = [.. Enumerable.Range(0, 32).Select(bits =>
        new MessageFlags((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0, []))];

    private static void AddViewParameters(NpgsqlParameterCollection parameters, long mailboxId, long ownerId, long modSeq)
    {
        parameters.Add(new NpgsqlParameter<long>("collection", mailboxId));
        parameters.Add(new NpgsqlParameter<long>("owner", ownerId));
        parameters.Add(new NpgsqlParameter<long>("modSeq", modSeq));
    }
}
