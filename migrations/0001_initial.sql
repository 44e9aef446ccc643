-- DocStore schema, version 1: the data model of DESIGN.md.
-- Forward-only: never edit this file once released; add 0002_....sql instead.
-- Invariants the database itself protects are marked "invariant:".

-- Principals: users and groups share one namespace of names (case-insensitive).
CREATE TABLE principal (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text        NOT NULL CHECK (kind IN ('user', 'group')),
    name          text        NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$'),
    display_name  text,
    password_hash text,
    is_admin      boolean     NOT NULL DEFAULT false,
    disabled      boolean     NOT NULL DEFAULT false,
    quota_bytes   bigint      CHECK (quota_bytes IS NULL OR quota_bytes >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- invariant: only users have passwords.
    CHECK (kind = 'user' OR password_hash IS NULL)
);
CREATE UNIQUE INDEX principal_name_key ON principal (lower(name));

CREATE TABLE group_member (
    group_id  bigint NOT NULL REFERENCES principal (id) ON DELETE CASCADE,
    member_id bigint NOT NULL REFERENCES principal (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, member_id),
    CHECK (group_id <> member_id)
);
CREATE INDEX group_member_member ON group_member (member_id);

-- invariant: a group's members hang off a group, never off a user.
CREATE FUNCTION group_member_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT kind FROM principal WHERE id = NEW.group_id) <> 'group' THEN
        RAISE EXCEPTION 'principal % is not a group', NEW.group_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER group_member_check BEFORE INSERT OR UPDATE ON group_member
    FOR EACH ROW EXECUTE FUNCTION group_member_check();

-- UIDVALIDITY comes from one sequence: a collection re-created under an old name always gets
-- a new, larger value (RFC 9051 §2.3.1.1), and no two living collections share one.
CREATE SEQUENCE collection_uidvalidity_seq MINVALUE 1 MAXVALUE 4294967295 NO CYCLE;

-- The collection tree. Personal trees have owner_id set; the shared repository (IMAP
-- "Shared/") has owner_id NULL. A root collection has parent_id NULL.
CREATE TABLE collection (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    object_id      uuid        NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    parent_id      bigint      REFERENCES collection (id),
    owner_id       bigint      REFERENCES principal (id),
    name           text        NOT NULL CHECK (name <> '' AND strpos(name, '/') = 0),
    special_use    text        CHECK (special_use IN ('\All', '\Archive', '\Drafts', '\Flagged', '\Junk', '\Sent', '\Trash')),
    uidvalidity    bigint      NOT NULL DEFAULT nextval('collection_uidvalidity_seq')
                               CHECK (uidvalidity BETWEEN 1 AND 4294967295),
    -- invariant: UIDs are 32-bit and uidnext only grows (trigger below).
    uidnext        bigint      NOT NULL DEFAULT 1 CHECK (uidnext BETWEEN 1 AND 4294967296),
    highestmodseq  bigint      NOT NULL DEFAULT 1 CHECK (highestmodseq >= 1),
    retention      interval,
    legal_hold     boolean     NOT NULL DEFAULT false,
    quota_bytes    bigint      CHECK (quota_bytes IS NULL OR quota_bytes >= 0),
    created_at     timestamptz NOT NULL DEFAULT now()
);
-- invariant: sibling names are unique within one tree (NULL parent or owner counts as a value).
CREATE UNIQUE INDEX collection_sibling_name ON collection (owner_id, parent_id, name) NULLS NOT DISTINCT;
CREATE INDEX collection_parent ON collection (parent_id);

CREATE FUNCTION collection_counters_only_grow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.uidnext < OLD.uidnext OR NEW.highestmodseq < OLD.highestmodseq THEN
        RAISE EXCEPTION 'uidnext and highestmodseq of collection % may not decrease', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.uidvalidity <> OLD.uidvalidity THEN
        RAISE EXCEPTION 'uidvalidity of living collection % may not change', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER collection_counters_only_grow BEFORE UPDATE ON collection
    FOR EACH ROW EXECUTE FUNCTION collection_counters_only_grow();

