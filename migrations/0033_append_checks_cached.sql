-- The CHECK constraints a new mail's rows pass (issue #3, APPEND against Dovecot sdbox).
-- PostgreSQL keeps a table's CHECK constraints as node strings and, for every statement that
-- writes the table, parses each again (stringToNode) and plans it (ExecPrepareExpr): a new mail
-- writes blob (2 constraints), blob_chunk (1), document (1), version (4) and entry (2), and
-- callgrind (bench/pg-callgrind) put that at 212,000 of the 2.26 million instructions file_mail
-- and its commit take per new mail. The same rules now live where PostgreSQL compiles them once.
-- This migration moves those of blob, blob_chunk, document and version; 0034 moves entry's two
-- into the trigger every new entry runs. Together with 0034's single trigger, callgrind, per new
-- mail with the wrapper: 2,393,000 -> 2,207,900 instructions (-185,600; file_mail and its commit
-- -8.2 %).
--
-- The columns take domains whose CHECK is the column's old one. A domain's constraints are parsed
-- and planned once per session into the type cache; a statement only builds its small expression.
-- Same refusals, same SQLSTATE (23514, check_violation); the message names the domain and its
-- constraint, which is named after the column's old constraint where the domain serves one column.
-- A CHECK passes NULL, and so does a domain's, so `body_sha256 IS NULL OR length(body_sha256) = 32`
-- is the domain's length rule on a nullable column. Readers see the same values and the same type
-- on the wire (PostgreSQL sends a domain column as its base type).
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
