-- Scry ClickHouse schema, version 1.
--
-- SQL in the subset that ClickHouse 18.16 and current releases both accept:
-- no LowCardinality, no IPv4/IPv6 types, no skip indexes, no TTL, no
-- SimpleAggregateFunction, no codecs, no ON CLUSTER.
--
-- Directives (read by crates/scry-store/src/clickhouse/migrate.rs):
--   `-- scry: shard`        the statement runs on every shard; `{local}` is
--                           `_local` on a cluster and empty on one server;
--   `-- scry: coordinator`  the statement runs on the entry server only;
--   `-- scry: distributed NAME [KEY]`  on a cluster, creates NAME as a
--                           Distributed table over NAME_local on every node
--                           (KEY: the sharding expression, for tables written
--                           through it); nothing on one server.
-- `{db}` is the database, `{cluster}` the cluster name.
--
-- Entity keys (`skey`, `okey`, `hkey`) are the byte encodings of
-- src/keys.rs: label-reversed names with a registrable boundary, IPs as 16
-- bytes after a tag, so that subtrees and CIDR prefixes are key ranges.

-- Raw observations, one row per (batch, position): the source of every
-- roll-up below and the record that makes retried batches detectable.
-- scry: shard
CREATE TABLE IF NOT EXISTS {db}.observations{local} (
    batch UInt64,
    pos UInt32,
    skey String,
    hkey String,
    pred UInt16,
    okey String,
    disp String,
    first Int64,
    last Int64,
    cnt UInt64,
    source String
) ENGINE = MergeTree() ORDER BY (batch, pos);

-- scry: distributed observations cityHash64(hkey)

-- Facts by subject: (subject, predicate, object) -> merged window, sources.
-- scry: shard
CREATE TABLE IF NOT EXISTS {db}.facts{local} (
    skey String,
    pred UInt16,
    okey String,
    first AggregateFunction(min, Int64),
    last AggregateFunction(max, Int64),
    cnt AggregateFunction(sum, UInt64),
    sources AggregateFunction(groupUniqArray, String),
    disp AggregateFunction(max, String)
) ENGINE = AggregatingMergeTree() ORDER BY (skey, pred, okey);

-- scry: shard
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.facts_mv{local} TO {db}.facts{local} AS
SELECT skey, pred, okey,
    minState(first) AS first, maxState(last) AS last, sumState(cnt) AS cnt,
    groupUniqArrayState(source) AS sources, maxState(disp) AS disp
FROM {db}.observations{local} GROUP BY skey, pred, okey;

-- scry: distributed facts

-- Facts by object (reverse index): same roll-up, ordered by value.
-- scry: shard
CREATE TABLE IF NOT EXISTS {db}.facts_rev{local} (
    okey String,
    pred UInt16,
    skey String,
    first AggregateFunction(min, Int64),
    last AggregateFunction(max, Int64),
    cnt AggregateFunction(sum, UInt64),
    sources AggregateFunction(groupUniqArray, String),
    disp AggregateFunction(max, String)
) ENGINE = AggregatingMergeTree() ORDER BY (okey, pred, skey);

-- scry: shard
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.facts_rev_mv{local} TO {db}.facts_rev{local} AS
SELECT okey, pred, skey,
    minState(first) AS first, maxState(last) AS last, sumState(cnt) AS cnt,
    groupUniqArrayState(source) AS sources, maxState(disp) AS disp
FROM {db}.observations{local} GROUP BY okey, pred, skey;

-- scry: distributed facts_rev

-- Holdings: a holder's (registrable domain's) roll-up of each value.
-- scry: shard
CREATE TABLE IF NOT EXISTS {db}.holdings{local} (
    hkey String,
    pred UInt16,
    okey String,
    first AggregateFunction(min, Int64),
    last AggregateFunction(max, Int64),
    cnt AggregateFunction(sum, UInt64),
    disp AggregateFunction(max, String)
) ENGINE = AggregatingMergeTree() ORDER BY (hkey, pred, okey);

-- scry: shard
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.holdings_mv{local} TO {db}.holdings{local} AS
SELECT hkey, pred, okey,
    minState(first) AS first, maxState(last) AS last, sumState(cnt) AS cnt,
    maxState(disp) AS disp
FROM {db}.observations{local} GROUP BY hkey, pred, okey;

-- scry: distributed holdings

-- Holdings by value (the pivot index).
-- scry: shard
CREATE TABLE IF NOT EXISTS {db}.holdings_piv{local} (
    pred UInt16,
    okey String,
    hkey String,
    first AggregateFunction(min, Int64),
    last AggregateFunction(max, Int64),
    cnt AggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree() ORDER BY (pred, okey, hkey);

-- scry: shard
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.holdings_piv_mv{local} TO {db}.holdings_piv{local} AS
SELECT pred, okey, hkey,
    minState(first) AS first, maxState(last) AS last, sumState(cnt) AS cnt
FROM {db}.observations{local} GROUP BY pred, okey, hkey;

-- scry: distributed holdings_piv

-- A holder's newest observation per predicate: the reference point of
-- "current" (computed at query time with the predicate's window). Ordered
-- by predicate first: lookups are "these holders, this predicate", and a
-- pivot page's holders are contiguous in key order.
-- scry: shard
CREATE TABLE IF NOT EXISTS {db}.holder_latest{local} (
    pred UInt16,
    hkey String,
    last AggregateFunction(max, Int64)
) ENGINE = AggregatingMergeTree() ORDER BY (pred, hkey);

-- scry: shard
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.holder_latest_mv{local} TO {db}.holder_latest{local} AS
SELECT pred, hkey, maxState(last) AS last
FROM {db}.observations{local} GROUP BY pred, hkey;

-- scry: distributed holder_latest

-- Raw documents per holder, kind, time and source (a rewrite replaces).
-- scry: shard
CREATE TABLE IF NOT EXISTS {db}.documents{local} (
    hkey String,
    kind String,
    time Int64,
    source String,
    body String
) ENGINE = ReplacingMergeTree() ORDER BY (hkey, kind, time, source);

-- scry: distributed documents cityHash64(hkey)

-- The event log (a retried insert of the same sequence number replaces).
-- scry: coordinator
CREATE TABLE IF NOT EXISTS {db}.events (
    seq UInt64,
    time Int64,
    kind String,
    subject String,
    data String
) ENGINE = ReplacingMergeTree() ORDER BY seq;

-- The ingest ledger, when no state store is attached.
-- scry: coordinator
CREATE TABLE IF NOT EXISTS {db}.ledger (
    key String,
    name String,
    committed_through UInt64,
    complete UInt8,
    updated_at Int64,
    version UInt64
) ENGINE = ReplacingMergeTree(version) ORDER BY key;
