-- The harness's fixture, applied after the migrations: one user, one mailbox, and 1,320 generated
-- mails (14-23 KB, a fresh Message-ID each, no attachments, text that lz4 compresses as the load
-- generator's mails do) with their SHA-256s and parsed structure, so a filing's own cost is what
-- the difference of two runs measures (building a mail is not part of it).
INSERT INTO principal (kind, name) VALUES ('user', 'bench');
INSERT INTO collection (owner_id, name) SELECT id, 'INBOX' FROM principal WHERE name = 'bench';

SELECT setseed(0.15);
CREATE TABLE bench_mail (n integer PRIMARY KEY, message_id text, data bytea, sha256 bytea, body_sha256 bytea,
                         structure jsonb, header_length integer);
-- Stored uncompressed: the filing gets the raw bytes, as from the wire, and compresses them itself.
ALTER TABLE bench_mail ALTER data SET STORAGE EXTERNAL;
INSERT INTO bench_mail (n, message_id, data, header_length)
SELECT m.n, h.message_id, convert_to(h.header || b.body, 'UTF8'), octet_length(convert_to(h.header, 'UTF8'))
  FROM generate_series(1, 1320) AS m(n)
 CROSS JOIN LATERAL (SELECT format('<bench-%s-%s@bench.example>', m.n, md5(random()::text)) AS message_id) i
 CROSS JOIN LATERAL (SELECT format(E'Return-Path: <alice@bench.example>\r\nReceived: from mx.bench.example by docstore; %s\r\n'
                                   'Message-ID: %s\r\nDate: Sun, 29 Nov 2026 05:00:00 +0000\r\nFrom: Alice <alice@bench.example>\r\n'
                                   'To: Bob <bob@bench.example>\r\nSubject: Bench mail %s\r\nMIME-Version: 1.0\r\n'
                                   'Content-Type: text/plain; charset=utf-8\r\n\r\n', md5(random()::text), i.message_id, m.n) AS header,
                            i.message_id) h
 CROSS JOIN LATERAL (SELECT string_agg(w.line, E'\r\n') AS body
                       FROM (SELECT (SELECT string_agg((ARRAY['contract','invoice','project','alpha','the','of','and','meeting',
                                                              'budget','review','signed','draft','quarter','report','delivery',
                                                              'payment','schedule','client','office','attached'])[1 + floor(random() * 20)::int]
                                                       || CASE WHEN random() < 0.45 THEN substr(md5(random()::text), 1, 4) ELSE '' END, ' ')
                                       FROM generate_series(1, 10 + (m.n * 0) + (l * 0)) AS k) AS line
                               FROM generate_series(1, 210) AS l) w) b;
UPDATE bench_mail SET sha256 = sha256(data), body_sha256 = sha256(substring(data FROM header_length + 1)),
       structure = jsonb_build_object(
           'envelope', jsonb_build_object('date', 'Sun, 29 Nov 2026 05:00:00 +0000', 'subject', 'Bench mail ' || n,
                                          'from', jsonb_build_array(jsonb_build_object('name', 'Alice', 'mailbox', 'alice', 'host', 'bench.example')),
                                          'to', jsonb_build_array(jsonb_build_object('name', 'Bob', 'mailbox', 'bob', 'host', 'bench.example')),
                                          'messageId', message_id),
           'body', jsonb_build_object('type', 'text', 'subtype', 'plain', 'parameters', jsonb_build_object('charset', 'utf-8'),
                                      'encoding', '7bit', 'lines', 210, 'headerOffset', 0, 'bodyOffset', header_length,
                                      'endOffset', octet_length(data), 'size', octet_length(data) - header_length));

-- One APPEND as the server files it: one call of file_mail, its own transaction (the caller's line).
CREATE FUNCTION bench_file(i integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    m bench_mail;
    v_uid bigint;
BEGIN
    SELECT * INTO m FROM bench_mail WHERE n = i;
    SELECT f.o_uid INTO v_uid
      FROM file_mail((SELECT id FROM collection WHERE name = 'INBOX'), (SELECT id FROM principal WHERE name = 'bench'),
                     (SELECT id FROM principal WHERE name = 'bench'), 'bench', '127.0.0.1'::inet, 'callgrind',
                     m.sha256, octet_length(m.data)::bigint, m.data, m.body_sha256, m.message_id, 'Bench mail ' || i, m.structure,
                     false, false, false, false, false, '{}'::text[], now(), 0::smallint,
                     '{}'::bytea[], '{}'::bigint[], '{}'::bytea[], '{}'::text[], '{}'::text[], interval '30 days') f;
    RETURN v_uid;
END $$;

-- The same as the server's APPEND into one of the user's own mailboxes sends it
-- (MailboxStore.Messages.cs, FileMailIntoOwn): the mailbox named by its levels and resolved in the
-- statement, whose plan PostgreSQL's plan cache keeps or makes again per call as for the server's
-- prepared statement (a PL/pgSQL statement's variables are its parameters).
CREATE FUNCTION bench_file_own(i integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    m bench_mail;
    v_levels text[] := ARRAY['INBOX'];
    v_user bigint := (SELECT id FROM principal WHERE name = 'bench');
    v_uid bigint;
BEGIN
    SELECT * INTO m FROM bench_mail WHERE n = i;
    SELECT f.o_uid INTO v_uid
      FROM file_mail(COALESCE((
               WITH RECURSIVE walk AS (
                   SELECT c.id, 1 AS depth FROM collection c
                    WHERE c.parent_id IS NULL AND c.name = (v_levels)[1] AND c.owner_id = v_user
                   UNION ALL
                   SELECT c.id, w.depth + 1 FROM walk w JOIN collection c ON c.parent_id = w.id AND c.name = (v_levels)[w.depth + 1]
                    WHERE w.depth < cardinality(v_levels)
               )
               SELECT id FROM walk WHERE depth = cardinality(v_levels)), 0),
                     v_user, v_user, 'bench', '127.0.0.1'::inet, 'callgrind',
                     m.sha256, octet_length(m.data)::bigint, m.data, m.body_sha256, m.message_id, 'Bench mail ' || i, m.structure,
                     false, false, false, false, false, '{}'::text[], now(), 0::smallint,
                     '{}'::bytea[], '{}'::bigint[], '{}'::bytea[], '{}'::text[], '{}'::text[], interval '30 days') f;
    RETURN v_uid;
END $$;

-- The mailbox the measured mails go into already holds 1,000 (run.sh then analyses the tables):
-- without this the planner, which sees empty tables, would scan versions for the SHA-256 and the
-- cost of a filing would grow with the run.
SELECT count(bench_file(n)) FROM generate_series(1, 1000) AS n;

-- The same reads of the mail and the ids without the filing: the wrapper's own cost.
CREATE FUNCTION bench_read(i integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    m bench_mail;
BEGIN
    SELECT * INTO m FROM bench_mail WHERE n = i;
    RETURN octet_length(m.data) + (SELECT id FROM collection WHERE name = 'INBOX') + (SELECT id FROM principal WHERE name = 'bench')
           + (SELECT id FROM principal WHERE name = 'bench');
END $$;

-- One sequential STORE as the server sends it (MailboxStore.Flags.cs, StoreOwnFlagsCall with
-- Storage:FlagDurability = durable): `STORE <n> +FLAGS.SILENT (\Flagged)` on the mail with UID
-- i - 1000, so run.sh's calls 1001.. each flag a mail that was not flagged (every call changes a
-- row). bench_unstore removes \Flagged from UID i - 500 (flagged below), bench_store_seen adds
-- \Seen to UID i - 1000 (none is seen). One call, one transaction; bench_store_read is the
-- wrappers' own reads without the STORE.
CREATE FUNCTION bench_store(i integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_user bigint := (SELECT id FROM principal WHERE name = 'bench');
BEGIN
    RETURN (SELECT s.o_after FROM store_own_flags((SELECT id FROM collection WHERE name = 'INBOX'), v_user, ARRAY[i - 1000::bigint],
        true, false, false, true, false, false, 1, v_user, 'bench', '127.0.0.1'::inet, 'callgrind', '\Flagged', false) s);
END $$;
CREATE FUNCTION bench_unstore(i integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_user bigint := (SELECT id FROM principal WHERE name = 'bench');
BEGIN
    RETURN (SELECT s.o_after FROM store_own_flags((SELECT id FROM collection WHERE name = 'INBOX'), v_user, ARRAY[i - 500::bigint],
        false, false, false, true, false, false, 1, v_user, 'bench', '127.0.0.1'::inet, 'callgrind', '\Flagged', false) s);
END $$;
CREATE FUNCTION bench_store_seen(i integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_user bigint := (SELECT id FROM principal WHERE name = 'bench');
BEGIN
    RETURN (SELECT s.o_after FROM store_own_flags((SELECT id FROM collection WHERE name = 'INBOX'), v_user, ARRAY[i - 1000::bigint],
        true, true, false, false, false, false, 1, v_user, 'bench', '127.0.0.1'::inet, 'callgrind', '\Seen', false) s);
END $$;
CREATE FUNCTION bench_store_read(i integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_user bigint := (SELECT id FROM principal WHERE name = 'bench');
BEGIN
    RETURN (SELECT i + (SELECT id FROM collection WHERE name = 'INBOX') + v_user);
END $$;
UPDATE entry SET flagged = true WHERE uid > 500;
