-- file_mail as in 0030, with a cheaper first read for a new mail (issue #3, APPEND against
-- Dovecot sdbox). Its first read after the filing lock gathered, in one statement, the versions
-- with the mail's bytes or its Message-ID and body (a UNION of two joins, aggregated into arrays)
-- and whether any document has the Message-ID. A new mail has neither, yet paid for starting that
-- plan. Now the first statement only asks the two questions (an index probe each), and the
-- candidates are read, exactly as before, only when one answer is yes (a duplicate, an adoption,
-- a restore or a new revision; they run one statement more than before, a new mail one less
-- costly). callgrind (bench/pg-callgrind), per new mail: 2,207,000 -> 2,132,000 instructions
-- (-75,000). What the function does and answers is unchanged.
CREATE OR REPLACE FUNCTION file_mail(
    p_collection bigint, p_user bigint,
    p_actor bigint, p_actor_name text, p_address inet, p_client text,
    p_sha256 bytea, p_size bigint, p_data bytea,
    p_body_sha256 bytea, p_message_id text, p_title text, p_structure jsonb,
    p_answered boolean, p_flagged boolean, p_deleted boolean, p_draft boolean, p_seen boolean, p_tags text[],
    p_internal_date timestamptz, p_internal_date_offset smallint,
    p_attachment_sha256 bytea[], p_attachment_size bigint[], p_attachment_data bytea[],
    p_attachment_name text[], p_attachment_type text[],
    p_window interval)
RETURNS TABLE (o_uidvalidity bigint, o_uid bigint, o_document bigint, o_outcome text, o_unstored bytea[])
LANGUAGE plpgsql AS $$
DECLARE
    v_uidvalidity bigint;
    v_uid bigint;
    v_modseq bigint;
    v_document bigint;
    v_version integer;
    v_trashed boolean;
    v_outcome text;
    v_replaced bigint;
    v_unstored bytea[] := '{}';
    v_child bigint;
    v_entry record;
    v_new_uid bigint;
    v_user_limit bigint;
    v_collection_limit bigint;
    v_usage bigint;
    v_candidate_documents bigint[];
    v_candidate_numbers integer[];
    v_blob_unstored boolean;
    v_message_id_filed boolean;
    v_bytes_filed boolean;
