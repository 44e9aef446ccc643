-- A sequential STORE's fixed cost in PostgreSQL (issue #3, flag STORE at sdbox's rate): besides
-- the rows it writes, every STORE ran two PL/pgSQL trigger calls on entry, each with its own
-- statements: the statement trigger of 0018 (set_config to forget the previous reservation) and
-- the row trigger of 0001/0018 (current_setting, then an UPDATE of the collection row through SPI,
-- with its own executor start-up and the collection's CHECK constraints and trigger condition
-- compiled for it, then set_config to remember the reservation).
--
-- Now store_own_flags (0029) raises the collection's highestmodseq itself, in the statement that
-- rewrites the entries (a CTE that runs only when some entry changes), and sets each rewritten
-- entry's modseq to it; the row trigger runs only for an UPDATE that leaves modseq as it was (or
-- tries to move an entry), so every other writer of entry (store_flags, the retagging in
-- DocumentStore.Governance) still gets its modseq from the trigger as before. The rule for a writer
-- that sets modseq itself: the value comes from raising the collection's highestmodseq in the
-- same statement, so the collection row is locked until commit exactly as the trigger locked it,
-- and the value is above every modseq the mailbox has handed out. The entries are still locked in
-- UID order first and the collection row after them, as before.
--
-- The statement trigger only has something to forget when an earlier UPDATE of this transaction
-- reserved a modseq through the row trigger: its WHEN condition (compared without calling
-- PL/pgSQL) skips it otherwise, which is every single-statement transaction.
DROP TRIGGER IF EXISTS entry_assign_uid_and_modseq ON entry;
CREATE TRIGGER entry_assign_uid_and_modseq BEFORE INSERT ON entry
    FOR EACH ROW EXECUTE FUNCTION entry_assign_uid_and_modseq();
CREATE TRIGGER entry_assign_modseq BEFORE UPDATE ON entry
    FOR EACH ROW
    WHEN (NEW.modseq = OLD.modseq OR NEW.collection_id <> OLD.collection_id OR NEW.uid <> OLD.uid)
    EXECUTE FUNCTION entry_assign_uid_and_modseq();

DROP TRIGGER IF EXISTS entry_modseq_statement ON entry;
CREATE TRIGGER entry_modseq_statement BEFORE UPDATE ON entry
    FOR EACH STATEMENT
    WHEN (current_setting('docstore.entry_modseq', true) <> '')
    EXECUTE FUNCTION entry_modseq_statement();

