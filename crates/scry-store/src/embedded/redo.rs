//! Large batches: a redo log plus sorted table ingestion.
//!
//! Writing hundreds of thousands of keys through fjall's memtables costs
//! most of the ingest CPU in skip-list searches (measured with perf). A large
//! batch is instead written as sorted runs straight into new tables with
//! `Keyspace::start_ingestion`, one keyspace after the other. That is not
//! atomic across keyspaces, so the batch's puts — absolute values, not deltas
//! — are first written to `redo.bin` (fsynced, then atomically renamed into
//! place). After every keyspace is ingested the file is removed. If the
//! process dies in between, opening the store finds `redo.bin` and ingests it
//! again: replaying absolute values is idempotent, so the store ends exactly
//! as if the batch had committed, ledger entry included. A crash before the
//! rename leaves no trace of the batch, as with an ordinary batch.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};

use crate::error::{Result, StoreError};

use super::EmbeddedStore;

pub(super) const FWD: usize = 0;
pub(super) const REV: usize = 1;
pub(super) const DOM: usize = 2;
pub(super) const PIV: usize = 3;
pub(super) const CNT: usize = 4;
pub(super) const DISP: usize = 5;
pub(super) const DOC: usize = 6;
pub(super) const EVT: usize = 7;
pub(super) const META: usize = 8;
pub(super) const NAM: usize = 9;
const KEYSPACES: usize = 10;

/// Batches with at least this many puts take the bulk path.
pub(super) const BULK_THRESHOLD: usize = 20_000;

const MAGIC: &[u8; 8] = b"SCRYRDO1";
const FOOTER: &[u8; 8] = b"SCRYEND1";

/// Key-value pairs of one keyspace.
type Kvs = Vec<(Vec<u8>, Vec<u8>)>;

/// The puts of one batch, per keyspace.
#[derive(Default)]
pub(super) struct Puts {
    items: [Kvs; KEYSPACES],
}

impl Puts {
    pub(super) fn put(&mut self, ks: usize, key: impl Into<Vec<u8>>, value: impl AsRef<[u8]>) {
        self.items[ks.min(KEYSPACES - 1)].push((key.into(), value.as_ref().to_vec()));
    }

    pub(super) fn len(&self) -> usize {
        self.items.iter().map(Vec::len).sum()
    }

    /// Each keyspace's puts sorted by key, later puts of a key winning.
    pub(super) fn into_sorted(self) -> impl Iterator<Item = (usize, Kvs)> {
        self.items.into_iter().enumerate().map(|(i, mut v)| {
            // Stable sort keeps insertion order among equal keys; keep the last.
            v.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out: Kvs = Vec::with_capacity(v.len());
            for kv in v {
                match out.last_mut() {
                    Some(last) if last.0 == kv.0 => *last = kv,
                    _ => out.push(kv),
                }
            }
            (i, out)
        })
    }
}