BEGIN
    -- RFC 4314 §4: APPEND needs "i". No row lock yet (see 0014); the quotas are read here too.
    -- The owner has every right (collection_rights answers so): checked first, without the walk.
    -- Two filings of the same mail queue on the advisory lock, so the second finds the first: it
    -- is taken in this statement (0030: one statement less), only when the user may file here,
    -- and every read below is a later statement, with a snapshot taken after the wait.
    SELECT c.uidvalidity, c.quota_bytes, (SELECT p.quota_bytes FROM principal p WHERE p.id = p_user)
      INTO v_uidvalidity, v_collection_limit, v_user_limit
      FROM collection c, pg_advisory_xact_lock(1718185061, mail_filing_key(p_message_id, p_sha256))
     WHERE c.id = p_collection AND (c.owner_id = p_user OR strpos(collection_rights(p_collection, p_user), 'i') > 0);
    IF v_uidvalidity IS NULL THEN
        RAISE EXCEPTION 'The user has no mailbox %.', p_collection USING ERRCODE = 'DS404';
    END IF;

    -- DESIGN.md: filing the same mail twice does not make two documents; APPENDUID names the one
    -- there is. An earlier version of a document here counts too: it is not a newer revision.
    -- Driven by the few versions with these bytes or this Message-ID and body (indexed), never by
    -- the collection's entries: the plan cached for this function would otherwise walk the whole
    -- mailbox in UID order on every APPEND (1 ms per APPEND at 500 messages, growing with it).
    -- The versions with these bytes or this Message-ID and body are read once, here, for both
    -- this check and the 'adopted' / 'restored' one below (0022 read them twice); a new mail has
    -- none, and then neither check runs. The same statement tells whether any document has this
    -- Message-ID (0030): without one, no newer revision can be here and its search is skipped.
    -- 0035: first only whether any version has these bytes and any document this Message-ID
    -- (two index probes): a new mail has neither, and the read of the candidates is skipped.
    SELECT EXISTS (SELECT 1 FROM version v WHERE v.sha256 = p_sha256),
           p_message_id IS NOT NULL AND EXISTS (SELECT 1 FROM document d WHERE d.message_id = p_message_id)
      INTO v_bytes_filed, v_message_id_filed;
    IF v_bytes_filed OR v_message_id_filed THEN
        SELECT array_agg(u.document_id), array_agg(u.number)
          INTO v_candidate_documents, v_candidate_numbers
          FROM (SELECT v.document_id, v.number FROM version v WHERE v.sha256 = p_sha256
                UNION
                SELECT v.document_id, v.number FROM version v JOIN document d ON d.id = v.document_id
                 WHERE d.message_id = p_message_id AND v.body_sha256 = p_body_sha256) u;
    END IF;
    IF v_candidate_documents IS NOT NULL THEN
        SELECT e.uid INTO v_uid
          FROM unnest(v_candidate_documents, v_candidate_numbers) AS k(document_id, number)
          JOIN entry e ON e.document_id = k.document_id AND k.number <= e.version_number
          JOIN document d ON d.id = e.document_id
         WHERE e.collection_id = p_collection AND d.kind = 'mail'
         ORDER BY e.uid
         LIMIT 1;
    END IF;
    IF v_uid IS NOT NULL THEN
        INSERT INTO audit (principal_id, principal_name, action, collection_id, document_id, address, client, details)
        VALUES (p_actor, p_actor_name, 'append-duplicate', p_collection, NULL, p_address, p_client,
                jsonb_build_object('uid', v_uid::text, 'sha256', encode(p_sha256, 'hex')));
        o_uidvalidity := v_uidvalidity; o_uid := v_uid; o_document := NULL; o_outcome := 'duplicate'; o_unstored := v_unstored;
        RETURN NEXT;
        RETURN;
    END IF;

    -- Issue #5, versions: a newer revision of a mail this collection holds. Nothing on legal
    -- hold is re-entered (a hold refuses the EXPUNGE of the old UID): such a revision is filed
    -- as a document of its own.
    IF v_message_id_filed AND mail_sender(p_structure) IS NOT NULL THEN
        SELECT d.id, e.uid INTO v_document, v_replaced
          FROM entry e
          JOIN document d ON d.id = e.document_id
          JOIN version v ON v.document_id = d.id AND v.number = d.current_version
         WHERE e.collection_id = p_collection AND e.version_number = d.current_version
           AND d.kind = 'mail' AND d.parent_document_id IS NULL AND d.message_id = p_message_id
           AND mail_sender(v.structure) = mail_sender(p_structure)
           AND NOT d.legal_hold
           AND NOT EXISTS (SELECT 1 FROM entry h JOIN collection hc ON hc.id = h.collection_id
                            WHERE h.document_id = d.id AND hc.legal_hold)
         ORDER BY e.uid
         LIMIT 1
           FOR UPDATE OF d;
    END IF;

    IF v_document IS NOT NULL THEN
        v_outcome := 'version';
        IF store_blob(p_sha256, p_size, p_data) THEN
            v_unstored := v_unstored || p_sha256;
        END IF;
        UPDATE document SET current_version = current_version + 1, title = p_title
         WHERE id = v_document
        RETURNING current_version INTO v_version;
        INSERT INTO version (document_id, number, sha256, size, media_type, author_id, structure, body_sha256)
        VALUES (v_document, v_version, p_sha256, p_size, 'message/rfc822', p_user, p_structure, p_body_sha256);
        -- The header block beside the version (0015) from the bytes just filed, when they came
        -- with the call (a mail in memory): no read of the chunk back (see above).
        IF p_data IS NOT NULL THEN
            INSERT INTO version_header (document_id, number, header_offset, body_offset, end_offset, header)
            SELECT v_document, v_version, (p_structure->'body'->>'headerOffset')::bigint, (p_structure->'body'->>'bodyOffset')::bigint,
                   (p_structure->'body'->>'endOffset')::bigint, substring(p_data FROM 1 FOR (p_structure->'body'->>'bodyOffset')::int)
             WHERE length(p_data) > 0 AND (p_structure->'body'->>'bodyOffset')::bigint <= 1048576
               AND p_structure->'body'->>'headerOffset' IS NOT NULL AND p_structure->'body'->>'endOffset' IS NOT NULL;
        END IF;

        -- The user's row before any collection's row, in the order tree changes take them.
        IF v_user_limit IS NOT NULL THEN
            PERFORM 1 FROM principal WHERE id = p_user FOR NO KEY UPDATE;
        END IF;
        -- As DocumentStore.ReenterAsync: every entry of the document moves to the new version
        -- under a new UID with its flags, internal date and everyone's \Seen; the old UID is expunged.
        FOR v_entry IN SELECT e.collection_id, e.uid FROM entry e WHERE e.document_id = v_document
                        ORDER BY e.collection_id, e.uid FOR UPDATE LOOP
            INSERT INTO entry (collection_id, document_id, version_number, answered, flagged, deleted, draft, internal_date, internal_date_offset)
            SELECT e.collection_id, e.document_id, v_version, e.answered, e.flagged, e.deleted, e.draft, e.internal_date, e.internal_date_offset
              FROM entry e WHERE e.collection_id = v_entry.collection_id AND e.uid = v_entry.uid
            RETURNING entry.uid, entry.modseq INTO v_new_uid, v_modseq;
            INSERT INTO entry_seen (collection_id, uid, principal_id, modseq)
            SELECT v_entry.collection_id, v_new_uid, s.principal_id, v_modseq
              FROM entry_seen s WHERE s.collection_id = v_entry.collection_id AND s.uid = v_entry.uid;
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id, data)
            VALUES ('version', v_entry.collection_id, v_document, v_new_uid, p_user,
                    jsonb_build_object('version', v_version, 'replaces', v_entry.uid));

            -- RFC 7162 §3.2.10: the tombstone carries a modseq above every one handed out.
            DELETE FROM entry WHERE collection_id = v_entry.collection_id AND uid = v_entry.uid;
            UPDATE collection SET highestmodseq = highestmodseq + 1 WHERE id = v_entry.collection_id
            RETURNING highestmodseq INTO v_modseq;
            INSERT INTO expunged_entry (collection_id, uid, modseq) VALUES (v_entry.collection_id, v_entry.uid, v_modseq);
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
            VALUES ('expunge', v_entry.collection_id, v_document, v_entry.uid, p_user);

            IF v_entry.collection_id = p_collection AND v_entry.uid = v_replaced THEN
                v_uid := v_new_uid;
            END IF;
        END LOOP;
    ELSE
        -- The current versions among those read above (0022: the OR over version and document
        -- was planned as a scan, about a fifth of file_mail's time for every new mail).
        IF v_candidate_documents IS NOT NULL THEN
            SELECT d.id, d.current_version, d.trashed_at IS NOT NULL INTO v_document, v_version, v_trashed
              FROM unnest(v_candidate_documents, v_candidate_numbers) AS k(document_id, number)
              JOIN document d ON d.id = k.document_id AND d.current_version = k.number
             WHERE d.kind = 'mail' AND d.parent_document_id IS NULL
               AND ((d.trashed_at IS NULL AND EXISTS (
                        SELECT 1 FROM entry e JOIN collection c ON c.id = e.collection_id
                         WHERE e.document_id = d.id AND c.owner_id = p_user))
                    OR (d.trashed_by = p_user AND d.trashed_at > now() - p_window))
             ORDER BY d.trashed_at NULLS FIRST, d.id
             LIMIT 1
               FOR UPDATE OF d;
        END IF;
        IF v_document IS NOT NULL THEN
            v_outcome := CASE WHEN v_trashed THEN 'restored' ELSE 'adopted' END;
            IF v_trashed THEN
                UPDATE document SET trashed_at = NULL, trashed_by = NULL, trashed_from = NULL WHERE id = v_document;
                INSERT INTO change (kind, document_id, principal_id) VALUES ('restore', v_document, p_user);
            END IF;
        ELSE
            v_outcome := 'new';
            v_version := 1;
            -- One statement (each statement of a function costs its own executor start, plan
            -- check and trigger queue, which perf put above a third of the backend's CPU per
            -- APPEND): store_blob's blob row and chunk, the document, its first version, and the
            -- version's header block cut from the bytes of the call (a mail in memory; 0015's
            -- conditions), so nothing reads the chunk back. Every foreign key is checked at the
            -- end of the statement, when the rows it names are there.
            WITH new_blob AS (
                INSERT INTO blob (sha256, size) VALUES (p_sha256, p_size)
                ON CONFLICT (sha256) DO NOTHING
                RETURNING sha256
            ), new_chunk AS (
                INSERT INTO blob_chunk (sha256, chunk_no, data)
                SELECT b.sha256, 0, p_data FROM new_blob b WHERE length(p_data) > 0
            ), new_document AS (
                INSERT INTO document (kind, title, message_id, created_by) VALUES ('mail', p_title, p_message_id, p_user)
                RETURNING id
            ), new_version AS (
                INSERT INTO version (document_id, number, sha256, size, media_type, author_id, structure, body_sha256)
                SELECT d.id, 1, p_sha256, p_size, 'message/rfc822', p_user, p_structure, p_body_sha256 FROM new_document d
            ), new_header AS (
                INSERT INTO version_header (document_id, number, header_offset, body_offset, end_offset, header)
                SELECT d.id, 1, (p_structure->'body'->>'headerOffset')::bigint, (p_structure->'body'->>'bodyOffset')::bigint,
                       (p_structure->'body'->>'endOffset')::bigint, substring(p_data FROM 1 FOR (p_structure->'body'->>'bodyOffset')::int)
                  FROM new_document d
                 WHERE length(p_data) > 0 AND (p_structure->'body'->>'bodyOffset')::bigint <= 1048576
                   AND p_structure->'body'->>'headerOffset' IS NOT NULL AND p_structure->'body'->>'endOffset' IS NOT NULL
            )
            SELECT d.id, p_data IS NULL AND EXISTS (SELECT 1 FROM new_blob) INTO v_document, v_blob_unstored FROM new_document d;
            -- store_blob: a blob inserted without its bytes gets its chunks from the caller.
            IF v_blob_unstored THEN
                v_unstored := v_unstored || p_sha256;
            END IF;
        END IF;
    END IF;

    -- DESIGN.md: a mail's attachments are child documents; a revision adds only the new ones.
    IF v_outcome IN ('new', 'version') THEN
        FOR i IN 1 .. COALESCE(array_length(p_attachment_sha256, 1), 0) LOOP
            CONTINUE WHEN v_outcome = 'version' AND EXISTS (
                SELECT 1 FROM document c JOIN version cv ON cv.document_id = c.id
                 WHERE c.parent_document_id = v_document AND cv.sha256 = p_attachment_sha256[i]);
            IF store_blob(p_attachment_sha256[i], p_attachment_size[i], p_attachment_data[i]) THEN
                v_unstored := v_unstored || p_attachment_sha256[i];
            END IF;
            INSERT INTO document (kind, title, parent_document_id, created_by)
            VALUES ('file', p_attachment_name[i], v_document, p_user)
            RETURNING id INTO v_child;
            INSERT INTO version (document_id, number, sha256, size, media_type, file_name, author_id, file_sha256, file_size)
            VALUES (v_child, 1, p_attachment_sha256[i], p_attachment_size[i], p_attachment_type[i], p_attachment_name[i], p_user,
                    p_attachment_sha256[i], p_attachment_size[i]);
            INSERT INTO change (kind, document_id, principal_id, data)
            VALUES ('attachment', v_child, p_user, jsonb_build_object('parent', v_document));
        END LOOP;
    END IF;

    -- Keywords differing only in case are one tag (document_tag_key): the first spelling wins.
    IF cardinality(p_tags) > 0 THEN
        INSERT INTO document_tag (document_id, tag) SELECT v_document, unnest(p_tags) ON CONFLICT DO NOTHING;
    END IF;

    -- v_uid is still NULL for a new or found document, and for a new version whose entry here
    -- was expunged (or its mailbox deleted) since it was found: the version gets an entry here.
    IF v_uid IS NULL THEN
        -- Only now the collection's row, held to the commit: the trigger on entry assigns the UID
        -- and modseq under it, so no client sees UID n+1 before UID n has committed. A DELETE of
        -- the mailbox that got the row first leaves nothing to lock. A user with a quota: their
        -- row first (see below), in the order tree changes take the two.
        IF v_user_limit IS NOT NULL THEN
            PERFORM 1 FROM principal WHERE id = p_user FOR NO KEY UPDATE;
        END IF;
        PERFORM 1 FROM collection WHERE id = p_collection FOR NO KEY UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'The user has no mailbox %.', p_collection USING ERRCODE = 'DS404';
        END IF;
        -- One statement (see above): the entry (its trigger hands out the UID and modseq), this
        -- user's \Seen, the change row (its trigger notifies every node's sessions) and the audit row.
        WITH filed AS (
            INSERT INTO entry (collection_id, document_id, version_number, answered, flagged, deleted, draft, internal_date, internal_date_offset)
            VALUES (p_collection, v_document, v_version, p_answered, p_flagged, p_deleted, p_draft, p_internal_date, p_internal_date_offset)
            RETURNING entry.uid, entry.modseq
        ), seen AS (
            INSERT INTO entry_seen (collection_id, uid, principal_id, modseq)
            SELECT p_collection, f.uid, p_user, f.modseq FROM filed f WHERE p_seen
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
            SELECT 'append', p_collection, v_document, f.uid, p_user FROM filed f
        ), audited AS (
            INSERT INTO audit (principal_id, principal_name, action, collection_id, document_id, address, client, details)
            SELECT p_actor, p_actor_name, CASE WHEN v_outcome = 'version' THEN 'append-version' ELSE 'append' END,
                   p_collection, v_document, p_address, p_client, append_audit_details(v_outcome, f.uid, p_size, p_sha256, v_version, v_replaced)
              FROM filed f
        )
        SELECT f.uid, f.modseq INTO v_uid, v_modseq FROM filed f;
    ELSE
        INSERT INTO audit (principal_id, principal_name, action, collection_id, document_id, address, client, details)
        VALUES (p_actor, p_actor_name, CASE WHEN v_outcome = 'version' THEN 'append-version' ELSE 'append' END,
                p_collection, v_document, p_address, p_client, append_audit_details(v_outcome, v_uid, p_size, p_sha256, v_version, v_replaced));
    END IF;

    -- RFC 9208: usage at the limit is allowed, over it the whole APPEND is refused. Usage is
    -- summed only where a limit is set (as MailboxStore.Quota.cs).
    IF v_user_limit IS NOT NULL THEN
        -- Two APPENDs of one user into different collections would each miss the other's
        -- uncommitted bytes: the user's row, locked above, queues them (only users with a
        -- quota), and this sum, a later statement, sees what the one before committed.
        SELECT COALESCE(sum(v.size), 0)::bigint INTO v_usage
          FROM document d JOIN version v ON v.document_id = d.id AND v.number = d.current_version
         WHERE d.created_by = p_user AND d.trashed_at IS NULL;
        IF v_usage > v_user_limit THEN
            RAISE EXCEPTION 'The user''s storage quota of % bytes would be exceeded (% bytes).', v_user_limit, v_usage USING ERRCODE = 'DS507';
        END IF;
    END IF;
    -- The collection's row is locked (the entry's insert above, also for a new version), so this
    -- sum, a new statement, sees every filing into it that committed before.
    IF v_collection_limit IS NOT NULL THEN
        SELECT COALESCE(sum(v.size), 0)::bigint INTO v_usage
          FROM (SELECT DISTINCT document_id, version_number FROM entry WHERE collection_id = p_collection) e
          JOIN version v ON v.document_id = e.document_id AND v.number = e.version_number;
        IF v_usage > v_collection_limit THEN
            RAISE EXCEPTION 'The mailbox''s storage quota of % bytes would be exceeded (% bytes).', v_collection_limit, v_usage USING ERRCODE = 'DS507';
        END IF;
    END IF;

    -- The answer row from the variables, without a statement.
    o_uidvalidity := v_uidvalidity; o_uid := v_uid; o_document := v_document; o_outcome := v_outcome; o_unstored := v_unstored;
    RETURN NEXT;
END $$;
