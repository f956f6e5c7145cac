//! Bulk load: every keyspace written once, as one sorted run.
//!
//! Batch by batch, a large input lands as one run of tables per batch and
//! keyspace, which compaction then merges again and again (the input is in
//! arrival order, the keys are not). A bulk load instead:
//!
//! 1. sorts the observations of every batch into fact runs (forward key,
//!    fact value; equal keys merged) spilled to `bulk/` in the engine's
//!    directory with bounded memory, and the display forms of free text
//!    and the first-sighting candidates (subject · ordinal) likewise; the
//!    events are numbered as they come, so they are one run written in
//!    that order (no sorter);
//! 2. at `finish`, fsyncs those runs and writes `bulk/COMMIT` (the runs, the
//!    new source ids, the ledger entry, whether the store held facts;
//!    fsynced, renamed into place);
//! 3. into an empty store (`apply_empty`): merges the fact runs into one
//!    sorted stream: `fwd` and `dom` (holders are contiguous in forward-key
//!    order) are ingested as they come, `rev`, `piv`, `nam` and `seen` go
//!    through external sorters and are ingested once each, `cnt` is
//!    counted off the sorted `piv` stream. Into a store holding facts
//!    (`apply_merge`): the same stream is merge-joined with what is stored
//!    (a name marker read tells new subjects and holders from known ones;
//!    known ones are merged as the batch writer merges them: windows
//!    widened, sources appended, the holder's current flags recomputed per
//!    predicate, count moves summed in a sorter and added to the stored
//!    counts), only changed and new keys are derived into runs, fsynced and
//!    listed in `bulk/APPLY`, and then ingested (an ingested table shadows
//!    the older versions of its keys);
//! 4. commits the source ids and the ledger entry in one synced batch and
//!    removes `bulk/`.
//!
//! Step 3 writes absolute values, so it is idempotent: a crash after
//! `COMMIT` is finished by the next open (`recover`). Into an empty store
//! they derive from the runs alone; a merge reads the stored state, so it
//! ingests nothing before `APPLY` holds everything it derived: a crash
//! before `APPLY` derives again from the untouched store, one after it
//! ingests the same runs again. A crash before `COMMIT` leaves the store as
//! it was, and the ledger has no entry for the input.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::MutexGuard;
use std::thread::JoinHandle;

use scry_model::{Entity, Observation, Window};

use super::codec::{FactVal, HoldVal, decode_count, encode_count};
use super::write::{MARK_HOLDER, MARK_SUBJECT, encode_event, holder_key_into};
use super::{EmbeddedStore, Writer};
use crate::error::{Result, StoreError};
use crate::keys::{self, entity_len, push_entity, push_pred, read_pred};
use crate::{BulkLoad, LedgerEntry, WriteBatch, WriteReceipt};

/// Memory for the fact runs before one is spilled (twice this while the
/// previous one is written on a second thread).
const FACTS_BUDGET: usize = 96 << 20;
/// Memory per derived-keyspace sorter.
const SIDE_BUDGET: usize = 40 << 20;
/// Holdings buffered for one holder before they are merged in place.
const GROUP_CAP: usize = 1 << 16;
/// Bytes counted per buffered item besides its key and value.
const ITEM_OVERHEAD: usize = std::mem::size_of::<Item>();

const COMMIT: &str = "COMMIT";
const DIR: &str = "bulk";

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corruption {
        what: "bulk load",
        detail: detail.into(),
    }
}

/// How equal keys are merged.
#[derive(Clone, Copy)]
pub(super) enum Rule {
    /// Keep the greatest value (display forms; equal values elsewhere).
    Max,
    /// Fact values: windows merged, source sets joined.
    Fact,
    /// Count moves (current, historic as two big-endian `i64`): added.
    Count,
}

fn merge_into(rule: Rule, acc: &mut Vec<u8>, v: &[u8]) -> Result<()> {
    match rule {
        Rule::Max => {
            if v > acc.as_slice() {
                acc.clear();
                acc.extend_from_slice(v);
            }
        }
        Rule::Fact => {
            let mut a = FactVal::decode(acc)?;
            let b = FactVal::decode(v)?;
            a.window.merge(&b.window);
            for s in b.sources {
                if !a.sources.contains(&s) {
                    a.sources.push(s);
                }
            }
            a.sources.sort_unstable();
            *acc = a.encode();
        }
        Rule::Count => {
            let (c, h) = decode_delta(acc)?;
            let (dc, dh) = decode_delta(v)?;
            *acc = encode_delta(c.saturating_add(dc), h.saturating_add(dh)).to_vec();
        }
    }
    Ok(())
}

/// Encodes `o`'s `fwd` key (subject · predicate · object) into `key`;
/// returns where the predicate and the object start, and the object's
/// display form when its text has upper case (the key holds it folded).
pub(super) fn fact_key<'o>(
    key: &mut Vec<u8>,
    o: &'o Observation,
) -> (usize, usize, Option<&'o [u8]>) {
    key.clear();
    push_entity(key, &o.subject);
    let sl = key.len();
    push_pred(key, o.predicate);
    let at = key.len();
    push_entity(key, &o.object);
    let display = match &o.object {
        Entity::Text(t) if t.chars().any(char::is_uppercase) => Some(t.as_bytes()),
        _ => None,
    };
    (sl, at, display)
}

pub(super) fn encode_delta(c: i64, h: i64) -> [u8; 16] {
    let mut v = [0u8; 16];
    v[..8].copy_from_slice(&c.to_be_bytes());
    v[8..].copy_from_slice(&h.to_be_bytes());
    v
}

pub(super) fn decode_delta(b: &[u8]) -> Result<(i64, i64)> {
    let at = |i: usize| {
        b.get(i..i + 8)
            .and_then(|s| <[u8; 8]>::try_from(s).ok())
            .map(i64::from_be_bytes)
            .ok_or_else(|| corrupt("short count move"))
    };
    Ok((at(0)?, at(8)?))
}

/// The first bytes of a run file in the compact record format (see
/// [`write_record`]). A run of the plain format (written by a binary from
/// before it, finished by this one after a crash) starts with its first
/// key's length as a big-endian `u32` of at most 2^24, never `0xFFFFFFFF`.
const RUN_MAGIC: [u8; 8] = [0xFF, 0xFF, 0xFF, 0xFF, b'R', b'U', b'N', 2];

/// `x` as a LEB128 varint at `head[*at..]` (at most 5 bytes: lengths are
/// below 2^32).
fn put_varint(head: &mut [u8; 15], at: &mut usize, mut x: usize) {
    while x >= 0x80 {
        head[*at] = (x as u8) | 0x80;
        *at += 1;
        x >>= 7;
    }
    head[*at] = x as u8;
    *at += 1;
}

/// Appends one record in the compact format: the length of the prefix the
/// key shares with the previous key of the same run (`prev`, empty for the
/// first), the length of the rest of the key and the value's length, as
/// varints, then the rest of the key and the value. Runs hold their keys
/// in ascending order, so neighbours share most of their bytes (a
/// holder's facts, a value's holders): the run files, written through the
/// page cache and read back once, shrink by about a third (fresh page
/// cache pages cost this VM's kernel as much as fresh heap pages).
fn write_record(w: &mut impl Write, prev: &[u8], k: &[u8], v: &[u8]) -> std::io::Result<()> {
    let shared = prev.iter().zip(k).take_while(|(a, b)| a == b).count();
    if k.len() > 1 << 24 || v.len() > 1 << 24 {
        return Err(std::io::Error::other("run record too large"));
    }
    let mut head = [0u8; 15];
    let mut at = 0;
    put_varint(&mut head, &mut at, shared);
    put_varint(&mut head, &mut at, k.len() - shared);
    put_varint(&mut head, &mut at, v.len());
    w.write_all(&head[..at])?;
    w.write_all(&k[shared..])?;
    w.write_all(v)
}

/// A run written in key order as it comes (no sorting), keys checked.
pub(super) struct RunWriter {
    path: PathBuf,
    w: BufWriter<File>,
    order: Order,
    records: u64,
}

impl RunWriter {
    pub(super) fn create(path: PathBuf) -> Result<RunWriter> {
        let f = File::create(&path).map_err(|e| io(&path, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        w.write_all(&RUN_MAGIC).map_err(|e| io(&path, e))?;
        Ok(RunWriter {
            path,
            w,
            order: Order::default(),
            records: 0,
        })
    }

    pub(super) fn put(&mut self, k: &[u8], v: &[u8]) -> Result<()> {
        // Checked before the write: the record is coded against the
        // previous key, which the check then replaces.
        if !self.order.follows(k) {
            return Err(corrupt("keys out of order"));
        }
        self.records += 1;
        write_record(&mut self.w, &self.order.last, k, v).map_err(|e| io(&self.path, e))?;
        self.order.last.clear();
        self.order.last.extend_from_slice(k);
        self.order.started = true;
        Ok(())
    }

    /// `k` may come next (it follows every key put so far).
    pub(super) fn takes(&self, k: &[u8]) -> bool {
        self.order.follows(k)
    }

    /// How many records were put.
    pub(super) fn records(&self) -> u64 {
        self.records
    }

    /// Flushes (and fsyncs) the run; returns its path.
    pub(super) fn finish(self, durable: bool) -> Result<PathBuf> {
        let path = self.path;
        let f = self.w.into_inner().map_err(|e| io(&path, e.into_error()))?;
        if durable {
            f.sync_all().map_err(|e| io(&path, e))?;
        }
        Ok(path)
    }
}

/// The name markers (`seen`) a derive loop writes: a holder's (`H` +
/// holder) and a subject's (`S` + subject) each come in ascending order
/// (the fact stream is in subject order and holders are contiguous in it),
/// so they are two runs written as they come instead of a sorter's
/// (whose sort of ~3 M keys they were), merged when `seen` is ingested.
struct Markers {
    holders: RunWriter,
    subjects: RunWriter,
}

impl Markers {
    fn create(dir: &Path) -> Result<Markers> {
        Ok(Markers {
            holders: RunWriter::create(dir.join("seen-h.run"))?,
            subjects: RunWriter::create(dir.join("seen-s.run"))?,
        })
    }

    fn push(&mut self, mark: &[u8]) -> Result<()> {
        match mark.first() {
            Some(&MARK_HOLDER) => self.holders.put(mark, b""),
            Some(&MARK_SUBJECT) => self.subjects.put(mark, b""),
            _ => Err(corrupt("a name marker of no known kind")),
        }
    }

    /// Flushes (and fsyncs) the runs; the paths of those holding any
    /// marker (an empty one is removed: nothing to ingest).
    fn finish(self, durable: bool) -> Result<Vec<PathBuf>> {
        let mut out = Vec::with_capacity(2);
        for w in [self.holders, self.subjects] {
            let any = w.records > 0;
            let path = w.finish(durable && any)?;
            if any {
                out.push(path);
            } else {
                fs::remove_file(&path).map_err(|e| io(&path, e))?;
            }
        }
        Ok(out)
    }
}

/// A buffered (key, value): the key's first 32 bytes as two big-endian
/// numbers (zero-padded, so they order as the key's front does), and where
/// the key and then the value are in the sorter's buffer. Most compares
/// are settled by the cached front without touching the buffer: 16 bytes
/// were not enough for `rev` and `piv` keys, whose value (a name server
/// held by thousands of domains) fills them, so most compares read both
/// keys from the buffer (`memcmp`, 13% of a load's CPU in perf, mostly
/// cache misses).
///
/// The sort caches 48 bytes (an item is then one 64-byte cache line):
/// with 32, a `rev` or `piv` key of a value held by many domains (a status
/// or registrar text fills 27 bytes, then the predicate) still tied on
/// its front against every holder of the same top-level domain, and the
/// spill sorts' compares past the front were 9% of a load's `fwd`/`dom`
/// phase in `memcmp` (cache misses into the 64 MiB buffer).
#[derive(Clone, Copy)]
struct Item {
    front: u128,
    next: u128,
    third: u128,
    at: u32,
    klen: u32,
    vlen: u32,
}

/// A key's first 32 bytes as two big-endian numbers, zero-padded: they
/// order as the key's front does.
fn fronts(k: &[u8]) -> (u128, u128) {
    let mut front = [0u8; 32];
    let n = k.len().min(32);
    front[..n].copy_from_slice(&k[..n]);
    let (a, b) = front.split_at(16);
    let word = |x: &[u8]| u128::from_be_bytes(x.try_into().unwrap_or([0; 16]));
    (word(a), word(b))
}

/// Key order given the keys' [`fronts`]: the fronts, then (when they tie)
/// the keys past them, or whole when one is shorter than the front.
fn cmp_fronted(fa: (u128, u128), a: &[u8], fb: (u128, u128), b: &[u8]) -> std::cmp::Ordering {
    fa.cmp(&fb).then_with(|| {
        if a.len() >= 32 && b.len() >= 32 {
            a[32..].cmp(&b[32..])
        } else {
            a.cmp(b)
        }
    })
}

impl Item {
    fn new(at: usize, k: &[u8], vlen: usize) -> Result<Item> {
        let (front, next) = fronts(k);
        let third = match k.get(32..) {
            Some(rest) => {
                let mut w = [0u8; 16];
                let n = rest.len().min(16);
                w[..n].copy_from_slice(&rest[..n]);
                u128::from_be_bytes(w)
            }
            None => 0,
        };
        let small = |x: usize| u32::try_from(x).map_err(|_| corrupt("sorter item too large"));
        Ok(Item {
            front,
            next,
            third,
            at: small(at)?,
            klen: small(k.len())?,
            vlen: small(vlen)?,
        })
    }

    fn key<'b>(&self, buf: &'b [u8]) -> &'b [u8] {
        let at = self.at as usize;
        &buf[at..at + self.klen as usize]
    }

