//! The embedded engine: one directory, no server, crash-safe.
//!
//! Built on fjall (an LSM tree with cross-keyspace atomic batches, block
//! compression and a write-ahead journal). Keyspaces:
//!
//! | keyspace | key | value |
//! |---|---|---|
//! | `fwd` | subject · predicate · object | window + source ids |
//! | `rev` | object · predicate · subject | (empty) |
//! | `dom` | holder · predicate · object | holding (window, current) |
//! | `piv` | predicate · object · holder | holding (copy) |
//! | `cnt` | predicate · object | current, historic domain counts |
//! | `disp` | text key | display form of free text |
//! | `doc` | holder · kind · time | source + deflated body |
//! | `evt` | sequence number | event (JSON) |
//! | `meta` | `ledger:*`, `src:*`, `seq` | ledger entries, source ids, counters |
//! | `nam` | subject name as written + `.` (`www.example.com.`) | (empty) |
//!
//! `nam` holds one key per distinct subject name, written when the name's
//! first fact is stored (not per fact): right-hand wildcards
//! (`www.example.*`) are a prefix scan of it. A store made before it
//! existed (format version 1) gets it built when opened.
//!
//! Invariant: every write is one fjall batch committed with `SyncAll`, so a
//! crash leaves either all or none of a batch, ledger entry included: the
//! ledger never claims more than is stored.

mod codec;
mod redo;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use scry_model::{DomainName, Entity, Fact, Predicate, Window};

use crate::error::{Result, StoreError};
use crate::keys::{self, entity_key, push_entity, push_pred, read_entity, read_pred};
use crate::{
    CheckReport, DataDir, Document, Event, FactPage, FactQuery, Holding, LedgerEntry, NameScan,
    ObjectSel, PivotPage, PivotQuery, ReverseQuery, Scope, Store, StoreStats, SubjectSel,
    ValueCount, WriteBatch, WriteReceipt, holder_of,
};
use codec::{FactVal, HoldVal, decode_count, encode_count};
use redo::{CNT, DISP, DOC, DOM, EVT, FWD, META, NAM, PIV, Puts, REV};

struct Writer {
    next_seq: u64,
    sources: HashMap<String, u16>,
    /// Counts of recently written values. Only this process writes the
    /// store (data-dir lock), so the cache is coherent; it is updated after
    /// a successful commit and cleared when it grows past its bound.
    counts: HashMap<Vec<u8>, (u64, u64)>,
}

/// Most entries the count cache keeps before it is cleared.
const COUNT_CACHE: usize = 1 << 20;

/// The embedded fact engine.
pub struct EmbeddedStore {
    db: Database,
    fwd: Keyspace,
    rev: Keyspace,
    dom: Keyspace,
    piv: Keyspace,
    cnt: Keyspace,
    disp: Keyspace,
    doc: Keyspace,
    evt: Keyspace,
    meta: Keyspace,
    nam: Keyspace,
    writer: Mutex<Writer>,
    source_names: Mutex<HashMap<u16, String>>,
    path: std::path::PathBuf,
    poisoned: std::sync::atomic::AtomicBool,
    /// Test failpoint (see [`EmbeddedStore::fail_next_bulk_after`]).
    #[cfg(feature = "testsuite")]
    fail_after_keyspaces: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmbeddedStore")
    }
}

