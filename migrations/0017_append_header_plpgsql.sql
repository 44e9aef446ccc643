-- APPEND's PostgreSQL time (issue #3): the version_header triggers of 0015 called
-- fill_version_header, a LANGUAGE sql function, twice per filed mail (once for the blob's first
-- chunk, once for the version row). PostgreSQL 15 plans every statement of a SQL function anew at
-- each call, and its one statement served both callers with "p_document IS NULL OR ...": in
-- pg_stat_statements the two calls took about a quarter of file_mail's time, most of it planning.
-- As plpgsql, each caller's statement is planned once per connection and cached; the chunk's call
-- looks the versions up by hash, the version's by its key. What is filled is unchanged.
CREATE OR REPLACE FUNCTION fill_version_header(p_sha256 bytea, p_document bigint, p_number integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_document IS NULL THEN
        -- A first chunk: the versions with these bytes filed before it (a large mail, streamed
        -- after its version); none for a small mail, whose chunk file_mail writes first.
        INSERT INTO version_header (document_id, number, header_offset, body_offset, end_offset, header)
        SELECT v.document_id, v.number,
               (v.structure->'body'->>'headerOffset')::bigint, (v.structure->'body'->>'bodyOffset')::bigint,
               (v.structure->'body'->>'endOffset')::bigint,
               substring(c.data FROM 1 FOR (v.structure->'body'->>'bodyOffset')::int)
          FROM version v
          JOIN blob_chunk c ON c.sha256 = v.sha256 AND c.chunk_no = 0
         WHERE v.sha256 = p_sha256
           AND v.structure IS NOT NULL AND (v.structure->'body'->>'bodyOffset')::bigint <= 1048576
           AND v.structure->'body'->>'headerOffset' IS NOT NULL AND v.structure->'body'->>'endOffset' IS NOT NULL
        ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO version_header (document_id, number, header_offset, body_offset, end_offset, header)
        SELECT v.document_id, v.number,
               (v.structure->'body'->>'headerOffset')::bigint, (v.structure->'body'->>'bodyOffset')::bigint,
               (v.structure->'body'->>'endOffset')::bigint,
               substring(c.data FROM 1 FOR (v.structure->'body'->>'bodyOffset')::int)
          FROM version v
          JOIN blob_chunk c ON c.sha256 = v.sha256 AND c.chunk_no = 0
         WHERE v.document_id = p_document AND v.number = p_number AND v.sha256 = p_sha256
           AND v.structure IS NOT NULL AND (v.structure->'body'->>'bodyOffset')::bigint <= 1048576
           AND v.structure->'body'->>'headerOffset' IS NOT NULL AND v.structure->'body'->>'endOffset' IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;
END $$;
