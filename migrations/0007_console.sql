-- The web console: server-side sessions behind the session cookie, so that signing out, a
-- disabled account or a reset password ends a session on every node at once (a cookie alone
-- cannot be taken back), and the indexes the console's audit filters and dashboard read by.
CREATE TABLE web_session (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    principal_id bigint      NOT NULL REFERENCES principal (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    address      inet,
    client       text
);
CREATE INDEX web_session_principal ON web_session (principal_id) WHERE ended_at IS NULL;

-- Audit filters page backwards by id (newest first) within an action or a collection.
CREATE INDEX audit_action_id ON audit (action, id);
CREATE INDEX audit_collection ON audit (collection_id, id) WHERE collection_id IS NOT NULL;

-- The dashboard's "filed per day" and "storage per day" read the last weeks only.
CREATE INDEX document_created_at ON document (created_at);
CREATE INDEX blob_created_at ON blob (created_at);
