//! The embedded engine: one directory, no server, crash-safe.
//!
//! Built on fjall (an LSM tree with cross-keyspace atomic batches, block
//! compression and a write-ahead journal). Keyspaces:
//!
//! | keyspace | key | value |
//! |---|---|---|
//! | `fwd` | subject · predicate · object | window + source ids |
//! | `rev` | object · predicate · subject | the fact's value (covering) |
//! | `dom` | holder · predicate · object | holding (window, current) |
//! | `piv` | predicate · object · holder | holding (copy) |
//! | `cnt` | predicate · object | current, historic domain counts |
//! | `disp` | text key | display form of free text |
//! | `doc` | holder · kind · time | source + deflated body |
//! | `evt` | sequence number | event (JSON) |
//! | `meta` | `ledger:*`, `src:*`, `seq` | ledger entries, source ids, counters |
//! | `nam` | subject name as written + `.` (`www.example.com.`) | (empty) |
//! | `seen` | `S` + subject, `H` + holder | (empty): names already stored |
//!
//! `nam` holds one key per distinct subject name, written when the name's
//! first fact is stored (not per fact): right-hand wildcards
//! (`www.example.*`) are a prefix scan of it. A store made before it
//! existed (format version 1) gets it built when opened.
//!
//! Invariant: every write is one fjall batch committed with `SyncAll`, so a
//! crash leaves either all or none of a batch, ledger entry included: the
//! ledger never claims more than is stored.

mod bulk;
mod codec;
mod pdns;
mod redo;
mod write;
mod zone;

pub use bulk::EmbeddedBulk;
pub use pdns::EmbeddedPdnsForm;
pub use zone::EmbeddedZoneForm;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use scry_model::{DomainName, Entity, Fact, Predicate, Window};

use crate::error::{Result, StoreError};
use crate::keys::{self, entity_key, push_entity, push_pred, read_entity, read_pred};
use crate::{
    CheckReport, DataDir, Document, Event, FactPage, FactQuery, Holding, LedgerEntry, NameScan,
    ObjectSel, PivotPage, PivotQuery, ReverseQuery, ScannedHolder, Scope, Store, StoreStats,
    SubjectSel, SubjectSummary, ValueCount, ValueScan, ValueScanSummary, WriteBatch, WriteReceipt,
    holder_of,
};
use codec::{FactVal, HoldVal, decode_count};
use redo::{CNT, DISP, DOC, DOM, EVT, FWD, NAM, PIV, Puts, REV, SEEN};

struct Writer {
    next_seq: u64,
    sources: HashMap<String, u16>,
    /// Counts of recently written values. Only this process writes the
    /// store (data-dir lock), so the cache is coherent; it is updated after
    /// a successful commit and cleared when it grows past its bound.
    counts: HashMap<Vec<u8>, (u64, u64)>,
    /// The puts buffers, reused from batch to batch.
    puts: Puts,
}

/// Most results a pivot page reserves room for up front.
const PAGE_CAP: usize = 10_000;

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
    seen: Keyspace,
    /// The zone form (`zone.rs`): delegations, their reverse, counts.
    zdl: Keyspace,
    zrv: Keyspace,
    zcn: Keyspace,
    /// Whether `zdl` holds anything (reads skip the zone form otherwise).
    zone_present: std::sync::atomic::AtomicBool,
    /// One materialisation at a time.
    zone_lock: Mutex<()>,
    /// The pDNS form (`pdns.rs`): holders whose holdings are derived on
    /// read, and their value counts.
    pho: Keyspace,
    pcn: Keyspace,
    /// Whether `pho` holds anything (reads skip the pDNS form otherwise).
    pdns_present: std::sync::atomic::AtomicBool,
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