    fn val<'b>(&self, buf: &'b [u8]) -> &'b [u8] {
        let at = self.at as usize + self.klen as usize;
        &buf[at..at + self.vlen as usize]
    }

    /// Key order: the cached 48 bytes (zero-padded), then (when they
    /// tie) the keys past them, or whole when one is shorter than that.
    fn cmp_in(&self, other: &Item, buf: &[u8]) -> std::cmp::Ordering {
        (self.front, self.next, self.third)
            .cmp(&(other.front, other.next, other.third))
            .then_with(|| {
                let (a, b) = (self.key(buf), other.key(buf));
                if a.len() >= 48 && b.len() >= 48 {
                    a[48..].cmp(&b[48..])
                } else {
                    a.cmp(b)
                }
            })
    }

    /// Whether the cached fronts are equal (the keys may be).
    fn same_front(&self, other: &Item) -> bool {
        self.front == other.front && self.next == other.next && self.third == other.third
    }
}

/// Writes one sorted run: items sorted by key, equal keys merged.
fn write_run(path: &Path, buf: &[u8], items: &mut [Item], rule: Rule, durable: bool) -> Result<()> {
    items.sort_unstable_by(|a, b| a.cmp_in(b, buf));
    let f = File::create(path).map_err(|e| io(path, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    w.write_all(&RUN_MAGIC).map_err(|e| io(path, e))?;
    let mut acc = Vec::new();
    let mut i = 0;
    let mut prev: &[u8] = &[];
    let same = |a: &Item, b: &Item| a.same_front(b) && a.key(buf) == b.key(buf);
    while i < items.len() {
        let k = items[i].key(buf);
        let mut j = i + 1;
        if j < items.len() && same(&items[j], &items[i]) {
            acc.clear();
            acc.extend_from_slice(items[i].val(buf));
            while j < items.len() && same(&items[j], &items[i]) {
                merge_into(rule, &mut acc, items[j].val(buf))?;
                j += 1;
            }
            write_record(&mut w, prev, k, &acc)
        } else {
            // Most keys are unique: written from the buffer, not copied.
            write_record(&mut w, prev, k, items[i].val(buf))
        }
        .map_err(|e| io(path, e))?;
        prev = k;
        i = j;
    }
    let f = w.into_inner().map_err(|e| io(path, e.into_error()))?;
    if durable {
        f.sync_all().map_err(|e| io(path, e))?;
    }
    Ok(())
}

/// A sorter's buffers: packed keys and values, and an [`Item`] per pair.
type Buffers = (Vec<u8>, Vec<Item>);
type Spill = JoinHandle<Result<Buffers>>;
/// Where merged keys go (a holder's `dom` keys, the zone form's `zrv` keys).
pub(super) type PutFn<'f> = &'f mut dyn FnMut(&[u8], &[u8]) -> Result<()>;

/// An external sorter of (key, value) pairs with bounded memory: sorted
/// runs are spilled to files (on a second thread) and merged at the end.
pub(super) struct Sorter {
    dir: PathBuf,
    name: &'static str,
    rule: Rule,
    budget: usize,
    durable: bool,
    buf: Vec<u8>,
    items: Vec<Item>,
    runs: Vec<PathBuf>,
    pending: Option<Spill>,
    /// Runs are written on the caller's thread from the one buffer (no
    /// second buffer filled while a run is written).
    one_buffer: bool,
}

impl Sorter {
    pub(super) fn new(
        dir: &Path,
        name: &'static str,
        rule: Rule,
        budget: usize,
        durable: bool,
    ) -> Sorter {
        Sorter {
            dir: dir.to_path_buf(),
            name,
            rule,
            budget,
            durable,
            buf: Vec::new(),
            items: Vec::new(),
            runs: Vec::new(),
            pending: None,
            one_buffer: false,
        }
    }

    /// Writes its runs on the caller's thread from its one buffer: half
    /// the memory (each fresh MiB costs the kernel's zeroing, ~3-6 ms of
    /// CPU on this VM), for a sorter whose runs are few or whose caller
    /// has other work beside it.
    pub(super) fn one_buffer(mut self) -> Sorter {
        self.one_buffer = true;
        self
    }

    pub(super) fn push(&mut self, k: &[u8], v: &[u8]) -> Result<()> {
        if self.items.capacity() == 0 {
            // Sized once (pages are touched only as they fill): growing by
            // doubling copied and faulted in the buffer again and again.
            self.buf.reserve(self.budget);
            self.items.reserve(self.budget / 64);
        }
        self.items.push(Item::new(self.buf.len(), k, v.len())?);
        self.buf.extend_from_slice(k);
        self.buf.extend_from_slice(v);
        if self.buf.len() + self.items.len() * ITEM_OVERHEAD >= self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// Waits for the run being written; gets its buffers back for reuse.
    fn wait(&mut self) -> Result<Option<Buffers>> {
        match self.pending.take() {
            None => Ok(None),
            Some(h) => match h.join() {
                Ok(r) => r.map(Some),
                Err(_) => Err(StoreError::Engine("bulk sort thread panicked".into())),
            },
        }
    }

    fn spill(&mut self) -> Result<()> {
        if self.one_buffer {
            if self.items.is_empty() {
                return Ok(());
            }
            let path = self
                .dir
                .join(format!("{}-{:05}.run", self.name, self.runs.len()));
            write_run(&path, &self.buf, &mut self.items, self.rule, self.durable)?;
            self.runs.push(path);
            self.buf.clear();
            self.items.clear();
            return Ok(());
        }
        let spare = self.wait()?;
        let (mut buf, mut items) = match spare {
            Some((mut b, mut i)) => {
                b.clear();
                i.clear();
                (b, i)
            }
            None => (Vec::new(), Vec::new()),
        };
        std::mem::swap(&mut buf, &mut self.buf);
        std::mem::swap(&mut items, &mut self.items);
        if items.is_empty() {
            return Ok(());
        }
        let path = self
            .dir
            .join(format!("{}-{:05}.run", self.name, self.runs.len()));
        self.runs.push(path.clone());
        let (rule, durable) = (self.rule, self.durable);
        self.pending = Some(std::thread::spawn(move || {
            write_run(&path, &buf, &mut items, rule, durable)?;
            Ok((buf, items))
        }));
        Ok(())
    }

    /// Spills what is buffered and returns the run files.
    pub(super) fn finish(mut self) -> Result<Vec<PathBuf>> {
        self.spill()?;
        self.wait()?;
        Ok(std::mem::take(&mut self.runs))
    }
}

/// A compact record's three lengths decoded from `b`, with the bytes they
/// took; `None` when `b` does not hold them whole (or holds a varint of
/// more than 5 bytes: the slow path reports it).
fn head_in(b: &[u8]) -> Option<(usize, usize, usize, usize)> {
    let mut at = 0;
    let mut out = [0usize; 3];
    for o in &mut out {
        let mut x = 0usize;
        let mut shift = 0;
        loop {
            let byte = *b.get(at)?;
            at += 1;
            x |= usize::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift >= 35 {
                return None;
            }
        }
        *o = x;
    }
    Some((out[0], out[1], out[2], at))
}

/// One run file, read record by record.
struct RunReader {
    path: PathBuf,
    r: BufReader<File>,
    /// The file is in the compact format (see [`write_record`]), not the
    /// plain one (lengths as two big-endian `u32`, whole keys).
    compact: bool,
    key: Vec<u8>,
    val: Vec<u8>,
}

impl RunReader {
    fn open(path: &Path) -> Result<RunReader> {
        let f = File::open(path).map_err(|e| io(path, e))?;
        let mut r = RunReader {
            path: path.to_path_buf(),
            r: BufReader::with_capacity(256 << 10, f),
            compact: false,
            key: Vec::new(),
            val: Vec::new(),
        };
        let mut head = [0u8; RUN_MAGIC.len()];
        let got = r.fill(&mut head)?;
        if got == head.len() && head == RUN_MAGIC {
            r.compact = true;
        } else {
            // A plain run: read again from its start.
            r.r.seek(std::io::SeekFrom::Start(0))
                .map_err(|e| io(path, e))?;
        }
        Ok(r)
    }

    /// Reads up to `buf.len()` bytes; how many (fewer only at the end).
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize> {
        let mut got = 0;
        while got < buf.len() {
            match self.r.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io(&self.path, e)),
            }
        }
        Ok(got)
    }

    fn truncated(&self) -> StoreError {
        corrupt(format!("{}: truncated", self.path.display()))
    }

    /// A varint of the compact format; `None` at the end of the file
    /// (only allowed for a record's first varint: `first`).
    fn varint(&mut self, first: bool) -> Result<Option<usize>> {
        let mut x = 0usize;
        for shift in (0..35).step_by(7) {
            let mut b = [0u8; 1];
            if self.fill(&mut b)? == 0 {
                return if first && shift == 0 {
                    Ok(None)
                } else {
                    Err(self.truncated())
                };
            }
            x |= usize::from(b[0] & 0x7F) << shift;
            if b[0] & 0x80 == 0 {
                return Ok(Some(x));
            }
        }
        Err(corrupt(format!("{}: bad length", self.path.display())))
    }

    /// Reads the next record; `false` at the end of the file.
    fn advance(&mut self) -> Result<bool> {
        let (shared, kl, vl) = if self.compact {
            let (shared, rest, vl) = match head_in(self.r.buffer()) {
                // The usual case: the three lengths in the read buffer.
                Some((shared, rest, vl, n)) => {
                    self.r.consume(n);
                    (shared, rest, vl)
                }
                None => {
                    let Some(shared) = self.varint(true)? else {
                        return Ok(false);
                    };
                    let rest = self.varint(false)?.ok_or_else(|| self.truncated())?;
                    let vl = self.varint(false)?.ok_or_else(|| self.truncated())?;
                    (shared, rest, vl)
                }
            };
            if shared > self.key.len() {
                return Err(corrupt(format!(
                    "{}: key shares more than the previous one",
                    self.path.display()
                )));
            }
            (shared, shared.saturating_add(rest), vl)
        } else {
            let mut head = [0u8; 8];
            match self.fill(&mut head)? {
                0 => return Ok(false),
                8 => {}
                _ => return Err(self.truncated()),
            }
            let kl = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
            let vl = u32::from_be_bytes([head[4], head[5], head[6], head[7]]) as usize;
            (0, kl, vl)
        };
        // Keys and values are bounded by what the write path accepts.
        if kl > 1 << 24 || vl > 1 << 24 {
            return Err(corrupt(format!(
                "{}: record too large",
                self.path.display()
            )));
        }
        self.key.truncate(shared);
        self.key.resize(kl, 0);
        self.val.resize(vl, 0);
        self.r
            .read_exact(&mut self.key[shared..])
            .and_then(|()| self.r.read_exact(&mut self.val))
            .map_err(|_| self.truncated())?;
        Ok(true)
    }
}

/// The k-way merge of sorted runs, equal keys merged.
pub(super) struct Merged {
    rule: Rule,
    readers: Vec<RunReader>,
    /// Reader indices by current key, greatest first (the least is popped),
    /// with the key's [`fronts`]: most compares never read the keys (the
    /// binary search over ~30 runs' keys was ~15% of the side ingestion's
    /// CPU in `memcmp`).
    order: Vec<((u128, u128), usize)>,
    key: Vec<u8>,
    val: Vec<u8>,
}

impl Merged {
    pub(super) fn open(runs: &[PathBuf], rule: Rule) -> Result<Merged> {
        let mut m = Merged {
            rule,
            readers: Vec::with_capacity(runs.len()),
            order: Vec::with_capacity(runs.len()),
            key: Vec::new(),
            val: Vec::new(),
        };
        for p in runs {
            let mut r = RunReader::open(p)?;
            if r.advance()? {
                m.readers.push(r);
                m.insert(m.readers.len() - 1);
            }
        }
        Ok(m)
    }

    fn insert(&mut self, i: usize) {
        let k = self.readers[i].key.as_slice();
        let f = fronts(k);
        let readers = &self.readers;
        let at = self.order.partition_point(|(fj, j)| {
            cmp_fronted(*fj, &readers[*j].key, f, k) == std::cmp::Ordering::Greater
        });
        self.order.insert(at, (f, i));
    }

    /// Moves reader `i` to its next record (dropping it at its end).
    fn step(&mut self, i: usize) -> Result<()> {
        if self.readers[i].advance()? {
            self.insert(i);
        }
        Ok(())
    }

    /// The next key and its merged value.
    pub(super) fn next(&mut self) -> Result<Option<(&[u8], &[u8])>> {
        let Some((f, i)) = self.order.pop() else {
            return Ok(None);
        };
        // The key copied, not swapped: the reader's next key is coded
        // against it.
        self.key.clear();
        self.key.extend_from_slice(&self.readers[i].key);
        std::mem::swap(&mut self.val, &mut self.readers[i].val);
        self.step(i)?;
        while let Some(&(fj, j)) = self.order.last() {
            if fj != f || self.readers[j].key != self.key {
                break;
            }
            self.order.pop();
            merge_into(self.rule, &mut self.val, &self.readers[j].val)?;
            self.step(j)?;
        }
        Ok(Some((&self.key, &self.val)))
    }
}

/// The strictly ascending key order fjall's ingestion asserts, checked
/// first so that a bad run is an error, not a panic.
#[derive(Default)]
pub(super) struct Order {
    last: Vec<u8>,
    started: bool,
}

impl Order {
    /// `k` is strictly after every key checked so far.
    pub(super) fn follows(&self, k: &[u8]) -> bool {
        !self.started || k > self.last.as_slice()
    }

    pub(super) fn check(&mut self, k: &[u8]) -> Result<()> {
        if self.started && k <= self.last.as_slice() {
            return Err(corrupt("keys out of order"));
        }
        self.last.clear();
        self.last.extend_from_slice(k);
        self.started = true;
        Ok(())
    }
}

/// What `COMMIT` records: everything step 3 needs, and the state to commit
/// after it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Commit {
    facts: Vec<String>,
    display: Vec<String>,
    /// Events, keyed by their ordinal (the sequence they have when every
    /// first-sighting candidate is kept).
    events: Vec<String>,
    /// The ordinal after the load (`None`: no events).
    next_seq: Option<u64>,
    sources: Vec<(String, u16)>,
    ledger: Option<LedgerEntry>,
    /// The store held facts when the load began: step 3 merges with them
    /// (`apply_merge`) instead of writing the runs as they are.
    #[serde(default)]
    merge: bool,
    /// First-sighting candidates, keyed by subject key · ordinal.
    #[serde(default)]
    sightings: Vec<String>,
    /// The event sequence when the load began.
    #[serde(default)]
    first_seq: u64,
    /// The (kind, data) of the compact first sightings (see
    /// [`SIGHTING_TIME`]), by their index.
    #[serde(default)]
    templates: Vec<Template>,
    /// The first-sighting candidates again, in ordinal order (a run keyed
    /// by ordinal, written as they came, not fsynced): step 3 numbers the
    /// kept ones from it, skipping the dropped ordinals, instead of
    /// sorting the kept candidates back into ordinal order. `None` (a
    /// load from before the log, or finished by an open after a crash):
    /// the kept candidates are sorted.
    #[serde(default)]
    sight_log: Option<String>,
    /// A pDNS form load's candidates (see [`EmbeddedBulk::set_form_kept`]):
    /// none went to the `sight` sorter; the log (then fsynced) holds them
    /// all, and these runs (paths under the store's directory, keyed by a
    /// subject, valued by the complement of a candidate's ordinal) give
    /// each subject's first candidate.
    #[serde(default)]
    form_kept: Option<Vec<String>>,
}

