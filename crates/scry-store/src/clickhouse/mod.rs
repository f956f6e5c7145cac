//! The ClickHouse engine: the same [`Store`] over ClickHouse's HTTP
//! interface, for deployments that outgrow one machine.
//!
//! Select it with `clickhouse://HOST:PORT/DB` (the HTTP port), optionally
//! `?cluster=NAME&shards=H:P,H:P` (sharded), `user=`, `password=`,
//! `timeout=` (seconds per request, default 300) and `retries=` (default 5).
//! The schema comes from numbered migrations applied by [`migrate`]
//! (`scry store migrate`); [`open`] refuses a database whose schema is
//! missing, older or newer.
//!
//! # Tables (all SQL in the subset ClickHouse 18.16 and current accept)
//!
//! | table | engine, order | role |
//! |---|---|---|
//! | `observations` | MergeTree `(batch, pos)` | raw rows; feeds every roll-up through materialised views; makes retried batches detectable |
//! | `facts` | AggregatingMergeTree `(skey, pred, okey)` | facts by subject: min first, max last, sum count, source set |
//! | `facts_rev` | AggregatingMergeTree `(okey, pred, skey)` | the same, by value (reverse lookups, CIDR ranges) |
//! | `holdings` | AggregatingMergeTree `(hkey, pred, okey)` | a holder's roll-up of each value (profiles) |
//! | `holdings_piv` | AggregatingMergeTree `(pred, okey, hkey)` | the same by value (pivots, counts) |
//! | `holder_latest` | AggregatingMergeTree `(pred, hkey)` | a holder's newest observation per predicate |
//! | `documents` | ReplacingMergeTree `(hkey, kind, time, source)` | raw documents (LZ4 by default) |
//! | `events` | ReplacingMergeTree `(seq)` | the event log (entry server only) |
//! | `ledger` | ReplacingMergeTree(version) `(key)` | ingest ledger when no state store is attached |
//!
//! Keys are the byte encodings of the embedded engine (label-reversed names
//! with a registrable boundary, IPs as 16 bytes), so subtree and CIDR
//! selections are primary-key ranges and both engines return the same order.
//!
//! # Differences from the embedded engine (same observable semantics)
//! * **Counts are counted, not stored.** "Current" is computed at query
//!   time per (holder, predicate) from the holder's newest observation
//!   (`holder_latest`) and the predicate's window, passed into the SQL from
//!   the Rust vocabulary; value counts aggregate the pivot index. A value
//!   held by a million domains costs a million-row aggregation per count.
//! * **Receipts do not split new from merged facts**: that would cost a read
//!   per batch. [`WriteReceipt::new_known`] is false and every distinct fact
//!   of the batch is reported in `facts_merged`.
//! * **Writes are not atomic across tables.** Observations, documents,
//!   events and the ledger are separate inserts, in that order; the ledger
//!   is recorded last, after ClickHouse acknowledged the data.
//!
//! # Idempotence (retries and replays never double counts)
//! Every observation row carries `(batch, pos)`. A batch with a ledger entry
//! gets a deterministic id (a hash of the ledger key, position and row
//! contents); other batches get a random one. Before a retried insert, and
//! before every insert of a ledger batch, the engine asks which positions of
//! the batch are already stored and sends only the others, so a transport
//! retry after an insert that did land, a partial insert (a large batch split
//! into blocks, or one shard of a Distributed insert failing) and a replay
//! after a crash between the insert and the ledger record add nothing twice.
//! Documents and events are keyed (holder/kind/time/source, sequence number)
//! in replacing tables, so re-sending them replaces. The ledger entry lives
//! in the attached [`StateStore`] ([`open_with_state`], the binary's choice:
//! the ingest ledger of DESIGN.md) or, without one, in the `ledger` table.
//!
//! Crash windows, honestly: (1) a replay that batches the input differently
//! than the first run (another batch size) gets other batch ids and adds the
//! overlap twice; (2) a server failing between writing `observations` and a
//! materialised view's target leaves a row the roll-ups lack, and the
//! position check then skips it (`check` reports the mismatch); (3) a
//! ClickHouse acknowledgement is not an fsync (18.16 has no
//! `fsync_after_insert`), so a power loss can lose acknowledged data the
//! ledger claims; (4) one writer per database: sequence numbers are
//! assigned in this process from `max(seq)` at open.
//!
//! # Sharding
//! With `cluster`, every table above (except `events` and `ledger`, which
//! live on the entry server) is created as `NAME_local` on each shard, with
//! a `Distributed` table `NAME` over them on every node; DDL goes to each
//! shard's HTTP port (no `ON CLUSTER`: that needs ZooKeeper). Rows are
//! sharded by `cityHash64(hkey)`, the holder (registrable domain), so a
//! domain's facts, holdings and pivot entries live on one shard: value
//! counts run on every shard's local tables in parallel and add up, and the
//! pivot's current/historic join runs shard-locally
//! (`distributed_product_mode=local`).
//! Inserts use `insert_distributed_sync=1` so a write is readable when it
//! returns.

mod http;
mod migrate;
mod rowbinary;
mod url;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use scry_model::{CurrentRule, DomainName, Entity, Fact, Predicate, Window};

use crate::error::{Result, StoreError};
use crate::keys::{self, entity_key};
use crate::{
    CheckReport, Document, Event, FactPage, FactQuery, Holding, LedgerEntry, NameScan, ObjectSel,
    PivotPage, PivotQuery, ReverseQuery, ScannedHolder, Scope, StateStore, Store, StoreStats,
    SubjectSel, TimeFence, ValueCount, ValueScan, ValueScanSummary, WriteBatch, WriteReceipt,
    holder_of,
};
use http::Http;
use rowbinary::{Dec, Enc, lit};
use url::{Config, Node};

/// Connection to the servers of one database.
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) cfg: Config,
    http: Http,
}