fn ks(db: &Database, name: &str) -> Result<Keyspace> {
    Ok(db.keyspace(name, KeyspaceCreateOptions::default)?)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl EmbeddedStore {
    /// Opens (or creates) the engine's files inside a locked data dir.
    pub fn open(dir: &DataDir) -> Result<EmbeddedStore> {
        let store = Self::open_path(&dir.path().join("facts"))?;
        store.build_names_index()?;
        if dir.format_version()? < crate::FORMAT_VERSION {
            dir.record_format_version()?;
        }
        Ok(store)
    }

    /// Builds the forward-name index of a store made before it existed
    /// (format version 1): one pass over the subjects of `fwd`, in bounded
    /// batches, then the marker. Interrupted, it starts again (the puts are
    /// idempotent).
    fn build_names_index(&self) -> Result<()> {
        const MARK: &[u8] = b"index:nam";
        if self.meta.get(MARK)?.is_some() {
            return Ok(());
        }
        let mut batch = self.db.batch().durability(Some(PersistMode::SyncAll));
        let (mut pending, mut names) = (0usize, 0u64);
        let mut last: Vec<u8> = Vec::new();
        for item in self.fwd.iter() {
            let k = item.key()?;
            let Some(f) = keys::forward_name_key(&k) else {
                continue;
            };
            if f == last {
                continue;
            }
            batch.insert(&self.nam, f.as_slice(), b"");
            last = f;
            pending += 1;
            names += 1;
            if pending >= 100_000 {
                batch.commit()?;
                batch = self.db.batch().durability(Some(PersistMode::SyncAll));
                pending = 0;
                tracing::info!(names, "building the forward-name index");
            }
        }
        batch.insert(&self.meta, MARK, b"1");
        batch.commit()?;
        if names > 0 {
            tracing::info!(names, "forward-name index built (store format 1 to 2)");
        }
        Ok(())
    }

    /// Test helper: makes the store look like format version 1 (no
    /// forward-name index), as a store written before it existed.
    #[cfg(feature = "testsuite")]
    pub fn drop_names_index_for_test(&self) -> Result<()> {
        let mut b = self.db.batch().durability(Some(PersistMode::SyncAll));
        for item in self.nam.iter() {
            let k = item.key()?;
            b.remove(&self.nam, k);
        }
        b.remove(&self.meta, b"index:nam".as_slice());
        Ok(b.commit()?)
    }

    fn open_path(path: &Path) -> Result<EmbeddedStore> {
        let db = Database::builder(path)
            .cache_size(128 * 1024 * 1024)
            .open()?;
        let meta = ks(&db, "meta")?;
        let store = EmbeddedStore {
            fwd: ks(&db, "fwd")?,
            rev: ks(&db, "rev")?,
            dom: ks(&db, "dom")?,
            piv: ks(&db, "piv")?,
            cnt: ks(&db, "cnt")?,
            disp: ks(&db, "disp")?,
            doc: ks(&db, "doc")?,
            evt: ks(&db, "evt")?,
            meta,
            nam: ks(&db, "nam")?,
            db,
            writer: Mutex::new(Writer {
                next_seq: 1,
                sources: HashMap::new(),
                counts: HashMap::new(),
            }),
            source_names: Mutex::new(HashMap::new()),
            path: path.to_path_buf(),
            poisoned: std::sync::atomic::AtomicBool::new(false),
            #[cfg(feature = "testsuite")]
            fail_after_keyspaces: std::sync::atomic::AtomicUsize::new(usize::MAX),
        };
        // Finish an interrupted bulk batch before reading any state.
        redo::recover(&store)?;
        store.load_writer_state()?;
        Ok(store)
    }

    fn load_writer_state(&self) -> Result<()> {
        let meta = &self.meta;
        let mut sources = HashMap::new();
        let mut names = HashMap::new();
        for item in meta.prefix(b"src:") {
            let (k, v) = item.into_inner()?;
            let name = std::str::from_utf8(&k[4..]).map_err(|e| StoreError::Corruption {
                what: "meta",
                detail: e.to_string(),
            })?;
            let id = v
                .get(..2)
                .map(|s| u16::from_be_bytes([s[0], s[1]]))
                .ok_or_else(|| StoreError::Corruption {
                    what: "meta",
                    detail: "short source id".into(),
                })?;
            sources.insert(name.to_string(), id);
            names.insert(id, name.to_string());
        }
        let next_seq = match meta.get(b"seq")? {
            Some(v) => v
                .get(..8)
                .and_then(|s| s.try_into().ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| StoreError::Corruption {
                    what: "meta",
                    detail: "short sequence".into(),
                })?,
            None => 1,
        };
        let mut w = lock(&self.writer);
        w.sources = sources;
        w.next_seq = next_seq;
        *lock(&self.source_names) = names;
        Ok(())
    }

    /// Test failpoint: the next bulk commit stops with an error after
    /// ingesting `n` keyspaces, as a crash would (the redo log stays behind).
    #[cfg(feature = "testsuite")]
    pub fn fail_next_bulk_after(&self, n: usize) {
        self.fail_after_keyspaces
            .store(n, std::sync::atomic::Ordering::SeqCst);
    }

    fn keyspace(&self, i: usize) -> &Keyspace {
        match i {
            FWD => &self.fwd,
            REV => &self.rev,
            DOM => &self.dom,
            PIV => &self.piv,
            CNT => &self.cnt,
            DISP => &self.disp,
            DOC => &self.doc,
            EVT => &self.evt,
            NAM => &self.nam,
            _ => &self.meta,
        }
    }

    /// Stores a batch's puts: small batches as one atomic, synced fjall
    /// batch; large ones through the redo log and sorted table ingestion
    /// (see `redo`).
    fn commit(&self, puts: Puts) -> Result<()> {
        if self.poisoned.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Engine(
                "an earlier batch was interrupted; reopen the store to finish it".into(),
            ));
        }
        if puts.len() < redo::BULK_THRESHOLD {
            let mut b = self.db.batch().durability(Some(PersistMode::SyncAll));
            for (i, items) in puts.into_sorted() {
                let ks = self.keyspace(i).clone();
                for (k, v) in items {
                    b.insert(&ks, k, v);
                }
            }
            return Ok(b.commit()?);
        }
        let r = redo::commit_bulk(self, puts);
        if r.is_err() {
            self.poisoned
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        r
    }

    /// Waits until background flushes and compactions have stopped (or
    /// `timeout` passed); returns whether the engine is idle. Benchmarks use
    /// it so that query latencies are not measured against a compaction
    /// running on the same cores.
    pub fn wait_for_background_work(&self, timeout: std::time::Duration) -> bool {
        let start = std::time::Instant::now();
        let mut idle_polls = 0;
        while start.elapsed() < timeout {
            if self.db.active_compactions() == 0 && self.db.outstanding_flushes() == 0 {
                idle_polls += 1;
                // Compactions are scheduled in waves: idle for a second.
                if idle_polls >= 10 {
                    return true;
                }
            } else {
                idle_polls = 0;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        false
    }

    /// Bytes on disk.
    pub fn disk_space(&self) -> u64 {
        self.db.disk_space().unwrap_or(0)
    }

    fn display(&self, e: Entity) -> Result<Entity> {
        if let Entity::Text(t) = &e {
            let k = entity_key(&e);
            if let Some(v) = self.disp.get(&k)? {
                return Ok(Entity::Text(String::from_utf8_lossy(&v).into_owned()));
            }
            return Ok(Entity::Text(t.clone()));
        }
        Ok(e)
    }

    fn source_names(&self, ids: &[u16]) -> Vec<String> {
        let names = lock(&self.source_names);
        let mut v: Vec<String> = ids
            .iter()
            .map(|id| names.get(id).cloned().unwrap_or_else(|| format!("#{id}")))
            .collect();
        v.sort();
        v
    }

    fn decode_fact(&self, key: &[u8], val: &[u8]) -> Result<Fact> {
        let (subject, rest) = read_entity(key)?;
        let (predicate, rest) = read_pred(rest)?;
        let (object, _) = read_entity(rest)?;
        let fv = FactVal::decode(val)?;
        Ok(Fact {
            subject,
            predicate,
            object: self.display(object)?,
            window: fv.window,
            sources: self.source_names(&fv.sources),
        })
    }

    fn scan_facts(
        &self,
        iter: fjall::Iter,
        preds: &[Predicate],
        fence: &crate::TimeFence,
        limit: usize,
        page: &mut FactPage,
    ) -> Result<()> {
        for item in iter {
            let (k, v) = item.into_inner()?;
            let f = self.decode_fact(&k, &v)?;
            if !preds.is_empty() && !preds.contains(&f.predicate) {
                continue;
            }
            if !fence.admits(&f.window) {
                continue;
            }
            if page.facts.len() >= limit {
                page.limited = true;
                return Ok(());
            }
            page.facts.push(f);
        }
        Ok(())
    }

    /// Reads up to `max` entries under `prefix`; `None` when there are more
    /// (the caller then falls back to point reads).
    fn scan_bounded(
        &self,
        ks: &Keyspace,
        prefix: &[u8],
        max: usize,
    ) -> Result<Option<Vec<(fjall::Slice, fjall::Slice)>>> {
        let mut out = Vec::new();
        for item in ks.prefix(prefix) {
            if out.len() >= max {
                return Ok(None);
            }
            out.push(item.into_inner()?);
        }
        Ok(Some(out))
    }

    /// The stored values of `wanted` keys (all under `prefix`): one bounded
    /// prefix scan, or point reads when the prefix holds many more keys.
    fn read_many(
        &self,
        ks: &Keyspace,
        prefix: &[u8],
        wanted: &[&[u8]],
    ) -> Result<HashMap<Vec<u8>, fjall::Slice>> {
        let mut out = HashMap::with_capacity(wanted.len());
        if wanted.len() >= 2
            && let Some(all) = self.scan_bounded(ks, prefix, wanted.len() * 16 + 64)?
        {
            for (k, v) in all {
                out.insert(k.to_vec(), v);
            }
            return Ok(out);
        }
        for k in wanted {
            if let Some(v) = ks.get(k)? {
                out.insert(k.to_vec(), v);
            }
        }
        Ok(out)
    }

    fn holdings_of(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, HoldVal)>> {
        let mut out = Vec::new();
        for item in self.dom.prefix(prefix) {
            let (k, v) = item.into_inner()?;
            out.push((k[prefix.len()..].to_vec(), HoldVal::decode(&v)?));
        }
        Ok(out)
    }
}

/// A batch's window deltas for one holder, by (predicate, object key).
type HolderDeltas = BTreeMap<(Predicate, Vec<u8>), Window>;

/// One aggregated fact of a batch.
struct Agg {
    subject_len: usize,
    holder: Vec<u8>,
    pred: Predicate,
    object: Vec<u8>,
    window: Window,
    sources: BTreeSet<u16>,
}

impl Store for EmbeddedStore {
    fn engine(&self) -> &'static str {
        "embedded"
    }

    fn write(&self, batch: WriteBatch) -> Result<WriteReceipt> {
        let mut w = lock(&self.writer);
        let mut out = Puts::default();
        let mut receipt = WriteReceipt {
            new_known: true,
            ..WriteReceipt::default()
        };
        let mut new_sources: Vec<(String, u16)> = Vec::new();

        // 1. Aggregate observations per fact key.
        let mut aggs: BTreeMap<Vec<u8>, Agg> = BTreeMap::new();
        let mut display: BTreeMap<Vec<u8>, String> = BTreeMap::new();
        for o in &batch.observations {
            let sid = match w.sources.get(&o.source) {
                Some(id) => *id,
                None => {
                    let id = u16::try_from(w.sources.len() + 1).map_err(|_| {
                        StoreError::Invalid("more than 65535 distinct sources".into())
                    })?;
                    w.sources.insert(o.source.clone(), id);
                    new_sources.push((o.source.clone(), id));
                    id
                }
            };
            let mut key = Vec::with_capacity(64);
            push_entity(&mut key, &o.subject);
            let subject_len = key.len();
            push_pred(&mut key, o.predicate);
            let okey_start = key.len();
            push_entity(&mut key, &o.object);
            if let Entity::Text(t) = &o.object
                && t.chars().any(char::is_uppercase)
            {
                let d = display.entry(key[okey_start..].to_vec()).or_default();
                if t.as_str() > d.as_str() {
                    *d = t.clone();
                }
            }
            match aggs.get_mut(&key) {
                Some(a) => {
                    a.window.merge(&o.window);
                    a.sources.insert(sid);
                }
                None => {
                    let object = key[okey_start..].to_vec();
                    let holder = entity_key(&holder_of(&o.subject));
                    aggs.insert(
                        key,
                        Agg {
                            subject_len,
                            holder,
                            pred: o.predicate,
                            object,
                            window: o.window,
                            sources: BTreeSet::from([sid]),
                        },
                    );
                }
            }
        }

        // 2. Merge facts, reading each subject's existing facts with one
        //    bounded scan instead of a point read per fact.
        let mut holder_deltas: BTreeMap<Vec<u8>, HolderDeltas> = BTreeMap::new();
        let entries: Vec<(&Vec<u8>, &Agg)> = aggs.iter().collect();
        let mut i = 0;
        while i < entries.len() {
            let subject = &entries[i].0[..entries[i].1.subject_len];
            let mut j = i + 1;
            while j < entries.len()
                && entries[j].0.starts_with(subject)
                && entries[j].1.subject_len == subject.len()
            {
                j += 1;
            }
            let wanted: Vec<&[u8]> = entries[i..j].iter().map(|(k, _)| k.as_slice()).collect();
            let existing = self.read_many(&self.fwd, subject, &wanted)?;
            // A name with no stored fact is new: one forward-name key.
            if existing.is_empty()
                && let Some(f) = keys::forward_name_key(subject)
            {
                out.put(NAM, f, b"".as_slice());
            }
            for (key, a) in &entries[i..j] {
                let merged = match existing.get(key.as_slice()) {
                    Some(old) => {
                        let mut fv = FactVal::decode(old)?;
                        fv.window.merge(&a.window);
                        for s in &a.sources {
                            if !fv.sources.contains(s) {
                                fv.sources.push(*s);
                            }
                        }
                        receipt.facts_merged += 1;
                        fv
                    }
                    None => {
                        receipt.facts_new += 1;
                        let mut rk = Vec::with_capacity(key.len());
                        rk.extend_from_slice(&a.object);
                        push_pred(&mut rk, a.pred);
                        rk.extend_from_slice(&key[..a.subject_len]);
                        out.put(REV, rk, b"".as_slice());
                        FactVal {
                            window: a.window,
                            sources: a.sources.iter().copied().collect(),
                        }
                    }
                };
                out.put(FWD, key.as_slice(), merged.encode().as_slice());
                holder_deltas
                    .entry(a.holder.clone())
                    .or_default()
                    .entry((a.pred, a.object.clone()))
                    .and_modify(|w| w.merge(&a.window))
                    .or_insert(a.window);
            }
            i = j;
        }

        // 3. Holdings: one bounded scan per holder; merge deltas, recompute
        //    current flags per (holder, predicate), collect count moves.
        let mut cnt_delta: BTreeMap<Vec<u8>, (i64, i64)> = BTreeMap::new();
        for (holder, deltas) in &holder_deltas {
            let wanted: Vec<Vec<u8>> = deltas
                .keys()
                .map(|(p, o)| {
                    let mut k = holder.clone();
                    push_pred(&mut k, *p);
                    k.extend_from_slice(o);
                    k
                })
                .collect();
            let preds: BTreeSet<Predicate> = deltas.keys().map(|(p, _)| *p).collect();
            // Every holding of the touched predicates: the whole group is
            // needed to know the group's latest observation.
            let mut existing: BTreeMap<(Predicate, Vec<u8>), HoldVal> = BTreeMap::new();
            let scan = self.scan_bounded(&self.dom, holder, wanted.len() * 16 + 64)?;
            match scan {
                Some(all) => {
                    for (k, v) in all {
                        let (p, obj) = read_pred(&k[holder.len()..])?;
                        if preds.contains(&p) {
                            existing.insert((p, obj.to_vec()), HoldVal::decode(&v)?);
                        }
                    }
                }
                None => {
                    for p in &preds {
                        let mut prefix = holder.clone();
                        push_pred(&mut prefix, *p);
                        for (obj, hv) in self.holdings_of(&prefix)? {
                            existing.insert((*p, obj), hv);
                        }
                    }
                }
            }
            let is_domain = keys::is_name_key(holder);
            for pred in preds {
                let old_latest = existing
                    .range((pred, Vec::new())..)
                    .take_while(|((p, _), _)| *p == pred)
                    .map(|(_, h)| h.window.last_seen)
                    .max();
                let mut state: BTreeMap<&[u8], (Option<HoldVal>, Window)> = existing
                    .range((pred, Vec::new())..)
                    .take_while(|((p, _), _)| *p == pred)
                    .map(|((_, o), h)| (o.as_slice(), (Some(*h), h.window)))
                    .collect();
                for ((_, obj), dw) in deltas
                    .range((pred, Vec::new())..)
                    .take_while(|((p, _), _)| *p == pred)
                {
                    state
                        .entry(obj.as_slice())
                        .and_modify(|(_, w)| w.merge(dw))
                        .or_insert((None, *dw));
                }
                let latest = state
                    .values()
                    .map(|(_, w)| w.last_seen)
                    .max()
                    .unwrap_or(i64::MIN);
                let rule = pred.current_rule();
                let latest_moved = old_latest != Some(latest);
                for (obj, (old, w)) in &state {
                    let current = rule.is_current(w.last_seen, latest);
                    let touched = deltas.contains_key(&(pred, obj.to_vec()));
                    let changed = old.is_none_or(|o| o.current != current || o.window != *w);
                    if !(touched || latest_moved) || !changed {
                        continue;
                    }
                    let hv = HoldVal {
                        window: *w,
                        current,
                    };
                    let mut dk = Vec::with_capacity(holder.len() + 2 + obj.len());
                    dk.extend_from_slice(holder);
                    push_pred(&mut dk, pred);
                    dk.extend_from_slice(obj);
                    out.put(DOM, dk, hv.encode().as_slice());
                    let mut pk = Vec::with_capacity(2 + obj.len() + holder.len());
                    push_pred(&mut pk, pred);
                    pk.extend_from_slice(obj);
                    pk.extend_from_slice(holder);
                    out.put(PIV, pk, hv.encode().as_slice());
                    if is_domain {
                        let (dc, dh) = match (old.map(|o| o.current), current) {
                            (None, true) => (1, 0),
                            (None, false) => (0, 1),
                            (Some(false), true) => (1, -1),
                            (Some(true), false) => (-1, 1),
                            _ => (0, 0),
                        };
                        if dc != 0 || dh != 0 {
                            let mut ck = Vec::with_capacity(2 + obj.len());
                            push_pred(&mut ck, pred);
                            ck.extend_from_slice(obj);
                            let e = cnt_delta.entry(ck).or_insert((0, 0));
                            e.0 += dc;
                            e.1 += dh;
                        }
                    }
                }
            }
        }
        let mut new_counts: Vec<(Vec<u8>, (u64, u64))> = Vec::with_capacity(cnt_delta.len());
        for (ck, (dc, dh)) in cnt_delta {
            let (c, h) = match w.counts.get(&ck) {
                Some(v) => *v,
                None => match self.cnt.get(&ck)? {
                    Some(v) => decode_count(&v)?,
                    None => (0, 0),
                },
            };
            let nc = c
                .checked_add_signed(dc)
                .ok_or_else(|| StoreError::Corruption {
                    what: "counts",
                    detail: "current count would go negative".into(),
                })?;
            let nh = h
                .checked_add_signed(dh)
                .ok_or_else(|| StoreError::Corruption {
                    what: "counts",
                    detail: "historic count would go negative".into(),
                })?;
            out.put(CNT, ck.as_slice(), encode_count(nc, nh).as_slice());
            new_counts.push((ck, (nc, nh)));
        }
        // The display form kept is the greatest of those with an upper-case
        // letter (mixed case beats all caps), whatever the order of
        // arrival: both engines use this rule.
        for (k, v) in display {
            if let Some(old) = self.disp.get(&k)?
                && old.as_ref() >= v.as_bytes()
            {
                continue;
            }
            out.put(DISP, k, v.into_bytes());
        }

        // 4. Documents, events, sources, ledger.
        for d in &batch.documents {
            let mut k = entity_key(&holder_of(&d.subject));
            k.extend_from_slice(d.kind.as_bytes());
            k.push(0);
            k.extend_from_slice(&((d.time as u64) ^ (1 << 63)).to_be_bytes());
            k.extend_from_slice(d.source.as_bytes());
            let mut enc = flate2::write::DeflateEncoder::new(
                Vec::with_capacity(d.body.len() / 3),
                flate2::Compression::default(),
            );
            enc.write_all(&d.body)
                .map_err(|e| StoreError::Engine(format!("compress document: {e}")))?;
            let body = enc
                .finish()
                .map_err(|e| StoreError::Engine(format!("compress document: {e}")))?;
            let mut v = Vec::with_capacity(body.len() + d.source.len() + 2);
            v.extend_from_slice(&(d.source.len() as u16).to_be_bytes());
            v.extend_from_slice(d.source.as_bytes());
            v.extend_from_slice(&body);
            out.put(DOC, k, v);
        }
        let mut seq = w.next_seq;
        for e in &batch.events {
            let json = serde_json::json!({
                "time": e.time, "kind": e.kind, "subject": e.subject, "data": e.data,
            });
            out.put(EVT, seq.to_be_bytes(), json.to_string().into_bytes());
            receipt.last_event_seq = Some(seq);
            seq += 1;
        }
        if seq != w.next_seq {
            out.put(META, b"seq".as_slice(), seq.to_be_bytes().as_slice());
        }
        for (name, id) in &new_sources {
            let mut k = b"src:".to_vec();
            k.extend_from_slice(name.as_bytes());
            out.put(META, k, id.to_be_bytes().as_slice());
        }
        if let Some(l) = &batch.ledger {
            let mut k = b"ledger:".to_vec();
            k.extend_from_slice(l.key.as_bytes());
            let v = serde_json::to_vec(l).map_err(|e| StoreError::Engine(e.to_string()))?;
            out.put(META, k, v);
        }
        match self.commit(out) {
            Ok(()) => {}
            Err(e) => {
                w.counts.clear();
                // Roll back in-memory state: nothing of this batch is stored.
                for (name, _) in &new_sources {
                    w.sources.remove(name);
                }
                return Err(e);
            }
        }
        w.next_seq = seq;
        if w.counts.len() + new_counts.len() > COUNT_CACHE {
            w.counts.clear();
        }
        w.counts.extend(new_counts);
        let mut names = lock(&self.source_names);
        for (name, id) in new_sources {
            names.insert(id, name);
        }
        Ok(receipt)
    }

    fn ledger(&self, key: &str) -> Result<Option<LedgerEntry>> {
        let mut k = b"ledger:".to_vec();
        k.extend_from_slice(key.as_bytes());
        match self.meta.get(&k)? {
            None => Ok(None),
            Some(v) => serde_json::from_slice(&v)
                .map(Some)
                .map_err(|e| StoreError::Corruption {
                    what: "ledger",
                    detail: e.to_string(),
                }),
        }
    }

    fn facts(&self, q: &FactQuery) -> Result<FactPage> {
        let iter = match &q.subject {
            SubjectSel::Exact(e) => self.fwd.prefix(entity_key(e)),
            SubjectSel::Registrable(d) => self
                .fwd
                .prefix(keys::registrable_prefix(d.registrable_or_self())),
            SubjectSel::Subtree(d) => self.fwd.prefix(keys::subtree_prefix(d)),
            SubjectSel::Cidr(net) => {
                let (lo, mut hi) = keys::ip_range(net);
                // IP subjects are followed by a predicate and an object.
                hi.extend_from_slice(&[0xff; 4]);
                self.fwd.range(lo..=hi)
            }
        };
        let mut page = FactPage::default();
        self.scan_facts(iter, &q.predicates, &q.fence, q.limit, &mut page)?;
        Ok(page)
    }

    fn reverse(&self, q: &ReverseQuery) -> Result<FactPage> {
        let mut page = FactPage::default();
        let iter = match &q.object {
            ObjectSel::Exact(e) => self.rev.prefix(entity_key(e)),
            ObjectSel::Subtree(d) => self.rev.prefix(keys::subtree_prefix(d)),
            ObjectSel::Cidr(net) => {
                let (lo, mut hi) = keys::ip_range(net);
                hi.push(0xff);
                self.rev.range(lo..=hi)
            }
        };
        for item in iter {
            let (k, _) = item.into_inner()?;
            let (object, rest) = read_entity(&k)?;
            let (pred, rest) = read_pred(rest)?;
            if !q.predicates.is_empty() && !q.predicates.contains(&pred) {
                continue;
            }
            let mut fk = rest.to_vec();
            push_pred(&mut fk, pred);
            push_entity(&mut fk, &object);
            let Some(v) = self.fwd.get(&fk)? else {
                return Err(StoreError::Corruption {
                    what: "rev",
                    detail: "reverse entry without its fact".into(),
                });
            };
            let f = self.decode_fact(&fk, &v)?;
            if !q.fence.admits(&f.window) {
                continue;
            }
            if page.facts.len() >= q.limit {
                page.limited = true;
                break;
            }
            page.facts.push(f);
        }
        Ok(page)
    }

    fn names_forward(&self, q: &NameScan) -> Result<Vec<DomainName>> {
        let prefix = keys::forward_prefix(&q.labels);
        let start = match &q.after {
            Some(d) => {
                let mut k = keys::forward_prefix(d.ascii());
                k.push(0);
                k.max(prefix.clone())
            }
            None => prefix.clone(),
        };
        let end = keys::prefix_end(&prefix).unwrap_or_else(|| vec![0xff; prefix.len() + 1]);
        let mut out = Vec::new();
        for item in self.nam.range(start..end) {
            if out.len() >= q.limit {
                break;
            }
            let k = item.key()?;
            // The prefix itself is the bare labels: not below them.
            if k.len() <= prefix.len() {
                continue;
            }
            let s = std::str::from_utf8(&k[..k.len() - 1]).map_err(|e| StoreError::Corruption {
                what: "nam",
                detail: e.to_string(),
            })?;
            out.push(
                DomainName::from_normalised(s).map_err(|e| StoreError::Corruption {
                    what: "nam",
                    detail: e.to_string(),
                })?,
            );
        }
        Ok(out)
    }

    fn holdings(&self, holder: &Entity) -> Result<Vec<Holding>> {
        let prefix = entity_key(&holder_of(holder));
        let mut out = Vec::new();
        for (rest, hv) in self.holdings_of(&prefix)? {
            let (predicate, rest) = read_pred(&rest)?;
            let (object, _) = read_entity(rest)?;
            out.push(Holding {
                predicate,
                object: self.display(object)?,
                window: hv.window,
                current: hv.current,
            });
        }
        Ok(out)
    }

    fn value_counts(&self, values: &[(Predicate, Entity)]) -> Result<Vec<ValueCount>> {
        let mut out = Vec::with_capacity(values.len());
        for (p, o) in values {
            let mut k = Vec::with_capacity(32);
            push_pred(&mut k, *p);
            push_entity(&mut k, o);
            out.push(match self.cnt.get(&k)? {
                Some(v) => {
                    let (current, historic) = decode_count(&v)?;
                    ValueCount { current, historic }
                }
                None => ValueCount::default(),
            });
        }
        Ok(out)
    }

    fn pivot(&self, q: &PivotQuery) -> Result<PivotPage> {
        let mut prefix = Vec::with_capacity(32);
        push_pred(&mut prefix, q.predicate);
        push_entity(&mut prefix, &q.object);
        let count = self
            .value_counts(&[(q.predicate, q.object.clone())])?
            .pop()
            .unwrap_or_default();
        let start = match &q.after {
            Some(c) => {
                let d = DomainName::parse(c)
                    .map_err(|e| StoreError::Invalid(format!("bad cursor: {e}")))?;
                let mut s = prefix.clone();
                push_entity(&mut s, &Entity::Domain(d));
                s.push(0xff);
                s
            }
            None => prefix.clone(),
        };
        let end = keys::prefix_end(&prefix).unwrap_or_else(|| vec![0xff; prefix.len() + 1]);
        let mut domains = Vec::new();
        let mut next_cursor = None;
        for item in self.piv.range(start..end) {
            let (k, v) = item.into_inner()?;
            let holder = &k[prefix.len()..];
            if !keys::is_name_key(holder) {
                continue;
            }
            let hv = HoldVal::decode(&v)?;
            let keep = match q.scope {
                Scope::Current => hv.current,
                Scope::Historic => !hv.current,
                Scope::All => true,
            };
            if !keep {
                continue;
            }
            let (e, _) = read_entity(holder)?;
            let Entity::Domain(d) = e else { continue };
            if domains.len() >= q.limit {
                next_cursor = domains
                    .last()
                    .map(|(d, _): &(DomainName, Holding)| d.ascii().to_string());
                break;
            }
            domains.push((
                d,
                Holding {
                    predicate: q.predicate,
                    object: q.object.clone(),
                    window: hv.window,
                    current: hv.current,
                },
            ));
        }
        Ok(PivotPage {
            domains,
            count,
            next_cursor,
        })
    }

    fn documents(&self, subject: &Entity, kind: &str) -> Result<Vec<Document>> {
        let mut prefix = entity_key(&holder_of(subject));
        if !kind.is_empty() {
            prefix.extend_from_slice(kind.as_bytes());
            prefix.push(0);
        }
        let hl = entity_key(&holder_of(subject)).len();
        let mut out = Vec::new();
        for item in self.doc.prefix(&prefix) {
            let (k, v) = item.into_inner()?;
            let bad = |d: &str| StoreError::Corruption {
                what: "documents",
                detail: d.to_string(),
            };
            let rest = &k[hl..];
            let z = rest
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(|| bad("no kind"))?;
            let kind = String::from_utf8_lossy(&rest[..z]).into_owned();
            let t = rest
                .get(z + 1..z + 9)
                .and_then(|s| s.try_into().ok())
                .map(|b: [u8; 8]| (u64::from_be_bytes(b) ^ (1 << 63)) as i64)
                .ok_or_else(|| bad("no time"))?;
            let sl = v
                .get(..2)
                .map(|s| u16::from_be_bytes([s[0], s[1]]) as usize)
                .ok_or_else(|| bad("short"))?;
            let source = v
                .get(2..2 + sl)
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .ok_or_else(|| bad("short"))?;
            let mut body = Vec::new();
            flate2::read::DeflateDecoder::new(&v[2 + sl..])
                .take(256 * 1024 * 1024)
                .read_to_end(&mut body)
                .map_err(|e| bad(&e.to_string()))?;
            out.push(Document {
                subject: holder_of(subject),
                kind,
                time: t,
                source,
                body,
            });
        }
        Ok(out)
    }

    fn events(&self, after: u64, limit: usize) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        for item in self.evt.range(after.saturating_add(1).to_be_bytes()..) {
            if out.len() >= limit {
                break;
            }
            let (k, v) = item.into_inner()?;
            let seq = k
                .get(..8)
                .and_then(|s| s.try_into().ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| StoreError::Corruption {
                    what: "events",
                    detail: "short key".into(),
                })?;
            out.push(decode_event(seq, &v)?);
        }
        Ok(out)
    }

    fn check(&self) -> Result<CheckReport> {
        check::run(self)
    }

    fn stats(&self) -> Result<StoreStats> {
        Ok(StoreStats {
            engine: "embedded".into(),
            facts: self.fwd.approximate_len() as u64,
            holdings: self.dom.approximate_len() as u64,
            disk_bytes: self.disk_space(),
            last_event_seq: lock(&self.writer).next_seq - 1,
        })
    }
}

fn decode_event(seq: u64, v: &[u8]) -> Result<Event> {
    #[derive(serde::Deserialize)]
    struct E {
        time: i64,
        kind: String,
        subject: String,
        data: BTreeMap<String, String>,
    }
    let e: E = serde_json::from_slice(v).map_err(|e| StoreError::Corruption {
        what: "events",
        detail: e.to_string(),
    })?;
    Ok(Event {
        seq,
        time: e.time,
        kind: e.kind,
        subject: e.subject,
        data: e.data,
    })
}

mod check;
