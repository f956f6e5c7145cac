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
/// Name markers (`seen`), written once per new subject or holder.
pub(super) const SEEN: usize = 10;
pub(super) const KEYSPACES: usize = 11;

/// Batches with at least this many puts take the bulk path.
pub(super) const BULK_THRESHOLD: usize = 20_000;

const MAGIC: &[u8; 8] = b"SCRYRDO1";
const FOOTER: &[u8; 8] = b"SCRYEND1";

/// The puts of one keyspace: keys and values packed in one buffer (no
/// allocation per put), each item `(offset, key length, value length)`.
#[derive(Default)]
pub(super) struct Run {
    buf: Vec<u8>,
    items: Vec<(usize, u32, u32)>,
}

impl Run {
    fn push(&mut self, key: &[u8], value: &[u8]) {
        self.items
            .push((self.buf.len(), key.len() as u32, value.len() as u32));
        self.buf.extend_from_slice(key);
        self.buf.extend_from_slice(value);
    }

    fn key(&self, item: &(usize, u32, u32)) -> &[u8] {
        &self.buf[item.0..item.0 + item.1 as usize]
    }

    fn value(&self, item: &(usize, u32, u32)) -> &[u8] {
        let at = item.0 + item.1 as usize;
        &self.buf[at..at + item.2 as usize]
    }

    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorts by key, the last put of a key winning. Runs that are
    /// already in order (facts and holdings are produced sorted) cost
    /// one pass.
    fn sort(&mut self) {
        let buf = &self.buf;
        let key = |i: &(usize, u32, u32)| &buf[i.0..i.0 + i.1 as usize];
        if !self.items.is_sorted_by(|a, b| key(a) < key(b)) {
            // Stable: among equal keys insertion order stays; keep the last.
            self.items.sort_by(|a, b| key(a).cmp(key(b)));
            let mut out: Vec<(usize, u32, u32)> = Vec::with_capacity(self.items.len());
            for it in self.items.drain(..) {
                match out.last_mut() {
                    Some(last) if key(last) == key(&it) => *last = it,
                    _ => out.push(it),
                }
            }
            self.items = out;
        }
    }

    /// The (key, value) pairs in their current order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.items.iter().map(|i| (self.key(i), self.value(i)))
    }
}

/// The puts of one batch, per keyspace.
#[derive(Default)]
pub(super) struct Puts {
    items: [Run; KEYSPACES],
}

impl Puts {
    pub(super) fn put(&mut self, ks: usize, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        self.items[ks.min(KEYSPACES - 1)].push(key.as_ref(), value.as_ref());
    }

    pub(super) fn len(&self) -> usize {
        self.items.iter().map(Run::len).sum()
    }

    /// Sorts each keyspace's puts by key, later puts of a key winning.
    /// The large keyspaces are sorted on a second thread.
    pub(super) fn sort_all(&mut self) {
        let [fwd, rev, dom, piv, cnt, rest @ ..] = &mut self.items;
        let big = rev.len() + cnt.len() >= BULK_THRESHOLD / 4;
        std::thread::scope(|s| {
            let mut side = [rev, cnt];
            if big {
                s.spawn(move || side.iter_mut().for_each(|r| r.sort()));
            } else {
                side.iter_mut().for_each(|r| r.sort());
            }
            for r in [piv, fwd, dom].into_iter().chain(rest.iter_mut()) {
                r.sort();
            }
        });
    }

    /// Each keyspace's puts, by keyspace index.
    pub(super) fn runs(&self) -> impl Iterator<Item = (usize, &Run)> {
        self.items.iter().enumerate()
    }

    /// Empties every keyspace's puts, keeping the buffers for the next
    /// batch (a fresh buffer costs a page fault per 4 KiB) unless a huge
    /// batch left them larger than `KEEP`.
    pub(super) fn clear(&mut self) {
        const KEEP: usize = 256 << 20;
        for r in &mut self.items {
            r.buf.clear();
            r.items.clear();
            if r.buf.capacity() > KEEP {
                r.buf = Vec::new();
                r.items = Vec::new();
            }
        }
    }
}

fn io(path: &std::path::Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

pub(super) fn commit_bulk(s: &EmbeddedStore, puts: &mut Puts) -> Result<()> {
    puts.sort_all();
    let redo = s.path.join("redo.bin");
    let tmp = s.path.join("redo.bin.tmp");
    {
        let f = File::create(&tmp).map_err(|e| io(&tmp, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        let mut n = 0u64;
        w.write_all(MAGIC).map_err(|e| io(&tmp, e))?;
        for (i, items) in puts.runs() {
            for (k, v) in items.iter() {
                w.write_all(&[i as u8]).map_err(|e| io(&tmp, e))?;
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
    ingest(s, puts)?;
    fs::remove_file(&redo).map_err(|e| io(&redo, e))?;
    Ok(())
}

fn ingest(s: &EmbeddedStore, puts: &Puts) -> Result<()> {
    #[cfg(feature = "testsuite")]
    let (mut done, fail_at) = (
        0usize,
        s.fail_after_keyspaces
            .swap(usize::MAX, std::sync::atomic::Ordering::SeqCst),
    );
    for (i, items) in puts.runs() {
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
        s.make_write_room(ks)?;
        let mut ing = ks.start_ingestion()?;
        for (k, v) in items.iter() {
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
    let mut puts = Puts::default();
    let mut n = 0u64;
    let (mut k, mut v) = (Vec::new(), Vec::new());
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
        k.resize(u32::from_be_bytes(len) as usize, 0);
        r.read_exact(&mut k).map_err(|_| corrupt("truncated"))?;
        r.read_exact(&mut len).map_err(|_| corrupt("truncated"))?;
        v.resize(u32::from_be_bytes(len) as usize, 0);
        r.read_exact(&mut v).map_err(|_| corrupt("truncated"))?;
        puts.put(ks, &k, &v);
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
    puts.sort_all();
    ingest(s, &puts)?;
    fs::remove_file(&redo).map_err(|e| io(&redo, e))?;
    Ok(())
}