impl Conn {
    fn new(cfg: Config) -> Conn {
        let http = Http::new(&cfg);
        Conn { cfg, http }
    }

    fn read_params(&self) -> Vec<(&'static str, &'static str)> {
        let mut p = vec![("wait_end_of_query", "1"), ("max_query_size", "67108864")];
        if self.cfg.cluster.is_some() {
            p.push(("distributed_product_mode", "local"));
        }
        p
    }

    /// Runs a query on one node (retried: only for reads and idempotent DDL).
    pub(crate) fn query_on(&self, node: &Node, sql: &str) -> Result<Vec<u8>> {
        self.http.post(node, &self.read_params(), sql.as_bytes())
    }

    /// Runs a statement on one node, discarding its output.
    pub(crate) fn exec_on(&self, node: &Node, sql: &str) -> Result<()> {
        self.query_on(node, sql).map(|_| ())
    }

    /// Runs a query on the entry server.
    fn query(&self, sql: &str) -> Result<Vec<u8>> {
        self.query_on(&self.cfg.entry, sql)
    }

    fn insert_params(&self, table: &str) -> (String, bool) {
        (
            format!("INSERT INTO {}.{table} FORMAT RowBinary", self.cfg.db),
            self.cfg.cluster.is_some(),
        )
    }

    /// One insert attempt.
    fn insert_once(&self, table: &str, body: &[u8]) -> std::result::Result<(), http::Failure> {
        let (q, dist) = self.insert_params(table);
        let mut p = vec![("query", q.as_str())];
        if dist {
            p.push(("insert_distributed_sync", "1"));
        }
        self.http.post_once(&self.cfg.entry, &p, body).map(|_| ())
    }

    /// An insert into a replacing table (safe to repeat), retried.
    fn insert_idempotent(&self, table: &str, body: &[u8]) -> Result<()> {
        if body.is_empty() {
            return Ok(());
        }
        let (q, dist) = self.insert_params(table);
        let mut p = vec![("query", q.as_str())];
        if dist {
            p.push(("insert_distributed_sync", "1"));
        }
        self.http.post(&self.cfg.entry, &p, body).map(|_| ())
    }
}

struct Writer {
    next_seq: u64,
    counter: u64,
    ledger_version: u64,
}

/// The ClickHouse fact engine.
pub struct ClickHouseStore {
    conn: Conn,
    state: Option<Arc<StateStore>>,
    writer: Mutex<Writer>,
}

impl std::fmt::Debug for ClickHouseStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ClickHouseStore({}/{})",
            self.conn.cfg.entry, self.conn.cfg.db
        )
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Opens a migrated database (see the module docs for the URL).
pub fn open(url: &str) -> Result<ClickHouseStore> {
    ClickHouseStore::open(url, None)
}

/// Opens a migrated database and keeps the ingest ledger in `state`.
pub fn open_with_state(url: &str, state: Arc<StateStore>) -> Result<ClickHouseStore> {
    ClickHouseStore::open(url, Some(state))
}

/// Creates the database and applies missing migrations on every server
/// (`scry store migrate`); returns what was applied, one line per server
/// and migration (empty when the schema was current).
pub fn migrate(url: &str) -> Result<Vec<String>> {
    let conn = Conn::new(Config::parse(url)?);
    migrate::run(&conn)
}

/// Drops the database on every server (tests, `scry store destroy`).
pub fn drop_database(url: &str) -> Result<()> {
    let conn = Conn::new(Config::parse(url)?);
    for node in conn.cfg.nodes() {
        conn.exec_on(&node, &format!("DROP DATABASE IF EXISTS {}", conn.cfg.db))?;
    }
    Ok(())
}

/// The schema version this build creates and requires.
pub fn schema_version() -> u32 {
    migrate::latest()
}

fn window_of(p: Predicate) -> i64 {
    match p.current_rule() {
        CurrentRule::Within(w) => w,
    }
}

/// `transform(pred, [ids], [windows], default)` for the given predicates.
fn window_sql(preds: &BTreeSet<u16>) -> String {
    let default = window_of(Predicate::rr(0xffff));
    if preds.is_empty() {
        return format!("toInt64({default})");
    }
    let ids: Vec<String> = preds.iter().map(|p| p.to_string()).collect();
    let ws: Vec<String> = preds
        .iter()
        .map(|p| {
            Predicate::from_id(*p)
                .map_or(default, window_of)
                .to_string()
        })
        .collect();
    format!(
        "transform(pred, [{}], [{}], toInt64({default}))",
        ids.join(","),
        ws.join(",")
    )
}

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corruption {
        what: "clickhouse",
        detail: detail.into(),
    }
}

fn pred_of(id: u16) -> Result<Predicate> {
    Predicate::from_id(id).ok_or_else(|| corrupt(format!("unknown predicate {id}")))
}

fn decode_key(k: &[u8]) -> Result<Entity> {
    keys::read_entity(k).map(|(e, _)| e)
}

/// Free text comes back lower-case from its key; the display form is kept
/// beside it.
fn with_display(e: Entity, disp: String) -> Entity {
    match e {
        Entity::Text(_) if !disp.is_empty() => Entity::Text(disp),
        other => other,
    }
}

/// 64-bit FNV-1a, stable across builds (batch ids must survive restarts).
fn fnv(h: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *h ^= u64::from(*b);
        *h = h.wrapping_mul(0x0100_0000_01b3);
    }
}

const FNV_INIT: u64 = 0xcbf2_9ce4_8422_2325;

fn now_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// The observation rows of a batch, encoded without their batch id.
struct Rows {
    /// Concatenated `pos, skey, hkey, pred, okey, disp, first, last, cnt, source`.
    enc: Vec<u8>,
    /// Where each row starts in `enc` (plus the end).
    offsets: Vec<usize>,
    /// Distinct facts among them.
    facts: u64,
}

