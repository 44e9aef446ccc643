-- One function for every STORE (issue #3, debt D4 of session 8): store_system_flags (0026) ran
-- the common STORE (system flags added or removed on a few UIDs) and MailboxStore.Flags.cs kept
-- a second, 6 KB statement for keywords, FLAGS (replace) and many UIDs that repeated its rights,
-- plan, audit and change steps. store_flags runs them all; the keyword steps (document tags and
-- the other entries of a retagged document) run only when keywords are named or the operation
-- replaces, as statements of their own, so the common STORE's plan carries none of them.
--
-- What a STORE does (RFC 4314 §4 for the rights): the owner has every right (as collection_rights
-- answers) and anyone else's rights are read once; \Seen needs "s", \Deleted "t", the other flags
-- and keywords "w", and without "r" nothing is changed or answered. The entries are locked in UID
-- order first (as EXPUNGE does), so two STOREs on overlapping UIDs queue instead of deadlocking;
-- each later statement reads the locked rows as they are now. Keywords are the document's tags: a
-- tag already present keeps its spelling when asked for in another case, and every other entry
-- holding a retagged document is rewritten (a new modseq, a change row for its mailbox). One
-- UPDATE rewrites the changed entries of the mailbox, so the entry trigger (0018) gives them one
-- new modseq; \Seen is this user's (entry_seen); a change row per rewritten entry (its trigger
-- notifies the sessions of every node) and an audit row per command that reached a message,
-- counting as changed what it changed itself (p_requested / p_command_of name each command's
-- UIDs when a pipelined group runs as one). The result: each existing UID's flags, keywords and
-- modseq, and where the mailbox stood just before and after the change (before is NULL when other
-- entries of the mailbox were rewritten too, so the session asks what changed).
--
-- Plans: a few UIDs (nearly every STORE) run on the cached generic plans (planning anew for each
-- call cost more than running). A generic plan is made once per connection with the statistics of
-- that moment and kept, so it must be right for any table size: store_system_flags looked \Seen up
-- with EXISTS, which its plan ran as one read of all the user's seen rows of the mailbox per STORE
-- (a hashed subplan), and a plan made while entry_seen was small scans it sequentially; either way
-- each STORE got slower with every message the user had read (three rounds of 1,000 sequential
-- STOREs of \Seen: 317, 228, 157 msg/s). So every lookup is a probe by a row's whole key (LATERAL
-- ... LIMIT 1) and sequential scans are off (StoreFlagsPlanTests counts the rows read).
-- More than 64 UIDs (FETCH's \Seen over a whole mailbox) get plans for the actual numbers, with
-- sequential scans allowed: a generic plan may loop where a hash join is right (11 s instead of
-- 3 s for 5,000 UIDs). Both settings are this call's (the SET clause restores them at its end).
-- p_no_flush: Storage:FlagDurability = fast, this transaction only (set_config local).
DROP FUNCTION store_system_flags(bigint, bigint, bigint[], boolean, boolean, boolean, boolean, boolean, boolean,
                                 bigint[], integer[], bigint, text, inet, text, text, text, boolean);

CREATE FUNCTION store_flags(
    p_collection bigint, p_owner bigint, p_uids bigint[], p_operation text,
    p_seen boolean, p_answered boolean, p_flagged boolean, p_deleted boolean, p_draft boolean, p_keywords text[],
    p_requested bigint[], p_command_of integer[],
    p_actor bigint, p_actor_name text, p_address inet, p_client text, p_flags_text text,
    p_no_flush boolean)
RETURNS TABLE (o_uid bigint, o_modseq bigint, o_seen boolean, o_answered boolean, o_flagged boolean,
               o_deleted boolean, o_draft boolean, o_keywords text[], o_before bigint, o_after bigint)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
DECLARE
    v_rights text;
    v_s boolean;
    v_w boolean;
    v_t boolean;
    v_replace boolean := p_operation = 'replace';
    v_add boolean := p_operation = 'add';
    v_retagged bigint[] := '{}';
    v_touched_here bigint := 0;
BEGIN
    IF p_operation NOT IN ('add', 'remove', 'replace') THEN
        RAISE EXCEPTION 'unknown flag operation %', p_operation USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT CASE WHEN c.owner_id = p_owner THEN 'lrswipkxtea' ELSE collection_rights(p_collection, p_owner) END
      INTO v_rights
      FROM collection c WHERE c.id = p_collection;
    IF v_rights IS NULL OR strpos(v_rights, 'r') = 0 THEN
        RETURN;
    END IF;
    IF p_no_flush THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    IF cardinality(p_uids) > 64 THEN
        PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
        PERFORM set_config('enable_seqscan', 'on', true);
    END IF;
    v_s := strpos(v_rights, 's') > 0;
    v_w := strpos(v_rights, 'w') > 0;
    v_t := strpos(v_rights, 't') > 0;

    PERFORM 1 FROM entry e
     WHERE e.collection_id = p_collection AND e.uid = ANY(p_uids)
     ORDER BY e.uid FOR UPDATE;

    IF v_w AND (v_replace OR cardinality(p_keywords) > 0) THEN
        WITH tagged AS MATERIALIZED (
            SELECT d.document_id, t.tags AS before, ARRAY(
                       SELECT x FROM (
                           SELECT tg FROM unnest(t.tags) tg
                            WHERE CASE p_operation WHEN 'add' THEN true
                                  WHEN 'remove' THEN NOT lower(tg) = ANY(SELECT lower(k) FROM unnest(p_keywords) k)
                                  ELSE lower(tg) = ANY(SELECT lower(k) FROM unnest(p_keywords) k) END
                           UNION ALL
                           SELECT k FROM unnest(p_keywords) k
                            WHERE p_operation <> 'remove' AND NOT lower(k) = ANY(SELECT lower(tg) FROM unnest(t.tags) tg)) n(x)
                        ORDER BY x COLLATE "C") AS after
              FROM (SELECT DISTINCT e.document_id FROM entry e
                     WHERE e.collection_id = p_collection AND e.uid = ANY(p_uids)) d
             CROSS JOIN LATERAL (SELECT COALESCE(array_agg(dt.tag ORDER BY dt.tag COLLATE "C"), '{}') AS tags
                                   FROM document_tag dt WHERE dt.document_id = d.document_id) t
        ), untagged AS (
            DELETE FROM document_tag t
             WHERE t.document_id = ANY(ARRAY(SELECT document_id FROM tagged WHERE after <> before))
               AND NOT EXISTS (SELECT 1 FROM tagged g WHERE g.document_id = t.document_id AND t.tag = ANY(g.after))
        ), newtags AS (
            INSERT INTO document_tag (document_id, tag)
            SELECT g.document_id, x FROM tagged g CROSS JOIN unnest(g.after) x WHERE g.after <> g.before AND NOT x = ANY(g.before)
            ON CONFLICT DO NOTHING
        )
        SELECT COALESCE(array_agg(g.document_id), '{}') INTO v_retagged FROM tagged g WHERE g.after <> g.before;

        -- Every other entry of a retagged document shows the new keywords: a new modseq and a
        -- change row for its mailbox.
        IF cardinality(v_retagged) > 0 THEN
            WITH touched AS (
                UPDATE entry e SET answered = e.answered
                 WHERE e.document_id = ANY(v_retagged)
                   AND NOT (e.collection_id = p_collection AND e.uid = ANY(p_uids))
                RETURNING e.collection_id, e.uid, e.document_id
            ), logged AS (
                INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
                SELECT 'flags', t.collection_id, t.document_id, t.uid, p_owner FROM touched t
            )
            SELECT count(*) FILTER (WHERE t.collection_id = p_collection) INTO v_touched_here FROM touched t;
        END IF;
    END IF;

    RETURN QUERY
    WITH cur AS MATERIALIZED (
        SELECT e.uid, e.document_id, e.modseq, e.answered, e.flagged, e.deleted, e.draft, s.seen IS NOT NULL AS seen
          FROM entry e
          LEFT JOIN LATERAL (SELECT true AS seen FROM entry_seen s
                              WHERE s.collection_id = p_collection AND s.uid = e.uid AND s.principal_id = p_owner LIMIT 1) s ON true
         WHERE e.collection_id = p_collection AND e.uid = ANY(p_uids)
    ), plan AS MATERIALIZED (
        SELECT c.uid, c.document_id, c.modseq, c.seen AS was_seen, x.seen, x.answered, x.flagged, x.deleted, x.draft,
               x.seen <> c.seen OR x.answered <> c.answered OR x.flagged <> c.flagged OR x.deleted <> c.deleted
                   OR x.draft <> c.draft OR c.document_id = ANY(v_retagged) AS changed
          FROM cur c
         CROSS JOIN LATERAL (SELECT
               CASE WHEN NOT v_s THEN c.seen WHEN v_replace THEN p_seen WHEN p_seen THEN v_add ELSE c.seen END,
               CASE WHEN NOT v_w THEN c.answered WHEN v_replace THEN p_answered WHEN p_answered THEN v_add ELSE c.answered END,
               CASE WHEN NOT v_w THEN c.flagged WHEN v_replace THEN p_flagged WHEN p_flagged THEN v_add ELSE c.flagged END,
               CASE WHEN NOT v_t THEN c.deleted WHEN v_replace THEN p_deleted WHEN p_deleted THEN v_add ELSE c.deleted END,
               CASE WHEN NOT v_w THEN c.draft WHEN v_replace THEN p_draft WHEN p_draft THEN v_add ELSE c.draft END
               ) x(seen, answered, flagged, deleted, draft)
    ), updated AS (
        UPDATE entry e SET answered = p.answered, flagged = p.flagged, deleted = p.deleted, draft = p.draft
          FROM plan p
         WHERE e.collection_id = p_collection AND e.uid = p.uid AND p.changed
        RETURNING e.uid, e.document_id, e.modseq
    ), seen AS (
        INSERT INTO entry_seen (collection_id, uid, principal_id, modseq)
        SELECT p_collection, u.uid, p_owner, u.modseq FROM updated u JOIN plan p ON p.uid = u.uid WHERE p.seen AND NOT p.was_seen
        ON CONFLICT DO NOTHING
    ), unseen AS (
        -- Each row found by its whole key: "uid = ANY(...)" let a plan made on a small table
        -- read all the user's seen rows of the mailbox and filter them.
        DELETE FROM entry_seen s
         WHERE s.ctid = ANY(ARRAY(
               SELECT k.ctid FROM plan p
                CROSS JOIN LATERAL (SELECT s2.ctid FROM entry_seen s2
                                     WHERE s2.collection_id = p_collection AND s2.uid = p.uid AND s2.principal_id = p_owner LIMIT 1) k
                WHERE p.changed AND p.was_seen AND NOT p.seen))
    ), logged AS (
        INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
        SELECT 'flags', p_collection, u.document_id, u.uid, p_owner FROM updated u
    ), requested AS (
        SELECT r.uid, r.command FROM unnest(p_requested, p_command_of) AS r(uid, command)
    ), audited AS (
        INSERT INTO audit (principal_id, principal_name, action, collection_id, address, client, details)
        SELECT p_actor, p_actor_name, 'flags', p_collection, p_address, p_client,
               jsonb_build_object('operation', initcap(p_operation), 'flags', p_flags_text,
                                  'uids', a.uids::text, 'changed', a.changed::text)
          FROM (SELECT r.command, count(*) AS uids,
                       count(*) FILTER (WHERE p.changed AND NOT EXISTS (
                           SELECT 1 FROM requested e WHERE e.uid = r.uid AND e.command < r.command)) AS changed
                  FROM requested r JOIN plan p ON p.uid = r.uid
                 GROUP BY r.command) a
         ORDER BY a.command
    ), mailbox AS (
        SELECT (SELECT min(u.modseq) FROM updated u) AS first_ours, (SELECT max(u.modseq) FROM updated u) AS last_ours
    )
    SELECT p.uid, COALESCE(u.modseq, p.modseq), p.seen, p.answered, p.flagged, p.deleted, p.draft,
           COALESCE(t.tags, '{}'),
           CASE WHEN v_touched_here > 0 THEN NULL
                WHEN m.first_ours IS NULL THEN (SELECT c.highestmodseq FROM collection c WHERE c.id = p_collection)
                ELSE m.first_ours - 1 END,
           COALESCE(m.last_ours, (SELECT c.highestmodseq FROM collection c WHERE c.id = p_collection))
      FROM plan p
      LEFT JOIN updated u ON u.uid = p.uid
      LEFT JOIN LATERAL (SELECT array_agg(dt.tag ORDER BY dt.tag COLLATE "C") AS tags
                           FROM document_tag dt WHERE dt.document_id = p.document_id) t ON true
     CROSS JOIN mailbox m
     ORDER BY p.uid;
END $$;
