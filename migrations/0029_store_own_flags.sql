-- The common STORE on a lean path (issue #3, flag STORE at sdbox's rate): +FLAGS or -FLAGS of
-- system flags only, on at most 64 UIDs of a mailbox the user owns, which is nearly every STORE a
-- mail client sends (\Seen when a message is read, \Flagged, \Deleted before EXPUNGE) and every
-- command of a pipelined group. store_flags (0027) runs such a group with the steps of every form
-- of STORE: the attribution of each change to the command that made it (a join of the commands'
-- UIDs with the plan), an audit row per command (seven index entries each) and a change_notify
-- call per change row. In an A/B of pipelined STOREs (32 in flight, groups of about 16) the
-- function spent 129 µs per STORE there and store_own_flags 70 µs; a single STORE costs the same
-- in both (about 0.77 ms on the shared machine: the entry update with its three index entries and
-- the modseq trigger's collection update, the audit row, the change row, the commit).
--
-- store_own_flags does what store_flags does for such a STORE, as store_flags (0027) describes:
-- the owner has every right; the entries are locked in UID order first, then a fresh snapshot
-- reads them with this user's \Seen; one UPDATE rewrites the changed entries, so the entry trigger
-- (0018) gives them one new modseq; \Seen is this user's (entry_seen); a change row per rewritten
-- entry (its trigger notifies the sessions of every node); the result is each existing UID's flags,
-- keywords and modseq and where the mailbox stood just before and after the change. The statement
-- is one of three, each with only the steps its case needs: no \Seen named, \Seen added, \Seen
-- removed. The audit trail gets one row per call that reached a message: a pipelined group of
-- STOREs (p_commands > 1) is recorded as one flag change with the number of its commands, the
-- UIDs it reached and how many of them it changed, instead of one row per command (each row is
-- seven index entries). Anything else (another user's mailbox, more UIDs) goes to store_flags.
-- p_no_flush: Storage:FlagDurability = fast, this transaction only (set_config local).
CREATE FUNCTION store_own_flags(
    p_collection bigint, p_owner bigint, p_uids bigint[], p_add boolean,
    p_seen boolean, p_answered boolean, p_flagged boolean, p_deleted boolean, p_draft boolean, p_commands integer,
    p_actor bigint, p_actor_name text, p_address inet, p_client text, p_flags_text text,
    p_no_flush boolean)
RETURNS TABLE (o_uid bigint, o_modseq bigint, o_seen boolean, o_answered boolean, o_flagged boolean,
               o_deleted boolean, o_draft boolean, o_keywords text[], o_before bigint, o_after bigint)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
DECLARE
    v_details jsonb;
BEGIN
    IF cardinality(p_uids) > 64
       OR (SELECT c.owner_id FROM collection c WHERE c.id = p_collection) IS DISTINCT FROM p_owner THEN
        RETURN QUERY SELECT * FROM store_flags(p_collection, p_owner, p_uids, CASE WHEN p_add THEN 'add' ELSE 'remove' END,
            p_seen, p_answered, p_flagged, p_deleted, p_draft, '{}', p_uids, array_fill(1, ARRAY[cardinality(p_uids)]),
            p_actor, p_actor_name, p_address, p_client, p_flags_text, p_no_flush);
        RETURN;
    END IF;
    IF p_no_flush THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    v_details := jsonb_build_object('operation', CASE WHEN p_add THEN 'Add' ELSE 'Remove' END, 'flags', p_flags_text);
    IF p_commands > 1 THEN
        v_details := v_details || jsonb_build_object('commands', p_commands::text);
    END IF;

    PERFORM 1 FROM entry e
     WHERE e.collection_id = p_collection AND e.uid = ANY(p_uids)
     ORDER BY e.uid FOR UPDATE;

    IF NOT p_seen THEN
        RETURN QUERY
        WITH plan AS MATERIALIZED (
            SELECT e.uid, e.document_id, e.modseq, s.seen IS NOT NULL AS seen,
                   CASE WHEN p_answered THEN p_add ELSE e.answered END AS answered,
                   CASE WHEN p_flagged THEN p_add ELSE e.flagged END AS flagged,
                   CASE WHEN p_deleted THEN p_add ELSE e.deleted END AS deleted,
                   CASE WHEN p_draft THEN p_add ELSE e.draft END AS draft,
                   (p_answered AND e.answered <> p_add) OR (p_flagged AND e.flagged <> p_add)
                       OR (p_deleted AND e.deleted <> p_add) OR (p_draft AND e.draft <> p_add) AS changed
              FROM entry e
              LEFT JOIN LATERAL (SELECT true AS seen FROM entry_seen s
                                  WHERE s.collection_id = p_collection AND s.uid = e.uid AND s.principal_id = p_owner LIMIT 1) s ON true
             WHERE e.collection_id = p_collection AND e.uid = ANY(p_uids)
        ), updated AS (
            UPDATE entry e SET answered = p.answered, flagged = p.flagged, deleted = p.deleted, draft = p.draft
              FROM plan p
             WHERE e.collection_id = p_collection AND e.uid = p.uid AND p.changed
            RETURNING e.uid, e.document_id, e.modseq
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
            SELECT 'flags', p_collection, u.document_id, u.uid, p_owner FROM updated u
        ), audited AS (
            INSERT INTO audit (principal_id, principal_name, action, collection_id, address, client, details)
            SELECT p_actor, p_actor_name, 'flags', p_collection, p_address, p_client,
                   v_details || jsonb_build_object('uids', count(*)::text, 'changed', count(*) FILTER (WHERE p.changed)::text)
              FROM plan p HAVING count(*) > 0
        ), mailbox AS (
            SELECT (SELECT max(u.modseq) FROM updated u) AS ours,
                   (SELECT c.highestmodseq FROM collection c WHERE c.id = p_collection) AS highest
        )
        SELECT p.uid, COALESCE(u.modseq, p.modseq), p.seen, p.answered, p.flagged, p.deleted, p.draft,
               ARRAY(SELECT dt.tag FROM document_tag dt WHERE dt.document_id = p.document_id ORDER BY dt.tag COLLATE "C"),
               COALESCE(m.ours - 1, m.highest), COALESCE(m.ours, m.highest)
          FROM plan p
          LEFT JOIN updated u ON u.uid = p.uid
         CROSS JOIN mailbox m
         ORDER BY p.uid;
    ELSIF p_add THEN
        RETURN QUERY
        WITH plan AS MATERIALIZED (
            SELECT e.uid, e.document_id, e.modseq,
                   CASE WHEN p_answered THEN p_add ELSE e.answered END AS answered,
                   CASE WHEN p_flagged THEN p_add ELSE e.flagged END AS flagged,
                   CASE WHEN p_deleted THEN p_add ELSE e.deleted END AS deleted,
                   CASE WHEN p_draft THEN p_add ELSE e.draft END AS draft,
                   s.seen IS NULL OR (p_answered AND NOT e.answered) OR (p_flagged AND NOT e.flagged)
                       OR (p_deleted AND NOT e.deleted) OR (p_draft AND NOT e.draft) AS changed,
                   s.seen IS NULL AS newly_seen
              FROM entry e
              LEFT JOIN LATERAL (SELECT true AS seen FROM entry_seen s
                                  WHERE s.collection_id = p_collection AND s.uid = e.uid AND s.principal_id = p_owner LIMIT 1) s ON true
             WHERE e.collection_id = p_collection AND e.uid = ANY(p_uids)
        ), updated AS (
            UPDATE entry e SET answered = p.answered, flagged = p.flagged, deleted = p.deleted, draft = p.draft
              FROM plan p
             WHERE e.collection_id = p_collection AND e.uid = p.uid AND p.changed
            RETURNING e.uid, e.document_id, e.modseq
        ), seen AS (
            INSERT INTO entry_seen (collection_id, uid, principal_id, modseq)
            SELECT p_collection, u.uid, p_owner, u.modseq FROM updated u JOIN plan p ON p.uid = u.uid WHERE p.newly_seen
            ON CONFLICT DO NOTHING
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
            SELECT 'flags', p_collection, u.document_id, u.uid, p_owner FROM updated u
        ), audited AS (
            INSERT INTO audit (principal_id, principal_name, action, collection_id, address, client, details)
            SELECT p_actor, p_actor_name, 'flags', p_collection, p_address, p_client,
                   v_details || jsonb_build_object('uids', count(*)::text, 'changed', count(*) FILTER (WHERE p.changed)::text)
              FROM plan p HAVING count(*) > 0
        ), mailbox AS (
            SELECT (SELECT max(u.modseq) FROM updated u) AS ours,
                   (SELECT c.highestmodseq FROM collection c WHERE c.id = p_collection) AS highest
        )
        SELECT p.uid, COALESCE(u.modseq, p.modseq), true, p.answered, p.flagged, p.deleted, p.draft,
               ARRAY(SELECT dt.tag FROM document_tag dt WHERE dt.document_id = p.document_id ORDER BY dt.tag COLLATE "C"),
               COALESCE(m.ours - 1, m.highest), COALESCE(m.ours, m.highest)
          FROM plan p
          LEFT JOIN updated u ON u.uid = p.uid
         CROSS JOIN mailbox m
         ORDER BY p.uid;
    ELSE
        RETURN QUERY
        WITH plan AS MATERIALIZED (
            SELECT e.uid, e.document_id, e.modseq, s.ctid AS seen_row,
                   CASE WHEN p_answered THEN p_add ELSE e.answered END AS answered,
                   CASE WHEN p_flagged THEN p_add ELSE e.flagged END AS flagged,
                   CASE WHEN p_deleted THEN p_add ELSE e.deleted END AS deleted,
                   CASE WHEN p_draft THEN p_add ELSE e.draft END AS draft,
                   s.ctid IS NOT NULL OR (p_answered AND e.answered) OR (p_flagged AND e.flagged)
                       OR (p_deleted AND e.deleted) OR (p_draft AND e.draft) AS changed
              FROM entry e
              LEFT JOIN LATERAL (SELECT s.ctid FROM entry_seen s
                                  WHERE s.collection_id = p_collection AND s.uid = e.uid AND s.principal_id = p_owner LIMIT 1) s ON true
             WHERE e.collection_id = p_collection AND e.uid = ANY(p_uids)
        ), updated AS (
            UPDATE entry e SET answered = p.answered, flagged = p.flagged, deleted = p.deleted, draft = p.draft
              FROM plan p
             WHERE e.collection_id = p_collection AND e.uid = p.uid AND p.changed
            RETURNING e.uid, e.document_id, e.modseq
        ), unseen AS (
            -- The rows found by their whole key above (see StoreFlagsPlanTests in 0027's comment).
            DELETE FROM entry_seen s WHERE s.ctid = ANY(ARRAY(SELECT p.seen_row FROM plan p WHERE p.seen_row IS NOT NULL))
        ), logged AS (
            INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
            SELECT 'flags', p_collection, u.document_id, u.uid, p_owner FROM updated u
        ), audited AS (
            INSERT INTO audit (principal_id, principal_name, action, collection_id, address, client, details)
            SELECT p_actor, p_actor_name, 'flags', p_collection, p_address, p_client,
                   v_details || jsonb_build_object('uids', count(*)::text, 'changed', count(*) FILTER (WHERE p.changed)::text)
              FROM plan p HAVING count(*) > 0
        ), mailbox AS (
            SELECT (SELECT max(u.modseq) FROM updated u) AS ours,
                   (SELECT c.highestmodseq FROM collection c WHERE c.id = p_collection) AS highest
        )
        SELECT p.uid, COALESCE(u.modseq, p.modseq), false, p.answered, p.flagged, p.deleted, p.draft,
               ARRAY(SELECT dt.tag FROM document_tag dt WHERE dt.document_id = p.document_id ORDER BY dt.tag COLLATE "C"),
               COALESCE(m.ours - 1, m.highest), COALESCE(m.ours, m.highest)
          FROM plan p
          LEFT JOIN updated u ON u.uid = p.uid
         CROSS JOIN mailbox m
         ORDER BY p.uid;
    END IF;
END $$;

-- One call of change_notify per statement that adds change rows, not one per row: a pipelined
-- group of STOREs rewrites its entries in one statement and adds a change row for each, and every
-- row's call notified the same channel with the same payload, which PostgreSQL folds into one
-- notification per transaction anyway (0002). What is notified, and when (at commit), is as before.
DROP TRIGGER change_notify ON change;
CREATE OR REPLACE FUNCTION change_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('docstore_collection', c.collection_id::text)
       FROM (SELECT DISTINCT n.collection_id FROM new_changes n WHERE n.collection_id IS NOT NULL) c;
    RETURN NULL;
END $$;
CREATE TRIGGER change_notify AFTER INSERT ON change
    REFERENCING NEW TABLE AS new_changes
    FOR EACH STATEMENT EXECUTE FUNCTION change_notify();
