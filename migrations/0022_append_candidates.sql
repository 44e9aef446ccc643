-- APPEND's PostgreSQL time (issue #3), measured with pg_stat_statements (track = all) over
-- 1,000 bench APPENDs of new mails: file_mail 2.28 ms each, of which 0.46 ms was the lookup of
-- "the same mail is a document of this user elsewhere" ('adopted' / 'restored'): its condition
-- "v.sha256 = $ OR (d.message_id = $ AND v.body_sha256 = $)" spans two tables, so no index
-- answers it and the cached plan read versions and documents broadly. It is now driven by the
-- few versions with these bytes or this Message-ID and body, found by their indexes, as the
-- duplicate check before it already is: the same documents, in the same order, locked the same.
-- The rights check first compares the owner (0.16 ms with collection_rights' tree walk, which
-- answers every right for the owner anyway). Nothing else of file_mail (0014) changes.

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
BEGIN
    -- RFC 4314 §4: APPEND needs "i". No row lock yet (see 0014); the quotas are read here too.
    -- The owner has every right (collection_rights answers so): checked first, without the walk.
    SELECT c.uidvalidity, c.quota_bytes, (SELECT p.quota_bytes FROM principal p WHERE p.id = p_user)
      INTO v_uidvalidity, v_collection_limit, v_user_limit
      FROM collection c
     WHERE c.id = p_collection AND (c.owner_id = p_user OR strpos(collection_rights(p_collection, p_user), 'i') > 0);
    IF v_uidvalidity IS NULL THEN
        RAISE EXCEPTION 'The user has no mailbox %.', p_collection USING ERRCODE = 'DS404';
    END IF;
    -- Two filings of the same mail queue here, so the second finds the first.
    PERFORM pg_advisory_xact_lock(1718185061, mail_filing_key(p_message_id, p_sha256));

    -- DESIGN.md: filing the same mail twice does not make two documents; APPENDUID names the one
    -- there is. An earlier version of a document here counts too: it is not a newer revision.
    -- Driven by the few versions with these bytes or this Message-ID and body (indexed), never by
    -- the collection's entries: the plan cached for this function would otherwise walk the whole
    -- mailbox in UID order on every APPEND (1 ms per APPEND at 500 messages, growing with it).
    WITH candidate AS MATERIALIZED (
        SELECT v.document_id, v.number FROM version v WHERE v.sha256 = p_sha256
        UNION
        SELECT v.document_id, v.number FROM version v JOIN document d ON d.id = v.document_id
         WHERE d.message_id = p_message_id AND v.body_sha256 = p_body_sha256
    )
    SELECT e.uid INTO v_uid
      FROM candidate k
      JOIN entry e ON e.document_id = k.document_id AND k.number <= e.version_number
      JOIN document d ON d.id = e.document_id
     WHERE e.collection_id = p_collection AND d.kind = 'mail'
     ORDER BY e.uid
     LIMIT 1;
    IF v_uid IS NOT NULL THEN
        INSERT INTO audit (principal_id, principal_name, action, collection_id, document_id, address, client, details)
        VALUES (p_actor, p_actor_name, 'append-duplicate', p_collection, NULL, p_address, p_client,
                jsonb_build_object('uid', v_uid::text, 'sha256', encode(p_sha256, 'hex')));
        RETURN QUERY SELECT v_uidvalidity, v_uid, NULL::bigint, 'duplicate'::text, v_unstored;
        RETURN;
    END IF;

    -- Issue #5, versions: a newer revision of a mail this collection holds. Nothing on legal
    -- hold is re-entered (a hold refuses the EXPUNGE of the old UID): such a revision is filed
    -- as a document of its own.
    IF p_message_id IS NOT NULL AND mail_sender(p_structure) IS NOT NULL THEN
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
        -- The current versions with these bytes or this Message-ID and body, found by their
        -- indexes as the duplicate check above finds them (0022: the OR over version and
        -- document was planned as a scan, about a fifth of file_mail's time for every new mail).
        WITH candidate AS MATERIALIZED (
            SELECT v.document_id, v.number FROM version v WHERE v.sha256 = p_sha256
            UNION
            SELECT v.document_id, v.number FROM version v JOIN document d ON d.id = v.document_id
             WHERE d.message_id = p_message_id AND v.body_sha256 = p_body_sha256
        )
        SELECT d.id, d.current_version, d.trashed_at IS NOT NULL INTO v_document, v_version, v_trashed
          FROM candidate k
          JOIN document d ON d.id = k.document_id AND d.current_version = k.number
         WHERE d.kind = 'mail' AND d.parent_document_id IS NULL
           AND ((d.trashed_at IS NULL AND EXISTS (
                    SELECT 1 FROM entry e JOIN collection c ON c.id = e.collection_id
                     WHERE e.document_id = d.id AND c.owner_id = p_user))
                OR (d.trashed_by = p_user AND d.trashed_at > now() - p_window))
         ORDER BY d.trashed_at NULLS FIRST, d.id
         LIMIT 1
           FOR UPDATE OF d;
        IF v_document IS NOT NULL THEN
            v_outcome := CASE WHEN v_trashed THEN 'restored' ELSE 'adopted' END;
            IF v_trashed THEN
                UPDATE document SET trashed_at = NULL, trashed_by = NULL, trashed_from = NULL WHERE id = v_document;
                INSERT INTO change (kind, document_id, principal_id) VALUES ('restore', v_document, p_user);
            END IF;
        ELSE
            v_outcome := 'new';
            v_version := 1;
            IF store_blob(p_sha256, p_size, p_data) THEN
                v_unstored := v_unstored || p_sha256;
            END IF;
            INSERT INTO document (kind, title, message_id, created_by) VALUES ('mail', p_title, p_message_id, p_user)
            RETURNING id INTO v_document;
            INSERT INTO version (document_id, number, sha256, size, media_type, author_id, structure, body_sha256)
            VALUES (v_document, 1, p_sha256, p_size, 'message/rfc822', p_user, p_structure, p_body_sha256);
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
        INSERT INTO entry (collection_id, document_id, version_number, answered, flagged, deleted, draft, internal_date, internal_date_offset)
        VALUES (p_collection, v_document, v_version, p_answered, p_flagged, p_deleted, p_draft, p_internal_date, p_internal_date_offset)
        RETURNING entry.uid, entry.modseq INTO v_uid, v_modseq;
        IF p_seen THEN
            INSERT INTO entry_seen (collection_id, uid, principal_id, modseq) VALUES (p_collection, v_uid, p_user, v_modseq);
        END IF;
        INSERT INTO change (kind, collection_id, document_id, uid, principal_id) VALUES ('append', p_collection, v_document, v_uid, p_user);
    END IF;

    INSERT INTO audit (principal_id, principal_name, action, collection_id, document_id, address, client, details)
    VALUES (p_actor, p_actor_name, CASE WHEN v_outcome = 'version' THEN 'append-version' ELSE 'append' END,
            p_collection, v_document, p_address, p_client,
            jsonb_build_object('uid', v_uid::text, 'size', p_size::text, 'sha256', encode(p_sha256, 'hex'))
            || CASE v_outcome
                   WHEN 'version' THEN jsonb_build_object('version', v_version::text, 'replaced', v_replaced::text)
                   ELSE jsonb_build_object('document', CASE v_outcome WHEN 'new' THEN 'new'
                                                                      WHEN 'restored' THEN 'restored from the trash'
                                                                      ELSE 'already filed elsewhere' END)
               END);

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

    RETURN QUERY SELECT v_uidvalidity, v_uid, v_document, v_outcome, v_unstored;
END $$;