/// Keyspace options for new stores: LZ4 data blocks at every level. fjall's
/// default compresses only from L2 down, and ingested tables are written
/// with L1's policy, so a bulk-loaded store was stored uncompressed until
/// compaction rewrote it (a keyspace keeps the options it was created
/// with; older stores stay readable as they are).
fn ks(db: &Database, name: &str, tuning: &Tuning) -> Result<Keyspace> {
    Ok(db.keyspace(name, || {
        // Index and filter blocks stay in memory at every level (fjall
        // pins them in L0 and L1 only): ingested tables are moved straight
        // down to the last level, whole-table index and filter blocks of
        // up to ~1 MiB that went through the block cache, and a query
        // that found one evicted re-read and re-parsed it (the small
        // profile's slowest 1% of calls cost 5.8-6.8 ms of CPU against a
        // p50 of ~150 µs). A 10 M-fact store pins a few tens of MiB.
        let mut o = KeyspaceCreateOptions::default()
            .data_block_compression_policy(fjall::config::CompressionPolicy::all(
                fjall::CompressionType::Lz4,
            ))
            .index_block_pinning_policy(fjall::config::PinningPolicy::all(true))
            .filter_block_pinning_policy(fjall::config::PinningPolicy::all(true));
        // Scanned keyspaces and the bulk-loaded zone form write 16 KiB
        // data blocks (fjall's default 4 KiB elsewhere): a quarter of the
        // blocks, block headers, checksums, LZ4 calls and index entries.
        // Measured on the loads' own records (`table_options` example):
        // `zrv` ingest CPU 0.78x and size 0.79x, `zdl` 0.92x / 0.89x, `evt`
        // 0.88x / 0.82x; scans and warm point reads no slower. A keyspace
        // keeps the block size it was created with.
        if LARGE_BLOCKS.contains(&name) {
            o = o.data_block_size_policy(fjall::config::BlockSizePolicy::all(
                tuning.large_block.unwrap_or(LARGE_BLOCK),
            ));
        }
        if let Some(bytes) = tuning.table_target {
            o = o.compaction_strategy(std::sync::Arc::new(
                fjall::compaction::Leveled::default().with_table_target_size(bytes),
            ));
        }
        // Read only by prefix and range scans (point reads only in `scry
        // store check`, which expects hits): bloom filters would be hashed
        // and stored for nothing (a bulk load spent ~4% of its CPU on
        // them).
        if SCANNED_ONLY.contains(&name) {
            o.filter_policy(fjall::config::FilterPolicy::disabled())
        } else {
            o
        }
    })?)
}

/// The source ids a scan last turned into names, and those names.
#[derive(Default)]
struct RecentSources {
    ids: Vec<u16>,
    names: Vec<String>,
}

/// How the engine is opened: fjall's background workers and, for new
/// keyspaces, the compaction's table size. Tests change them to build
/// states a real store reaches only at scale (see
/// [`EmbeddedStore::open_tuned_for_test`]).
struct Tuning {
    workers: usize,
    table_target: Option<u64>,
    /// Data block size of new `LARGE_BLOCKS` keyspaces (`None`:
    /// [`LARGE_BLOCK`]); a test sets fjall's default to make a store as
    /// earlier versions did.
    large_block: Option<u32>,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            workers: 1,
            table_target: None,
            large_block: None,
        }
    }
}

/// Level-0 runs at which fjall slows every write to a keyspace (a spin per
/// write, `perform_write_stall`).
const L0_STALL: usize = 20;
/// Active memtable size at which the writer rotates a keyspace's memtable
/// itself. Past fjall's limit (64 MiB, `max_memtable_size`) every write
/// to the keyspace queues a rotation request for the worker (`try_send`,
/// one per batch) until the worker handles one; while the single worker
/// runs a long compaction those requests fill its queue (1,000 messages),
/// and when it then rotates it sends itself a flush with a *blocking*
/// send to that full queue: the worker deadlocks, nothing is flushed or
/// compacted again, and the writer halts in fjall's backpressure (seen
/// in a 1 M-domain `scry evaluate`: the worker parked in
/// `inner_rotate_memtable`, the writer sleeping in `check_write_halt`).
/// Rotating here, from the writer's thread, keeps every memtable under
/// fjall's limit (a small batch, or an upgrade batch of 100,000 puts, is far below the 32 MiB margin), so no
/// request is ever queued.
const MEMTABLE_ROTATE: u64 = 32 * 1024 * 1024;
/// Compactions requested in a row without level 0 shrinking before the
/// writer compacts the keyspace itself.
const COMPACTION_REQUESTS: usize = 8;
/// Longest a write waits for compaction to bring a keyspace's level 0
/// below the stall. The largest keyspace of a 10 M-fact store compacts in
/// well under a minute on a loaded 2-core machine, so ten minutes without
/// getting there means the engine is stuck, not slow: the write fails
/// with [`StoreError::WriteStalled`] instead of halting forever.
const L0_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

/// Keyspaces whose new tables get [`LARGE_BLOCK`] data blocks: the
/// scanned-only ones, the zone form's delegations and the event log.
const LARGE_BLOCKS: [&str; 7] = ["rev", "piv", "dom", "nam", "zrv", "zdl", "evt"];

/// Data block size of [`LARGE_BLOCKS`] keyspaces created by this version.
const LARGE_BLOCK: u32 = 16 * 1024;

