-- A message's size beside its entry (issue #3, first sync): SELECT lists every entry of the
-- mailbox with its RFC822.SIZE, and reading it from the version row meant reading the version
-- table, whose rows carry the stored structure (about a kilobyte each): after a restart that
-- was most of what SELECT read from disk. An entry never changes its version, so the copy
-- cannot go stale; version.size stays the truth and the copy is set on every insert.
ALTER TABLE entry ADD COLUMN size bigint;

-- The entries filed before this migration. Not a change clients must hear of: the trigger that
-- raises modseq on every update is held off while the copy is made.
ALTER TABLE entry DISABLE TRIGGER entry_assign_uid_and_modseq;
UPDATE entry e SET size = v.size
  FROM version v
 WHERE v.document_id = e.document_id AND v.number = e.version_number;
ALTER TABLE entry ENABLE TRIGGER entry_assign_uid_and_modseq;
ALTER TABLE entry ALTER COLUMN size SET NOT NULL;

-- Every path that files an entry (file_mail, COPY, REPLACE, restore, uploads) gets the size
-- without restating it.
CREATE FUNCTION entry_size_from_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.document_id <> OLD.document_id OR NEW.version_number <> OLD.version_number THEN
        -- No such version: 0 here, and the foreign key refuses the entry with its own error.
        NEW.size := COALESCE((SELECT v.size FROM version v WHERE v.document_id = NEW.document_id AND v.number = NEW.version_number), 0);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER entry_size_from_version BEFORE INSERT OR UPDATE OF document_id, version_number ON entry
    FOR EACH ROW EXECUTE FUNCTION entry_size_from_version();