impl Rows {
    fn build(batch: &WriteBatch) -> Result<Rows> {
        // Pre-aggregate per (fact, source): fewer rows, same roll-ups.
        type K = (Vec<u8>, u16, Vec<u8>, String);
        let mut agg: BTreeMap<K, (Window, String, Vec<u8>)> = BTreeMap::new();
        for o in &batch.observations {
            let k = (
                entity_key(&o.subject),
                o.predicate.id(),
                entity_key(&o.object),
                o.source.clone(),
            );
            match agg.get_mut(&k) {
                Some((w, d, _)) => {
                    w.merge(&o.window);
                    if let Entity::Text(t) = &o.object
                        && t.chars().any(char::is_uppercase)
                        && t.as_str() > d.as_str()
                    {
                        *d = t.clone();
                    }
                }
                None => {
                    // Display forms: the greatest of those with an upper-case
                    // letter (mixed case beats all caps); lower-case text
                    // needs none. Both engines use this rule.
                    let disp = match &o.object {
                        Entity::Text(t) if t.chars().any(char::is_uppercase) => t.clone(),
                        _ => String::new(),
                    };
                    agg.insert(k, (o.window, disp, entity_key(&holder_of(&o.subject))));
                }
            }
        }
        if agg.len() > u32::MAX as usize {
            return Err(StoreError::Invalid("batch has more than 2^32 rows".into()));
        }
        let mut e = Enc::default();
        let mut offsets = Vec::with_capacity(agg.len() + 1);
        let mut facts = 0u64;
        let mut prev: Option<(&[u8], u16, &[u8])> = None;
        for (pos, ((skey, pred, okey, source), (w, disp, hkey))) in agg.iter().enumerate() {
            offsets.push(e.0.len());
            e.u32(pos as u32);
            e.bytes(skey);
            e.bytes(hkey);
            e.u16(*pred);
            e.bytes(okey);
            e.bytes(disp.as_bytes());
            e.i64(w.first_seen);
            e.i64(w.last_seen);
            e.u64(w.count);
            e.bytes(source.as_bytes());
            let fk = (skey.as_slice(), *pred, okey.as_slice());
            if prev != Some(fk) {
                facts += 1;
                prev = Some(fk);
            }
        }
        offsets.push(e.0.len());
        Ok(Rows {
            enc: e.0,
            offsets,
            facts,
        })
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The insert body for the rows not in `present`.
    fn body(&self, batch: u64, present: &HashSet<u32>) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.enc.len() + 8 * self.len());
        for i in 0..self.len() {
            if present.contains(&(i as u32)) {
                continue;
            }
            out.extend_from_slice(&batch.to_le_bytes());
            out.extend_from_slice(&self.enc[self.offsets[i]..self.offsets[i + 1]]);
        }
        out
    }
}

/// One decoded fact row: keys, predicate, window, sources, display.
fn read_fact_rows(b: &[u8], by_object: bool) -> Result<Vec<Fact>> {
    let mut d = Dec::new(b);
    let mut out = Vec::new();
    while !d.is_empty() {
        let k1 = d.bytes()?;
        let pred = pred_of(d.u16()?)?;
        let k2 = d.bytes()?;
        let window = Window {
            first_seen: d.i64()?,
            last_seen: d.i64()?,
            count: d.u64()?,
        };
        let mut sources = d.strings()?;
        sources.sort();
        let disp = d.string()?;
        let (skey, okey) = if by_object { (k2, k1) } else { (k1, k2) };
        out.push(Fact {
            subject: decode_key(skey)?,
            predicate: pred,
            object: with_display(decode_key(okey)?, disp),
            window,
            sources,
        });
    }
    Ok(out)
}

fn fence_sql(f: &TimeFence) -> String {
    let mut c = Vec::new();
    if let Some(t) = f.first_before {
        c.push(format!("f <= {t}"));
    }
    if let Some(t) = f.first_after {
        c.push(format!("f >= {t}"));
    }
    if let Some(t) = f.last_before {
        c.push(format!("l <= {t}"));
    }
    if let Some(t) = f.last_after {
        c.push(format!("l >= {t}"));
    }
    if c.is_empty() {
        String::new()
    } else {
        format!(" HAVING {}", c.join(" AND "))
    }
}

fn preds_sql(preds: &[Predicate]) -> String {
    if preds.is_empty() {
        return String::new();
    }
    let ids: Vec<String> = preds.iter().map(|p| p.id().to_string()).collect();
    format!(" AND pred IN ({})", ids.join(","))
}

/// `col` within the keys starting with `prefix`.
fn prefix_sql(col: &str, prefix: &[u8]) -> String {
    match keys::prefix_end(prefix) {
        Some(end) => format!("{col} >= {} AND {col} < {}", lit(prefix), lit(&end)),
        None => format!("{col} >= {}", lit(prefix)),
    }
}

fn range_sql(col: &str, (lo, hi): (Vec<u8>, Vec<u8>)) -> String {
    format!("{col} >= {} AND {col} <= {}", lit(&lo), lit(&hi))
}

fn limit_plus_one(limit: usize) -> u64 {
    (limit as u64).saturating_add(1)
}

impl ClickHouseStore {
    fn open(url: &str, state: Option<Arc<StateStore>>) -> Result<ClickHouseStore> {
        let conn = Conn::new(Config::parse(url)?);
        migrate::verify(&conn)?;
        if let Some(cluster) = &conn.cfg.cluster {
            let b = conn.query(&format!(
                "SELECT toUInt64(uniqExact(shard_num)) FROM system.clusters WHERE cluster = '{cluster}' FORMAT RowBinary"
            ))?;
            let n = Dec::new(&b).u64()?;
            if n != conn.cfg.shards.len() as u64 {
                return Err(StoreError::Invalid(format!(
                    "cluster {cluster} on {} has {n} shards but the url lists {}",
                    conn.cfg.entry,
                    conn.cfg.shards.len()
                )));
            }
        }
        let b = conn.query(&format!(
            "SELECT toUInt64(max(seq)) FROM {}.events FORMAT RowBinary",
            conn.cfg.db
        ))?;
        let last = Dec::new(&b).u64()?;
        Ok(ClickHouseStore {
            conn,
            state,
            writer: Mutex::new(Writer {
                next_seq: last + 1,
                counter: 0,
                ledger_version: 0,
            }),
        })
    }

