using System.Globalization;
using Dapper;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Mime;
using DocStore.Core.Principals;
using DocStore.Storage.Auditing;
using DocStore.Storage.Documents;

namespace DocStore.Storage.Mailboxes;

public sealed partial class MailboxStore
{
    private const string SelectReplaced = """
        SELECT e.document_id FROM entry e JOIN collection c ON c.id = e.collection_id AND strpos(collection_rights(c.id, @owner), 'e') > 0
         WHERE e.collection_id = @collection AND e.uid = @uid
           FOR UPDATE OF e
        """;

    private const string InsertMailVersion = """
        WITH next AS (
            UPDATE document SET current_version = current_version + 1, title = @title, message_id = @messageId
             WHERE id = @document
            RETURNING current_version
        )
        INSERT INTO version (document_id, number, sha256, size, media_type, author_id, structure, body_sha256)
        SELECT @document, current_version, @sha256, @size, 'message/rfc822', @owner, @structure::jsonb, @bodySha256 FROM next
        RETURNING number
        """;

    public async Task<AppendResult?> ReplaceAsync(User user, long mailboxId, uint uid, long toMailboxId, AppendItem message, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var uidValidity = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                SelectOwnedUidValidity, new { collection = toMailboxId, owner = user.Id }, cancellationToken: cancellationToken))
            ?? throw new KeyNotFoundException($"The user has no mailbox {toMailboxId}.");

        await using var blob = await BlobStore.SpoolAsync(message.Message, cancellationToken);
        var structure = await MessageAnalyzer.AnalyzeAsync(blob.File, cancellationToken);
        var bodySha256 = await HashBodyAsync(blob, structure.BodyOffset, cancellationToken);

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var document = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(SelectReplaced,
            new { collection = mailboxId, uid = (long)uid, owner = user.Id }, transaction, cancellationToken: cancellationToken));
        if (document is null)
        {
            return null;
        }
        await EnsureNotHeldAsync(connection, transaction, mailboxId, [uid], "nothing was replaced.", cancellationToken);

        await BlobStore.StoreAsync(connection, transaction, blob, cancellationToken);
        var version = await connection.ExecuteScalarAsync<int>(new CommandDefinition(InsertMailVersion, new
        {
            document,
            title = Title(structure.Envelope.Subject),
            messageId = structure.Envelope.MessageId,
            sha256 = blob.Sha256,
            size = blob.Size,
            owner = user.Id,
            structure = MessageStructureJson.Serialize(structure),
            bodySha256,
        }, transaction, cancellationToken: cancellationToken));

        // RFC 8508 §3: the replaced message is expunged and the new one filed with the flags given;
        // everywhere else the document's entries move to the new version under new UIDs.
        await connection.ExecuteAsync(new CommandDefinition(ExpungeEntries,
            new { collection = mailboxId, owner = user.Id, uids = new[] { (long)uid } }, transaction, cancellationToken: cancellationToken));
        var reentered = await DocumentStore.ReenterAsync(connection, transaction, user, document.Value, version, cancellationToken);
        var newUid = reentered.FirstOrDefault(r => r.CollectionId == toMailboxId).Uid;
        if (newUid == 0)
        {
            newUid = await InsertEntryAsync(connection, transaction, toMailboxId, document.Value, version, "version", message.Flags, message.InternalDate, user.Id, cancellationToken);
        }

        await AuditLog.RecordAsync(connection, transaction, new AuditRecord(actor, MailboxAuditActions.Replace, mailboxId, document,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["uid"] = uid.ToString(CultureInfo.InvariantCulture),
                ["to"] = toMailboxId.ToString(CultureInfo.InvariantCulture),
                ["newUid"] = newUid.ToString(CultureInfo.InvariantCulture),
                ["version"] = version.ToString(CultureInfo.InvariantCulture),
                ["sha256"] = Convert.ToHexStringLower(blob.Sha256),
            }), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new AppendResult(uidValidity, checked((uint)newUid));
    }
}
