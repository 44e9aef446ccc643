-- Sharing: effective RFC 4314 rights, computed in the database so that every command reads
-- them fresh (a revoked right takes effect on the next command, on every node).
--
-- Rules (README, "Sharing"):
--   * the owner of a personal tree has every right on it; administrators have every right on
--     the shared repository (owner_id NULL);
--   * otherwise the entries that apply are those naming the user, a group the user is a direct
--     member of, or anyone (principal_id NULL);
--   * for each identifier (principal, positive or negative) the nearest entry up the tree wins:
--     a collection inherits its ancestors' entries unless it has its own for that identifier;
--     an entry with inherit = false applies to its own collection only;
--   * the rights are the union of the positive entries minus the union of the negative ones.

-- The letters of granted not in denied, each once, in RFC 4314 order.
CREATE FUNCTION rights_minus(granted text, denied text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(string_agg(r, '' ORDER BY strpos('lrswipkxtea', r)), '')
      FROM (SELECT DISTINCT r FROM regexp_split_to_table(COALESCE(granted, ''), '') r
             WHERE r <> '' AND strpos(COALESCE(denied, ''), r) = 0) letters
$$;

-- The user's rights on one collection; '' when it does not exist.
CREATE FUNCTION collection_rights(p_collection bigint, p_user bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
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
      FROM (SELECT 1) one LEFT JOIN up t ON t.depth = 0
$$;

-- ACL entries are found by principal too (GETACL of a group, "who may see what").
CREATE INDEX acl_principal ON acl (principal_id);
-- Collection trees are found by owner (shared repository: owner_id IS NULL).
CREATE INDEX collection_owner ON collection (owner_id, parent_id);
-- Quota: the documents a user filed.
CREATE INDEX document_created_by ON document (created_by) WHERE trashed_at IS NULL;
