-- A mail version's header block in its own small table (issue #3, first sync): a client's first
-- sync fetches header fields of every message, and reading them from the blob meant reading
-- each message's TOASTed first chunk, looked up by its hash in random order: after a restart
-- that is nearly every byte of the mailbox from disk. Here the header bytes (0 to the top-level
-- body offset, as the stored structure gives it) sit beside their offsets, in filing order.
-- Derived data: the blob and the structure stay the truth; a version without a row here (no
-- structure, a header past the first chunk) is read from the blob as before.
CREATE TABLE version_header (
    document_id   bigint  NOT NULL,
    number        integer NOT NULL,
    header_offset bigint  NOT NULL,
    body_offset   bigint  NOT NULL,
    end_offset    bigint  NOT NULL,
    header        bytea   NOT NULL,
    PRIMARY KEY (document_id, number),
    FOREIGN KEY (document_id, number) REFERENCES version (document_id, number) ON DELETE CASCADE
);

-- The header bytes of the versions with these bytes whose header lies in the first chunk
-- (BlobStore.ChunkSize, 1 MiB). Filled from triggers, so every path that files a version
-- (file_mail, REPLACE, restore, uploads) fills it without restating them, whichever of the
-- version row and the blob's first chunk is written first: a small mail's chunk goes in before
-- its version (store_blob in file_mail), a large one's is streamed after it.
CREATE FUNCTION fill_version_header(p_sha256 bytea, p_document bigint, p_number integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO version_header (document_id, number, header_offset, body_offset, end_offset, header)
    SELECT v.document_id, v.number,
           (v.structure->'body'->>'headerOffset')::bigint, (v.structure->'body'->>'bodyOffset')::bigint,
           (v.structure->'body'->>'endOffset')::bigint,
           substring(c.data FROM 1 FOR (v.structure->'body'->>'bodyOffset')::int)
      FROM version v
      JOIN blob_chunk c ON c.sha256 = v.sha256 AND c.chunk_no = 0
     WHERE v.sha256 = p_sha256 AND (p_document IS NULL OR (v.document_id = p_document AND v.number = p_number))
       AND v.structure IS NOT NULL AND (v.structure->'body'->>'bodyOffset')::bigint <= 1048576
       AND v.structure->'body'->>'headerOffset' IS NOT NULL AND v.structure->'body'->>'endOffset' IS NOT NULL
    ON CONFLICT DO NOTHING
$$;

CREATE FUNCTION version_header_from_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM fill_version_header(NEW.sha256, NEW.document_id, NEW.number);
    RETURN NULL;
END $$;
CREATE TRIGGER version_header_from_version AFTER INSERT ON version
    FOR EACH ROW WHEN (NEW.structure IS NOT NULL) EXECUTE FUNCTION version_header_from_version();

CREATE FUNCTION version_header_from_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM fill_version_header(NEW.sha256, NULL, NULL);
    RETURN NULL;
END $$;
CREATE TRIGGER version_header_from_chunk AFTER INSERT ON blob_chunk
    FOR EACH ROW WHEN (NEW.chunk_no = 0) EXECUTE FUNCTION version_header_from_chunk();

-- The versions filed before this migration, in filing order.
INSERT INTO version_header (document_id, number, header_offset, body_offset, end_offset, header)
SELECT v.document_id, v.number,
       (v.structure->'body'->>'headerOffset')::bigint, (v.structure->'body'->>'bodyOffset')::bigint,
       (v.structure->'body'->>'endOffset')::bigint,
       substring(c.data FROM 1 FOR (v.structure->'body'->>'bodyOffset')::int)
  FROM version v
  JOIN blob_chunk c ON c.sha256 = v.sha256 AND c.chunk_no = 0
 WHERE v.structure IS NOT NULL AND (v.structure->'body'->>'bodyOffset')::bigint <= 1048576
   AND v.structure->'body'->>'headerOffset' IS NOT NULL AND v.structure->'body'->>'endOffset' IS NOT NULL
 ORDER BY v.document_id, v.number;