fn io(path: &std::path::Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

pub(super) fn commit_bulk(s: &EmbeddedStore, puts: Puts) -> Result<()> {
    let sorted: Vec<(usize, Kvs)> = puts.into_sorted().collect();
    let redo = s.path.join("redo.bin");
    let tmp = s.path.join("redo.bin.tmp");
    {
        let f = File::create(&tmp).map_err(|e| io(&tmp, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        let mut n = 0u64;
        w.write_all(MAGIC).map_err(|e| io(&tmp, e))?;
        for (i, items) in &sorted {
            for (k, v) in items {
                w.write_all(&[*i as u8]).map_err(|e| io(&tmp, e))?;
                w.write_all(&(k.len() as u32).to_be_bytes())
                    .map_err(|e| io(&tmp, e))?;
                w.write_all(k).map_err(|e| io(&tmp, e))?;
                w.write_all(&(v.len() as u32).to_be_bytes())
                    .map_err(|e| io(&tmp, e))?;
                w.write_all(v).map_err(|e| io(&tmp, e))?;
                n += 1;
            }
        }
        w.write_all(&[0xff]).map_err(|e| io(&tmp, e))?;
        w.write_all(&n.to_be_bytes()).map_err(|e| io(&tmp, e))?;
        w.write_all(FOOTER).map_err(|e| io(&tmp, e))?;
        let f = w.into_inner().map_err(|e| io(&tmp, e.into_error()))?;
        f.sync_all().map_err(|e| io(&tmp, e))?;
    }
    fs::rename(&tmp, &redo).map_err(|e| io(&redo, e))?;
    File::open(&s.path)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(&s.path, e))?;
    ingest(s, sorted)?;
    fs::remove_file(&redo).map_err(|e| io(&redo, e))?;
    Ok(())
}

fn ingest(s: &EmbeddedStore, sorted: Vec<(usize, Kvs)>) -> Result<()> {
    #[cfg(feature = "testsuite")]
    let (mut done, fail_at) = (
        0usize,
        s.fail_after_keyspaces
            .swap(usize::MAX, std::sync::atomic::Ordering::SeqCst),
    );
    for (i, items) in sorted {
        #[cfg(feature = "testsuite")]
        {
            if done >= fail_at {
                return Err(StoreError::Engine(
                    "failpoint: crash during bulk ingestion".into(),
                ));
            }
            done += 1;
        }
        if items.is_empty() {
            continue;
        }
        let ks = s.keyspace(i);
        let mut ing = ks.start_ingestion()?;
        for (k, v) in items {
            ing.write(k, v)?;
        }
        ing.finish()?;
    }
    s.db.persist(fjall::PersistMode::SyncAll)?;
    Ok(())
}

/// Finishes a batch interrupted by a crash (see the module docs).
pub(super) fn recover(s: &EmbeddedStore) -> Result<()> {
    let _ = fs::remove_file(s.path.join("redo.bin.tmp"));
    let redo = s.path.join("redo.bin");
    let f = match File::open(&redo) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(&redo, e)),
    };
    let corrupt = |d: &str| StoreError::Corruption {
        what: "redo log",
        detail: d.to_string(),
    };
    let mut r = BufReader::with_capacity(1 << 20, f);
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic)
        .map_err(|_| corrupt("short header"))?;
    if &magic != MAGIC {
        return Err(corrupt("bad magic"));
    }
    let mut sorted: Vec<(usize, Kvs)> = (0..KEYSPACES).map(|i| (i, Vec::new())).collect();
    let mut n = 0u64;
    loop {
        let mut tag = [0u8; 1];
        r.read_exact(&mut tag).map_err(|_| corrupt("truncated"))?;
        if tag[0] == 0xff {
            break;
        }
        let ks = tag[0] as usize;
        if ks >= KEYSPACES {
            return Err(corrupt("bad keyspace"));
        }
        let mut len = [0u8; 4];
        r.read_exact(&mut len).map_err(|_| corrupt("truncated"))?;
        let mut k = vec![0u8; u32::from_be_bytes(len) as usize];
        r.read_exact(&mut k).map_err(|_| corrupt("truncated"))?;
        r.read_exact(&mut len).map_err(|_| corrupt("truncated"))?;
        let mut v = vec![0u8; u32::from_be_bytes(len) as usize];
        r.read_exact(&mut v).map_err(|_| corrupt("truncated"))?;
        sorted[ks].1.push((k, v));
        n += 1;
    }
    let mut count = [0u8; 8];
    r.read_exact(&mut count).map_err(|_| corrupt("no count"))?;
    let mut footer = [0u8; 8];
    r.read_exact(&mut footer)
        .map_err(|_| corrupt("no footer"))?;
    if &footer != FOOTER || u64::from_be_bytes(count) != n {
        return Err(corrupt("footer mismatch"));
    }
    tracing::warn!(puts = n, "finishing a batch interrupted by a crash");
    ingest(s, sorted)?;
    fs::remove_file(&redo).map_err(|e| io(&redo, e))?;
    Ok(())
}
