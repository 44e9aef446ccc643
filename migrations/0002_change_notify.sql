-- Every change row wakes the sessions watching its collection, on every node: pg_notify is
-- transactional (delivered at commit, never for a rolled-back change) and folds identical
-- notifications of one transaction into one.
CREATE FUNCTION change_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.collection_id IS NOT NULL THEN
        PERFORM pg_notify('docstore_collection', NEW.collection_id::text);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER change_notify AFTER INSERT ON change
    FOR EACH ROW EXECUTE FUNCTION change_notify();
