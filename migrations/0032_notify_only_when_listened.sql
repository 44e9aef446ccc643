-- A change's notification only when some node listens (issue #3, sequential flag STORE). Every
-- statement that adds change rows notified the collection's channel (0002, 0029), also when no
-- node had a session in IDLE, which since session 12 means no node listens (ChangeListener
-- listens only while a session of its node watches): the notification went into the queue at
-- commit for nobody. In a loop of one-UID STOREs, each committed, that was about 19 µs of the
-- backend's 198 µs per call (trigger disabled: 178 µs).
--
-- How a writer knows that nobody listens, without missing a node that starts listening while the
-- writer's transaction is still open: a listening node holds the advisory lock (1819506798, 0)
-- shared on its listening connection, taken before its LISTEN. A writer first tries to take the
-- same lock exclusively, for its transaction:
--   - It gets it: no node listens. It notifies nothing and holds the lock until it commits or
--     rolls back, so a node that starts listening now waits for this transaction to end before it
--     lets its sessions read what changed; they read this change then (the commit came first).
--   - It does not get it: some node listens (or is about to, or another writer holds it): it
--     notifies as before. A notification committed before the new listener's LISTEN is not
--     delivered to it, but that commit came before the listener let its sessions read, so they
--     read the change.
-- Writers never wait for the lock (try only), so no writer waits for another or for a listener.
-- The key pair (the first one is "lstn") is apart from the filing locks (1718185061, n) of 0014
-- and from the bigint keys of the migration runner and the shared tree.
CREATE OR REPLACE FUNCTION change_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_try_advisory_xact_lock(1819506798, 0) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('docstore_collection', c.collection_id::text)
       FROM (SELECT DISTINCT n.collection_id FROM new_changes n WHERE n.collection_id IS NOT NULL) c;
    RETURN NULL;
END $$;
