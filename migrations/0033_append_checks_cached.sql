-- The CHECK constraints a new mail's rows pass (issue #3, APPEND against Dovecot sdbox).
-- PostgreSQL keeps a table's CHECK constraints as node strings and, for every statement that
-- writes the table, parses each again (stringToNode) and plans it (ExecPrepareExpr): a new mail
-- writes blob (2 constraints), blob_chunk (1), document (1), version (4) and entry (2), and
-- callgrind (bench/pg-callgrind) put that at 212,000 of the 2.26 million instructions file_mail
-- and its commit take per new mail. The same rules now live where PostgreSQL compiles them once
-- (callgrind, per new mail with the wrapper: 2,393,000 -> 2,226,000 instructions, -168,000; file_mail
-- and its commit -7.4 %):
--
-- 1. blob, blob_chunk, document, version: the columns take domains whose CHECK is the column's
--    old one. A domain's constraints are parsed and planned once per session into the type cache;
--    a statement only builds its small expression. Same refusals, same SQLSTATE (23514,
--    check_violation); the message names the domain and its constraint, which is named after the
--    column's old constraint where the domain serves one column. A CHECK passes NULL, and so does
--    a domain's, so `body_sha256 IS NULL OR length(body_sha256) = 32` is the domain's length rule
--    on a nullable column. Readers see the same values and the same type on the wire (PostgreSQL
--    sends a domain column as its base type).
-- 2. entry: its two rules go into the BEFORE triggers every INSERT already runs (as 0031 did for
--    collection): the UID is checked where the UID trigger hands it out (an UPDATE cannot change
--    it: that trigger refuses it), the internal date's offset in entry_size_from_version, which
--    now also fires on an UPDATE that sets the offset. Same SQLSTATE and constraint name.
--
-- The domains are created without their constraint, the columns changed to them (binary
-- coercible: no rewrite of the tables), and then each constraint added, which checks the rows
-- there are, before the table's own constraint is dropped.
CREATE DOMAIN sha256_digest AS bytea;
CREATE DOMAIN byte_count AS bigint;
CREATE DOMAIN chunk_number AS integer;
CREATE DOMAIN version_number AS integer;
CREATE DOMAIN document_kind AS text;

-- 0030's trigger names version.number among its columns, so it is made again around the change.
DROP TRIGGER version_refuses_delete_under_entry ON version;
ALTER TABLE blob ALTER COLUMN sha256 TYPE sha256_digest, ALTER COLUMN size TYPE byte_count;
ALTER TABLE blob_chunk ALTER COLUMN chunk_no TYPE chunk_number;
ALTER TABLE document ALTER COLUMN kind TYPE document_kind;
ALTER TABLE version ALTER COLUMN number TYPE version_number, ALTER COLUMN size TYPE byte_count,
    ALTER COLUMN file_size TYPE byte_count, ALTER COLUMN body_sha256 TYPE sha256_digest;
CREATE TRIGGER version_refuses_delete_under_entry AFTER DELETE OR UPDATE OF document_id, number ON version
    FOR EACH ROW EXECUTE FUNCTION version_refuses_delete_under_entry();

ALTER DOMAIN sha256_digest ADD CONSTRAINT sha256_digest_check CHECK (length(VALUE) = 32);
ALTER DOMAIN byte_count ADD CONSTRAINT byte_count_check CHECK (VALUE >= 0);
ALTER DOMAIN chunk_number ADD CONSTRAINT blob_chunk_chunk_no_check CHECK (VALUE >= 0);
ALTER DOMAIN version_number ADD CONSTRAINT version_number_check CHECK (VALUE >= 1);
ALTER DOMAIN document_kind ADD CONSTRAINT document_kind_check CHECK (VALUE IN ('mail', 'file'));

ALTER TABLE blob DROP CONSTRAINT blob_sha256_check, DROP CONSTRAINT blob_size_check;
ALTER TABLE blob_chunk DROP CONSTRAINT blob_chunk_chunk_no_check;
ALTER TABLE document DROP CONSTRAINT document_kind_check;
ALTER TABLE version DROP CONSTRAINT version_number_check, DROP CONSTRAINT version_size_check,
    DROP CONSTRAINT version_file_size_check, DROP CONSTRAINT version_body_sha256_check;

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
        -- entry_uid_check (0001), here since 0033: UIDs are 32-bit and above 0 (RFC 9051 §2.3.1.1).
        IF NOT next_uid BETWEEN 1 AND 4294967295 THEN
            RAISE EXCEPTION 'UID % is out of the 32-bit UID range', next_uid
                USING ERRCODE = 'check_violation', CONSTRAINT = 'entry_uid_check', TABLE = 'entry';
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

CREATE OR REPLACE FUNCTION entry_size_from_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- entry_internal_date_offset_check (0003), here since 0033. "IS FALSE" as a CHECK reads it.
    IF (NEW.internal_date_offset BETWEEN -1439 AND 1439) IS FALSE THEN
        RAISE EXCEPTION 'internal date offset % is not within a day', NEW.internal_date_offset
            USING ERRCODE = 'check_violation', CONSTRAINT = 'entry_internal_date_offset_check', TABLE = 'entry';
    END IF;
    IF TG_OP = 'INSERT' OR NEW.document_id <> OLD.document_id OR NEW.version_number <> OLD.version_number THEN
        -- The key-share lock the foreign key's check took: the version stays until this commits.
        SELECT v.size INTO NEW.size FROM version v
         WHERE v.document_id = NEW.document_id AND v.number = NEW.version_number
           FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'version % of document % does not exist', NEW.version_number, NEW.document_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER entry_size_from_version ON entry;
CREATE TRIGGER entry_size_from_version BEFORE INSERT OR UPDATE OF document_id, version_number, internal_date_offset ON entry
    FOR EACH ROW EXECUTE FUNCTION entry_size_from_version();

ALTER TABLE entry DROP CONSTRAINT entry_uid_check, DROP CONSTRAINT entry_internal_date_offset_check;
