-- Scry ClickHouse schema, version 2: distinct subject names in written
-- (forward) label order, the index behind right-hand wildcards
-- (`www.example.*`). Same SQL subset as 001_init.sql.
--
-- `fkey` is the name as written plus a final dot (`www.example.com.`), so a
-- wildcard's fixed labels (`www.example.`) are a key prefix that respects
-- label boundaries. It is computed from `skey` (src/keys.rs:
-- `Dcom.example.\0www.\x01`): drop the tag and the end mark, drop the
-- registrable boundary, drop the last dot, reverse the labels. The view
-- writes one row per distinct name of each insert block; the replacing
-- merge and `DISTINCT` at query time make it one key per name.

-- scry: shard
CREATE TABLE IF NOT EXISTS {db}.names{local} (
    fkey String
) ENGINE = ReplacingMergeTree() ORDER BY fkey;

-- scry: shard
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.names_mv{local} TO {db}.names{local} AS
SELECT concat(arrayStringConcat(arrayReverse(splitByChar('.',
    substring(replaceAll(substring(skey, 2, length(skey) - 2), '\0', ''), 1, length(skey) - 4))), '.'), '.') AS fkey
FROM {db}.observations{local} WHERE substring(skey, 1, 1) = 'D' GROUP BY fkey;

-- Names stored before this migration.
-- scry: shard
INSERT INTO {db}.names{local}
SELECT concat(arrayStringConcat(arrayReverse(splitByChar('.',
    substring(replaceAll(substring(skey, 2, length(skey) - 2), '\0', ''), 1, length(skey) - 4))), '.'), '.') AS fkey
FROM {db}.observations{local} WHERE substring(skey, 1, 1) = 'D' GROUP BY fkey;

-- scry: distributed names