-- RFC 4314 rights per collection. principal_id NULL means "anyone". Negative rights subtract.
CREATE TABLE acl (
    collection_id bigint  NOT NULL REFERENCES collection (id) ON DELETE CASCADE,
    principal_id  bigint  REFERENCES principal (id) ON DELETE CASCADE,
    negative      boolean NOT NULL DEFAULT false,
    rights        text    NOT NULL CHECK (rights ~ '^[lrswipkxtea]*$'),
    -- false: this collection's entry replaces the inherited one for the principal.
    inherit       boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX acl_identity ON acl (collection_id, principal_id, negative) NULLS NOT DISTINCT;

-- Mailbox subscriptions are by name: RFC 9051 §6.3.7 allows subscribing to names that do not exist.
CREATE TABLE subscription (
    principal_id bigint NOT NULL REFERENCES principal (id) ON DELETE CASCADE,
    mailbox      text   NOT NULL,
    PRIMARY KEY (principal_id, mailbox)
);

-- Content-addressed bytes: stored once however often they are filed, in chunks so that
-- partial FETCH and downloads read only what they need.
CREATE TABLE blob (
    sha256     bytea       PRIMARY KEY CHECK (length(sha256) = 32),
    size       bigint      NOT NULL CHECK (size >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE blob_chunk (
    sha256   bytea   NOT NULL REFERENCES blob (sha256) ON DELETE CASCADE,
    chunk_no integer NOT NULL CHECK (chunk_no >= 0),
    data     bytea   NOT NULL,
    PRIMARY KEY (sha256, chunk_no)
);

CREATE TABLE document (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    object_id          uuid        NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    kind               text        NOT NULL CHECK (kind IN ('mail', 'file')),
    title              text        NOT NULL DEFAULT '',
    parent_document_id bigint      REFERENCES document (id),
    current_version    integer     NOT NULL DEFAULT 1,
    message_id         text,
    properties         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    legal_hold         boolean     NOT NULL DEFAULT false,
    created_by         bigint      REFERENCES principal (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    trashed_at         timestamptz,
    trashed_by         bigint      REFERENCES principal (id)
);
CREATE INDEX document_message_id ON document (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX document_parent ON document (parent_document_id) WHERE parent_document_id IS NOT NULL;
CREATE INDEX document_trashed ON document (trashed_at) WHERE trashed_at IS NOT NULL;

CREATE TABLE version (
    document_id bigint      NOT NULL REFERENCES document (id),
    number      integer     NOT NULL CHECK (number >= 1),
    sha256      bytea       NOT NULL REFERENCES blob (sha256),
    size        bigint      NOT NULL CHECK (size >= 0),
    media_type  text        NOT NULL,
    file_name   text,
    author_id   bigint      REFERENCES principal (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    comment     text,
    -- Parsed once at filing (envelope, body structure, part offsets) so FETCH never re-parses.
    structure   jsonb,
    PRIMARY KEY (document_id, number)
);
-- invariant: a document's current version exists (checked at commit, so both rows can be
-- written in one transaction).
ALTER TABLE document ADD CONSTRAINT document_current_version_fk
    FOREIGN KEY (id, current_version) REFERENCES version (document_id, number)
    DEFERRABLE INITIALLY DEFERRED;

-- Keywords are document tags: the same in every collection that holds the document.
CREATE TABLE document_tag (
    document_id bigint NOT NULL REFERENCES document (id) ON DELETE CASCADE,
    -- an IMAP atom (RFC 9051 flag-keyword): printable ASCII without atom-specials.
    tag         text   NOT NULL CHECK (tag ~ '^[!-~]+$' AND tag !~ '[]["(){}%*\\]'),
    PRIMARY KEY (document_id, tag)
);
CREATE UNIQUE INDEX document_tag_key ON document_tag (document_id, lower(tag));
CREATE INDEX document_tag_tag ON document_tag (lower(tag));

-- An entry is an IMAP message: a document (at a version) in a collection under a UID.
CREATE TABLE entry (
    collection_id  bigint      NOT NULL REFERENCES collection (id),
    uid            bigint      NOT NULL CHECK (uid BETWEEN 1 AND 4294967295),
    -- invariant: no entry without its document and version.
    document_id    bigint      NOT NULL,
    version_number integer     NOT NULL,
    answered       boolean     NOT NULL DEFAULT false,
    flagged        boolean     NOT NULL DEFAULT false,
    deleted        boolean     NOT NULL DEFAULT false,
    draft          boolean     NOT NULL DEFAULT false,
    modseq         bigint      NOT NULL DEFAULT 1,
    internal_date  timestamptz NOT NULL DEFAULT now(),
    save_date      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, uid),
    FOREIGN KEY (document_id, version_number) REFERENCES version (document_id, number)
);
CREATE INDEX entry_document ON entry (document_id);
CREATE INDEX entry_modseq ON entry (collection_id, modseq);

-- invariant: UIDs are handed out by the database, strictly increasing per collection, and
-- every entry change raises the collection's modseq. Locking the collection row also orders
-- concurrent APPENDs, so no client ever sees UID n+1 before UID n has committed.
CREATE FUNCTION entry_assign_uid_and_modseq() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_uid    bigint;
    next_modseq bigint;
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
        UPDATE collection SET highestmodseq = highestmodseq + 1
         WHERE id = NEW.collection_id
        RETURNING highestmodseq INTO next_modseq;
    END IF;
    NEW.modseq := next_modseq;
    RETURN NEW;
END $$;
CREATE TRIGGER entry_assign_uid_and_modseq BEFORE INSERT OR UPDATE ON entry
    FOR EACH ROW EXECUTE FUNCTION entry_assign_uid_and_modseq();

-- \Seen is private to each user (RFC 4314 "s" right), also in shared collections.
CREATE TABLE entry_seen (
    collection_id bigint      NOT NULL,
    uid           bigint      NOT NULL,
    principal_id  bigint      NOT NULL REFERENCES principal (id) ON DELETE CASCADE,
    modseq        bigint      NOT NULL DEFAULT 1,
    seen_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, uid, principal_id),
    FOREIGN KEY (collection_id, uid) REFERENCES entry (collection_id, uid) ON DELETE CASCADE
);

-- Expunged entries leave a tombstone for QRESYNC (RFC 7162 VANISHED).
CREATE TABLE expunged_entry (
    collection_id bigint      NOT NULL REFERENCES collection (id) ON DELETE CASCADE,
    uid           bigint      NOT NULL,
    modseq        bigint      NOT NULL,
    expunged_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, uid)
);
CREATE INDEX expunged_entry_modseq ON expunged_entry (collection_id, modseq);

-- The change feed (transactional outbox): one row per change, in commit order of its sequence;
-- drives the indexer, cross-node notifications and incremental exports.
CREATE TABLE change (
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    kind          text        NOT NULL,
    collection_id bigint,
    document_id   bigint,
    uid           bigint,
    principal_id  bigint,
    data          jsonb
);

-- The audit trail: append-only, enforced below.
CREATE TABLE audit (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    principal_id   bigint,
    principal_name text,
    action         text        NOT NULL,
    collection_id  bigint,
    document_id    bigint,
    address        inet,
    client         text,
    details        jsonb
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_principal ON audit (principal_id, at);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