/// A first sighting's event kind and data, shared by the compact values
/// that name it by index.
type Template = (String, std::collections::BTreeMap<String, String>);

/// The first byte of a compact first-sighting value (an event's JSON
/// starts with `{`): then its template's index (u16), its time (i64) and
/// its subject's name, all rendered into the event's JSON only for the
/// sightings kept (`number_events`).
const SIGHTING_TIME: u8 = 2;

fn compact_sighting(template: u16, time: i64, name: &str, out: &mut Vec<u8>) {
    out.clear();
    out.push(SIGHTING_TIME);
    out.extend_from_slice(&template.to_be_bytes());
    out.extend_from_slice(&time.to_be_bytes());
    out.extend_from_slice(name.as_bytes());
}

/// An event's JSON: `v` itself, or rendered from a compact sighting.
fn event_json<'v>(v: &'v [u8], templates: &[Template], json: &'v mut Vec<u8>) -> Result<&'v [u8]> {
    if v.first() != Some(&SIGHTING_TIME) {
        return Ok(v);
    }
    let bad = || corrupt("bad compact sighting");
    let t = v.get(1..3).ok_or_else(bad)?;
    let time = v.get(3..11).ok_or_else(bad)?;
    let name = std::str::from_utf8(&v[11..]).map_err(|_| bad())?;
    let (kind, data) = templates
        .get(usize::from(u16::from_be_bytes([t[0], t[1]])))
        .ok_or_else(bad)?;
    let mut at = [0u8; 8];
    at.copy_from_slice(time);
    super::write::encode_event_parts(kind, data, name, i64::from_be_bytes(at), json)?;
    Ok(json)
}

/// What step 3 reports.
struct Applied {
    facts_new: u64,
    facts_merged: u64,
    /// The event sequence after the load (`None`: no events stored).
    next_seq: Option<u64>,
}

/// The bulk load of an [`EmbeddedStore`] (see the module docs). It holds
/// the writer for its lifetime: other writes wait for it.
pub struct EmbeddedBulk<'a> {
    store: &'a EmbeddedStore,
    w: MutexGuard<'a, Writer>,
    dir: PathBuf,
    facts: Sorter,
    display: Sorter,
    /// The events, keyed by their ordinal: they come in key order, so
    /// they are one run written as they come (no sorter: sorting, spilling
    /// and merging ~2 M already ordered events of a zone's first snapshot
    /// was pure cost). Created with the first event.
    events: Option<RunWriter>,
    /// The JSON of the event being added.
    json: Vec<u8>,
    sightings: Sorter,
    /// The candidates in ordinal order (see [`Commit::sight_log`]),
    /// opened at the first one.
    sight_log: Option<RunWriter>,
    any_sighting: bool,
    /// A pDNS form load: candidates are only logged (see
    /// [`Commit::form_kept`]); the runs naming the kept ones.
    form_kept: Option<Vec<String>>,
    next_seq: u64,
    first_seq: u64,
    merge: bool,
    new_sources: Vec<(String, u16)>,
    /// The (kind, data) of the compact first sightings.
    templates: Vec<Template>,
    key: Vec<u8>,
    committed: bool,
    /// Writes no candidates' log, as a binary from before it (tests).
    #[cfg(test)]
    no_log: bool,
}

impl EmbeddedStore {
    /// Whether no fact, name or holding is stored.
    fn holds_no_facts(&self) -> Result<bool> {
        for ks in [
            &self.fwd, &self.rev, &self.dom, &self.piv, &self.cnt, &self.nam, &self.seen,
            &self.disp,
        ] {
            if ks.first_key_value().is_some() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A bulk load: into an empty store the runs are written as they are;
    /// into one holding facts they are merged with what is stored.
    pub fn bulk(&self) -> Result<Option<EmbeddedBulk<'_>>> {
        let w = super::lock(&self.writer);
        if self.poisoned.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(None);
        }
        let merge = !self.holds_no_facts()?;
        let dir = self.path.join(DIR);
        match fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&dir, e)),
        }
        fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let next_seq = w.next_seq;
        Ok(Some(EmbeddedBulk {
            store: self,
            w,
            events: None,
            json: Vec::with_capacity(256),
            sightings: Sorter::new(&dir, "sight", Rule::Max, SIDE_BUDGET, true),
            sight_log: None,
            any_sighting: false,
            form_kept: None,
            next_seq,
            first_seq: next_seq,
            merge,
            facts: Sorter::new(&dir, "facts", Rule::Fact, FACTS_BUDGET, true),
            display: Sorter::new(&dir, "disp", Rule::Max, SIDE_BUDGET, true),
            dir,
            new_sources: Vec::new(),
            templates: Vec::new(),
            key: Vec::with_capacity(128),
            committed: false,
            #[cfg(test)]
            no_log: false,
        }))
    }
}