/// Keyspaces never point-read on a query or write path.
const SCANNED_ONLY: [&str; 5] = ["rev", "piv", "dom", "nam", "zrv"];

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl EmbeddedStore {
    /// Opens (or creates) the engine's files inside a locked data dir.
    pub fn open(dir: &DataDir) -> Result<EmbeddedStore> {
        let store = Self::open_path(&dir.path().join("facts"))?;
        store.build_names_index()?;
        store.build_reverse_values()?;
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
                self.make_write_room(&self.nam)?;
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

    /// Makes the reverse index covering in a store made before format 3:
    /// each `rev` entry gets its fact's value (window and source ids), so a
    /// reverse scan (rdata by address, /24, name) reads no fact by point
    /// read. One pass over `fwd` in key order, bounded batches, then the
    /// marker; interrupted, it starts again (the puts are idempotent).
    fn build_reverse_values(&self) -> Result<()> {
        const MARK: &[u8] = b"index:revval";
        if self.meta.get(MARK)?.is_some() {
            return Ok(());
        }
        let mut batch = self.db.batch().durability(Some(PersistMode::SyncAll));
        let (mut pending, mut facts) = (0usize, 0u64);
        let mut rk = Vec::with_capacity(96);
        for item in self.fwd.iter() {
            let (k, v) = item.into_inner()?;
            keys::reverse_key_into(&k, &mut rk)?;
            batch.insert(&self.rev, rk.as_slice(), v);
            pending += 1;
            facts += 1;
            if pending >= 100_000 {
                self.make_write_room(&self.rev)?;
                batch.commit()?;
                batch = self.db.batch().durability(Some(PersistMode::SyncAll));
                pending = 0;
                tracing::info!(facts, "adding fact values to the reverse index");
            }
        }
        batch.insert(&self.meta, MARK, b"1");
        batch.commit()?;
        if facts > 0 {
            tracing::info!(facts, "reverse index made covering (store format 2 to 3)");
        }
        Ok(())
    }

    /// Test helper: makes the reverse index look as before format 3
    /// (entries without values, no marker).
    #[cfg(feature = "testsuite")]
    pub fn drop_reverse_values_for_test(&self) -> Result<()> {
        let mut b = self.db.batch().durability(Some(PersistMode::SyncAll));
        for item in self.rev.iter() {
            let k = item.key()?;
            b.insert(&self.rev, k, b"");
        }
        b.remove(&self.meta, b"index:revval".as_slice());
        Ok(b.commit()?)
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

    /// Test hook: opens a store with `workers` fjall background workers (0:
    /// nothing is flushed or compacted) and, for keyspaces it creates,
    /// compaction tables of `table_target` bytes (tiny tables make levels
    /// overflow, so compaction works on deeper levels before level 0, as
    /// it does in a large store).
    #[cfg(feature = "testsuite")]
    pub fn open_tuned_for_test(
        path: &Path,
        workers: usize,
        table_target: Option<u64>,
    ) -> Result<EmbeddedStore> {
        Self::open_tuned(
            path,
            Tuning {
                workers,
                table_target,
                large_block: None,
            },
        )
    }

    /// Test hook: opens a store whose new keyspaces get fjall's default
    /// 4 KiB data blocks everywhere, as stores made before
    /// [`LARGE_BLOCKS`] were.
    #[cfg(feature = "testsuite")]
    pub fn open_with_small_blocks_for_test(path: &Path) -> Result<EmbeddedStore> {
        Self::open_tuned(
            path,
            Tuning {
                large_block: Some(4 * 1024),
                ..Tuning::default()
            },
        )
    }

    /// Test hook: the data block size keyspace `name` writes new tables
    /// with (the size it was created with).
    #[cfg(feature = "testsuite")]
    pub fn data_block_size_for_test(&self, name: &str) -> Option<u32> {
        use fjall::AbstractTree;
        (0..redo::KEYSPACES)
            .map(|i| self.keyspace(i))
            .chain([&self.zdl, &self.zrv, &self.zcn, &self.pho, &self.pcn])
            .find(|k| AsRef::<str>::as_ref(k.name()) == name)
            .and_then(|k| k.tree.tree_config().data_block_size_policy.first().copied())
    }

    /// Test hook: ingests `keys` (sorted, empty values) into keyspace `name`
    /// as one new level-0 run, as a bulk load or large batch does.
    #[cfg(feature = "testsuite")]
    pub fn ingest_run_for_test(&self, name: &str, keys: &[Vec<u8>]) -> Result<()> {
        let ks = (0..redo::KEYSPACES)
            .map(|i| self.keyspace(i))
            .find(|k| AsRef::<str>::as_ref(k.name()) == name)
            .ok_or_else(|| StoreError::Invalid(format!("no keyspace {name}")))?;
        let mut ing = ks.start_ingestion()?;
        for k in keys {
            ing.write(k.as_slice(), b"".as_slice())?;
        }
        Ok(ing.finish()?)
    }

    /// Test hook: level-0 runs of keyspace `name`.
    #[cfg(feature = "testsuite")]
    pub fn l0_runs_for_test(&self, name: &str) -> usize {
        use fjall::AbstractTree;
        (0..redo::KEYSPACES)
            .map(|i| self.keyspace(i))
            .find(|k| AsRef::<str>::as_ref(k.name()) == name)
            .map_or(0, |k| k.tree.l0_run_count())
    }

    /// Test hook: stores `items` in keyspace `name` as one small batch,
    /// through the write path's commit.
    #[cfg(feature = "testsuite")]
    pub fn put_for_test(&self, name: &str, items: &[(Vec<u8>, Vec<u8>)]) -> Result<()> {
        let i = (0..redo::KEYSPACES)
            .find(|&i| AsRef::<str>::as_ref(self.keyspace(i).name()) == name)
            .ok_or_else(|| StoreError::Invalid(format!("no keyspace {name}")))?;
        let mut puts = redo::Puts::default();
        for (k, v) in items {
            puts.put(i, k, v);
        }
        self.commit(&mut puts)
    }

    /// Test hook: keyspace `name`'s active memtable size in bytes and its
    /// sealed memtables waiting for a flush.
    #[cfg(feature = "testsuite")]
    pub fn memtables_for_test(&self, name: &str) -> (u64, usize) {
        use fjall::AbstractTree;
        (0..redo::KEYSPACES)
            .map(|i| self.keyspace(i))
            .find(|k| AsRef::<str>::as_ref(k.name()) == name)
            .map_or((0, 0), |k| {
                (
                    k.tree.active_memtable().size(),
                    k.tree.sealed_memtable_count(),
                )
            })
    }

    fn open_path(path: &Path) -> Result<EmbeddedStore> {
        Self::open_tuned(path, Tuning::default())
    }

    fn open_tuned(path: &Path, tuning: Tuning) -> Result<EmbeddedStore> {
        let db = Database::builder(path)
            .cache_size(128 * 1024 * 1024)
            // One background worker: with two or more, fjall 3.1's first
            // worker hands every compaction request back to the queue while
            // another worker compacts, a busy loop that took a quarter of
            // the CPU of a zone ingest (perf: `worker_tick`, flume
            // send/pull). Large batches bypass the memtables, so flushes
            // waiting behind a compaction cost little.
            .worker_threads_unchecked(tuning.workers)
            .open()?;
        let meta = ks(&db, "meta", &tuning)?;
        let store = EmbeddedStore {
            fwd: ks(&db, "fwd", &tuning)?,
            rev: ks(&db, "rev", &tuning)?,
            dom: ks(&db, "dom", &tuning)?,
            piv: ks(&db, "piv", &tuning)?,
            cnt: ks(&db, "cnt", &tuning)?,
            disp: ks(&db, "disp", &tuning)?,
            doc: ks(&db, "doc", &tuning)?,
            evt: ks(&db, "evt", &tuning)?,
            meta,
            nam: ks(&db, "nam", &tuning)?,
            seen: ks(&db, "seen", &tuning)?,
            zdl: ks(&db, "zdl", &tuning)?,
            zrv: ks(&db, "zrv", &tuning)?,
            zcn: ks(&db, "zcn", &tuning)?,
            zone_present: std::sync::atomic::AtomicBool::new(false),
            zone_lock: Mutex::new(()),
            pho: ks(&db, "pho", &tuning)?,
            pcn: ks(&db, "pcn", &tuning)?,
            pdns_present: std::sync::atomic::AtomicBool::new(false),
            db,
            writer: Mutex::new(Writer {
                next_seq: 1,
                sources: HashMap::new(),
                counts: HashMap::new(),
                puts: Puts::default(),
            }),
            source_names: Mutex::new(HashMap::new()),
            path: path.to_path_buf(),
            poisoned: std::sync::atomic::AtomicBool::new(false),
            #[cfg(feature = "testsuite")]
            fail_after_keyspaces: std::sync::atomic::AtomicUsize::new(usize::MAX),
        };
        // Finish an interrupted bulk batch before reading any state.
        redo::recover(&store)?;
        bulk::recover(&store)?;
        store.mark_seen_names()?;
        store.load_writer_state()?;
        store.zone_recover()?;
        store.pdns_recover()?;
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

    /// Test hook: every key and value of every keyspace, in order.
    #[cfg(feature = "testsuite")]
    #[allow(clippy::type_complexity)]
    pub fn dump_for_test(&self) -> Result<Vec<(usize, Vec<(Vec<u8>, Vec<u8>)>)>> {
        let mut out = Vec::new();
        for i in 0..redo::KEYSPACES {
            let mut kv = Vec::new();
            for item in self.keyspace(i).iter() {
                let (k, v) = item.into_inner()?;
                kv.push((k.to_vec(), v.to_vec()));
            }
            out.push((i, kv));
        }
        Ok(out)
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
            SEEN => &self.seen,
            _ => &self.meta,
        }
    }

    /// Stores a batch's puts: small batches as one atomic, synced fjall
    /// batch; large ones through the redo log and sorted table ingestion
    /// (see `redo`).
    fn commit(&self, puts: &mut Puts) -> Result<()> {
        if self.poisoned.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Engine(
                "an earlier batch was interrupted; reopen the store to finish it".into(),
            ));
        }
        if puts.len() < redo::BULK_THRESHOLD {
            for (i, items) in puts.runs() {
                if !items.is_empty() {
                    self.make_write_room(self.keyspace(i))?;
                }
            }
            let mut b = self.db.batch().durability(Some(PersistMode::SyncAll));
            puts.sort_all();
            for (i, items) in puts.runs() {
                let ks = self.keyspace(i).clone();
                for (k, v) in items.iter() {
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

    /// Keeps fjall from halting a write to `ks`: call before writing to a
    /// keyspace (a batch, an ingestion).
    ///
    /// fjall slows writes to a keyspace with [`L0_STALL`] level-0 runs and
    /// halts them (sleeping, forever if need be) at 30 until
    /// compaction brings level 0 down. But its worker compacts once per
    /// request, and requests are only sent after a flush or an ingestion:
    /// when the compactions those trigger work on deeper levels instead
    /// (a level over its size target outranks level 0), nothing asks for
    /// another and the next write waits forever with the worker idle (seen
    /// in a 1 M-domain `scry evaluate`). So at [`L0_STALL`] runs this asks
    /// for compactions itself, one at a time while none is running (an
    /// empty ingestion: fjall requests a compaction when it finishes; it
    /// leaves an empty table file that the next open removes), and after
    /// [`COMPACTION_REQUESTS`] in a row that left level 0 as it was,
    /// compacts the keyspace on this thread (a major compaction: level 0
    /// always ends empty). It gives up after [`L0_WAIT`].
    ///
    /// It also rotates the keyspace's memtable on this thread once it
    /// holds [`MEMTABLE_ROTATE`] bytes, below fjall's own limit (64 MiB),
    /// so that fjall never asks its worker to rotate (see
    /// [`MEMTABLE_ROTATE`]).
    pub(super) fn make_write_room(&self, ks: &Keyspace) -> Result<()> {
        use fjall::AbstractTree;
        if ks.tree.active_memtable().size() >= MEMTABLE_ROTATE {
            ks.rotate_memtable()?;
        }
        let runs = || ks.tree.l0_run_count();
        if runs() < L0_STALL {
            return Ok(());
        }
        let start = std::time::Instant::now();
        let (mut fewest, mut requests) = (runs(), 0);
        tracing::info!(
            keyspace = AsRef::<str>::as_ref(ks.name()),
            l0_runs = fewest,
            "compacting level 0 before writing"
        );
        loop {
            let now = runs();
            if now < L0_STALL {
                return Ok(());
            }
            if now < fewest {
                (fewest, requests) = (now, 0);
            }
            if start.elapsed() > L0_WAIT {
                return Err(StoreError::WriteStalled {
                    keyspace: AsRef::<str>::as_ref(ks.name()).to_string(),
                    l0_runs: now,
                    waited_secs: start.elapsed().as_secs(),
                });
            }
            if self.db.active_compactions() == 0 {
                if requests < COMPACTION_REQUESTS {
                    ks.start_ingestion()?.finish()?;
                    requests += 1;
                } else {
                    ks.major_compact()?;
                    requests = 0;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
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

    /// Tables per fact keyspace (name, in L0, in all): how far compaction
    /// is behind the ingestions (each bulk load adds one L0 run per
    /// keyspace).
    pub fn table_counts(&self) -> Vec<(&'static str, usize, usize)> {
        [
            ("fwd", &self.fwd),
            ("rev", &self.rev),
            ("dom", &self.dom),
            ("piv", &self.piv),
            ("cnt", &self.cnt),
            ("nam", &self.nam),
            ("seen", &self.seen),
            ("evt", &self.evt),
        ]
        .into_iter()
        .map(|(n, k)| (n, k.l0_table_count(), k.table_count()))
        .collect()
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

    /// [`EmbeddedStore::source_names`] for a scan's facts in turn: a run
    /// of facts from the same sources (one sensor, one feed) takes the
    /// lock, the lookups and the sort once.
    fn source_names_recent(&self, ids: &[u16], recent: &mut RecentSources) -> Vec<String> {
        if recent.ids.as_slice() != ids {
            recent.names = self.source_names(ids);
            recent.ids.clear();
            recent.ids.extend_from_slice(ids);
        }
        recent.names.clone()
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

    fn scan_facts(
        &self,
        iter: zone::Stream<'_>,
        preds: &[Predicate],
        fence: &crate::TimeFence,
        limit: usize,
        page: &mut FactPage,
    ) -> Result<()> {
        // A subject's facts are contiguous in key order: its name is
        // decoded once per run, not once per fact, and a fact is decoded
        // only once its predicate and window are admitted.
        // The last subject's key, and the page's fact that holds it
        // decoded (cloned from there for the subject's next facts).
        let mut subject_key: Vec<u8> = Vec::new();
        let mut subject_at: Option<usize> = None;
        let mut recent = RecentSources::default();
        for item in iter {
            let (k, v) = item?;
            let sl = keys::entity_len(&k).ok_or_else(|| StoreError::Corruption {
                what: "fwd",
                detail: "bad subject in a forward key".into(),
            })?;
            let (predicate, rest) = read_pred(&k[sl..])?;
            if !preds.is_empty() && !preds.contains(&predicate) {
                continue;
            }
            let window = FactVal::decode_window(&v)?;
            if !fence.admits(&window) {
                continue;
            }
            if page.facts.len() >= limit {
                page.limited = true;
                return Ok(());
            }
            let same = subject_key.as_slice() == &k[..sl];
            let subject = match subject_at.and_then(|i| page.facts.get(i)) {
                Some(f) if same => f.subject.clone(),
                _ => {
                    subject_key.clear();
                    subject_key.extend_from_slice(&k[..sl]);
                    read_entity(&k[..sl])?.0
                }
            };
            subject_at = Some(page.facts.len());
            let (object, _) = read_entity(rest)?;
            let fv = FactVal::decode(&v)?;
            page.facts.push(Fact {
                subject,
                predicate,
                object: self.display(object)?,
                window: fv.window,
                sources: self.source_names_recent(&fv.sources, &mut recent),
            });
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

    /// `fwd` under `prefix`, the zone form merged in.
    fn fwd_prefix(&self, prefix: Vec<u8>) -> zone::Stream<'_> {
        let end = keys::prefix_end(&prefix);
        self.zone_fwd(self.fwd.prefix(&prefix), &prefix, end.as_deref())
    }

    /// `rev` under `prefix`, the zone form merged in.
    fn rev_prefix(&self, prefix: Vec<u8>) -> zone::Stream<'_> {
        let end = keys::prefix_end(&prefix);
        self.zone_rev(self.rev.prefix(&prefix), &prefix, end.as_deref())
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

impl Store for EmbeddedStore {
    fn engine(&self) -> &'static str {
        "embedded"
    }

    fn write(&self, batch: WriteBatch) -> Result<WriteReceipt> {
        self.pdns_write(batch)
    }

    fn bulk_load(&self) -> Result<Option<Box<dyn crate::BulkLoad + '_>>> {
        Ok(self.bulk()?.map(|b| self.zone_bulk(self.pdns_bulk(b))))
    }

    fn pdns_form(&self) -> Result<Option<Box<dyn crate::BulkLoad + '_>>> {
        Ok(self
            .pdns_form_load()?
            .map(|f| Box::new(f) as Box<dyn crate::BulkLoad + '_>))
    }

    fn zone_form(
        &self,
        source: &str,
        date: scry_model::Timestamp,
    ) -> Result<Option<Box<dyn crate::ZoneForm + '_>>> {
        Ok(self
            .zone_form_load(source, date)?
            .map(|z| Box::new(z) as Box<dyn crate::ZoneForm + '_>))
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
            SubjectSel::Exact(e) => self.fwd_prefix(entity_key(e)),
            SubjectSel::Registrable(d) => {
                self.fwd_prefix(keys::registrable_prefix(d.registrable_or_self()))
            }
            SubjectSel::Subtree(d) => self.fwd_prefix(keys::subtree_prefix(d)),
            SubjectSel::Cidr(net) => {
                let (lo, mut hi) = keys::ip_range(net);
                // IP subjects are followed by a predicate and an object.
                hi.extend_from_slice(&[0xff; 4]);
                zone::plain(self.fwd.range(lo..=hi))
            }
        };
        let mut page = FactPage::default();
        self.scan_facts(iter, &q.predicates, &q.fence, q.limit, &mut page)?;
        Ok(page)
    }

    fn reverse(&self, q: &ReverseQuery) -> Result<FactPage> {
        let mut page = FactPage::default();
        let mut recent = RecentSources::default();
        let iter = match &q.object {
            ObjectSel::Exact(e) => self.rev_prefix(entity_key(e)),
            ObjectSel::Subtree(d) => self.rev_prefix(keys::subtree_prefix(d)),
            ObjectSel::Cidr(net) => {
                let (lo, mut hi) = keys::ip_range(net);
                hi.push(0xff);
                let mut end = hi.clone();
                end.push(0);
                self.zone_rev(self.rev.range(lo.clone()..=hi), &lo, Some(&end))
            }
        };
        // Entries of one object are contiguous: it is decoded (and its
        // display form read) once per run, not once per fact.
        let mut object: Option<(Vec<u8>, Entity)> = None;
        for item in iter {
            let (k, v) = item?;
            let ol = keys::entity_len(&k).ok_or_else(|| StoreError::Corruption {
                what: "rev",
                detail: "bad object in a reverse key".into(),
            })?;
            let (pred, rest) = read_pred(&k[ol..])?;
            if !q.predicates.is_empty() && !q.predicates.contains(&pred) {
                continue;
            }
            let shown = match &object {
                Some((key, shown)) if key.as_slice() == &k[..ol] => shown.clone(),
                _ => {
                    let (o, _) = read_entity(&k[..ol])?;
                    let shown = self.display(o)?;
                    object = Some((k[..ol].to_vec(), shown.clone()));
                    shown
                }
            };
            // The reverse value is the fact's own (covering index); an
            // empty one (a store before format 3 whose upgrade has not
            // run) costs a point read of the fact.
            let fv = if v.is_empty() {
                let mut fk = rest.to_vec();
                push_pred(&mut fk, pred);
                fk.extend_from_slice(&k[..ol]);
                let Some(fv) = self.fwd.get(&fk)? else {
                    return Err(StoreError::Corruption {
                        what: "rev",
                        detail: "reverse entry without its fact".into(),
                    });
                };
                FactVal::decode(&fv)?
            } else {
                FactVal::decode(&v)?
            };
            if !q.fence.admits(&fv.window) {
                continue;
            }
            if page.facts.len() >= q.limit {
                page.limited = true;
                break;
            }
            let (subject, _) = read_entity(rest)?;
            page.facts.push(Fact {
                subject,
                predicate: pred,
                object: shown,
                window: fv.window,
                sources: self.source_names_recent(&fv.sources, &mut recent),
            });
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

    /// One bloom-filtered point read of the name marker per subject
    /// (`seen`, written with a subject's first fact), not a scan of `fwd`.
    fn known_subjects(&self, subjects: &[Entity]) -> Result<Vec<bool>> {
        let mut k = Vec::with_capacity(64);
        subjects
            .iter()
            .map(|e| {
                k.clear();
                k.push(write::MARK_SUBJECT);
                push_entity(&mut k, e);
                Ok(self.seen.contains_key(&k)? || self.zone_knows(e)? || self.pdns_knows(e)?)
            })
            .collect()
    }

    /// One scan of the registrable domain's forward keys, like
    /// [`Store::facts`], but each subject's name is decoded once per run of
    /// its facts and objects are not decoded at all: only the window and
    /// source ids of each value are read.
    fn subject_summary(&self, registrable: &DomainName, limit: usize) -> Result<SubjectSummary> {
        let mut out = SubjectSummary::default();
        let mut ids: Vec<u16> = Vec::new();
        // The subject being counted: its key, its name, facts and window.
        let mut run: Option<(Vec<u8>, String, u64, Window)> = None;
        let prefix = keys::registrable_prefix(registrable.registrable_or_self());
        for (read, item) in self.fwd_prefix(prefix).enumerate() {
            let (k, v) = item?;
            if read >= limit {
                out.limited = true;
                break;
            }
            let sl = keys::entity_len(&k).ok_or_else(|| StoreError::Corruption {
                what: "fwd",
                detail: "bad subject in a forward key".into(),
            })?;
            let w = FactVal::decode_window(&v)?;
            for id in codec::source_ids(&v)? {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            match &mut run {
                Some((key, _, n, win)) if key.as_slice() == &k[..sl] => {
                    *n += 1;
                    win.first_seen = win.first_seen.min(w.first_seen);
                    win.last_seen = win.last_seen.max(w.last_seen);
                }
                _ => {
                    if let Some((_, name, n, win)) = run.take() {
                        out.add(&name, &win, [], n);
                    }
                    let (e, _) = read_entity(&k[..sl])?;
                    run = Some((k[..sl].to_vec(), e.to_string(), 1, w));
                }
            }
        }
        if let Some((_, name, n, win)) = run.take() {
            out.add(&name, &win, [], n);
        }
        out.sources.extend(self.source_names(&ids));
        Ok(out)
    }

    fn holdings(&self, holder: &Entity) -> Result<Vec<Holding>> {
        // Decoded as read: no copy of each key's tail.
        let prefix = entity_key(&holder_of(holder));
        let mut out = Vec::new();
        for item in self.pdns_dom(self.zone_dom(self.dom.prefix(&prefix), &prefix)?, &prefix)? {
            let (k, v) = item?;
            let hv = HoldVal::decode(&v)?;
            let (predicate, rest) = read_pred(&k[prefix.len()..])?;
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
        let mut k = Vec::with_capacity(64);
        for (p, o) in values {
            k.clear();
            push_pred(&mut k, *p);
            push_entity(&mut k, o);
            let mut c = match self.cnt.get(&k)? {
                Some(v) => {
                    let (current, historic) = decode_count(&v)?;
                    ValueCount { current, historic }
                }
                None => ValueCount::default(),
            };
            c.current += self.zone_count(&k)?;
            let (pc, ph) = self.pdns_count(&k)?;
            (c.current, c.historic) = (c.current + pc, c.historic + ph);
            out.push(c);
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
        // Sized once from the stored count: growing a page of a thousand
        // results by doubling copied it ten times (perf: memmove and fresh
        // pages in the pivot).
        let expected = match q.scope {
            Scope::Current => count.current,
            Scope::Historic => count.historic,
            Scope::All => count.current.saturating_add(count.historic),
        };
        let mut domains = Vec::with_capacity(
            q.limit
                .min(usize::try_from(expected).unwrap_or(0))
                .min(PAGE_CAP),
        );
        let mut next_cursor = None;
        for item in self.pdns_piv(
            self.zone_piv(
                self.piv.range(start.clone()..end.clone()),
                &start,
                Some(&end),
            ),
            &start,
            Some(&end),
        ) {
            let (k, v) = item?;
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

    /// One range scan of `piv` (predicate · object · holder): each value's
    /// holders come together, kept as key bytes (no name decoded, nothing
    /// allocated per holding); a value is decoded only when delivered. A
    /// value whose holders reach `min(max_holders, 1024)` has its stored
    /// count read, and if that is above `max_holders` it is skipped with a
    /// seek past its key range.
    fn scan_values(
        &self,
        q: &ValueScan,
        visit: &mut dyn FnMut(&Entity, &[ScannedHolder<'_>]) -> Result<()>,
    ) -> Result<ValueScanSummary> {
        const CHECK: u64 = 1024;
        let mut prefix = Vec::with_capacity(2);
        push_pred(&mut prefix, q.predicate);
        let end = keys::prefix_end(&prefix).unwrap_or_else(|| vec![0xff; 3]);
        let check_at = q.max_holders.clamp(1, CHECK);
        let mut sum = ValueScanSummary::default();
        // The value being read: its key, and its holders so far (key range
        // in `arena`, current, first seen).
        let mut obj: Vec<u8> = Vec::new();
        let mut arena: Vec<u8> = Vec::new();
        let mut held: Vec<(u32, u32, bool, i64)> = Vec::new();
        let mut flush = |obj: &[u8],
                         arena: &[u8],
                         held: &[(u32, u32, bool, i64)],
                         sum: &mut ValueScanSummary|
         -> Result<()> {
            let n = held.len() as u64;
            if obj.is_empty() || n < q.min_holders.max(1) {
                return Ok(());
            }
            let (object, _) = read_entity(obj)?;
            let object = self.display(object)?;
            let hs: Vec<ScannedHolder<'_>> = held
                .iter()
                .map(|&(a, b, current, first_seen)| ScannedHolder {
                    key: &arena[a as usize..b as usize],
                    current,
                    first_seen,
                })
                .collect();
            sum.delivered += 1;
            visit(&object, &hs)
        };
        let corrupt = |d: &str| StoreError::Corruption {
            what: "piv",
            detail: d.into(),
        };
        let mut start = prefix.clone();
        'scan: loop {
            for item in self.pdns_piv(
                self.zone_piv(
                    self.piv.range(start.clone()..end.clone()),
                    &start,
                    Some(&end),
                ),
                &start,
                Some(&end),
            ) {
                let (k, v) = item?;
                let rest = &k[prefix.len()..];
                let ol =
                    keys::entity_len(rest).ok_or_else(|| corrupt("bad value in a pivot key"))?;
                let (o, holder) = rest.split_at(ol);
                if o != obj.as_slice() {
                    flush(&obj, &arena, &held, &mut sum)?;
                    obj.clear();
                    obj.extend_from_slice(o);
                    arena.clear();
                    held.clear();
                }
                if !keys::is_name_key(holder) {
                    continue;
                }
                let n = held.len() as u64;
                let too_common = n >= q.max_holders
                    || (n == check_at && {
                        let mut ck = prefix.clone();
                        ck.extend_from_slice(&obj);
                        let (pc, ph) = self.pdns_count(&ck)?;
                        let zone = self.zone_count(&ck)? + pc + ph;
                        match self.cnt.get(&ck)? {
                            Some(c) => {
                                let (cur, hist) = decode_count(&c)?;
                                cur.saturating_add(hist).saturating_add(zone) > q.max_holders
                            }
                            None => zone > q.max_holders,
                        }
                    });
                if too_common {
                    // Skip the rest of the value's holders.
                    sum.too_common += 1;
                    let mut past = prefix.clone();
                    past.extend_from_slice(&obj);
                    obj.clear();
                    arena.clear();
                    held.clear();
                    match keys::prefix_end(&past) {
                        Some(p) => {
                            start = p;
                            continue 'scan;
                        }
                        None => break 'scan,
                    }
                }
                let (first_seen, current) = HoldVal::first_and_current(&v)?;
                let a = arena.len();
                arena.extend_from_slice(holder);
                let b = arena.len();
                let (Ok(a), Ok(b)) = (u32::try_from(a), u32::try_from(b)) else {
                    return Err(corrupt("a value's holder keys exceed 4 GiB"));
                };
                held.push((a, b, current, first_seen));
            }
            break;
        }
        flush(&obj, &arena, &held, &mut sum)?;
        Ok(sum)
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
        let mut r = check::run(self)?;
        self.zone_check(&mut r)?;
        self.pdns_check(&mut r)?;
        Ok(r)
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
