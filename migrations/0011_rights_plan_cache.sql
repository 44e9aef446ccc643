-- collection_rights (0004) decides every IMAP command's rights and runs in nearly every
-- mailbox query. As a LANGUAGE sql function that cannot be inlined (a recursive CTE), its body
-- was planned again on every call; on a busy 2-core machine that was milliseconds per call,
-- several times per command. The same query in plpgsql is planned once per connection and
-- the plan cached. Same signature, same answer.
CREATE OR REPLACE FUNCTION collection_rights(p_collection bigint, p_user bigint) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (
        WITH RECURSIVE up AS (
            SELECT id, parent_id, owner_id, 0 AS depth FROM collection WHERE id = p_collection
            UNION ALL
            SELECT c.id, c.parent_id, c.owner_id, up.depth + 1 FROM collection c JOIN up ON c.id = up.parent_id
        ), me AS (
            SELECT p_user AS id UNION ALL SELECT group_id FROM group_member WHERE member_id = p_user
        ), nearest AS (
            SELECT DISTINCT ON (a.principal_id, a.negative) a.negative, a.rights
              FROM up JOIN acl a ON a.collection_id = up.id
             WHERE (a.principal_id IS NULL OR a.principal_id IN (SELECT id FROM me))
               AND (up.depth = 0 OR a.inherit)
             ORDER BY a.principal_id, a.negative, up.depth
        )
        SELECT CASE
            WHEN t.id IS NULL THEN ''
            WHEN t.owner_id = p_user THEN 'lrswipkxtea'
            WHEN t.owner_id IS NULL AND EXISTS (SELECT 1 FROM principal WHERE id = p_user AND is_admin) THEN 'lrswipkxtea'
            ELSE rights_minus(
                (SELECT string_agg(rights, '') FROM nearest WHERE NOT negative),
                (SELECT string_agg(rights, '') FROM nearest WHERE negative))
        END
          FROM (SELECT 1) one LEFT JOIN up t ON t.depth = 0);
END $$;