impl EmbeddedBulk<'_> {
    /// Whether the load merges with stored facts (else into an empty
    /// store).
    pub(super) fn merges(&self) -> bool {
        self.merge
    }

    /// A pDNS form load's first sightings (before any sighting): each
    /// candidate is only logged, in ordinal order, and the log fsynced at
    /// `COMMIT`; no `sight` sorter. The form's own runs (its `nam` runs,
    /// whose name keys come in the merge it does anyway) name each
    /// subject's first candidate, handed over by [`Self::set_kept_runs`].
    pub(super) fn set_form_kept(&mut self) {
        if !self.any_sighting && !self.merge {
            self.form_kept = Some(Vec::new());
        }
    }

    /// The runs naming each subject's first candidate (paths under the
    /// store's directory; see [`Commit::form_kept`]).
    pub(super) fn set_kept_runs(&mut self, runs: Vec<String>) {
        if let Some(k) = &mut self.form_kept {
            *k = runs;
        }
    }

    /// The ordinal the next candidate or event gets.
    pub(super) fn next_ordinal(&self) -> u64 {
        self.next_seq
    }

    /// The writer state the load holds (the pDNS form's materialisation
    /// updates its count cache).
    pub(super) fn writer_mut(&mut self) -> &mut Writer {
        &mut self.w
    }

    pub(super) fn source_id(&mut self, name: &str) -> Result<u16> {
        if let Some(id) = self.w.sources.get(name) {
            return Ok(*id);
        }
        let id = u16::try_from(self.w.sources.len() + 1)
            .map_err(|_| StoreError::Invalid("more than 65535 distinct sources".into()))?;
        self.w.sources.insert(name.to_string(), id);
        self.new_sources.push((name.to_string(), id));
        Ok(id)
    }

    /// Appends the candidate numbered `next_seq` to the ordinal-ordered
    /// log.
    fn log_sighting(&mut self, value: &[u8]) -> Result<()> {
        #[cfg(test)]
        if self.no_log {
            return Ok(());
        }
        let log = match &mut self.sight_log {
            Some(w) => w,
            None => self
                .sight_log
                .insert(RunWriter::create(self.dir.join("sight-log.run"))?),
        };
        log.put(&self.next_seq.to_be_bytes(), value)
    }

    fn add_sightings(&mut self, sightings: Vec<(Entity, crate::NewEvent)>) -> Result<()> {
        let mut json = Vec::with_capacity(256);
        for (subject, e) in &sightings {
            encode_event(e, &mut json)?;
            self.key.clear();
            push_entity(&mut self.key, subject);
            self.key.extend_from_slice(&self.next_seq.to_be_bytes());
            if self.form_kept.is_none() {
                self.sightings.push(&self.key, &json)?;
            }
            self.log_sighting(&json)?;
            self.next_seq += 1;
            self.any_sighting = true;
        }
        Ok(())
    }

    fn add_sighting_times(
        &mut self,
        kind: &str,
        data: &std::collections::BTreeMap<String, String>,
        sightings: &[(&scry_model::DomainName, i64)],
    ) -> Result<()> {
        let template = match self
            .templates
            .iter()
            .position(|(k, d)| k == kind && d == data)
        {
            Some(i) => i,
            None => {
                self.templates.push((kind.to_string(), data.clone()));
                self.templates.len() - 1
            }
        };
        let template = u16::try_from(template)
            .map_err(|_| StoreError::Invalid("more than 65535 kinds of first sightings".into()))?;
        let mut json = Vec::with_capacity(128);
        let form = self.form_kept.is_some();
        for (name, time) in sightings {
            compact_sighting(template, *time, name.ascii(), &mut json);
            if !form {
                self.key.clear();
                keys::push_name(&mut self.key, name);
                self.key.extend_from_slice(&self.next_seq.to_be_bytes());
                self.sightings.push(&self.key, &json)?;
            }
            self.log_sighting(&json)?;
            self.next_seq += 1;
            self.any_sighting = true;
        }
        Ok(())
    }

    fn add_batch(&mut self, batch: WriteBatch) -> Result<()> {
        if !batch.documents.is_empty() {
            return Err(StoreError::Invalid(
                "a bulk load takes observations and events, not documents".into(),
            ));
        }
        let mut json = std::mem::take(&mut self.json);
        let pushed = batch.events.iter().try_for_each(|e| {
            encode_event(e, &mut json)?;
            self.push_event(&json)
        });
        self.json = json;
        pushed?;
        let mut last: Option<(String, u16)> = None;
        for o in &batch.observations {
            let sid = match &last {
                Some((n, id)) if *n == o.source => *id,
                _ => {
                    let id = self.source_id(&o.source)?;
                    last = Some((o.source.clone(), id));
                    id
                }
            };
            let (_, at, display) = fact_key(&mut self.key, o);
            if let Some(d) = display {
                self.display.push(&self.key[at..], d)?;
            }
            let v = FactVal::encode_one(&o.window, sid);
            self.facts.push(&self.key, &v)?;
        }
        Ok(())
    }

    /// Appends an event's JSON to the events' run as the next ordinal.
    fn push_event(&mut self, json: &[u8]) -> Result<()> {
        let w = match &mut self.events {
            Some(w) => w,
            None => self
                .events
                .insert(RunWriter::create(self.dir.join("evt.run"))?),
        };
        w.put(&self.next_seq.to_be_bytes(), json)?;
        self.next_seq += 1;
        Ok(())
    }

    fn add_event_pairs(
        &mut self,
        time: scry_model::Timestamp,
        kind: &str,
        subject: &str,
        data: &[(&str, &str)],
    ) -> Result<()> {
        let mut json = std::mem::take(&mut self.json);
        let pushed = super::write::encode_event_pairs(kind, data, subject, time, &mut json)
            .and_then(|()| self.push_event(&json));
        self.json = json;
        pushed
    }

    fn finish_load(&mut self, ledger: Option<LedgerEntry>) -> Result<WriteReceipt> {
        let commit = self.commit_runs(ledger)?;
        self.apply_commit(&commit)
    }

    /// Finishes the load and runs `then` once its `COMMIT` is durable (the
    /// load is decided: a crash from there on is finished by the next
    /// open). When the load has no facts or display forms of its own, step
    /// 3 writes only `evt`, `seen` and `meta`, and `then` runs on a second
    /// thread alongside it (it must write none of those); else after it.
    pub(super) fn finish_then<T: Send>(
        mut self,
        ledger: Option<LedgerEntry>,
        then: impl FnOnce() -> Result<T> + Send,
    ) -> Result<(WriteReceipt, T)> {
        let commit = self.commit_runs(ledger)?;
        if !commit.merge && commit.facts.is_empty() && commit.display.is_empty() {
            std::thread::scope(|sc| {
                let other = sc.spawn(then);
                let receipt = self.apply_commit(&commit);
                let other = other
                    .join()
                    .map_err(|_| StoreError::Engine("bulk load companion panicked".into()))?;
                Ok((receipt?, other?))
            })
        } else {
            let receipt = self.apply_commit(&commit)?;
            Ok((receipt, then()?))
        }
    }

    /// A crash after `COMMIT` and `then`, before step 3 (for tests): the
    /// bulk load's files are left for the next open.
    #[cfg(test)]
    pub(super) fn commit_then_stop<T>(
        mut self,
        ledger: Option<LedgerEntry>,
        then: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        self.commit_runs(ledger)?;
        then()
    }

    /// Steps 1 and 2: the runs finished and `COMMIT` written.
    fn commit_runs(&mut self, ledger: Option<LedgerEntry>) -> Result<Commit> {
        let started = std::time::Instant::now();
        let take = |s: &mut Sorter, name: &'static str, rule: Rule| {
            std::mem::replace(s, Sorter::new(&self.dir, name, rule, 0, true)).finish()
        };
        let facts = take(&mut self.facts, "facts", Rule::Fact)?;
        let display = take(&mut self.display, "disp", Rule::Max)?;
        let events = match self.events.take() {
            Some(w) => vec![w.finish(true)?],
            None => Vec::new(),
        };
        let sightings = take(&mut self.sightings, "sight", Rule::Max)?;
        // Not fsynced: only this process reads it (an open finishing the
        // load after a crash sorts the kept candidates instead), unless it
        // is a form load's only copy of its candidates.
        let sight_log = match self.sight_log.take() {
            Some(w) => Some(w.finish(self.form_kept.is_some())?),
            None => None,
        };
        let name = |p: &PathBuf| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let commit = Commit {
            facts: facts.iter().map(name).collect(),
            display: display.iter().map(name).collect(),
            events: events.iter().map(name).collect(),
            next_seq: (self.next_seq != self.first_seq).then_some(self.next_seq),
            sources: self.new_sources.clone(),
            ledger,
            merge: self.merge,
            sightings: sightings.iter().map(name).collect(),
            first_seq: self.first_seq,
            templates: self.templates.clone(),
            sight_log: sight_log.as_ref().map(name),
            form_kept: self.form_kept.clone(),
        };
        debug_assert!(self.any_sighting || commit.sightings.is_empty());
        let body = serde_json::to_vec(&commit).map_err(|e| StoreError::Engine(e.to_string()))?;
        write_synced(&self.dir, COMMIT, &body)?;
        tracing::info!(
            secs = started.elapsed().as_secs_f64(),
            runs = commit.facts.len(),
            "bulk load: runs written, committed"
        );
        // From here on the load is decided: a failure leaves `COMMIT` for
        // the next open to finish.
        self.committed = true;
        Ok(commit)
    }

    /// Steps 3 and 4 of a committed load.
    fn apply_commit(&mut self, commit: &Commit) -> Result<WriteReceipt> {
        match apply(self.store, &self.dir, commit) {
            Ok(done) => {
                self.w.counts.clear();
                if let Some(s) = done.next_seq {
                    self.w.next_seq = s;
                }
                let mut names = super::lock(&self.store.source_names);
                for (name, id) in &self.new_sources {
                    names.insert(*id, name.clone());
                }
                Ok(WriteReceipt {
                    facts_new: done.facts_new,
                    facts_merged: done.facts_merged,
                    new_known: true,
                    last_event_seq: done.next_seq.map(|s| s - 1),
                })
            }
            Err(e) => {
                // Part of it may be ingested: refuse writes until a reopen
                // finishes it from `COMMIT`.
                self.store
                    .poisoned
                    .store(true, std::sync::atomic::Ordering::SeqCst);
                Err(e)
            }
        }
    }
}

/// Writes `dir/name` durably: a synced temporary file renamed into place,
/// then the directory synced.
pub(super) fn write_synced(dir: &Path, name: &str, body: &[u8]) -> Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    {
        let mut f = File::create(&tmp).map_err(|e| io(&tmp, e))?;
        f.write_all(body).map_err(|e| io(&tmp, e))?;
        f.sync_all().map_err(|e| io(&tmp, e))?;
    }
    let target = dir.join(name);
    fs::rename(&tmp, &target).map_err(|e| io(&target, e))?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(dir, e))
}

