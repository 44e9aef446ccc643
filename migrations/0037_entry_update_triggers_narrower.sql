-- entry's UPDATE trigger conditions (issue #3, flag STORE at Dovecot sdbox's rate). A trigger's
-- WHEN condition is kept as a node string, and PostgreSQL parses and prepares it again for every
-- statement that updates the table (0036 says the same of collection's), and every STORE updates
-- entry: store_own_flags (0031) sets modseq itself, so its UPDATE paid for two conditions that
-- were false:
--   entry_modseq_statement (0031): WHEN (current_setting('docstore.entry_modseq', true) <> ''),
--     30,700 instructions per STORE;
--   entry_assign_modseq (0031): WHEN (NEW.modseq = OLD.modseq OR NEW.collection_id <>
--     OLD.collection_id OR NEW.uid <> OLD.uid), 40,500 instructions per STORE.
-- (callgrind, bench/pg-callgrind --call bench_store: one STORE +FLAGS.SILENT (\Flagged) of one UID
-- as the server sends it, 1,068,500 instructions with its transaction; the figures are what
-- dropping each trigger saved. collection_counters_only_grow costs 17,500 and change_notify
-- 16,500 there, and neither has a condition left to move.)
--
-- 1. The statement trigger's condition goes into its function (as 0036 did for collection): a
--    statement-level PL/pgSQL call whose IF is prepared once per session costs less than the
--    condition compiled per statement. The reservation is forgotten exactly when it was before.
-- 2. The row trigger's condition keeps only its modseq comparison, which is what decides whether
--    the row gets its modseq from the trigger; a writer that sets modseq itself (store_own_flags)
--    still skips it. The refusal to move an entry to another collection or UID, which the other
--    two comparisons caught for such writers, becomes a trigger of its own on UPDATE OF
--    collection_id, uid: PostgreSQL decides that from the statement's column list, without
--    compiling anything, and no writer of entry names either column. It is named to fire before
--    every other BEFORE UPDATE trigger of entry (they fire in name order), so a move is refused,
--    with the same error, before anything else runs, as the old condition made
--    entry_assign_modseq refuse it first. No BEFORE trigger of entry changes collection_id or
--    uid, so the column list sees every statement that could change them.
--    (Without any condition, entry_assign_modseq's function would run for every row of every
--    STORE: 25,600 instructions less for one UID, but about 15,000 more for each further UID.)
-- callgrind per STORE (as above): 1,068,500 -> 1,022,500 instructions (-46,000, -4.3 %; 1. alone
-- 1,049,600, 2. alone 1,041,600); -FLAGS (\Flagged) 1,053,700 -> 1,007,600 and +FLAGS (\Seen)
-- 1,232,300 -> 1,186,300. What every writer of entry gets, and every refusal, is as before.
CREATE OR REPLACE FUNCTION entry_modseq_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('docstore.entry_modseq', true) <> '' THEN
        PERFORM set_config('docstore.entry_modseq', '', true);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER entry_modseq_statement ON entry;
CREATE TRIGGER entry_modseq_statement BEFORE UPDATE ON entry
    FOR EACH STATEMENT EXECUTE FUNCTION entry_modseq_statement();

CREATE FUNCTION entry_keeps_collection_and_uid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.collection_id <> OLD.collection_id OR NEW.uid <> OLD.uid THEN
        RAISE EXCEPTION 'an entry keeps its collection and UID; file a new entry instead'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER entry_anchored BEFORE UPDATE OF collection_id, uid ON entry
    FOR EACH ROW EXECUTE FUNCTION entry_keeps_collection_and_uid();

DROP TRIGGER entry_assign_modseq ON entry;
CREATE TRIGGER entry_assign_modseq BEFORE UPDATE ON entry
    FOR EACH ROW
    WHEN (NEW.modseq = OLD.modseq)
    EXECUTE FUNCTION entry_assign_uid_and_modseq();
