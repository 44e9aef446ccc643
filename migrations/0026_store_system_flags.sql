-- STORE's PostgreSQL time (issue #3). A one-UID STORE sent four statements in one round trip
-- (SET plan_cache_mode, a locking SELECT, the flag statement of MailboxStore.Flags.cs, RESET)
-- and computed the user's rights twice (collection_rights, a tree walk, in the lock and in the
-- statement). perf on the backend put about a quarter of its time in starting the executor for
-- that statement's plan, which also carries the keyword steps (document tags, the other entries
-- of a retagged document) that a STORE of system flags never runs. On the DocStore side Npgsql
-- parsed and hashed the 6 KB statement text on every command.
--
-- This function is the common STORE: +FLAGS or -FLAGS of system flags only (no keyword, so no
-- document's tags change and no entry outside the mailbox is rewritten), for a few UIDs, one or
-- more commands (a pipelined group: @requested / @command_of as in the statement it stands for).
-- What it does is what that statement does for such a STORE: the owner has every right (as
-- collection_rights answers) and anyone else's rights are read once; RFC 4314 §4: \Seen needs
-- "s", \Deleted "t", the others "w", and without "r" nothing is changed or answered; the entries
-- are locked in UID order first (as EXPUNGE does), then a fresh snapshot reads them as they are
-- now; one UPDATE rewrites the changed ones, so the entry trigger (0018) gives them one new
-- modseq; \Seen is this user's (entry_seen); a change row per rewritten entry (its trigger
-- notifies the sessions of every node) and an audit row per command that reached a message,
-- counting as changed what it changed itself. The result rows are those of the statement: each
-- existing UID's flags and modseq, and where the mailbox stood just before and after.
-- p_no_flush: Storage:FlagDurability = fast, this transaction only (set_config local).
CREATE FUNCTION store_system_flags(
    p_collection bigint, p_owner bigint, p_uids bigint[], p_add boolean,
    p_seen boolean, p_answered boolean, p_flagged boolean, p_deleted boolean, p_draft boolean,
    p_requested bigint[], p_command_of integer[],
    p_actor bigint, p_actor_name text, p_address inet, p_client text, p_operation_name text, p_flags_text text,
    p_no_flush boolean)
RETURNS TABLE (o_uid bigint, o_modseq bigint, o_seen boolean, o_answered boolean, o_flagged boolean,
               o_deleted boolean, o_draft boolean, o_keywords text[], o_before bigint, o_after bigint)
LANGUAGE plpgsql
-- A few UIDs: the cached generic plans are index-driven; planning anew each call cost more
-- than running (see MailboxStore.Flags.cs).
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    v_rights text;
    v_s boolean;
    v_w boolean;
    v_t boolean;
BEGIN
    SELECT CASE WHEN c.owner_id = p_owner THEN 'lrswipkxtea' ELSE collection_rights(p_collection, p_owner) END
      INTO v_rights
      FROM collection c WHERE c.id = p_collection;
    IF v_rights IS NULL OR strpos(v_rights, 'r') = 0 THEN
        RETURN;
    END IF;
    IF p_no_flush THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    v_s := strpos(v_rights, 's') > 0;
    v_w := strpos(v_rights, 'w') > 0;
    v_t := strpos(v_rights, 't') > 0;

    PERFORM 1 FROM entry e
     WHERE e.collection_id = p_collection AND e.uid = ANY(p_uids)
     ORDER BY e.uid FOR UPDATE;

    RETURN QUERY
    WITH cur AS MATERIALIZED (
        SELECT e.uid, e.document_id, e.modseq, e.answered, e.flagged, e.deleted, e.draft,
               EXISTS (SELECT 1 FROM entry_seen s
                        WHERE s.collection_id = p_collection AND s.uid = e.uid AND s.principal_id = p_owner) AS seen
          FROM entry e
         WHERE e.collection_id = p_collection AND e.uid = ANY(p_uids)
    ), plan AS MATERIALIZED (
        SELECT c.uid, c.document_id, c.modseq, c.seen AS was_seen, x.seen, x.answered, x.flagged, x.deleted, x.draft,
               x.seen <> c.seen OR x.answered <> c.answered OR x.flagged <> c.flagged OR x.deleted <> c.deleted
                   OR x.draft <> c.draft AS changed
          FROM cur c
         CROSS JOIN LATERAL (SELECT
               CASE WHEN v_s AND p_seen THEN p_add ELSE c.seen END,
               CASE WHEN v_w AND p_answered THEN p_add ELSE c.answered END,
               CASE WHEN v_w AND p_flagged THEN p_add ELSE c.flagged END,
               CASE WHEN v_t AND p_deleted THEN p_add ELSE c.deleted END,
               CASE WHEN v_w AND p_draft THEN p_add ELSE c.draft END
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
        DELETE FROM entry_seen s USING plan p
         WHERE s.collection_id = p_collection AND s.principal_id = p_owner AND s.uid = p.uid AND p.changed AND p.was_seen AND NOT p.seen
    ), logged AS (
        INSERT INTO change (kind, collection_id, document_id, uid, principal_id)
        SELECT 'flags', p_collection, u.document_id, u.uid, p_owner FROM updated u
    ), requested AS (
        SELECT r.uid, r.command FROM unnest(p_requested, p_command_of) AS r(uid, command)
    ), audited AS (
        INSERT INTO audit (principal_id, principal_name, action, collection_id, address, client, details)
        SELECT p_actor, p_actor_name, 'flags', p_collection, p_address, p_client,
               jsonb_build_object('operation', p_operation_name, 'flags', p_flags_text,
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
           CASE WHEN m.first_ours IS NULL THEN (SELECT c.highestmodseq FROM collection c WHERE c.id = p_collection)
                ELSE m.first_ours - 1 END,
           COALESCE(m.last_ours, (SELECT c.highestmodseq FROM collection c WHERE c.id = p_collection))
      FROM plan p
      LEFT JOIN updated u ON u.uid = p.uid
      LEFT JOIN LATERAL (SELECT array_agg(dt.tag ORDER BY dt.tag COLLATE "C") AS tags
                           FROM document_tag dt WHERE dt.document_id = p.document_id) t ON true
     CROSS JOIN mailbox m
     ORDER BY p.uid;
END $$;