    fn db(&self) -> &str {
        &self.conn.cfg.db
    }

    /// The positions of a batch already stored.
    fn present_positions(&self, batch: u64) -> Result<HashSet<u32>> {
        let b = self.conn.query(&format!(
            "SELECT pos FROM {}.observations WHERE batch = {batch} FORMAT RowBinary",
            self.db()
        ))?;
        let mut d = Dec::new(&b);
        let mut out = HashSet::new();
        while !d.is_empty() {
            out.insert(d.u32()?);
        }
        Ok(out)
    }

    /// Inserts observation rows, never storing a position twice.
    fn insert_observations(&self, batch: u64, rows: &Rows, check_first: bool) -> Result<()> {
        let mut check = check_first;
        let mut attempt = 0u32;
        loop {
            let present = if check {
                self.present_positions(batch)?
            } else {
                HashSet::new()
            };
            if present.len() >= rows.len() {
                if check_first && attempt == 0 {
                    tracing::info!(batch, rows = rows.len(), "batch already stored; skipped");
                }
                return Ok(());
            }
            let body = rows.body(batch, &present);
            match self.conn.insert_once("observations", &body) {
                Ok(()) => return Ok(()),
                Err(f) if f.transient && attempt < self.conn.http.retries => {
                    attempt += 1;
                    tracing::warn!(batch, attempt, error = %f.message, "retrying observation insert");
                    std::thread::sleep(http::backoff(attempt));
                    check = true;
                }
                Err(f) => return Err(f.into_error()),
            }
        }
    }

    fn ledger_state_key(&self, key: &str) -> String {
        format!("clickhouse-ledger:{}:{key}", self.db())
    }

    fn record_ledger(&self, w: &mut Writer, l: &LedgerEntry) -> Result<()> {
        if let Some(state) = &self.state {
            let v = serde_json::to_vec(l).map_err(|e| StoreError::State(e.to_string()))?;
            return state.put(&self.ledger_state_key(&l.key), &v);
        }
        let version = now_nanos().max(w.ledger_version + 1);
        w.ledger_version = version;
        let mut e = Enc::default();
        e.bytes(l.key.as_bytes());
        e.bytes(l.name.as_bytes());
        e.u64(l.committed_through);
        e.u8(u8::from(l.complete));
        e.i64(l.updated_at);
        e.u64(version);
        // The ledger table lives on the entry server only (never Distributed).
        let q = format!("INSERT INTO {}.ledger FORMAT RowBinary", self.db());
        self.conn
            .http
            .post(&self.conn.cfg.entry, &[("query", q.as_str())], &e.0)
            .map(|_| ())
    }

    fn holding_rows(&self, hkey: &[u8]) -> Result<Vec<(Predicate, Entity, Window)>> {
        let sql = format!(
            "SELECT pred, okey, toInt64(minMerge(first)) AS f, toInt64(maxMerge(last)) AS l, \
             toUInt64(sumMerge(cnt)) AS c, maxMerge(disp) AS d FROM {}.holdings \
             WHERE hkey = {} GROUP BY pred, okey ORDER BY pred, okey FORMAT RowBinary",
            self.db(),
            lit(hkey)
        );
        let b = self.conn.query(&sql)?;
        let mut d = Dec::new(&b);
        let mut out = Vec::new();
        while !d.is_empty() {
            let pred = pred_of(d.u16()?)?;
            let okey = d.bytes()?;
            let w = Window {
                first_seen: d.i64()?,
                last_seen: d.i64()?,
                count: d.u64()?,
            };
            let disp = d.string()?;
            out.push((pred, with_display(decode_key(okey)?, disp), w));
        }
        Ok(out)
    }

    fn fact_query(
        &self,
        table: &str,
        cond: String,
        preds: &[Predicate],
        fence: &TimeFence,
        limit: usize,
    ) -> Result<FactPage> {
        let by_object = table == "facts_rev";
        let (k1, k2) = if by_object {
            ("okey", "skey")
        } else {
            ("skey", "okey")
        };
        let sql = format!(
            "SELECT {k1}, pred, {k2}, toInt64(minMerge(first)) AS f, toInt64(maxMerge(last)) AS l, \
             toUInt64(sumMerge(cnt)) AS c, groupUniqArrayMerge(sources) AS s, maxMerge(disp) AS d \
             FROM {}.{table} WHERE {cond}{} GROUP BY {k1}, pred, {k2}{} \
             ORDER BY {k1}, pred, {k2} LIMIT {} FORMAT RowBinary",
            self.db(),
            preds_sql(preds),
            fence_sql(fence),
            limit_plus_one(limit)
        );
        let mut facts = read_fact_rows(&self.conn.query(&sql)?, by_object)?;
        let limited = facts.len() > limit;
        facts.truncate(limit);
        Ok(FactPage { facts, limited })
    }

    /// Sums used by `check`: (rows, sum count, sum first, sum last), wrapping.
    fn checksum(&self, table: &str, keys: &str) -> Result<(u64, u64, i64, i64)> {
        let sql = format!(
            "SELECT toUInt64(count()), toUInt64(sum(c)), toInt64(sum(f)), toInt64(sum(l)) FROM \
             (SELECT toUInt64(sumMerge(cnt)) AS c, toInt64(minMerge(first)) AS f, \
             toInt64(maxMerge(last)) AS l FROM {}.{table} GROUP BY {keys}) FORMAT RowBinary",
            self.db()
        );
        let b = self.conn.query(&sql)?;
        let mut d = Dec::new(&b);
        Ok((d.u64()?, d.u64()?, d.i64()?, d.i64()?))
    }
}