-- The collection row's six CHECK constraints were compiled again for every statement that updates
-- the row (PostgreSQL keeps them as node strings and parses and plans each per statement: about
-- 5 % of a STORE's backend CPU in perf), and every STORE and APPEND updates it for its modseq.
-- They become a trigger with the same conditions and error code (check_violation, the old
-- constraint's name): on INSERT always, on UPDATE only of the columns they are about, which no
-- modseq or UID allocation names. The counters keep their bounds through
-- collection_counters_only_grow: they only grow from a checked INSERT, so only uidnext's upper
-- bound (UIDs are 32-bit) is left to compare, in its WHEN condition. No BEFORE trigger on
-- collection changes these columns, so checking before the row is written checks what is written.
ALTER TABLE collection
    DROP CONSTRAINT IF EXISTS collection_name_check,
    DROP CONSTRAINT IF EXISTS collection_special_use_check,
    DROP CONSTRAINT IF EXISTS collection_uidvalidity_check,
    DROP CONSTRAINT IF EXISTS collection_uidnext_check,
    DROP CONSTRAINT IF EXISTS collection_highestmodseq_check,
    DROP CONSTRAINT IF EXISTS collection_quota_bytes_check;

CREATE FUNCTION collection_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- "IS FALSE" as a CHECK reads its condition: NULL passes.
    IF (NEW.name <> '' AND strpos(NEW.name, '/') = 0) IS FALSE THEN
        RAISE EXCEPTION 'collection name % is empty or contains "/"', quote_literal(NEW.name)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'collection_name_check', TABLE = 'collection';
    END IF;
    IF (NEW.special_use IN ('\All', '\Archive', '\Drafts', '\Flagged', '\Junk', '\Sent', '\Trash')) IS FALSE THEN
        RAISE EXCEPTION 'special use % is not one of RFC 6154''s', NEW.special_use
            USING ERRCODE = 'check_violation', CONSTRAINT = 'collection_special_use_check', TABLE = 'collection';
    END IF;
    IF (NEW.uidvalidity BETWEEN 1 AND 4294967295) IS FALSE THEN
        RAISE EXCEPTION 'uidvalidity % is not a 32-bit value above 0', NEW.uidvalidity
            USING ERRCODE = 'check_violation', CONSTRAINT = 'collection_uidvalidity_check', TABLE = 'collection';
    END IF;
    IF (NEW.uidnext BETWEEN 1 AND 4294967296) IS FALSE THEN
        RAISE EXCEPTION 'uidnext % is out of the 32-bit UID range', NEW.uidnext
            USING ERRCODE = 'check_violation', CONSTRAINT = 'collection_uidnext_check', TABLE = 'collection';
    END IF;
    IF (NEW.highestmodseq >= 1) IS FALSE THEN
        RAISE EXCEPTION 'highestmodseq % is below 1', NEW.highestmodseq
            USING ERRCODE = 'check_violation', CONSTRAINT = 'collection_highestmodseq_check', TABLE = 'collection';
    END IF;
    IF (NEW.quota_bytes IS NULL OR NEW.quota_bytes >= 0) IS FALSE THEN
        RAISE EXCEPTION 'quota % is negative', NEW.quota_bytes
            USING ERRCODE = 'check_violation', CONSTRAINT = 'collection_quota_bytes_check', TABLE = 'collection';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER collection_check BEFORE INSERT OR UPDATE OF name, special_use, quota_bytes ON collection
    FOR EACH ROW EXECUTE FUNCTION collection_check();

CREATE OR REPLACE FUNCTION collection_counters_only_grow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.uidnext < OLD.uidnext OR NEW.highestmodseq < OLD.highestmodseq THEN
        RAISE EXCEPTION 'uidnext and highestmodseq of collection % may not decrease', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.uidvalidity <> OLD.uidvalidity THEN
        RAISE EXCEPTION 'uidvalidity of living collection % may not change', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.uidnext > 4294967296 THEN
        RAISE EXCEPTION 'collection % has no UIDs left (UIDs are 32-bit)', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'collection_uidnext_check', TABLE = 'collection';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS collection_counters_only_grow ON collection;
CREATE TRIGGER collection_counters_only_grow BEFORE UPDATE ON collection
    FOR EACH ROW
    WHEN (NEW.uidnext < OLD.uidnext OR NEW.highestmodseq < OLD.highestmodseq OR NEW.uidvalidity <> OLD.uidvalidity
          OR NEW.uidnext > 4294967296)
    EXECUTE FUNCTION collection_counters_only_grow();

-- store_own_flags as in 0029, with the collection's new highestmodseq taken in the statement
-- (bumped) and written into the rewritten entries; "where the mailbox stood after" is that value;
-- and the owner checked in the statement that locks the entries instead of one of its own.
CREATE OR REPLACE FUNCTION store_own_flags(
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
    v_general boolean := coalesce(cardinality(p_uids), 0) > 64;
BEGIN
    -- The entries are locked in UID order (as 0029), and the owner is checked in the same statement
    -- (one statement less per STORE): a mailbox of someone else's locks nothing here. Only when
    -- nothing was locked is the owner read on its own, to tell the two cases apart; the owner's
    -- STORE of UIDs the mailbox does not have answers nothing and records nothing, as before.
    IF NOT v_general THEN
        PERFORM 1 FROM entry e
         WHERE e.collection_id = p_collection AND e.uid = ANY(p_uids)
           AND EXISTS (SELECT 1 FROM collection c WHERE c.id = p_collection AND c.owner_id = p_owner)
         ORDER BY e.uid FOR UPDATE;
        IF NOT FOUND THEN
            IF (SELECT c.owner_id FROM collection c WHERE c.id = p_collection) IS NOT DISTINCT FROM p_owner THEN
                RETURN;
            END IF;
            v_general := true;
        END IF;
    END IF;
    IF v_general THEN
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
        ), bumped AS (
            UPDATE collection c SET highestmodseq = c.highestmodseq + 1
             WHERE c.id = p_collection AND EXISTS (SELECT 1 FROM plan p WHERE p.changed)
            RETURNING c.highestmodseq
        ), updated AS (
            UPDATE entry e SET answered = p.answered, flagged = p.flagged, deleted = p.deleted, draft = p.draft, modseq = b.highestmodseq
              FROM plan p CROSS JOIN bumped b
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
            SELECT (SELECT b.highestmodseq FROM bumped b) AS ours,
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
        ), bumped AS (
            UPDATE collection c SET highestmodseq = c.highestmodseq + 1
             WHERE c.id = p_collection AND EXISTS (SELECT 1 FROM plan p WHERE p.changed)
            RETURNING c.highestmodseq
        ), updated AS (
            UPDATE entry e SET answered = p.answered, flagged = p.flagged, deleted = p.deleted, draft = p.draft, modseq = b.highestmodseq
              FROM plan p CROSS JOIN bumped b
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
            SELECT (SELECT b.highestmodseq FROM bumped b) AS ours,
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
        ), bumped AS (
            UPDATE collection c SET highestmodseq = c.highestmodseq + 1
             WHERE c.id = p_collection AND EXISTS (SELECT 1 FROM plan p WHERE p.changed)
            RETURNING c.highestmodseq
        ), updated AS (
            UPDATE entry e SET answered = p.answered, flagged = p.flagged, deleted = p.deleted, draft = p.draft, modseq = b.highestmodseq
              FROM plan p CROSS JOIN bumped b
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
            SELECT (SELECT b.highestmodseq FROM bumped b) AS ours,
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

