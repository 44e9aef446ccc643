-- Rewriting entries raised the collection's highestmodseq once per row (0001): a STORE or a
-- FETCH's \Seen over 5,000 messages updated the collection row 5,000 times in one transaction
-- (5,000 row versions of one row, each through collection_counters_only_grow), about 3 s.
-- Now one UPDATE statement raises each collection it rewrites entries of once, and every entry
-- it rewrites there gets that one new modseq (RFC 7162 §3.1: messages changed by one operation
-- may share a mod-sequence; every later change gets a higher one). INSERT keeps one UID and one
-- modseq per row: UIDs must differ.
--
-- How: a statement-level trigger forgets what the previous UPDATE statement on entry reserved
-- (a transaction-local setting, so nothing outlives the transaction); the row trigger reserves
-- a modseq for a collection the first time the statement rewrites one of its entries and reuses
-- it after that. The collection row stays locked from the first reservation to the commit, as
-- before, so no other transaction can hand out a modseq in between, and readers see all of the
-- statement's entries or none. Two UPDATE statements in one transaction get two modseqs.
CREATE FUNCTION entry_modseq_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('docstore.entry_modseq', '', true);
    RETURN NULL;
END $$;
CREATE TRIGGER entry_modseq_statement BEFORE UPDATE ON entry
    FOR EACH STATEMENT EXECUTE FUNCTION entry_modseq_statement();

CREATE OR REPLACE FUNCTION entry_assign_uid_and_modseq() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_uid    bigint;
    next_modseq bigint;
    reserved    text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE collection SET uidnext = uidnext + 1, highestmodseq = highestmodseq + 1
         WHERE id = NEW.collection_id
        RETURNING uidnext - 1, highestmodseq INTO next_uid, next_modseq;
        IF next_uid IS NULL THEN
            RAISE EXCEPTION 'collection % does not exist', NEW.collection_id USING ERRCODE = 'foreign_key_violation';
        END IF;
        NEW.uid := next_uid;
    ELSE
        IF NEW.collection_id <> OLD.collection_id OR NEW.uid <> OLD.uid THEN
            RAISE EXCEPTION 'an entry keeps its collection and UID; file a new entry instead'
                USING ERRCODE = 'check_violation';
        END IF;
        -- "collection:modseq" of this statement's reservation, or '' / NULL before the first.
        reserved := current_setting('docstore.entry_modseq', true);
        IF reserved IS NOT NULL AND reserved <> '' AND split_part(reserved, ':', 1)::bigint = NEW.collection_id THEN
            next_modseq := split_part(reserved, ':', 2)::bigint;
        ELSE
            UPDATE collection SET highestmodseq = highestmodseq + 1
             WHERE id = NEW.collection_id
            RETURNING highestmodseq INTO next_modseq;
            PERFORM set_config('docstore.entry_modseq', NEW.collection_id::text || ':' || next_modseq::text, true);
        END IF;
    END IF;
    NEW.modseq := next_modseq;
    RETURN NEW;
END $$;
