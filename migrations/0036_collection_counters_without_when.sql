-- The collection row's counter rule (collection_counters_only_grow: uidnext and highestmodseq
-- never go back, uidvalidity never changes, uidnext stays within 32-bit UIDs) is checked by its
-- function on every UPDATE of the row again, instead of in the trigger's WHEN condition (0028,
-- 0031). PostgreSQL keeps a WHEN condition as a node string and parses and plans it for every
-- statement that updates the table, and every APPEND updates its collection's row (the UID) in a
-- statement of its own, as does every STORE (the modseq). The PL/pgSQL function is compiled once
-- per session and its comparisons are prepared once per transaction, which is cheaper: callgrind
-- (bench/pg-callgrind), per new-mail APPEND, 2,132,900 -> 2,091,300 instructions (-41,600).
-- The function (0031) tests the same conditions and raises the same errors, so nothing else
-- changes.
DROP TRIGGER collection_counters_only_grow ON collection;
CREATE TRIGGER collection_counters_only_grow BEFORE UPDATE ON collection
    FOR EACH ROW EXECUTE FUNCTION collection_counters_only_grow();
