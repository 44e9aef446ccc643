-- Documents beyond mail (issue #5): dedup, trash and restore, legal hold with a reason,
-- uploaded files beside the message that carries them, and the audit queries.

-- "Same Message-ID and the same content": the SHA-256 of a message's body (the bytes after the
-- header), so a copy whose transport headers differ is recognised as the same mail.
ALTER TABLE version ADD COLUMN body_sha256 bytea CHECK (body_sha256 IS NULL OR length(body_sha256) = 32);
-- An uploaded file's own bytes: the version's blob is the message that carries it over IMAP.
ALTER TABLE version ADD COLUMN file_sha256 bytea REFERENCES blob (sha256);
ALTER TABLE version ADD COLUMN file_size bigint CHECK (file_size IS NULL OR file_size >= 0);
CREATE INDEX version_sha256 ON version (sha256);
CREATE INDEX version_body_sha256 ON version (body_sha256) WHERE body_sha256 IS NOT NULL;

-- Where a trashed document was, so a restore puts it back. No foreign key: the collection may
-- be the one whose DELETE trashed it.
ALTER TABLE document ADD COLUMN trashed_from bigint;
ALTER TABLE document ADD COLUMN legal_hold_reason text;
ALTER TABLE collection ADD COLUMN legal_hold_reason text;

CREATE INDEX audit_action ON audit (action, at);
CREATE INDEX audit_document ON audit (document_id, at) WHERE document_id IS NOT NULL;