impl Store for ClickHouseStore {
    fn engine(&self) -> &'static str {
        "clickhouse"
    }

    fn write(&self, batch: WriteBatch) -> Result<WriteReceipt> {
        let mut w = lock(&self.writer);
        let mut receipt = WriteReceipt::default();

        // 1. Observations, deduplicated by (batch, pos).
        let rows = Rows::build(&batch)?;
        if rows.len() > 0 {
            let id = match &batch.ledger {
                Some(l) => {
                    let mut h = FNV_INIT;
                    fnv(&mut h, b"scry-ledger-batch\0");
                    fnv(&mut h, l.key.as_bytes());
                    fnv(&mut h, &[0]);
                    fnv(&mut h, &l.committed_through.to_le_bytes());
                    fnv(&mut h, &(rows.len() as u64).to_le_bytes());
                    fnv(&mut h, &rows.enc);
                    h
                }
                None => {
                    w.counter += 1;
                    let mut h = FNV_INIT;
                    fnv(&mut h, &now_nanos().to_le_bytes());
                    fnv(&mut h, &std::process::id().to_le_bytes());
                    fnv(&mut h, &w.counter.to_le_bytes());
                    fnv(&mut h, self.db().as_bytes());
                    h
                }
            };
            self.insert_observations(id, &rows, batch.ledger.is_some())?;
            receipt.facts_merged = rows.facts;
        }

        // 2. Documents (replacing by holder, kind, time, source).
        let mut e = Enc::default();
        for d in &batch.documents {
            e.bytes(&entity_key(&holder_of(&d.subject)));
            e.bytes(d.kind.as_bytes());
            e.i64(d.time);
            e.bytes(d.source.as_bytes());
            e.bytes(&d.body);
        }
        self.conn.insert_idempotent("documents", &e.0)?;

        // 3. Events (replacing by sequence number).
        let mut seq = w.next_seq;
        let mut e = Enc::default();
        for ev in &batch.events {
            let data = serde_json::to_string(&ev.data).map_err(|e| corrupt(e.to_string()))?;
            e.u64(seq);
            e.i64(ev.time);
            e.bytes(ev.kind.as_bytes());
            e.bytes(ev.subject.as_bytes());
            e.bytes(data.as_bytes());
            receipt.last_event_seq = Some(seq);
            seq += 1;
        }
        if !e.0.is_empty() {
            // The event log lives on the entry server only.
            let q = format!("INSERT INTO {}.events FORMAT RowBinary", self.db());
            self.conn
                .http
                .post(&self.conn.cfg.entry, &[("query", q.as_str())], &e.0)?;
        }
        w.next_seq = seq;

        // 4. The ledger, after ClickHouse acknowledged everything above.
        if let Some(l) = &batch.ledger {
            self.record_ledger(&mut w, l)?;
        }
        Ok(receipt)
    }

    fn ledger(&self, key: &str) -> Result<Option<LedgerEntry>> {
        if let Some(state) = &self.state {
            return match state.get(&self.ledger_state_key(key))? {
                None => Ok(None),
                Some(v) => {
                    serde_json::from_slice(&v)
                        .map(Some)
                        .map_err(|e| StoreError::Corruption {
                            what: "ledger",
                            detail: e.to_string(),
                        })
                }
            };
        }
        let sql = format!(
            "SELECT name, committed_through, complete, updated_at FROM {}.ledger \
             WHERE key = {} ORDER BY version DESC LIMIT 1 FORMAT RowBinary",
            self.db(),
            lit(key.as_bytes())
        );
        let b = self.conn.query(&sql)?;
        if b.is_empty() {
            return Ok(None);
        }
        let mut d = Dec::new(&b);
        Ok(Some(LedgerEntry {
            key: key.to_string(),
            name: d.string()?,
            committed_through: d.u64()?,
            complete: d.u8()? != 0,
            updated_at: d.i64()?,
        }))
    }

    fn facts(&self, q: &FactQuery) -> Result<FactPage> {
        let cond = match &q.subject {
            SubjectSel::Exact(e) => format!("skey = {}", lit(&entity_key(e))),
            SubjectSel::Registrable(d) => {
                prefix_sql("skey", &keys::registrable_prefix(d.registrable_or_self()))
            }
            SubjectSel::Subtree(d) => prefix_sql("skey", &keys::subtree_prefix(d)),
            SubjectSel::Cidr(net) => range_sql("skey", keys::ip_range(net)),
        };
        self.fact_query("facts", cond, &q.predicates, &q.fence, q.limit)
    }

    fn reverse(&self, q: &ReverseQuery) -> Result<FactPage> {
        let cond = match &q.object {
            ObjectSel::Exact(e) => format!("okey = {}", lit(&entity_key(e))),
            ObjectSel::Subtree(d) => prefix_sql("okey", &keys::subtree_prefix(d)),
            ObjectSel::Cidr(net) => range_sql("okey", keys::ip_range(net)),
        };
        self.fact_query("facts_rev", cond, &q.predicates, &q.fence, q.limit)
    }

    fn names_forward(&self, q: &NameScan) -> Result<Vec<DomainName>> {
        let prefix = keys::forward_prefix(&q.labels);
        let lower = match &q.after {
            Some(d) => keys::forward_prefix(d.ascii()).max(prefix.clone()),
            None => prefix.clone(),
        };
        let upper = match keys::prefix_end(&prefix) {
            Some(end) => format!(" AND fkey < {}", lit(&end)),
            None => String::new(),
        };
        // Strictly greater than the bare labels (or the resume point).
        let sql = format!(
            "SELECT DISTINCT fkey FROM {}.names WHERE fkey > {}{upper} \
             ORDER BY fkey LIMIT {} FORMAT RowBinary",
            self.db(),
            lit(&lower),
            q.limit
        );
        let b = self.conn.query(&sql)?;
        let mut d = Dec::new(&b);
        let mut out = Vec::new();
        while !d.is_empty() {
            let k = d.string()?;
            let name = k.strip_suffix('.').unwrap_or(&k);
            out.push(DomainName::from_normalised(name).map_err(|e| corrupt(e.to_string()))?);
        }
        Ok(out)
    }

    fn holdings(&self, holder: &Entity) -> Result<Vec<Holding>> {
        let rows = self.holding_rows(&entity_key(&holder_of(holder)))?;
        let mut latest: HashMap<Predicate, i64> = HashMap::new();
        for (p, _, w) in &rows {
            let e = latest.entry(*p).or_insert(i64::MIN);
            *e = (*e).max(w.last_seen);
        }
        Ok(rows
            .into_iter()
            .map(|(predicate, object, window)| {
                let l = latest.get(&predicate).copied().unwrap_or(i64::MIN);
                Holding {
                    current: predicate.current_rule().is_current(window.last_seen, l),
                    predicate,
                    object,
                    window,
                }
            })
            .collect())
    }

    fn value_counts(&self, values: &[(Predicate, Entity)]) -> Result<Vec<ValueCount>> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let keyed: Vec<(u16, Vec<u8>)> = values
            .iter()
            .map(|(p, o)| (p.id(), entity_key(o)))
            .collect();
        let distinct: BTreeSet<&(u16, Vec<u8>)> = keyed.iter().collect();
        let preds: BTreeSet<u16> = distinct.iter().map(|(p, _)| *p).collect();
        let set: Vec<String> = distinct
            .iter()
            .map(|(p, o)| format!("({p}, {})", lit(o)))
            .collect();
        let set = set.join(", ");
        let db = self.db();
        let win = window_sql(&preds);
        // Holders of a value live on one shard with their other holdings, so
        // each shard counts its own holders with local tables, in parallel,
        // and the counts add up.
        let local = self.conn.cfg.local_suffix();
        let sql = format!(
            "SELECT pred, okey, toUInt64(sum(cur)) AS current, toUInt64(count() - sum(cur)) AS historic FROM \
             (SELECT pred, okey, toUInt8(latest - l < {win}) AS cur FROM \
               (SELECT pred, okey, hkey, toInt64(maxMerge(last)) AS l FROM {db}.holdings_piv{local} \
                WHERE (pred, okey) IN ({set}) AND startsWith(hkey, 'D') GROUP BY pred, okey, hkey) \
              ANY LEFT JOIN \
               (SELECT hkey, pred, toInt64(maxMerge(last)) AS latest FROM {db}.holder_latest{local} \
                WHERE (pred, hkey) IN (SELECT pred, hkey FROM {db}.holdings_piv{local} \
                  WHERE (pred, okey) IN ({set}) AND startsWith(hkey, 'D')) GROUP BY hkey, pred) \
              USING (hkey, pred)) \
             GROUP BY pred, okey FORMAT RowBinary",
        );
        let nodes = if self.conn.cfg.cluster.is_some() {
            self.conn.cfg.shards.clone()
        } else {
            vec![self.conn.cfg.entry.clone()]
        };
        let answers: Vec<Result<Vec<u8>>> = std::thread::scope(|sc| {
            let handles: Vec<_> = nodes
                .iter()
                .map(|n| sc.spawn(|| self.conn.query_on(n, &sql)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(corrupt("count worker panicked")))
                })
                .collect()
        });
        let mut found: HashMap<(u16, Vec<u8>), ValueCount> = HashMap::new();
        for b in answers {
            let b = b?;
            let mut d = Dec::new(&b);
            while !d.is_empty() {
                let p = d.u16()?;
                let o = d.bytes()?.to_vec();
                let current = d.u64()?;
                let historic = d.u64()?;
                let e = found.entry((p, o)).or_default();
                e.current += current;
                e.historic += historic;
            }
        }
        Ok(keyed
            .iter()
            .map(|k| found.get(k).copied().unwrap_or_default())
            .collect())
    }

    fn pivot(&self, q: &PivotQuery) -> Result<PivotPage> {
        let after = match &q.after {
            Some(c) => {
                let d = DomainName::parse(c)
                    .map_err(|e| StoreError::Invalid(format!("bad cursor: {e}")))?;
                format!(" AND hkey > {}", lit(&entity_key(&Entity::Domain(d))))
            }
            None => String::new(),
        };
        let count = self
            .value_counts(&[(q.predicate, q.object.clone())])?
            .pop()
            .unwrap_or_default();
        let db = self.db();
        let p = q.predicate.id();
        let okey = lit(&entity_key(&q.object));
        let want = q.limit.saturating_add(1);
        // Holders are read in key order, a chunk at a time, with their
        // newest observation of the predicate looked up for that chunk only
        // (contiguous keys: a few granules of `holder_latest`); the scope
        // filter then applies in Rust. A sparse scope takes more rounds
        // with growing chunks.
        let mut chunk = want.max(64) as u64;
        let mut cursor = after;
        let mut rows: Vec<(DomainName, Holding)> = Vec::new();
        loop {
            let holders = format!(
                "SELECT hkey, toInt64(minMerge(first)) AS f, toInt64(maxMerge(last)) AS l, \
                 toUInt64(sumMerge(cnt)) AS c FROM {db}.holdings_piv \
                 WHERE pred = {p} AND okey = {okey} AND startsWith(hkey, 'D'){cursor} \
                 GROUP BY hkey ORDER BY hkey LIMIT {chunk}"
            );
            let sql = format!(
                "SELECT hkey, f, l, c, latest FROM ({holders}) ANY LEFT JOIN \
                 (SELECT hkey, toInt64(maxMerge(last)) AS latest FROM {db}.holder_latest \
                  WHERE pred = {p} AND hkey IN (SELECT hkey FROM ({holders})) GROUP BY hkey) \
                 USING hkey ORDER BY hkey FORMAT RowBinary"
            );
            let b = self.conn.query(&sql)?;
            let mut d = Dec::new(&b);
            let mut n = 0u64;
            let mut last_key: Vec<u8> = Vec::new();
            while !d.is_empty() {
                let hkey = d.bytes()?;
                let window = Window {
                    first_seen: d.i64()?,
                    last_seen: d.i64()?,
                    count: d.u64()?,
                };
                let latest = d.i64()?;
                n += 1;
                last_key.clear();
                last_key.extend_from_slice(hkey);
                let current = q
                    .predicate
                    .current_rule()
                    .is_current(window.last_seen, latest);
                let keep = match q.scope {
                    Scope::Current => current,
                    Scope::Historic => !current,
                    Scope::All => true,
                };
                if !keep || rows.len() >= want {
                    continue;
                }
                let Entity::Domain(dom) = decode_key(hkey)? else {
                    return Err(corrupt("pivot holder is not a name"));
                };
                rows.push((
                    dom,
                    Holding {
                        predicate: q.predicate,
                        object: q.object.clone(),
                        window,
                        current,
                    },
                ));
            }
            if rows.len() >= want || n < chunk {
                break;
            }
            cursor = format!(" AND hkey > {}", lit(&last_key));
            chunk = chunk.saturating_mul(4).min(1 << 20);
        }
        let next_cursor = if rows.len() > q.limit {
            rows.truncate(q.limit);
            rows.last().map(|(d, _)| d.ascii().to_string())
        } else {
            None
        };
        let domains = rows;
        Ok(PivotPage {
            domains,
            count,
            next_cursor,
        })
    }

    /// Holders read in (value, holder) key order a chunk at a time, each
    /// chunk with its holders' newest observation of the predicate (for
    /// the current flag, as in `pivot`); values are cut where the value
    /// key changes, so one value may span chunks.
    fn scan_values(
        &self,
        q: &ValueScan,
        visit: &mut dyn FnMut(&Entity, &[ScannedHolder<'_>]) -> Result<()>,
    ) -> Result<ValueScanSummary> {
        const CHUNK: u64 = 200_000;
        let db = self.db();
        let p = q.predicate.id();
        let rule = q.predicate.current_rule();
        let mut sum = ValueScanSummary::default();
        let mut obj: Vec<u8> = Vec::new();
        let mut held: Vec<(Vec<u8>, bool, i64)> = Vec::new();
        let mut too_many = false;
        let mut flush = |obj: &[u8],
                         held: &[(Vec<u8>, bool, i64)],
                         too_many: bool,
                         sum: &mut ValueScanSummary|
         -> Result<()> {
            if obj.is_empty() {
                return Ok(());
            }
            if too_many {
                sum.too_common += 1;
                return Ok(());
            }
            if (held.len() as u64) < q.min_holders.max(1) {
                return Ok(());
            }
            let object = decode_key(obj)?;
            let hs: Vec<ScannedHolder<'_>> = held
                .iter()
                .map(|(key, current, first_seen)| ScannedHolder {
                    key,
                    current: *current,
                    first_seen: *first_seen,
                })
                .collect();
            sum.delivered += 1;
            visit(&object, &hs)
        };
        let mut cursor = String::new();
        loop {
            let rows = format!(
                "SELECT okey, hkey, toInt64(minMerge(first)) AS f, toInt64(maxMerge(last)) AS l \
                 FROM {db}.holdings_piv WHERE pred = {p} AND startsWith(hkey, 'D'){cursor} \
                 GROUP BY okey, hkey ORDER BY okey, hkey LIMIT {CHUNK}"
            );
            let sql = format!(
                "SELECT okey, hkey, f, l, latest FROM ({rows}) ANY LEFT JOIN \
                 (SELECT hkey, toInt64(maxMerge(last)) AS latest FROM {db}.holder_latest \
                  WHERE pred = {p} AND hkey IN (SELECT hkey FROM ({rows})) GROUP BY hkey) \
                 USING hkey ORDER BY okey, hkey FORMAT RowBinary"
            );
            let b = self.conn.query(&sql)?;
            let mut d = Dec::new(&b);
            let mut n = 0u64;
            let (mut last_o, mut last_h) = (Vec::new(), Vec::new());
            while !d.is_empty() {
                let okey = d.bytes()?;
                let hkey = d.bytes()?;
                let first_seen = d.i64()?;
                let last_seen = d.i64()?;
                let latest = d.i64()?;
                n += 1;
                last_o.clear();
                last_o.extend_from_slice(okey);
                last_h.clear();
                last_h.extend_from_slice(hkey);
                if okey != obj.as_slice() {
                    flush(&obj, &held, too_many, &mut sum)?;
                    obj.clear();
                    obj.extend_from_slice(okey);
                    held.clear();
                    too_many = false;
                }
                if too_many {
                    continue;
                }
                if held.len() as u64 >= q.max_holders {
                    too_many = true;
                    held.clear();
                    continue;
                }
                if !keys::is_name_key(hkey) {
                    return Err(corrupt("scanned holder is not a name"));
                }
                held.push((
                    hkey.to_vec(),
                    rule.is_current(last_seen, latest),
                    first_seen,
                ));
            }
            if n < CHUNK {
                break;
            }
            cursor = format!(
                " AND (okey > {o} OR (okey = {o} AND hkey > {h}))",
                o = lit(&last_o),
                h = lit(&last_h)
            );
        }
        flush(&obj, &held, too_many, &mut sum)?;
        Ok(sum)
    }

    fn documents(&self, subject: &Entity, kind: &str) -> Result<Vec<Document>> {
        let holder = holder_of(subject);
        let kind_sql = if kind.is_empty() {
            String::new()
        } else {
            format!(" AND kind = {}", lit(kind.as_bytes()))
        };
        let sql = format!(
            "SELECT kind, time, source, body FROM {}.documents FINAL WHERE hkey = {}{kind_sql} \
             ORDER BY kind, time, source FORMAT RowBinary",
            self.db(),
            lit(&entity_key(&holder))
        );
        let b = self.conn.query(&sql)?;
        let mut d = Dec::new(&b);
        let mut out = Vec::new();
        while !d.is_empty() {
            out.push(Document {
                subject: holder.clone(),
                kind: d.string()?,
                time: d.i64()?,
                source: d.string()?,
                body: d.bytes()?.to_vec(),
            });
        }
        Ok(out)
    }

    fn events(&self, after: u64, limit: usize) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT seq, time, kind, subject, data FROM {}.events FINAL WHERE seq > {after} \
             ORDER BY seq LIMIT {} FORMAT RowBinary",
            self.db(),
            limit as u64
        );
        let b = self.conn.query(&sql)?;
        let mut d = Dec::new(&b);
        let mut out = Vec::new();
        while !d.is_empty() {
            let seq = d.u64()?;
            let time = d.i64()?;
            let kind = d.string()?;
            let subject = d.string()?;
            let data: BTreeMap<String, String> =
                serde_json::from_slice(d.bytes()?).map_err(|e| StoreError::Corruption {
                    what: "events",
                    detail: e.to_string(),
                })?;
            out.push(Event {
                seq,
                time,
                kind,
                subject,
                data,
            });
        }
        Ok(out)
    }

    fn check(&self) -> Result<CheckReport> {
        let mut r = CheckReport::default();
        let db = self.db().to_string();
        migrate::verify(&self.conn)?;
        let facts = self.checksum("facts", "skey, pred, okey")?;
        let rev = self.checksum("facts_rev", "okey, pred, skey")?;
        let hold = self.checksum("holdings", "hkey, pred, okey")?;
        let piv = self.checksum("holdings_piv", "pred, okey, hkey")?;
        r.facts = facts.0;
        r.holdings = hold.0;
        if facts != rev {
            r.problems.push(format!(
                "reverse index differs from facts: (facts, count, first, last) {rev:?} vs {facts:?}"
            ));
        }
        if hold != piv {
            r.problems.push(format!(
                "pivot index differs from holdings: {piv:?} vs {hold:?}"
            ));
        }
        let b = self.conn.query(&format!(
            "SELECT toUInt64(sum(cnt)) FROM {db}.observations FORMAT RowBinary"
        ))?;
        let raw_count = Dec::new(&b).u64()?;
        if raw_count != facts.1 || raw_count != hold.1 {
            r.problems.push(format!(
                "observation counts differ: raw {raw_count}, facts {}, holdings {}",
                facts.1, hold.1
            ));
        }
        // A holder's newest observation per predicate, two ways.
        let b = self.conn.query(&format!(
            "SELECT toUInt64(count()), toInt64(sum(m)) FROM (SELECT max(l) AS m FROM \
             (SELECT hkey, pred, toInt64(maxMerge(last)) AS l FROM {db}.holdings GROUP BY hkey, pred, okey) \
             GROUP BY hkey, pred) FORMAT RowBinary"
        ))?;
        let mut d = Dec::new(&b);
        let from_holdings = (d.u64()?, d.i64()?);
        let b = self.conn.query(&format!(
            "SELECT toUInt64(count()), toInt64(sum(l)) FROM (SELECT toInt64(maxMerge(last)) AS l \
             FROM {db}.holder_latest GROUP BY hkey, pred) FORMAT RowBinary"
        ))?;
        let mut d = Dec::new(&b);
        let latest = (d.u64()?, d.i64()?);
        if from_holdings != latest {
            r.problems.push(format!(
                "holder_latest differs from holdings: {latest:?} vs {from_holdings:?}"
            ));
        }
        let b = self.conn.query(&format!(
            "SELECT toUInt64(count()) FROM (SELECT 1 FROM {db}.holdings_piv WHERE startsWith(hkey, 'D') GROUP BY pred, okey) FORMAT RowBinary"
        ))?;
        r.values = Dec::new(&b).u64()?;
        let b = self.conn.query(&format!(
            "SELECT toUInt64(count()), toUInt64(min(seq)), toUInt64(max(seq)) FROM {db}.events FINAL FORMAT RowBinary"
        ))?;
        let mut d = Dec::new(&b);
        let (n, lo, hi) = (d.u64()?, d.u64()?, d.u64()?);
        r.events = n;
        if n > 0 && (lo != 1 || hi != n) {
            r.problems.push(format!(
                "event sequence not contiguous from 1: {n} events, {lo}..={hi}"
            ));
        }
        Ok(r)
    }

    fn stats(&self) -> Result<StoreStats> {
        let db = self.db();
        let b = self.conn.query(&format!(
            "SELECT toUInt64(count()) FROM {db}.facts FORMAT RowBinary"
        ))?;
        let facts = Dec::new(&b).u64()?;
        let b = self.conn.query(&format!(
            "SELECT toUInt64(count()) FROM {db}.holdings FORMAT RowBinary"
        ))?;
        let holdings = Dec::new(&b).u64()?;
        let mut disk_bytes = 0u64;
        for node in self.conn.cfg.nodes() {
            let b = self.conn.query_on(
                &node,
                &format!(
                    "SELECT toUInt64(sum(bytes_on_disk)) FROM system.parts WHERE database = '{db}' AND active FORMAT RowBinary"
                ),
            )?;
            disk_bytes += Dec::new(&b).u64()?;
        }
        Ok(StoreStats {
            engine: "clickhouse".into(),
            facts,
            holdings,
            disk_bytes,
            last_event_seq: lock(&self.writer).next_seq - 1,
        })
    }
}

#[cfg(test)]
mod tests;