impl Drop for EmbeddedBulk<'_> {
    fn drop(&mut self) {
        if !self.committed {
            // Abandoned (or failed before `COMMIT`): nothing of it is
            // stored; forget its source ids and its files.
            for (name, _) in &self.new_sources {
                self.w.sources.remove(name);
            }
            for s in [&mut self.facts, &mut self.display, &mut self.sightings] {
                if let Some(h) = s.pending.take() {
                    let _ = h.join();
                }
            }
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl BulkLoad for EmbeddedBulk<'_> {
    fn add(&mut self, batch: WriteBatch) -> Result<()> {
        self.add_batch(batch)
    }

    fn add_first_sightings(&mut self, sightings: Vec<(Entity, crate::NewEvent)>) -> Result<()> {
        self.add_sightings(sightings)
    }

    fn add_first_sighting_times(
        &mut self,
        kind: &str,
        data: &std::collections::BTreeMap<String, String>,
        sightings: &[(&scry_model::DomainName, i64)],
    ) -> Result<()> {
        self.add_sighting_times(kind, data, sightings)
    }

    fn add_event(
        &mut self,
        time: scry_model::Timestamp,
        kind: &str,
        subject: &str,
        data: &[(&str, &str)],
    ) -> Result<()> {
        self.add_event_pairs(time, kind, subject, data)
    }

    fn finish(mut self: Box<Self>, ledger: Option<LedgerEntry>) -> Result<WriteReceipt> {
        self.finish_load(ledger)
    }
}

/// One holder's holdings as the derive loop collects them: each
/// predicate · object packed back to back in one buffer (no allocation per
/// fact), with its window.
#[derive(Default)]
struct Group {
    bytes: Vec<u8>,
    /// (start in `bytes`, length, window)
    items: Vec<(u32, u32, Window)>,
}

impl Group {
    fn push(&mut self, po: &[u8], w: Window) -> Result<()> {
        let small = |x: usize| u32::try_from(x).map_err(|_| corrupt("holder group too large"));
        self.items
            .push((small(self.bytes.len())?, small(po.len())?, w));
        self.bytes.extend_from_slice(po);
        Ok(())
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    /// Holding `i`: its predicate · object and window.
    fn get(&self, i: usize) -> (&[u8], Window) {
        let (at, len, w) = self.items[i];
        (&self.bytes[at as usize..at as usize + len as usize], w)
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.items.clear();
    }

    /// Sorts the holdings and merges a value held through several hosts
    /// into one holding (windows merged); with `repack`, the buffer is
    /// rebuilt to hold only those (a holder with very many hosts).
    fn compact(&mut self, repack: bool) -> Result<()> {
        let bytes = &self.bytes;
        let po = |&(at, len, _): &(u32, u32, Window)| &bytes[at as usize..(at + len) as usize];
        self.items.sort_unstable_by(|a, b| po(a).cmp(po(b)));
        self.items.dedup_by(|later, first| {
            if po(later) == po(first) {
                first.2.merge(&later.2);
                true
            } else {
                false
            }
        });
        if !repack {
            return Ok(());
        }
        let mut packed = Vec::with_capacity(self.bytes.len().min(1 << 20));
        for it in &mut self.items {
            let at = packed.len();
            packed.extend_from_slice(&self.bytes[it.0 as usize..(it.0 + it.1) as usize]);
            it.0 = u32::try_from(at).map_err(|_| corrupt("holder group too large"))?;
        }
        self.bytes = packed;
        Ok(())
    }
}

/// One holder's holdings (predicate · object, window), in `dom` order,
/// with their current flags, into `dom` and the `piv` sorter.
fn flush_holder(
    holder: &[u8],
    group: &mut Group,
    dom: PutFn<'_>,
    piv: &mut Sorter,
    seen: &mut Markers,
    mut cntd: Option<&mut Sorter>,
    kbuf: &mut Vec<u8>,
) -> Result<()> {
    let counted = cntd.is_some() && keys::is_name_key(holder);
    kbuf.clear();
    kbuf.push(MARK_HOLDER);
    kbuf.extend_from_slice(holder);
    seen.push(kbuf)?;
    group.compact(false)?;
    let mut g = 0;
    while g < group.len() {
        let (first, _) = group.get(g);
        let (pred, _) = read_pred(first)?;
        let p2 = [first[0], first[1]];
        let mut h = g;
        let mut latest = i64::MIN;
        while h < group.len() && group.get(h).0[..2] == p2 {
            latest = latest.max(group.get(h).1.last_seen);
            h += 1;
        }
        let rule = pred.current_rule();
        for i in g..h {
            let (po, w) = group.get(i);
            let hv = HoldVal {
                window: w,
                current: rule.is_current(w.last_seen, latest),
            }
            .encode();
            kbuf.clear();
            kbuf.extend_from_slice(holder);
            kbuf.extend_from_slice(po);
            dom(kbuf, &hv)?;
            kbuf.clear();
            kbuf.extend_from_slice(po);
            kbuf.extend_from_slice(holder);
            piv.push(kbuf, &hv)?;
            if counted && let Some(c) = cntd.as_deref_mut() {
                let d = if hv[24] == 1 { (1, 0) } else { (0, 1) };
                c.push(po, &encode_delta(d.0, d.1))?;
            }
        }
        g = h;
    }
    group.clear();
    Ok(())
}

/// A known holder's holdings: the load's windows (`group`) merged with
/// the stored holdings of each touched predicate (the whole predicate
/// group: its latest observation sets the current flags), as the batch
/// writer merges them; changed holdings into `dom` (in order) and the
/// `piv` sorter, count moves into `cntd`.
#[allow(clippy::too_many_arguments)]
fn merge_holder(
    s: &EmbeddedStore,
    holder: &[u8],
    group: &mut Group,
    dom: PutFn<'_>,
    piv: &mut Sorter,
    cntd: &mut Sorter,
    kbuf: &mut Vec<u8>,
) -> Result<()> {
    group.compact(false)?;
    let is_domain = keys::is_name_key(holder);
    let mut g = 0;
    while g < group.len() {
        let (first, _) = group.get(g);
        let (pred, _) = read_pred(first)?;
        let p2 = [first[0], first[1]];
        let mut h = g;
        while h < group.len() && group.get(h).0[..2] == p2 {
            h += 1;
        }
        kbuf.clear();
        kbuf.extend_from_slice(holder);
        kbuf.extend_from_slice(&p2);
        let stored = s.holdings_of(kbuf)?;
        let old_latest = stored.iter().map(|(_, hv)| hv.window.last_seen).max();
        // (object, stored holding, merged window, touched by the load)
        let mut state: Vec<(&[u8], Option<HoldVal>, Window, bool)> =
            Vec::with_capacity(stored.len() + h - g);
        let (mut a, mut b) = (0, g);
        while a < stored.len() || b < h {
            let sk = stored.get(a).map(|(o, _)| o.as_slice());
            let dk = (b < h).then(|| &group.get(b).0[2..]);
            match (sk, dk) {
                (Some(x), Some(y)) if x == y => {
                    let mut w = stored[a].1.window;
                    w.merge(&group.get(b).1);
                    state.push((x, Some(stored[a].1), w, true));
                    a += 1;
                    b += 1;
                }
                (Some(x), Some(y)) if x > y => {
                    state.push((y, None, group.get(b).1, true));
                    b += 1;
                }
                (Some(x), _) => {
                    state.push((x, Some(stored[a].1), stored[a].1.window, false));
                    a += 1;
                }
                (None, Some(y)) => {
                    state.push((y, None, group.get(b).1, true));
                    b += 1;
                }
                (None, None) => break,
            }
        }
        let latest = state
            .iter()
            .map(|(_, _, w, _)| w.last_seen)
            .max()
            .unwrap_or(i64::MIN);
        let rule = pred.current_rule();
        let latest_moved = old_latest != Some(latest);
        for (obj, old, w, touched) in &state {
            let current = rule.is_current(w.last_seen, latest);
            let changed = old.is_none_or(|o| o.current != current || o.window != *w);
            if !(*touched || latest_moved) || !changed {
                continue;
            }
            let hv = HoldVal {
                window: *w,
                current,
            }
            .encode();
            kbuf.clear();
            kbuf.extend_from_slice(holder);
            kbuf.extend_from_slice(&p2);
            kbuf.extend_from_slice(obj);
            dom(kbuf, &hv)?;
            kbuf.clear();
            kbuf.extend_from_slice(&p2);
            kbuf.extend_from_slice(obj);
            let vl = kbuf.len();
            kbuf.extend_from_slice(holder);
            piv.push(kbuf, &hv)?;
            if is_domain {
                let d = match (old.map(|o| o.current), current) {
                    (None, true) => (1, 0),
                    (None, false) => (0, 1),
                    (Some(false), true) => (1, -1),
                    (Some(true), false) => (-1, 1),
                    _ => (0, 0),
                };
                if d != (0, 0) {
                    cntd.push(&kbuf[..vl], &encode_delta(d.0, d.1))?;
                }
            }
        }
        g = h;
    }
    group.clear();
    Ok(())
}

/// Records (key, value) packed for another thread (an ingestion, the
/// zone form's sorters), in buffers that go back to be refilled.
#[derive(Default)]
pub(super) struct Packed {
    buf: Vec<u8>,
    lens: Vec<(u32, u32)>,
}

/// Bytes packed before they are handed to the other thread.
pub(super) const PACKED_BYTES: usize = 1 << 20;

impl Packed {
    /// An empty buffer with room for [`PACKED_BYTES`].
    pub(super) fn sized() -> Packed {
        Packed {
            buf: Vec::with_capacity(PACKED_BYTES + 4096),
            lens: Vec::new(),
        }
    }

    /// Appends a record; `true` when the buffer is full.
    pub(super) fn put(&mut self, k: &[u8], v: &[u8]) -> Result<bool> {
        let len = |x: usize| u32::try_from(x).map_err(|_| corrupt("record too large"));
        self.lens.push((len(k.len())?, len(v.len())?));
        self.buf.extend_from_slice(k);
        self.buf.extend_from_slice(v);
        Ok(self.buf.len() >= PACKED_BYTES)
    }

    /// The records in the order they were put.
    pub(super) fn records(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let mut at = 0;
        self.lens.iter().map(move |&(kl, vl)| {
            let (kl, vl) = (kl as usize, vl as usize);
            let r = (&self.buf[at..at + kl], &self.buf[at + kl..at + kl + vl]);
            at += kl + vl;
            r
        })
    }

    pub(super) fn len(&self) -> usize {
        self.lens.len()
    }

    pub(super) fn clear(&mut self) {
        self.buf.clear();
        self.lens.clear();
    }
}

/// Feeds one keyspace's ingestion running on its own thread (so the
/// merge that produces the keys and fjall's table writer, LZ4 and filter
/// hashing run on two cores). Packed buffers go back to be reused.
pub(super) struct IngestFeed {
    tx: std::sync::mpsc::SyncSender<Option<Packed>>,
    back: std::sync::mpsc::Receiver<Packed>,
    cur: Packed,
}

impl IngestFeed {
    /// Starts the ingestion of `ks` on a thread of `sc`. It ingests the
    /// records in the order they are put (checked ascending) and finishes
    /// only on [`IngestFeed::finish`]: a feed dropped without it (the load
    /// failed) leaves the keyspace untouched.
    pub(super) fn start<'s>(
        sc: &'s std::thread::Scope<'s, '_>,
        ks: &'s fjall::Keyspace,
    ) -> (IngestFeed, std::thread::ScopedJoinHandle<'s, Result<()>>) {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Option<Packed>>(4);
        let (back_tx, back) = std::sync::mpsc::sync_channel::<Packed>(6);
        let h = sc.spawn(move || -> Result<()> {
            let mut ing = ks.start_ingestion()?;
            let mut order = Order::default();
            for msg in rx {
                let Some(mut p) = msg else {
                    ing.finish()?;
                    return Ok(());
                };
                for (k, v) in p.records() {
                    order.check(k)?;
                    ing.write(k, v)?;
                }
                p.clear();
                // Full: the feeder has enough spares.
                let _ = back_tx.try_send(p);
            }
            // Abandoned: the feeder failed and reports why.
            Ok(())
        });
        (
            IngestFeed {
                tx,
                back,
                cur: Packed::default(),
            },
            h,
        )
    }

    pub(super) fn put(&mut self, k: &[u8], v: &[u8]) -> Result<()> {
        if self.cur.put(k, v)? {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<()> {
        let next = self.back.try_recv().unwrap_or_else(|_| Packed::sized());
        let full = std::mem::replace(&mut self.cur, next);
        self.tx
            .send(Some(full))
            .map_err(|_| StoreError::Engine("bulk ingestion thread stopped".into()))
    }

    /// Sends what is packed and tells the thread to finish the ingestion.
    pub(super) fn finish(mut self) -> Result<()> {
        self.send()?;
        self.tx
            .send(None)
            .map_err(|_| StoreError::Engine("bulk ingestion thread stopped".into()))
    }
}

/// Joins an ingestion thread; its error comes before `first`'s (a feed
/// fails when its thread did).
pub(super) fn join_ingest(
    h: std::thread::ScopedJoinHandle<'_, Result<()>>,
    first: Result<()>,
) -> Result<()> {
    let r = h
        .join()
        .map_err(|_| StoreError::Engine("bulk ingestion thread panicked".into()))?;
    r.and(first)
}

/// Ingests the merge of `runs` into `ks`.
pub(super) fn ingest_runs(s: &EmbeddedStore, ks: &fjall::Keyspace, runs: &[PathBuf]) -> Result<()> {
    ingest_rendered(s, ks, runs, None)
}

/// [`ingest_runs`], each value first passed through [`event_json`] when
/// `templates` are given (compact first sightings rendered).
fn ingest_rendered(
    s: &EmbeddedStore,
    ks: &fjall::Keyspace,
    runs: &[PathBuf],
    templates: Option<&[Template]>,
) -> Result<()> {
    if runs.is_empty() {
        // Nothing to write: `ks` is left alone (a pDNS form load ingests
        // its own keyspaces alongside; see `EmbeddedBulk::finish_then`).
        return Ok(());
    }
    s.make_write_room(ks)?;
    let mut ing = ks.start_ingestion()?;
    let mut order = Order::default();
    let mut m = Merged::open(runs, Rule::Max)?;
    let mut json = Vec::with_capacity(256);
    while let Some((k, v)) = m.next()? {
        order.check(k)?;
        let v = match templates {
            Some(t) => event_json(v, t, &mut json)?,
            None => v,
        };
        ing.write(k, v)?;
    }
    ing.finish()?;
    Ok(())
}

/// [`ingest_runs`] into `evt`, compact first sightings rendered to their
/// JSON (see [`number_events`]).
fn ingest_events(s: &EmbeddedStore, runs: &[PathBuf], templates: &[Template]) -> Result<()> {
    ingest_rendered(s, &s.evt, runs, Some(templates))
}

/// Ingests `piv` and counts `cnt` off it: a value's holders are contiguous
/// in `piv` order, and its count key is the holding key's front.
fn ingest_piv(s: &EmbeddedStore, runs: &[PathBuf]) -> Result<()> {
    if runs.is_empty() {
        return Ok(());
    }
    s.make_write_room(&s.piv)?;
    s.make_write_room(&s.cnt)?;
    let mut piv = s.piv.start_ingestion()?;
    let mut cnt = s.cnt.start_ingestion()?;
    let (mut piv_order, mut cnt_order) = (Order::default(), Order::default());
    let mut m = Merged::open(runs, Rule::Max)?;
    let mut value: Vec<u8> = Vec::new();
    let (mut cur, mut hist) = (0u64, 0u64);
    while let Some((k, v)) = m.next()? {
        piv_order.check(k)?;
        piv.write(k, v)?;
        let ol = k
            .get(2..)
            .and_then(entity_len)
            .ok_or_else(|| corrupt("bad holding key"))?;
        let (vk, holder) = k.split_at(2 + ol);
        if vk != value.as_slice() {
            if cur + hist > 0 {
                cnt_order.check(&value)?;
                cnt.write(value.as_slice(), encode_count(cur, hist).as_slice())?;
            }
            value.clear();
            value.extend_from_slice(vk);
            (cur, hist) = (0, 0);
        }
        if keys::is_name_key(holder) {
            if HoldVal::decode(v)?.current {
                cur += 1;
            } else {
                hist += 1;
            }
        }
    }
    if cur + hist > 0 {
        cnt_order.check(&value)?;
        cnt.write(value.as_slice(), encode_count(cur, hist).as_slice())?;
    }
    piv.finish()?;
    cnt.finish()?;
    Ok(())
}

/// Steps 3 and 4 of the module docs.
fn apply(s: &EmbeddedStore, dir: &Path, c: &Commit) -> Result<Applied> {
    let done = if c.merge {
        apply_merge(s, dir, c)?
    } else {
        apply_empty(s, dir, c)?
    };
    s.make_write_room(&s.meta)?;
    let mut b = s.db.batch().durability(Some(fjall::PersistMode::SyncAll));
    for (name, id) in &c.sources {
        let mut k = b"src:".to_vec();
        k.extend_from_slice(name.as_bytes());
        b.insert(&s.meta, k, id.to_be_bytes());
    }
    if let Some(seq) = done.next_seq {
        b.insert(&s.meta, b"seq".as_slice(), seq.to_be_bytes());
    }
    if let Some(l) = &c.ledger {
        let mut k = b"ledger:".to_vec();
        k.extend_from_slice(l.key.as_bytes());
        let v = serde_json::to_vec(l).map_err(|e| StoreError::Engine(e.to_string()))?;
        b.insert(&s.meta, k, v);
    }
    b.commit()?;
    fs::remove_dir_all(dir).map_err(|e| io(dir, e))?;
    Ok(done)
}

fn run_paths(dir: &Path, names: &[String]) -> Vec<PathBuf> {
    names.iter().map(|n| dir.join(n)).collect()
}

/// Every first-sighting candidate of the load's runs, merged in subject
/// order, handed to `f` with its ordinal, its value and whether it is kept:
/// the first of its subject, and (`stored_names`) only when the subject
/// had no name marker before the load.
fn each_sighting(
    s: &EmbeddedStore,
    dir: &Path,
    c: &Commit,
    stored_names: bool,
    mut f: impl FnMut(&[u8], &[u8], bool) -> Result<()>,
) -> Result<()> {
    let mut m = Merged::open(&run_paths(dir, &c.sightings), Rule::Max)?;
    let (mut last, mut started) = (Vec::with_capacity(64), false);
    let mut mark = Vec::with_capacity(64);
    while let Some((k, v)) = m.next()? {
        let sl = entity_len(k).ok_or_else(|| corrupt("bad sighting key"))?;
        let (subject, ordinal) = k.split_at(sl);
        if started && last.as_slice() == subject {
            f(ordinal, v, false)?;
            continue;
        }
        last.clear();
        last.extend_from_slice(subject);
        started = true;
        let stored = stored_names && {
            mark.clear();
            mark.push(MARK_SUBJECT);
            mark.extend_from_slice(subject);
            s.seen.contains_key(&mark)?
        };
        f(ordinal, v, !stored)?;
    }
    Ok(())
}

/// The events to store, keyed by sequence: the plain events and, of the
/// first-sighting candidates, the first of each subject whose subject had
/// no fact before the load (`stored_names`: read the name markers; an
/// empty store had none), numbered from `first_seq` in ordinal order, as
/// batch writes would have numbered them. Returns the runs and the
/// sequence after them.
///
/// `render`: compact first sightings rendered to their JSON in the run
/// (`APPLY`'s runs, ingested as they are); else left compact (a third of
/// the bytes), for a caller that renders them as it ingests
/// ([`ingest_events`]) from a run only its own process reads.
fn number_events(
    s: &EmbeddedStore,
    dir: &Path,
    c: &Commit,
    stored_names: bool,
    durable: bool,
    render: bool,
) -> Result<(Vec<PathBuf>, Option<u64>)> {
    if let Some(kept) = &c.form_kept {
        if stored_names {
            return Err(corrupt("a form load's first sightings merged with a store"));
        }
        return number_form_kept(s, dir, c, kept, durable, render);
    }
    if c.sightings.is_empty() {
        return Ok((run_paths(dir, &c.events), c.next_seq));
    }
    if let Some(log) = &c.sight_log {
        return number_from_log(s, dir, c, log, stored_names, durable, render);
    }
    let mut kept = Sorter::new(dir, "kept", Rule::Max, SIDE_BUDGET, durable);
    each_sighting(s, dir, c, stored_names, |ordinal, v, keep| {
        if keep { kept.push(ordinal, v) } else { Ok(()) }
    })?;
    let mut all = run_paths(dir, &c.events);
    all.extend(kept.finish()?);
    let mut out = RunWriter::create(dir.join("out-evt.run"))?;
    let mut m = Merged::open(&all, Rule::Max)?;
    let mut seq = c.first_seq;
    let mut json = Vec::with_capacity(256);
    while let Some((_, v)) = m.next()? {
        let v = if render {
            event_json(v, &c.templates, &mut json)?
        } else {
            v
        };
        out.put(&seq.to_be_bytes(), v)?;
        seq += 1;
    }
    let path = out.finish(durable)?;
    Ok((vec![path], (seq != c.first_seq).then_some(seq)))
}

/// [`number_events`] with the candidates' log: the candidates merged in
/// subject order keep each subject's first (none when `stored_names` and
/// the name is stored); the others' ordinals are sorted (few when names
/// rarely repeat across batches) and skipped in one pass over the log,
/// which is already in ordinal order.
fn number_from_log(
    s: &EmbeddedStore,
    dir: &Path,
    c: &Commit,
    log: &str,
    stored_names: bool,
    durable: bool,
    render: bool,
) -> Result<(Vec<PathBuf>, Option<u64>)> {
    let mut dropped = Sorter::new(dir, "dropped", Rule::Max, SIDE_BUDGET, durable);
    each_sighting(s, dir, c, stored_names, |ordinal, _, keep| {
        if keep {
            Ok(())
        } else {
            dropped.push(ordinal, b"")
        }
    })?;
    let mut skip = Merged::open(&dropped.finish()?, Rule::Max)?;
    let mut next_skip: Option<Vec<u8>> = skip.next()?.map(|(k, _)| k.to_vec());
    let mut all = run_paths(dir, &c.events);
    all.push(dir.join(log));
    let mut out = RunWriter::create(dir.join("out-evt.run"))?;
    let mut m = Merged::open(&all, Rule::Max)?;
    let mut seq = c.first_seq;
    let mut json = Vec::with_capacity(256);
    while let Some((k, v)) = m.next()? {
        if let Some(d) = &next_skip {
            match d.as_slice().cmp(k) {
                std::cmp::Ordering::Equal => {
                    next_skip = skip.next()?.map(|(k, _)| k.to_vec());
                    continue;
                }
                std::cmp::Ordering::Less => {
                    return Err(corrupt("a dropped first sighting is not in the log"));
                }
                std::cmp::Ordering::Greater => {}
            }
        }
        let v = if render {
            event_json(v, &c.templates, &mut json)?
        } else {
            v
        };
        out.put(&seq.to_be_bytes(), v)?;
        seq += 1;
    }
    if next_skip.is_some() {
        return Err(corrupt("a dropped first sighting is not in the log"));
    }
    let path = out.finish(durable)?;
    Ok((vec![path], (seq != c.first_seq).then_some(seq)))
}

/// [`number_events`] for a form load ([`Commit::form_kept`]): each
/// subject's least ordinal from the kept runs, as a bitmap over the
/// load's ordinals; then the plain events and the logged candidates
/// merged in ordinal order, a candidate kept when its bit is set.
fn number_form_kept(
    s: &EmbeddedStore,
    dir: &Path,
    c: &Commit,
    kept: &[String],
    durable: bool,
    render: bool,
) -> Result<(Vec<PathBuf>, Option<u64>)> {
    let span = c
        .next_seq
        .map_or(0, |n| n.saturating_sub(c.first_seq))
        .try_into()
        .map_err(|_| corrupt("too many first sightings"))?;
    let mut bits = vec![0u64; usize::div_ceil(span, 64)];
    // An ordinal's bit in `bits`.
    let bit = |ordinal: u64, what: &str| -> Result<usize> {
        ordinal
            .checked_sub(c.first_seq)
            .and_then(|a| usize::try_from(a).ok())
            .filter(|a| *a < span)
            .ok_or_else(|| corrupt(format!("{what} ordinal out of range")))
    };
    let runs: Vec<PathBuf> = kept.iter().map(|n| s.path.join(n)).collect();
    let mut m = Merged::open(&runs, Rule::Max)?;
    while let Some((_, v)) = m.next()? {
        let v: [u8; 8] = v.try_into().map_err(|_| corrupt("bad kept ordinal"))?;
        let ordinal = !u64::from_be_bytes(v);
        if ordinal == u64::MAX {
            // A name with no candidate of its own.
            continue;
        }
        let at = bit(ordinal, "kept")?;
        bits[at / 64] |= 1 << (at % 64);
    }
    let is_kept = |k: &[u8]| -> Result<bool> {
        let k: [u8; 8] = k.try_into().map_err(|_| corrupt("bad candidate ordinal"))?;
        let at = bit(u64::from_be_bytes(k), "candidate")?;
        Ok(bits[at / 64] & (1 << (at % 64)) != 0)
    };
    let mut events = Merged::open(&run_paths(dir, &c.events), Rule::Max)?;
    let log = match &c.sight_log {
        Some(l) => vec![dir.join(l)],
        None => Vec::new(),
    };
    let mut cands = Merged::open(&log, Rule::Max)?;
    let mut out = RunWriter::create(dir.join("out-evt.run"))?;
    let mut seq = c.first_seq;
    let mut json = Vec::with_capacity(256);
    // The two streams' heads, copied (each `Merged` lends one record).
    let (mut ek, mut ev, mut ck, mut cv) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut e_on = next_owned(&mut events, &mut ek, &mut ev)?;
    let mut c_on = next_owned(&mut cands, &mut ck, &mut cv)?;
    while e_on || c_on {
        let from_event = e_on && (!c_on || ek < ck);
        let v = if from_event {
            &ev
        } else if is_kept(&ck)? {
            &cv
        } else {
            c_on = next_owned(&mut cands, &mut ck, &mut cv)?;
            continue;
        };
        let v = if render {
            event_json(v, &c.templates, &mut json)?
        } else {
            v
        };
        out.put(&seq.to_be_bytes(), v)?;
        seq += 1;
        if from_event {
            e_on = next_owned(&mut events, &mut ek, &mut ev)?;
        } else {
            c_on = next_owned(&mut cands, &mut ck, &mut cv)?;
        }
    }
    let path = out.finish(durable)?;
    Ok((vec![path], (seq != c.first_seq).then_some(seq)))
}

/// `m`'s next record copied into `k` and `v`; `false` at its end.
fn next_owned(m: &mut Merged, k: &mut Vec<u8>, v: &mut Vec<u8>) -> Result<bool> {
    Ok(match m.next()? {
        Some((mk, mv)) => {
            k.clear();
            k.extend_from_slice(mk);
            v.clear();
            v.extend_from_slice(mv);
            true
        }
        None => false,
    })
}

/// Step 3 into an empty store: every value from the runs alone.
fn apply_empty(s: &EmbeddedStore, dir: &Path, c: &Commit) -> Result<Applied> {
    let started = std::time::Instant::now();
    let runs = |names: &[String]| run_paths(dir, names);
    let mut sd = Sides::new(dir, false, false)?;
    let mut n = 0u64;
    // `fwd` and `dom` are ingested on two threads as the merge produces
    // their keys in order (left alone when there are no facts).
    let no_facts = c.facts.is_empty();
    if !no_facts {
        s.make_write_room(&s.fwd)?;
        s.make_write_room(&s.dom)?;
    }
    std::thread::scope(|sc| -> Result<()> {
        if no_facts {
            return Ok(());
        }
        let (mut fwd, fwd_h) = IngestFeed::start(sc, &s.fwd);
        let (mut dom, dom_h) = IngestFeed::start(sc, &s.dom);
        let derived = derive(
            s,
            &runs(&c.facts),
            false,
            &mut |k, v| fwd.put(k, v),
            &mut |k, v| dom.put(k, v),
            &mut sd,
        )
        .map(|(new, _)| n = new);
        // On failure the feeds are dropped unfinished: nothing ingested.
        let done = derived
            .and_then(|()| fwd.finish())
            .and_then(|()| dom.finish());
        let done = join_ingest(fwd_h, done);
        join_ingest(dom_h, done)
    })?;
    let Sides {
        rev,
        piv,
        nam,
        seen,
        ..
    } = sd;
    let (rev, piv, nam, seen) = (
        rev.finish()?,
        piv.finish()?,
        nam.finish()?,
        seen.finish(false)?,
    );
    tracing::info!(
        secs = started.elapsed().as_secs_f64(),
        "bulk load: fwd and dom ingested, side keyspaces sorted"
    );
    // Test failpoint: a crash with `fwd` and `dom` ingested, the rest not.
    #[cfg(feature = "testsuite")]
    if s.fail_after_keyspaces
        .swap(usize::MAX, std::sync::atomic::Ordering::SeqCst)
        != usize::MAX
    {
        return Err(StoreError::Engine(
            "failpoint: crash during a bulk load".into(),
        ));
    }
    let display = runs(&c.display);
    // Not durable and read only by this process (a crash numbers them
    // again from `COMMIT`): left compact, rendered as `evt` is ingested.
    let (events, next_seq) = number_events(s, dir, c, false, false, false)?;
    // Each derived keyspace merged and ingested once, two at a time.
    std::thread::scope(|sc| -> Result<()> {
        let side = sc.spawn(|| -> Result<()> {
            ingest_runs(s, &s.rev, &rev)?;
            ingest_runs(s, &s.nam, &nam)
        });
        let main = ingest_piv(s, &piv)
            .and_then(|()| ingest_runs(s, &s.seen, &seen))
            .and_then(|()| ingest_runs(s, &s.disp, &display))
            .and_then(|()| ingest_events(s, &events, &c.templates));
        let side = side
            .join()
            .map_err(|_| StoreError::Engine("bulk ingestion thread panicked".into()))?;
        main.and(side)
    })?;
    tracing::info!(
        secs = started.elapsed().as_secs_f64(),
        "bulk load: side keyspaces ingested"
    );
    s.db.persist(fjall::PersistMode::SyncAll)?;
    Ok(Applied {
        facts_new: n,
        facts_merged: 0,
        next_seq,
    })
}

/// What `APPLY` records: the runs of absolute values a bulk merge derived
/// from its input and the stored state, per keyspace, before ingesting
/// any of them.
#[derive(serde::Serialize, serde::Deserialize)]
struct Derived {
    fwd: Vec<String>,
    rev: Vec<String>,
    dom: Vec<String>,
    piv: Vec<String>,
    cnt: Vec<String>,
    nam: Vec<String>,
    seen: Vec<String>,
    disp: Vec<String>,
    evt: Vec<String>,
    facts_new: u64,
    facts_merged: u64,
    next_seq: Option<u64>,
}

const APPLY: &str = "APPLY";

/// Step 3 into a store holding facts. Merging reads the stored state, so
/// ingesting as it goes would not survive a crash (a re-run would merge
/// the load twice). Instead it first derives every changed key's new value
/// into runs (fsynced), records them in `APPLY`, and only then ingests
/// them: a crash before `APPLY` derives again from the untouched store, one
/// after it ingests the same runs again (idempotent: absolute values).
fn apply_merge(s: &EmbeddedStore, dir: &Path, c: &Commit) -> Result<Applied> {
    let apply_path = dir.join(APPLY);
    let d: Derived = match fs::read(&apply_path) {
        Ok(body) => serde_json::from_slice(&body)
            .map_err(|e| corrupt(format!("{}: {e}", apply_path.display())))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let d = derive_merge(s, dir, c)?;
            let body = serde_json::to_vec(&d).map_err(|e| StoreError::Engine(e.to_string()))?;
            write_synced(dir, APPLY, &body)?;
            d
        }
        Err(e) => return Err(io(&apply_path, e)),
    };
    let runs = |names: &[String]| run_paths(dir, names);
    let ingest = |ks: &fjall::Keyspace, names: &[String]| -> Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        ingest_runs(s, ks, &runs(names))
    };
    ingest(&s.fwd, &d.fwd)?;
    ingest(&s.dom, &d.dom)?;
    // Test failpoint: a crash with `fwd` and `dom` ingested, the rest not.
    #[cfg(feature = "testsuite")]
    if s.fail_after_keyspaces
        .swap(usize::MAX, std::sync::atomic::Ordering::SeqCst)
        != usize::MAX
    {
        return Err(StoreError::Engine(
            "failpoint: crash during a bulk merge".into(),
        ));
    }
    std::thread::scope(|sc| -> Result<()> {
        let side = sc.spawn(|| -> Result<()> {
            ingest(&s.rev, &d.rev)?;
            ingest(&s.nam, &d.nam)?;
            ingest(&s.disp, &d.disp)
        });
        let main = ingest(&s.piv, &d.piv)
            .and_then(|()| ingest(&s.cnt, &d.cnt))
            .and_then(|()| ingest(&s.seen, &d.seen))
            .and_then(|()| ingest(&s.evt, &d.evt));
        let side = side
            .join()
            .map_err(|_| StoreError::Engine("bulk ingestion thread panicked".into()))?;
        main.and(side)
    })?;
    s.db.persist(fjall::PersistMode::SyncAll)?;
    Ok(Applied {
        facts_new: d.facts_new,
        facts_merged: d.facts_merged,
        next_seq: d.next_seq,
    })
}

/// The sorters the derive loop feeds.
struct Sides {
    rev: Sorter,
    piv: Sorter,
    nam: Sorter,
    seen: Markers,
    /// Whether the runs are fsynced (a merge lists them in `APPLY`).
    durable: bool,
    /// Count moves, in a bulk merge (into an empty store `cnt` is counted
    /// off the sorted `piv` stream instead).
    cntd: Option<Sorter>,
}

impl Sides {
    /// `durable`: the runs are fsynced (a merge lists them in `APPLY`).
    fn new(dir: &Path, durable: bool, merge: bool) -> Result<Sides> {
        Ok(Sides {
            rev: Sorter::new(dir, "rev", Rule::Max, SIDE_BUDGET, durable),
            piv: Sorter::new(dir, "piv", Rule::Max, SIDE_BUDGET, durable),
            nam: Sorter::new(dir, "nam", Rule::Max, SIDE_BUDGET / 2, durable),
            seen: Markers::create(dir)?,
            durable,
            cntd: merge.then(|| Sorter::new(dir, "cntd", Rule::Count, SIDE_BUDGET / 2, durable)),
        })
    }

    /// One holder's holdings: a new holder's as they are, a known one's
    /// merged with what is stored.
    fn holder(
        &mut self,
        s: &EmbeddedStore,
        holder: &[u8],
        known: bool,
        group: &mut Group,
        dom: PutFn<'_>,
        kbuf: &mut Vec<u8>,
    ) -> Result<()> {
        match (known, self.cntd.as_mut()) {
            (true, Some(cntd)) => merge_holder(s, holder, group, dom, &mut self.piv, cntd, kbuf),
            (true, None) => Err(corrupt("a known holder in a load into an empty store")),
            (false, cntd) => flush_holder(
                holder,
                group,
                dom,
                &mut self.piv,
                &mut self.seen,
                cntd,
                kbuf,
            ),
        }
    }
}

/// The derive loop of both load kinds: the merged fact stream of `runs`
/// into `fwd` and `dom` (in key order) and the side sorters. `merge`: the
/// store holds facts; a name marker read tells new subjects and holders
/// from known ones, and known ones are merged with what is stored as the
/// batch writer merges them. Returns the new and the merged facts.
fn derive(
    s: &EmbeddedStore,
    runs: &[PathBuf],
    merge: bool,
    fwd: PutFn<'_>,
    dom: PutFn<'_>,
    sd: &mut Sides,
) -> Result<(u64, u64)> {
    let (mut facts_new, mut facts_merged) = (0u64, 0u64);
    // Builds the name's marker key in `mark`; whether it is stored (never
    // read into an empty store).
    let known = |tag: u8, key: &[u8], mark: &mut Vec<u8>| -> Result<bool> {
        mark.clear();
        mark.push(tag);
        mark.extend_from_slice(key);
        Ok(merge && s.seen.contains_key(mark.as_slice())?)
    };
    let mut m = Merged::open(runs, Rule::Fact)?;
    let mut subject: Vec<u8> = Vec::new();
    let mut subject_known = false;
    let mut holder: Vec<u8> = Vec::new();
    let mut holder_known = false;
    let mut hk: Vec<u8> = Vec::new();
    let mut kbuf: Vec<u8> = Vec::new();
    let mut mark: Vec<u8> = Vec::new();
    let mut group = Group::default();
    let mut group_cap = GROUP_CAP;
    let mut first = true;
    while let Some((k, v)) = m.next()? {
        let sl = entity_len(k).ok_or_else(|| corrupt("bad fact key"))?;
        let (subj, po) = k.split_at(sl);
        let (pred, obj) = read_pred(po)?;
        let window = FactVal::decode_window(v)?;
        if first || subj != subject.as_slice() {
            holder_key_into(subj, &mut hk);
            if first || hk != holder {
                group_cap = GROUP_CAP;
                if !first {
                    sd.holder(s, &holder, holder_known, &mut group, &mut *dom, &mut kbuf)?;
                }
                std::mem::swap(&mut holder, &mut hk);
                holder_known = known(MARK_HOLDER, &holder, &mut mark)?;
            }
            first = false;
            subject.clear();
            subject.extend_from_slice(subj);
            subject_known = known(MARK_SUBJECT, subj, &mut mark)?;
            if !subject_known {
                // A new holder's marker is pushed with its holdings.
                sd.seen.push(&mark)?;
                if let Some(f) = keys::forward_name_key(subj) {
                    sd.nam.push(&f, b"")?;
                }
            }
        }
        // The batch writer's merge: the stored window widened, new
        // sources appended.
        let stored = if subject_known { s.fwd.get(k)? } else { None };
        let value = match stored {
            Some(old) => {
                facts_merged += 1;
                let mut fv = FactVal::decode(&old)?;
                let add = FactVal::decode(v)?;
                fv.window.merge(&add.window);
                for src in add.sources {
                    if !fv.sources.contains(&src) {
                        fv.sources.push(src);
                    }
                }
                std::borrow::Cow::Owned(fv.encode())
            }
            None => {
                facts_new += 1;
                std::borrow::Cow::Borrowed(v)
            }
        };
        fwd(k, &value)?;
        kbuf.clear();
        kbuf.extend_from_slice(obj);
        push_pred(&mut kbuf, pred);
        kbuf.extend_from_slice(subj);
        sd.rev.push(&kbuf, &value)?;
        group.push(po, window)?;
        // A holder with very many hosts: memory bounded by its distinct
        // values, not by its facts.
        if group.len() >= group_cap {
            group.compact(true)?;
            group_cap = (group.len() * 2).max(GROUP_CAP);
        }
    }
    if !first {
        sd.holder(s, &holder, holder_known, &mut group, &mut *dom, &mut kbuf)?;
    }
    Ok((facts_new, facts_merged))
}

/// The derive half of [`apply_merge`]: reads the stored state, writes
/// nothing but files in `dir`.
fn derive_merge(s: &EmbeddedStore, dir: &Path, c: &Commit) -> Result<Derived> {
    let name = |p: &PathBuf| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let names = |v: &[PathBuf]| -> Vec<String> { v.iter().map(name).collect() };
    let mut sd = Sides::new(dir, true, true)?;
    let mut fwd = RunWriter::create(dir.join("out-fwd.run"))?;
    let mut dom = RunWriter::create(dir.join("out-dom.run"))?;
    let (facts_new, facts_merged) = derive(
        s,
        &run_paths(dir, &c.facts),
        true,
        &mut |k, v| fwd.put(k, v),
        &mut |k, v| dom.put(k, v),
        &mut sd,
    )?;
    let fwd = fwd.finish(true)?;
    let dom = dom.finish(true)?;
    // Counts: the moves of each value added to its stored count.
    let cntd = match sd.cntd.take() {
        Some(c) => c.finish()?,
        None => Vec::new(),
    };
    let mut cnt = RunWriter::create(dir.join("out-cnt.run"))?;
    {
        let mut m = Merged::open(&cntd, Rule::Count)?;
        while let Some((k, v)) = m.next()? {
            let (dc, dh) = decode_delta(v)?;
            if (dc, dh) == (0, 0) {
                continue;
            }
            let (c0, h0) = match s.cnt.get(k)? {
                Some(old) => decode_count(&old)?,
                None => (0, 0),
            };
            let negative = || StoreError::Corruption {
                what: "counts",
                detail: "a count would go negative".into(),
            };
            let c1 = c0.checked_add_signed(dc).ok_or_else(negative)?;
            let h1 = h0.checked_add_signed(dh).ok_or_else(negative)?;
            cnt.put(k, &encode_count(c1, h1))?;
        }
    }
    let cnt = cnt.finish(true)?;
    // Display forms: kept when greater than the stored one.
    let mut disp = RunWriter::create(dir.join("out-disp.run"))?;
    {
        let mut m = Merged::open(&run_paths(dir, &c.display), Rule::Max)?;
        while let Some((k, v)) = m.next()? {
            if let Some(old) = s.disp.get(k)?
                && old.as_ref() >= v
            {
                continue;
            }
            disp.put(k, v)?;
        }
    }
    let disp = disp.finish(true)?;
    let (evt, next_seq) = number_events(s, dir, c, true, true, true)?;
    Ok(Derived {
        fwd: names(&[fwd]),
        rev: names(&sd.rev.finish()?),
        dom: names(&[dom]),
        piv: names(&sd.piv.finish()?),
        cnt: names(&[cnt]),
        nam: names(&sd.nam.finish()?),
        seen: names(&sd.seen.finish(sd.durable)?),
        disp: names(&[disp]),
        evt: names(&evt),
        facts_new,
        facts_merged,
        next_seq,
    })
}

/// At open: finishes a bulk load that reached `COMMIT`, or removes the
/// files of one that did not (the store holds nothing of it).
pub(super) fn recover(s: &EmbeddedStore) -> Result<()> {
    let dir = s.path.join(DIR);
    let commit = dir.join(COMMIT);
    match fs::read(&commit) {
        Ok(body) => {
            let mut c: Commit = serde_json::from_slice(&body)
                .map_err(|e| corrupt(format!("{}: {e}", commit.display())))?;
            // The candidates' log was not fsynced: the sorted candidates
            // alone number the events (a form load's log was).
            if c.form_kept.is_none() {
                c.sight_log = None;
            }
            tracing::warn!("finishing a bulk load interrupted by a crash");
            apply(s, &dir, &c)?;
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(&dir, e)),
        },
        Err(e) => Err(io(&commit, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records of one run file, read back.
    fn read_run(path: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut r = RunReader::open(path).unwrap();
        let mut out = Vec::new();
        while r.advance().unwrap() {
            out.push((r.key.clone(), r.val.clone()));
        }
        out
    }

    #[test]
    fn compact_runs_read_back_and_plain_runs_still_read() {
        let dir = tempfile::tempdir().unwrap();
        // Keys sharing prefixes of every length, long lengths (two-byte
        // varints), an empty key and empty values.
        let mut recs: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (b"".to_vec(), b"v0".to_vec()),
            (b"a".to_vec(), b"".to_vec()),
            (b"ab".to_vec(), vec![7; 300]),
            (b"abc".to_vec(), b"x".to_vec()),
            (b"abd".to_vec(), b"y".to_vec()),
            ([b"b".to_vec(), vec![9; 200]].concat(), b"z".to_vec()),
            (
                [b"b".to_vec(), vec![9; 200], b"c".to_vec()].concat(),
                vec![],
            ),
            (b"c".to_vec(), vec![1; 70_000]),
        ];
        recs.sort();
        let compact = dir.path().join("compact.run");
        let mut w = RunWriter::create(compact.clone()).unwrap();
        for (k, v) in &recs {
            w.put(k, v).unwrap();
        }
        w.finish(false).unwrap();
        assert_eq!(read_run(&compact), recs);
        // The compact file is smaller than the plain one would be.
        let plain_len: usize = recs.iter().map(|(k, v)| 8 + k.len() + v.len()).sum();
        let compact_len = fs::metadata(&compact).unwrap().len() as usize;
        assert!(compact_len < plain_len, "{compact_len} vs {plain_len}");
        // A run of the plain format (a crashed load of an older binary).
        let plain = dir.path().join("plain.run");
        let mut body = Vec::new();
        for (k, v) in &recs {
            body.extend_from_slice(&(k.len() as u32).to_be_bytes());
            body.extend_from_slice(&(v.len() as u32).to_be_bytes());
            body.extend_from_slice(k);
            body.extend_from_slice(v);
        }
        fs::write(&plain, &body).unwrap();
        assert_eq!(read_run(&plain), recs);
        // Both merged together, and empty runs of either format.
        let empty_plain = dir.path().join("empty-plain.run");
        fs::write(&empty_plain, b"").unwrap();
        let empty_compact = dir.path().join("empty-compact.run");
        RunWriter::create(empty_compact.clone())
            .unwrap()
            .finish(false)
            .unwrap();
        assert!(read_run(&empty_compact).is_empty());
        let mut m = Merged::open(&[plain, compact, empty_plain, empty_compact], Rule::Max).unwrap();
        let mut got = Vec::new();
        while let Some((k, v)) = m.next().unwrap() {
            got.push((k.to_vec(), v.to_vec()));
        }
        assert_eq!(got, recs);
        // A compact run cut short is an error, not fewer records.
        let cut = dir.path().join("cut.run");
        let full = fs::read(dir.path().join("compact.run")).unwrap();
        fs::write(&cut, &full[..full.len() - 3]).unwrap();
        let mut r = RunReader::open(&cut).unwrap();
        let mut res = Ok(true);
        while let Ok(true) = res {
            res = r.advance();
        }
        assert!(res.is_err());
    }

    #[test]
    fn cached_fronts_sort_as_the_keys_do() {
        // Short keys, keys equal over 16 and 32 bytes, zero bytes at the end
        // (a zero-padded front alone cannot tell `ab` from `ab\0`).
        let mut keys: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"a".to_vec(),
            b"a\0".to_vec(),
            b"a\0\0".to_vec(),
            b"0123456789abcdef".to_vec(),
            b"0123456789abcdef\0".to_vec(),
            b"0123456789abcdefg".to_vec(),
            b"0123456789abcdeg".to_vec(),
            b"0123456789abcdef0123456789abcdef".to_vec(),
            b"0123456789abcdef0123456789abcdef\0".to_vec(),
            b"0123456789abcdef0123456789abcdefa".to_vec(),
            b"0123456789abcdef0123456789abcdeg".to_vec(),
            b"0123456789abcdef0123456789abcde".to_vec(),
            b"0123456789abcdef0123456789abcde\0".to_vec(),
            [&b"0123456789abcdef"[..]; 3].concat(),
            [&[&b"0123456789abcdef"[..]; 3].concat()[..], b"\0"].concat(),
            [&[&b"0123456789abcdef"[..]; 3].concat()[..], b"a"].concat(),
            [&[&b"0123456789abcdef"[..]; 3].concat()[..47], b"\0"].concat(),
            [&[&b"0123456789abcdef"[..]; 3].concat()[..47], b"g"].concat(),
            [&b"0123456789abcdef"[..]; 3].concat()[..47].to_vec(),
        ];
        let mut x = 7u64;
        for _ in 0..2000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (x >> 59) as usize + (x >> 62) as usize * 8;
            let k: Vec<u8> = (0..len)
                .map(|i| b"ab\0"[((x >> (i % 48)) % 3) as usize])
                .collect();
            keys.push(k);
        }
        let mut buf = Vec::new();
        let mut items = Vec::new();
        for k in &keys {
            items.push(Item::new(buf.len(), k, 0).unwrap());
            buf.extend_from_slice(k);
        }
        items.sort_unstable_by(|a, b| a.cmp_in(b, &buf));
        let sorted: Vec<&[u8]> = items.iter().map(|i| i.key(&buf)).collect();
        let mut want: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        want.sort_unstable();
        assert_eq!(sorted, want);
    }

    #[test]
    fn merged_runs_come_out_in_key_order_with_equal_keys_merged() {
        // Keys equal over their 32-byte fronts, shorter than the front,
        // with zero bytes at the end, and the same key in several runs.
        let dir = tempfile::tempdir().unwrap();
        let long = |tail: &str| format!("0123456789abcdef0123456789abcdef{tail}").into_bytes();
        let runs_keys: Vec<Vec<Vec<u8>>> = vec![
            vec![long("b"), b"a".to_vec(), long(""), b"a\0".to_vec()],
            vec![long("a"), long("b"), b"".to_vec(), long("\0")],
            vec![b"a".to_vec(), long("c"), long("a")],
        ];
        let mut runs = Vec::new();
        let mut want: std::collections::BTreeMap<Vec<u8>, Vec<u8>> = Default::default();
        for (r, keys) in runs_keys.iter().enumerate() {
            let mut buf = Vec::new();
            let mut items = Vec::new();
            for k in keys {
                let v = vec![r as u8 + 1];
                items.push(Item::new(buf.len(), k, v.len()).unwrap());
                buf.extend_from_slice(k);
                buf.extend_from_slice(&v);
                let e = want.entry(k.clone()).or_default();
                if v > *e {
                    *e = v;
                }
            }
            let path = dir.path().join(format!("{r}.run"));
            write_run(&path, &buf, &mut items, Rule::Max, false).unwrap();
            runs.push(path);
        }
        let mut m = Merged::open(&runs, Rule::Max).unwrap();
        let mut got = Vec::new();
        while let Some((k, v)) = m.next().unwrap() {
            got.push((k.to_vec(), v.to_vec()));
        }
        assert_eq!(got, want.into_iter().collect::<Vec<_>>());
    }

    fn keyspace(dir: &Path) -> (fjall::Database, fjall::Keyspace) {
        let db = fjall::Database::builder(dir).open().unwrap();
        let ks = db
            .keyspace("t", fjall::KeyspaceCreateOptions::default)
            .unwrap();
        (db, ks)
    }

    /// The events of a load whose first sightings repeat names across
    /// batches, with plain events between them, into an empty store and
    /// into one holding some of the names: numbered from the candidates'
    /// log, they are those the kept candidates sorted back give (the
    /// path a `COMMIT` from before the log takes).
    #[test]
    fn events_numbered_from_the_log_equal_the_kept_candidates_sorted() {
        use crate::{NewEvent, Store, WriteBatch};
        use scry_model::{DomainName, Entity, Observation, Predicate, Window};
        const T: i64 = 1_767_225_600;
        let name = |i: usize| DomainName::parse(&format!("n{i}.test")).expect("name");
        let data = std::collections::BTreeMap::from([("source".to_string(), "t".to_string())]);
        let event = |i: usize| NewEvent {
            time: T + i as i64,
            kind: "plain".into(),
            subject: format!("e{i}"),
            data: std::collections::BTreeMap::new(),
        };
        let load = |stored: bool, log: bool| -> Vec<(Vec<u8>, Vec<u8>)> {
            let dir = tempfile::tempdir().expect("tempdir");
            let s = EmbeddedStore::open_path(dir.path()).expect("open");
            if stored {
                // n3 and n7 are stored names: their sightings are dropped.
                let observations = [3, 7]
                    .iter()
                    .map(|&i| {
                        Observation::new(
                            Entity::Domain(name(i)),
                            Predicate::IP,
                            Entity::Ip(scry_model::Ip::parse("192.0.2.1").expect("ip")),
                            Window {
                                first_seen: T,
                                last_seen: T,
                                count: 1,
                            },
                            "t".into(),
                            T,
                        )
                        .expect("observation")
                    })
                    .collect();
                s.write(WriteBatch {
                    observations,
                    ..Default::default()
                })
                .expect("write");
            }
            let mut b = s.bulk().expect("bulk").expect("bulk");
            assert_eq!(b.merges(), stored);
            b.no_log = !log;
            for round in 0..3usize {
                let names: Vec<DomainName> = (round * 4..round * 4 + 9).map(name).collect();
                let times: Vec<(&DomainName, i64)> =
                    names.iter().map(|n| (n, T + round as i64)).collect();
                b.add_first_sighting_times("pdns_first_seen", &data, &times)
                    .expect("sightings");
                b.add(WriteBatch {
                    events: vec![event(round)],
                    ..Default::default()
                })
                .expect("events");
                b.add_first_sightings(vec![(Entity::Domain(name(round + 2)), event(10 + round))])
                    .expect("json sightings");
            }
            let ledger = crate::LedgerEntry {
                key: "t".into(),
                name: "t".into(),
                committed_through: 1,
                complete: true,
                updated_at: T,
            };
            Box::new(b).finish(Some(ledger)).expect("finish");
            s.evt
                .iter()
                .map(|i| {
                    let (k, v) = i.into_inner().expect("evt");
                    (k.to_vec(), v.to_vec())
                })
                .collect()
        };
        for stored in [false, true] {
            let from_log = load(stored, true);
            let sorted = load(stored, false);
            // 17 distinct names sighted (two of them stored) and 3 plain
            // events.
            assert_eq!(from_log.len(), if stored { 18 } else { 20 });
            assert_eq!(from_log, sorted);
        }
    }

    #[test]
    fn an_ingest_feed_dropped_unfinished_ingests_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (_db, ks) = keyspace(dir.path());
        std::thread::scope(|sc| {
            let (mut feed, h) = IngestFeed::start(sc, &ks);
            for i in 0u32..50_000 {
                feed.put(&i.to_be_bytes(), b"v").unwrap();
            }
            drop(feed);
            h.join().unwrap().unwrap();
        });
        assert!(ks.first_key_value().is_none());
        std::thread::scope(|sc| {
            let (mut feed, h) = IngestFeed::start(sc, &ks);
            for i in 0u32..50_000 {
                feed.put(&i.to_be_bytes(), b"v").unwrap();
            }
            join_ingest(h, feed.finish()).unwrap();
        });
        assert_eq!(ks.len().unwrap(), 50_000);
    }

    #[test]
    fn an_ingest_feed_out_of_order_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (_db, ks) = keyspace(dir.path());
        let r = std::thread::scope(|sc| {
            let (mut feed, h) = IngestFeed::start(sc, &ks);
            let put = (|| -> Result<()> {
                feed.put(b"b", b"")?;
                feed.put(b"a", b"")?;
                Ok(())
            })();
            join_ingest(h, put.and_then(|()| feed.finish()))
        });
        assert!(matches!(r, Err(StoreError::Corruption { .. })), "{r:?}");
        assert!(ks.first_key_value().is_none());
    }
}
