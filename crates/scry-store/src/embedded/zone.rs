//! The zone form: a first zone snapshot's delegations stored once per
//! domain instead of as generic facts.
//!
//! A first snapshot of a `.com`-size zone is millions of facts that all
//! share one window (`[date, date]`, count 1) and one source
//! (`zone:<origin>`), and whose holders nothing else has written. Written
//! as facts they are over 30 M keys (`fwd`, `rev`, `dom`, `piv`, `cnt`,
//! `nam`, `seen`); here they are:
//!
//! | keyspace | key | value |
//! |---|---|---|
//! | `zdl` | holder (the delegated domain's key) | date, source id, the holder's other subjects, its facts (subject index · predicate · object key); empty once materialised |
//! | `zrv` | object · predicate · subject (the `rev` key) | date, source id; empty once materialised |
//! | `zcn` | object · predicate | holders (all current) |
//!
//! plus the subjects' `nam` keys (the same keys the fact path writes).
//!
//! **Partition invariant**: a holder's facts are either all in the zone
//! form or all in the generic keyspaces, never split. So a read merges two
//! disjoint key-ordered streams (no equal keys), the zone entries
//! synthesised as the fact path would have stored them (`fwd`/`dom` from
//! `zdl`, `rev`/`piv` from `zrv`, counts `cnt` + `zcn`), and `current` needs
//! no recomputation (all of a zone-form holder's facts share one window, so
//! all its holdings are current).
//!
//! A write (batch or bulk load) touching a zone-form holder first
//! **materialises** it: the holder's zone facts are added to that write as
//! observations (so the fact path merges them exactly as if they had been
//! written as facts), and after the write commits the holder's `zdl` and
//! `zrv` entries are emptied and `zcn` moved, in one synced batch. A
//! `meta` intent (`zmat:` + holder) written before the write and removed
//! with the tombstones finishes a crash in between on the next open (the
//! holder's first fact present in `fwd` tells that the write committed).
//!
//! The load (`EmbeddedZoneForm`) sorts the three streams with the bulk
//! load's sorters, fsyncs them and writes `zoneform/COMMIT` (runs and the
//! holders kept out), then ingests them; an open that finds `COMMIT`
//! ingests them again (absolute values: idempotent).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use fjall::Slice;
use scry_model::{Entity, Observation, Predicate, Timestamp, Window};

use super::bulk::{IngestFeed, Merged, Order, Packed, Rule, RunWriter, Sorter, join_ingest};
use super::codec::{FactVal, HoldVal};
use super::{EmbeddedStore, lock};
use crate::error::{Result, StoreError};
use crate::keys::{self, entity_key, push_entity, read_entity, read_pred};
use crate::namehash::NameHash;
use crate::{BulkLoad, LedgerEntry, NewEvent, WriteBatch, WriteReceipt, holder_of};

const DIR: &str = "zoneform";
const COMMIT: &str = "COMMIT";
const INTENT: &[u8] = b"zmat:";
const ZDL_BUDGET: usize = 24 << 20;
const ZRV_BUDGET: usize = 40 << 20;
const NAM_BUDGET: usize = 16 << 20;

/// One key from its parts (the fwd/dom/rev/zcn keys are concatenations of
/// self-delimiting encodings).
fn concat(parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corruption {
        what: "zone form",
        detail: detail.into(),
    }
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// A decoded `zdl` entry.
struct Entry {
    date: Timestamp,
    source: u16,
    /// Subject keys; the first is the holder's own key.
    subjects: Vec<Vec<u8>>,
    /// (subject index, predicate bytes, object key).
    facts: Vec<(usize, [u8; 2], Vec<u8>)>,
}

fn take<'a>(b: &mut &'a [u8], n: usize) -> Result<&'a [u8]> {
    if b.len() < n {
        return Err(corrupt("short zdl value"));
    }
    let (h, t) = b.split_at(n);
    *b = t;
    Ok(h)
}

fn take_u16(b: &mut &[u8]) -> Result<usize> {
    let s = take(b, 2)?;
    Ok(u16::from_be_bytes([s[0], s[1]]) as usize)
}

impl Entry {
    fn decode(holder: &[u8], mut b: &[u8]) -> Result<Entry> {
        let b = &mut b;
        let d = take(b, 8)?;
        let date = i64::from_be_bytes(d.try_into().map_err(|_| corrupt("date"))?);
        let source = take_u16(b)? as u16;
        let ns = take_u16(b)?;
        let mut subjects = Vec::with_capacity(ns + 1);
        subjects.push(holder.to_vec());
        for _ in 0..ns {
            let l = take_u16(b)?;
            subjects.push(take(b, l)?.to_vec());
        }
        let nf = take_u16(b)?;
        let mut facts = Vec::with_capacity(nf);
        for _ in 0..nf {
            let si = take_u16(b)?;
            if si >= subjects.len() {
                return Err(corrupt("bad subject index"));
            }
            let p = take(b, 2)?;
            let l = take_u16(b)?;
            facts.push((si, [p[0], p[1]], take(b, l)?.to_vec()));
        }
        Ok(Entry {
            date,
            source,
            subjects,
            facts,
        })
    }

    fn window(&self) -> Window {
        Window {
            first_seen: self.date,
            last_seen: self.date,
            count: 1,
        }
    }

    fn fact_value(&self) -> [u8; 28] {
        FactVal::encode_one(&self.window(), self.source)
    }

    fn hold_value(&self) -> [u8; 25] {
        HoldVal {
            window: self.window(),
            current: true,
        }
        .encode()
    }

    /// The `fwd` keys, sorted.
    fn fwd_keys(&self) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = self
            .facts
            .iter()
            .map(|(si, p, o)| concat(&[&self.subjects[*si], p, o]))
            .collect();
        v.sort();
        v
    }

    /// The `dom` keys (holder · predicate · object), sorted.
    fn dom_keys(&self) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = self
            .facts
            .iter()
            .map(|(_, p, o)| concat(&[&self.subjects[0], p, o]))
            .collect();
        v.sort();
        v
    }

    /// The `rev` keys (object · predicate · subject).
    fn rev_keys(&self) -> Vec<Vec<u8>> {
        self.facts
            .iter()
            .map(|(si, p, o)| concat(&[o, p, &self.subjects[*si]]))
            .collect()
    }

    /// The `zcn` keys (object · predicate), one per distinct holding.
    fn count_keys(&self) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = self.facts.iter().map(|(_, p, o)| concat(&[o, p])).collect();
        v.sort();
        v.dedup();
        v
    }

    fn triples(&self) -> Result<Vec<(Entity, Predicate, Entity)>> {
        let mut out = Vec::with_capacity(self.facts.len());
        for (si, p, o) in &self.facts {
            let (subject, _) = read_entity(&self.subjects[*si])?;
            let (predicate, _) = read_pred(p)?;
            let (object, _) = read_entity(o)?;
            out.push((subject, predicate, object));
        }
        Ok(out)
    }

    fn observations(&self, source: &str) -> Result<Vec<Observation>> {
        Ok(self
            .triples()?
            .into_iter()
            .map(|(subject, predicate, object)| Observation {
                subject,
                predicate,
                object,
                window: self.window(),
                source: source.to_string(),
            })
            .collect())
    }
}

/// The holder key of a domain subject key (`D<registrable>\0<sub>\x01` →
/// `D<registrable>\0\x01`), as `entity_key(holder_of(subject))`.
pub(super) fn holder_key_of(subject: &[u8]) -> Option<Vec<u8>> {
    if subject.first() != Some(&b'D') {
        return None;
    }
    let z = subject.iter().position(|b| *b == 0)?;
    let mut k = subject[..=z].to_vec();
    k.push(1);
    Some(k)
}

/// The length of a domain subject key's registrable part with its `\0`
/// (`holder_key_of` is that part and `\x01`).
fn holder_len(subject: &[u8]) -> Option<usize> {
    if subject.first() != Some(&b'D') {
        return None;
    }
    Some(subject.iter().position(|b| *b == 0)? + 1)
}

fn zdl_live(v: &[u8]) -> bool {
    !v.is_empty()
}

type Kv = (Slice, Slice);
/// Key-ordered (key, value) entries of a keyspace, zone form merged in.
pub(super) type Stream<'a> = Box<dyn Iterator<Item = Result<Kv>> + 'a>;

/// Two key-ordered streams with no equal keys, merged.
struct Merge<'a> {
    a: std::iter::Peekable<Stream<'a>>,
    b: std::iter::Peekable<Stream<'a>>,
}

impl Iterator for Merge<'_> {
    type Item = Result<Kv>;
    fn next(&mut self) -> Option<Result<Kv>> {
        let take_a = match (self.a.peek(), self.b.peek()) {
            (None, None) => return None,
            (Some(Err(_)), _) | (Some(_), None) => true,
            (None, Some(_)) | (_, Some(Err(_))) => false,
            (Some(Ok((ka, _))), Some(Ok((kb, _)))) => ka <= kb,
        };
        if take_a { self.a.next() } else { self.b.next() }
    }
}

/// Two key-ordered streams with no equal keys, merged (the pDNS form's
/// reads use it too).
pub(super) fn merge<'a>(a: Stream<'a>, b: Stream<'a>) -> Stream<'a> {
    Box::new(Merge {
        a: a.peekable(),
        b: b.peekable(),
    })
}

/// A keyspace iterator as a [`Stream`].
pub(super) fn plain<'a>(it: fjall::Iter) -> Stream<'a> {
    base(it)
}

fn base<'a>(it: fjall::Iter) -> Stream<'a> {
    Box::new(it.map(|g| g.into_inner().map_err(StoreError::from)))
}

/// Synthesised entries produced one zone unit (a holder, a reverse entry)
/// at a time.
struct Synth<'a, F> {
    src: fjall::Iter,
    buf: std::collections::VecDeque<Kv>,
    expand: F,
    done: bool,
    _p: std::marker::PhantomData<&'a ()>,
}

impl<F> Iterator for Synth<'_, F>
where
    F: FnMut(&[u8], &[u8], &mut Vec<Kv>) -> Result<bool>,
{
    type Item = Result<Kv>;
    fn next(&mut self) -> Option<Result<Kv>> {
        let mut out = Vec::new();
        while self.buf.is_empty() {
            if self.done {
                return None;
            }
            let Some(item) = self.src.next() else {
                self.done = true;
                return None;
            };
            let (k, v) = match item.into_inner() {
                Ok(kv) => kv,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e.into()));
                }
            };
            out.clear();
            match (self.expand)(&k, &v, &mut out) {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
            self.buf.extend(out.drain(..));
        }
        self.buf.pop_front().map(Ok)
    }
}

fn synth<'a, F>(src: fjall::Iter, expand: F) -> Stream<'a>
where
    F: FnMut(&[u8], &[u8], &mut Vec<Kv>) -> Result<bool> + 'a,
{
    Box::new(Synth {
        src,
        buf: Default::default(),
        expand,
        done: false,
        _p: std::marker::PhantomData,
    })
}

/// The keys of `ks` in `[lo, hi)`, or from `lo` on.
fn key_range(ks: &fjall::Keyspace, lo: Vec<u8>, hi: Option<Vec<u8>>) -> fjall::Iter {
    match hi {
        Some(h) => ks.range(lo..h),
        None => ks.range(lo..),
    }
}

fn in_range(k: &[u8], lo: &[u8], hi: Option<&[u8]>) -> bool {
    k >= lo && hi.is_none_or(|h| k < h)
}

impl EmbeddedStore {
    fn zone_present(&self) -> bool {
        self.zone_present.load(Ordering::SeqCst)
    }

    /// `fwd` entries in `[lo, hi)`, the zone form's merged in.
    pub(super) fn zone_fwd<'a>(
        &'a self,
        it: fjall::Iter,
        lo: &[u8],
        hi: Option<&[u8]>,
    ) -> Stream<'a> {
        if !self.zone_present() || lo.first() != Some(&b'D') {
            return base(it);
        }
        // Holders whose subjects can fall in the range start at the
        // range's registrable part.
        let start = match lo.iter().position(|b| *b == 0) {
            Some(z) => lo[..=z].to_vec(),
            None => lo.to_vec(),
        };
        let src = key_range(&self.zdl, start, hi.map(<[u8]>::to_vec));
        let (lo, hi) = (lo.to_vec(), hi.map(<[u8]>::to_vec));
        let zone = synth(src, move |k, v, out| {
            if !zdl_live(v) {
                return Ok(true);
            }
            let e = Entry::decode(k, v)?;
            let val = Slice::from(e.fact_value().as_slice());
            for fk in e.fwd_keys() {
                if in_range(&fk, &lo, hi.as_deref()) {
                    out.push((Slice::from(fk), val.clone()));
                }
            }
            Ok(true)
        });
        Box::new(Merge {
            a: base(it).peekable(),
            b: zone.peekable(),
        })
    }

    /// `dom` entries of one holder (`prefix` = its key), merged.
    pub(super) fn zone_dom<'a>(&'a self, it: fjall::Iter, prefix: &[u8]) -> Result<Stream<'a>> {
        if !self.zone_present() {
            return Ok(base(it));
        }
        let mut extra = Vec::new();
        if let Some(v) = self.zdl.get(prefix)?
            && zdl_live(&v)
        {
            let e = Entry::decode(prefix, &v)?;
            let val = Slice::from(e.hold_value().as_slice());
            for k in e.dom_keys() {
                extra.push(Ok((Slice::from(k), val.clone())));
            }
        }
        if extra.is_empty() {
            return Ok(base(it));
        }
        Ok(Box::new(Merge {
            a: base(it).peekable(),
            b: (Box::new(extra.into_iter()) as Stream<'a>).peekable(),
        }))
    }

    /// `rev` entries in `[lo, hi)`, merged.
    pub(super) fn zone_rev<'a>(
        &'a self,
        it: fjall::Iter,
        lo: &[u8],
        hi: Option<&[u8]>,
    ) -> Stream<'a> {
        if !self.zone_present() {
            return base(it);
        }
        let src = key_range(&self.zrv, lo.to_vec(), hi.map(<[u8]>::to_vec));
        let zone = synth(src, |k, v, out| {
            if v.len() < 10 {
                return Ok(true);
            }
            let date = i64::from_be_bytes(v[..8].try_into().map_err(|_| corrupt("zrv"))?);
            let source = u16::from_be_bytes([v[8], v[9]]);
            let w = Window {
                first_seen: date,
                last_seen: date,
                count: 1,
            };
            out.push((
                Slice::from(k),
                Slice::from(FactVal::encode_one(&w, source).as_slice()),
            ));
            Ok(true)
        });
        Box::new(Merge {
            a: base(it).peekable(),
            b: zone.peekable(),
        })
    }

    /// `piv` entries in `[lo, hi)` (`lo` starts with the predicate),
    /// merged: the zone's come from `zrv` (object-first, so one
    /// predicate's values come in the same order).
    pub(super) fn zone_piv<'a>(
        &'a self,
        it: fjall::Iter,
        lo: &[u8],
        hi: Option<&[u8]>,
    ) -> Stream<'a> {
        if !self.zone_present() || lo.len() < 2 {
            return base(it);
        }
        let pred = [lo[0], lo[1]];
        // `zrv` is object · predicate · subject: a cursor (a holder after
        // the object) goes after the predicate; a bound that is no whole
        // object (a seek past one) is used as it is.
        let zlo = match keys::entity_len(&lo[2..]) {
            Some(ol) => {
                let mut z = lo[2..2 + ol].to_vec();
                z.extend_from_slice(&pred);
                z.extend_from_slice(&lo[2 + ol..]);
                z
            }
            None => lo[2..].to_vec(),
        };
        // The object bound, when `hi` is within the same predicate.
        let zhi = hi
            .filter(|h| h.len() > 2 && h[..2] == pred)
            .map(|h| h[2..].to_vec());
        let src = key_range(&self.zrv, zlo, zhi);
        let (lo, hi) = (lo.to_vec(), hi.map(<[u8]>::to_vec));
        let zone = synth(src, move |k, v, out| {
            if v.len() < 10 {
                return Ok(true);
            }
            let ol = keys::entity_len(k).ok_or_else(|| corrupt("bad zrv key"))?;
            let Some(p) = k.get(ol..ol + 2) else {
                return Err(corrupt("bad zrv key"));
            };
            if p != pred {
                return Ok(true);
            }
            let Some(holder) = holder_key_of(&k[ol + 2..]) else {
                return Ok(true);
            };
            let mut pk = Vec::with_capacity(k.len() + 2);
            pk.extend_from_slice(&pred);
            pk.extend_from_slice(&k[..ol]);
            pk.extend_from_slice(&holder);
            if hi.as_deref().is_some_and(|h| pk.as_slice() >= h) {
                return Ok(false);
            }
            if pk.as_slice() < lo.as_slice() {
                return Ok(true);
            }
            let date = i64::from_be_bytes(v[..8].try_into().map_err(|_| corrupt("zrv"))?);
            let hv = HoldVal {
                window: Window {
                    first_seen: date,
                    last_seen: date,
                    count: 1,
                },
                current: true,
            };
            out.push((Slice::from(pk), Slice::from(hv.encode().as_slice())));
            Ok(true)
        });
        Box::new(Merge {
            a: base(it).peekable(),
            b: zone.peekable(),
        })
    }

    /// Zone-form holders of a value (`cnt` key: predicate · object), all
    /// current.
    pub(super) fn zone_count(&self, cnt_key: &[u8]) -> Result<u64> {
        if !self.zone_present() || cnt_key.len() < 2 {
            return Ok(0);
        }
        let mut k = cnt_key[2..].to_vec();
        k.extend_from_slice(&cnt_key[..2]);
        Ok(match self.zcn.get(&k)? {
            Some(v) => v
                .get(..8)
                .and_then(|s| s.try_into().ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| corrupt("short zcn value"))?,
            None => 0,
        })
    }

    /// Whether `subject` (its key) has facts in the zone form.
    pub(super) fn zone_knows(&self, subject: &Entity) -> Result<bool> {
        if !self.zone_present() {
            return Ok(false);
        }
        let sk = entity_key(subject);
        let Some(hk) = holder_key_of(&sk) else {
            return Ok(false);
        };
        let Some(v) = self.zdl.get(&hk)? else {
            return Ok(false);
        };
        if !zdl_live(&v) {
            return Ok(false);
        }
        let e = Entry::decode(&hk, &v)?;
        Ok(e.facts.iter().any(|(si, _, _)| e.subjects[*si] == sk))
    }

    /// The live zone entries of the holders `observations` touch, their
    /// facts appended to `observations` (once per holder: `done` holds the
    /// holders already taken).
    fn zone_take(
        &self,
        observations: &mut Vec<Observation>,
        done: &mut HashSet<Vec<u8>>,
        taken: &mut Vec<(Vec<u8>, Vec<u8>)>,
    ) -> Result<()> {
        let mut add = Vec::new();
        let mut key = Vec::with_capacity(64);
        for o in observations.iter() {
            if !matches!(o.subject, Entity::Domain(_)) {
                continue;
            }
            key.clear();
            push_entity(&mut key, &holder_of(&o.subject));
            if done.contains(&key) {
                continue;
            }
            done.insert(key.clone());
            if let Some(v) = self.zdl.get(&key)?
                && zdl_live(&v)
            {
                let e = Entry::decode(&key, &v)?;
                let name = self.source_names(&[e.source]).pop().unwrap_or_default();
                add.extend(e.observations(&name)?);
                taken.push((key.clone(), v.to_vec()));
            }
        }
        observations.extend(add);
        Ok(())
    }

    fn write_intents(&self, taken: &[(Vec<u8>, Vec<u8>)]) -> Result<()> {
        let mut b = self
            .db
            .batch()
            .durability(Some(fjall::PersistMode::SyncAll));
        for (h, _) in taken {
            let mut k = INTENT.to_vec();
            k.extend_from_slice(h);
            b.insert(&self.meta, k, b"");
        }
        Ok(b.commit()?)
    }

    /// Empties the zone entries of `taken` holders (now stored as facts),
    /// moves `zcn` and removes their intents, in one synced batch.
    fn zone_tombstone(&self, taken: &[(Vec<u8>, Vec<u8>)]) -> Result<()> {
        let _w = lock(&self.writer);
        let mut b = self
            .db
            .batch()
            .durability(Some(fjall::PersistMode::SyncAll));
        let mut counts: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for (h, v) in taken {
            let e = Entry::decode(h, v)?;
            b.insert(&self.zdl, h.as_slice(), b"");
            for k in e.rev_keys() {
                b.insert(&self.zrv, k, b"");
            }
            for k in e.count_keys() {
                let c = match counts.get(&k) {
                    Some(c) => *c,
                    None => match self.zcn.get(&k)? {
                        Some(v) => v
                            .get(..8)
                            .and_then(|s| s.try_into().ok())
                            .map(u64::from_be_bytes)
                            .unwrap_or(0),
                        None => 0,
                    },
                };
                counts.insert(k, c.saturating_sub(1));
            }
            let mut k = INTENT.to_vec();
            k.extend_from_slice(h);
            b.remove(&self.meta, k);
        }
        for (k, c) in counts {
            b.insert(&self.zcn, k, c.to_be_bytes());
        }
        Ok(b.commit()?)
    }

    /// `Store::write` with the zone-form holders it touches materialised.
    pub(super) fn zone_write(&self, mut batch: WriteBatch) -> Result<WriteReceipt> {
        if !self.zone_present() {
            return self.write_batch(batch);
        }
        let _one = lock(&self.zone_lock);
        let mut taken = Vec::new();
        self.zone_take(&mut batch.observations, &mut HashSet::new(), &mut taken)?;
        if taken.is_empty() {
            return self.write_batch(batch);
        }
        self.write_intents(&taken)?;
        let r = self.write_batch(batch)?;
        self.zone_tombstone(&taken)?;
        Ok(r)
    }

    /// Wraps a bulk load so that the zone-form holders it touches are
    /// materialised.
    pub(super) fn zone_bulk<'a>(&'a self, inner: Box<dyn BulkLoad + 'a>) -> Box<dyn BulkLoad + 'a> {
        if !self.zone_present() {
            return inner;
        }
        Box::new(ZoneBulk {
            store: self,
            inner: Some(inner),
            done: HashSet::new(),
            taken: Vec::new(),
        })
    }

    /// Holders in the zone form: still there, and ever stored (the rest
    /// were materialised into facts). One scan of `zdl`.
    pub fn zone_holders(&self) -> Result<(u64, u64)> {
        let (mut live, mut all) = (0, 0);
        for item in self.zdl.iter() {
            let (_, v) = item.into_inner()?;
            all += 1;
            if zdl_live(&v) {
                live += 1;
            }
        }
        Ok((live, all))
    }

    /// Finishes what a crash interrupted: a load's ingestion (`COMMIT`) and
    /// materialisations (intents).
    pub(super) fn zone_recover(&self) -> Result<()> {
        let dir = self.path.join(DIR);
        let commit = dir.join(COMMIT);
        match fs::read(&commit) {
            Ok(body) => {
                let c: Commit = serde_json::from_slice(&body)
                    .map_err(|e| corrupt(format!("{}: {e}", commit.display())))?;
                tracing::warn!("finishing a zone-form load interrupted by a crash");
                self.zone_apply(&c)?;
                fs::remove_dir_all(&dir).map_err(|e| io(&dir, e))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Err(e) = fs::remove_dir_all(&dir)
                    && e.kind() != std::io::ErrorKind::NotFound
                {
                    return Err(io(&dir, e));
                }
            }
            Err(e) => return Err(io(&commit, e)),
        }
        self.zone_present
            .store(self.zdl.first_key_value().is_some(), Ordering::SeqCst);
        let mut done = Vec::new();
        let mut stale = Vec::new();
        for item in self.meta.prefix(INTENT) {
            let (k, _) = item.into_inner()?;
            let h = k[INTENT.len()..].to_vec();
            match self.zdl.get(&h)? {
                Some(v) if zdl_live(&v) => {
                    let e = Entry::decode(&h, &v)?;
                    let first = e.fwd_keys().into_iter().next();
                    if let Some(fk) = first
                        && self.fwd.contains_key(&fk)?
                    {
                        done.push((h, v.to_vec()));
                    } else {
                        stale.push(k.to_vec());
                    }
                }
                _ => stale.push(k.to_vec()),
            }
        }
        if !done.is_empty() {
            self.zone_tombstone(&done)?;
        }
        if !stale.is_empty() {
            let mut b = self
                .db
                .batch()
                .durability(Some(fjall::PersistMode::SyncAll));
            for k in stale {
                b.remove(&self.meta, k);
            }
            b.commit()?;
        }
        Ok(())
    }

    /// A zone-form load of a first snapshot, when this store holds no
    /// facts yet (else `None`: the caller uses the fact path).
    pub fn zone_form_load(
        &self,
        source: &str,
        date: Timestamp,
    ) -> Result<Option<EmbeddedZoneForm<'_>>> {
        if self.fwd.first_key_value().is_some() {
            return Ok(None);
        }
        let id = {
            let mut w = lock(&self.writer);
            match w.sources.get(source) {
                Some(id) => *id,
                None => {
                    let id = u16::try_from(w.sources.len() + 1).map_err(|_| {
                        StoreError::Invalid("more than 65535 distinct sources".into())
                    })?;
                    let mut k = b"src:".to_vec();
                    k.extend_from_slice(source.as_bytes());
                    let mut b = self
                        .db
                        .batch()
                        .durability(Some(fjall::PersistMode::SyncAll));
                    b.insert(&self.meta, k, id.to_be_bytes());
                    b.commit()?;
                    w.sources.insert(source.to_string(), id);
                    lock(&self.source_names).insert(id, source.to_string());
                    id
                }
            }
        };
        let dir = self.path.join(DIR);
        if let Err(e) = fs::remove_dir_all(&dir)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            return Err(io(&dir, e));
        }
        fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let (sorters, [lane, spare]) = SortFeed::start([
            Sink::ordered(
                &dir,
                "zdl",
                Sorter::new(&dir, "zdl", Rule::Max, ZDL_BUDGET, true),
            )?,
            Sink::sorted(Sorter::new(&dir, "zrv", Rule::Max, ZRV_BUDGET, true)),
            Sink::ordered(
                &dir,
                "nam",
                Sorter::new(&dir, "nam", Rule::Max, NAM_BUDGET, true),
            )?,
        ]);
        Ok(Some(EmbeddedZoneForm {
            store: self,
            sorters,
            dir,
            enc: Encoder::new(id, date),
            lane,
            spare: Some(spare),
            split: false,
            taken: std::sync::Arc::default(),
        }))
    }

    /// Adds the zone form to a check: its facts, holdings and values
    /// (those no fact-path holder has), and verifies that every live
    /// delegation's reverse entries are live and that `zcn` equals the
    /// holders counted off `zrv`.
    pub(super) fn zone_check(&self, r: &mut crate::CheckReport) -> Result<()> {
        if !self.zone_present() {
            return Ok(());
        }
        let note = |r: &mut crate::CheckReport, p: String| {
            if r.problems.len() < 100 {
                r.problems.push(p);
            }
        };
        for item in self.zdl.iter() {
            let (k, v) = item.into_inner()?;
            if !zdl_live(&v) {
                continue;
            }
            let e = Entry::decode(&k, &v)?;
            r.facts += e.facts.len() as u64;
            r.holdings += e.dom_keys().len() as u64;
            for rk in e.rev_keys() {
                if self.zrv.get(&rk)?.is_none_or(|v| v.len() < 10) {
                    note(
                        r,
                        format!(
                            "zone delegation without its reverse entry: {}",
                            String::from_utf8_lossy(&k)
                        ),
                    );
                }
            }
        }
        let flush = |r: &mut crate::CheckReport, front: &[u8], n: u64| -> Result<()> {
            if front.is_empty() {
                return Ok(());
            }
            let stored = self.zone_count_raw(front)?;
            if stored != n {
                note(
                    r,
                    format!("zone count differs for a value: stored {stored}, counted {n}"),
                );
            }
            if n > 0 {
                let ol = front.len() - 2;
                let mut pk = front[ol..].to_vec();
                pk.extend_from_slice(&front[..ol]);
                if self.piv.prefix(&pk).next().is_none() {
                    r.values += 1;
                }
            }
            Ok(())
        };
        let (mut front, mut holder, mut n) = (Vec::new(), Vec::new(), 0u64);
        for item in self.zrv.iter() {
            let (k, v) = item.into_inner()?;
            let ol = keys::entity_len(&k).ok_or_else(|| corrupt("bad zrv key"))?;
            let f = k.get(..ol + 2).ok_or_else(|| corrupt("bad zrv key"))?;
            if f != front.as_slice() {
                flush(r, &front, n)?;
                front = f.to_vec();
                holder.clear();
                n = 0;
            }
            if v.len() < 10 {
                continue;
            }
            let h = holder_key_of(&k[ol + 2..]).ok_or_else(|| corrupt("bad zrv subject"))?;
            if h != holder {
                n += 1;
                holder = h;
            }
        }
        flush(r, &front, n)?;
        Ok(())
    }

    fn zone_count_raw(&self, k: &[u8]) -> Result<u64> {
        Ok(match self.zcn.get(k)? {
            Some(v) => v
                .get(..8)
                .and_then(|s| s.try_into().ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| corrupt("short zcn value"))?,
            None => 0,
        })
    }

    fn zone_apply(&self, c: &Commit) -> Result<()> {
        let foreign: HashSet<Vec<u8>> = c.foreign.iter().cloned().collect();
        self.zone_present.store(true, Ordering::SeqCst);
        // The three keyspaces are ingested at once, each on its own thread.
        std::thread::scope(|sc| {
            let zrv = sc.spawn(|| self.zone_apply_zrv(c, &foreign));
            let nam = sc.spawn(|| super::bulk::ingest_runs(self, &self.nam, &c.nam));
            let zdl = self.zone_apply_zdl(c, &foreign);
            let join = |h: std::thread::ScopedJoinHandle<'_, Result<()>>| {
                h.join()
                    .map_err(|_| StoreError::Engine("zone form ingestion thread panicked".into()))?
            };
            let (a, b) = (join(zrv), join(nam));
            zdl.and(a).and(b)
        })?;
        let mut b = self
            .db
            .batch()
            .durability(Some(fjall::PersistMode::SyncAll));
        for (k, shown) in &c.texts {
            match self.disp.get(k)? {
                Some(old) if old.as_ref() >= shown.as_bytes() => {}
                _ => b.insert(&self.disp, k, shown.as_bytes()),
            }
        }
        b.commit()?;
        Ok(())
    }

    /// Ingests `zdl` (the holders kept out are left to the caller).
    fn zone_apply_zdl(&self, c: &Commit, foreign: &HashSet<Vec<u8>>) -> Result<()> {
        self.make_write_room(&self.zdl)?;
        let mut ing = self.zdl.start_ingestion()?;
        let mut m = Merged::open(&c.zdl, Rule::Max)?;
        let mut order = Order::default();
        while let Some((k, v)) = m.next()? {
            if !foreign.is_empty() && foreign.contains(k) {
                continue;
            }
            order.check(k)?;
            ing.write(k, v)?;
        }
        ing.finish()?;
        Ok(())
    }

    /// Ingests `zrv`, and `zcn` counted off it (object · predicate is its
    /// front). The merge of the spilled runs and `zcn` run on this thread,
    /// `zrv`'s table writer (blocks, LZ4, filter) on a second one: `zrv`
    /// is the form's largest keyspace, and its ingestion on one thread was
    /// the load's last step running alone on two cores.
    fn zone_apply_zrv(&self, c: &Commit, foreign: &HashSet<Vec<u8>>) -> Result<()> {
        self.make_write_room(&self.zrv)?;
        self.make_write_room(&self.zcn)?;
        std::thread::scope(|sc| {
            let (mut feed, h) = IngestFeed::start(sc, &self.zrv);
            let fed = self
                .zone_count_zrv(c, foreign, &mut |k, v| feed.put(k, v))
                .and_then(|()| feed.finish());
            join_ingest(h, fed)
        })
    }

    /// Merges `zrv`'s runs, hands each key to `put` and ingests `zcn`.
    fn zone_count_zrv(
        &self,
        c: &Commit,
        foreign: &HashSet<Vec<u8>>,
        put: super::bulk::PutFn<'_>,
    ) -> Result<()> {
        let mut cnt = self.zcn.start_ingestion()?;
        let mut m = Merged::open(&c.zrv, Rule::Max)?;
        let mut corder = Order::default();
        let mut value: Vec<u8> = Vec::new();
        let mut last_holder: Vec<u8> = Vec::new();
        let mut n = 0u64;
        while let Some((k, v)) = m.next()? {
            let ol = keys::entity_len(k).ok_or_else(|| corrupt("bad zrv key"))?;
            let subject = k.get(ol + 2..).ok_or_else(|| corrupt("bad zrv key"))?;
            // The holder is the subject's registrable part (no allocation
            // per key: the kept-out set is read only when not empty).
            let hl = holder_len(subject).ok_or_else(|| corrupt("bad zrv subject"))?;
            let holder = &subject[..hl];
            if !foreign.is_empty() && holder_key_of(subject).is_some_and(|h| foreign.contains(&h)) {
                continue;
            }
            // The feed's thread checks the order of `zrv`'s keys.
            put(k, v)?;
            let front = &k[..ol + 2];
            if front != value.as_slice() {
                if n > 0 {
                    corder.check(&value)?;
                    cnt.write(value.as_slice(), n.to_be_bytes().as_slice())?;
                }
                value.clear();
                value.extend_from_slice(front);
                last_holder.clear();
                n = 0;
            }
            if holder != last_holder.as_slice() {
                n += 1;
                last_holder.clear();
                last_holder.extend_from_slice(holder);
            }
        }
        if n > 0 {
            corder.check(&value)?;
            cnt.write(value.as_slice(), n.to_be_bytes().as_slice())?;
        }
        cnt.finish()?;
        Ok(())
    }
}

/// What `zoneform/COMMIT` records.
#[derive(serde::Serialize, serde::Deserialize)]
struct Commit {
    zdl: Vec<PathBuf>,
    zrv: Vec<PathBuf>,
    nam: Vec<PathBuf>,
    /// Holders written by facts outside the form (kept out of it).
    foreign: Vec<Vec<u8>>,
    /// Display forms of free-text objects (text key, shown form).
    texts: Vec<(Vec<u8>, String)>,
}

/// A zone-form load (see the module docs).
pub struct EmbeddedZoneForm<'a> {
    store: &'a EmbeddedStore,
    dir: PathBuf,
    /// The `zdl`, `zrv` and `nam` sorters, fed on a thread of their own.
    sorters: SortFeed,
    /// This adder's encoding state and its feed (lane 0).
    enc: Encoder,
    lane: LaneTx,
    /// Lane 1's feed until [`crate::ZoneForm::second_lane`] takes it.
    spare: Option<LaneTx>,
    /// Lane 1 was handed out: blocks alternate.
    split: bool,
    /// What lane 1 took (its holders kept out, texts and count), handed
    /// over by its `finish`.
    taken: std::sync::Arc<std::sync::Mutex<Taken>>,
}

/// One adder's encoding state: what it took and its reused buffers.
struct Encoder {
    id: u16,
    date: Timestamp,
    taken: Taken,
    /// One delegation's keys: (subject start, end, subject index,
    /// predicate, object start, end) into `arena`.
    keys: Vec<(usize, usize, usize, [u8; 2], usize, usize)>,
    /// Subject key ranges in `arena` (index 0 stands for the holder).
    subjects: Vec<(usize, usize)>,
    arena: Vec<u8>,
    val: Vec<u8>,
    rk: Vec<u8>,
    /// The holder key and a subject's forward name, reused per delegation.
    hk: Vec<u8>,
    fk: Vec<u8>,
    /// Keys of domain objects met so far (name servers, the zone itself:
    /// far fewer than facts), bounded by [`NAME_CACHE`].
    names: HashMap<String, Vec<u8>, NameHash>,
}

/// What an adder took besides its keys.
#[derive(Default)]
struct Taken {
    foreign: HashSet<Vec<u8>>,
    texts: BTreeMap<Vec<u8>, String>,
    holders: u64,
}

impl Taken {
    /// Adds `other`'s (texts: the greatest shown form per key, as one
    /// adder keeps it).
    fn absorb(&mut self, other: Taken) {
        self.foreign.extend(other.foreign);
        for (k, t) in other.texts {
            let e = self.texts.entry(k).or_default();
            if t > *e {
                *e = t;
            }
        }
        self.holders += other.holders;
    }
}

/// [`SortFeed`]'s sorters by index.
const ZDL: u8 = 0;
const ZRV: u8 = 1;
const NAM: u8 = 2;

/// Packed (key, value) records and, per record, the sorter it goes to.
#[derive(Default)]
struct Packed3 {
    records: Packed,
    sorters: Vec<u8>,
}

/// What ends a [`Packed3`] sent to the sorting thread.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// More of the sender's block follows.
    More,
    /// The sender's block ends: the other lane's block is next.
    BlockEnd,
    /// The sender adds nothing more.
    Done,
}

/// One adder's side of the sorting thread's feed: packed records sent
/// in 1 MiB buffers, handed back to be refilled.
struct LaneTx {
    tx: Option<std::sync::mpsc::SyncSender<(Packed3, Mark)>>,
    back: std::sync::mpsc::Receiver<Packed3>,
    cur: Packed3,
}

impl LaneTx {
    fn push(&mut self, sorter: u8, k: &[u8], v: &[u8]) -> Result<()> {
        self.cur.sorters.push(sorter);
        if self.cur.records.put(k, v)? {
            self.send(Mark::More)?;
        }
        Ok(())
    }

    /// Sends what is packed (a mark even with nothing packed).
    fn send(&mut self, mark: Mark) -> Result<()> {
        if mark == Mark::More && self.cur.records.len() == 0 {
            return Ok(());
        }
        let next = self.back.try_recv().unwrap_or_else(|_| Packed3 {
            records: Packed::sized(),
            sorters: Vec::new(),
        });
        let p = std::mem::replace(&mut self.cur, next);
        if self
            .tx
            .as_ref()
            .is_some_and(|tx| tx.send((p, mark)).is_ok())
        {
            if mark == Mark::Done {
                self.tx = None;
            }
            return Ok(());
        }
        self.tx = None;
        Err(stopped_feed())
    }
}

fn stopped_feed() -> StoreError {
    StoreError::Engine("zone form sorting thread stopped".into())
}

/// The zone form's three sorters on a thread of their own, fed packed
/// records: the form's producers only encode keys, and the sorters'
/// copies, item arrays and their first touch of fresh buffers run on
/// another core. Two lanes feed it (the form and its second lane): it
/// takes a block from one, then from the other, so the sorters get the
/// keys in the order one adder would have pushed them (the ordered runs
/// need it, and the stored bytes are the same either way).
struct SortFeed {
    worker: Option<std::thread::JoinHandle<Result<[Sink; 3]>>>,
}

impl SortFeed {
    fn start(mut sorters: [Sink; 3]) -> (SortFeed, [LaneTx; 2]) {
        let lane = || {
            let (tx, rx) = std::sync::mpsc::sync_channel::<(Packed3, Mark)>(2);
            let (back_tx, back) = std::sync::mpsc::channel::<Packed3>();
            let l = LaneTx {
                tx: Some(tx),
                back,
                cur: Packed3::default(),
            };
            (l, rx, back_tx)
        };
        let (l0, rx0, back0) = lane();
        let (l1, rx1, back1) = lane();
        let worker = std::thread::Builder::new()
            .name("zone-form-sort".into())
            .spawn(move || -> Result<[Sink; 3]> {
                let (rx, back) = ([rx0, rx1], [back0, back1]);
                let mut done = [false, false];
                let mut i = 0;
                while !(done[0] && done[1]) {
                    if done[i] {
                        i ^= 1;
                        continue;
                    }
                    let Some(r) = rx.get(i) else {
                        return Err(StoreError::Engine("zone form feed damaged".into()));
                    };
                    let (mut p, mark) = r.recv().map_err(|_| {
                        StoreError::Engine("zone form adder stopped before its end".into())
                    })?;
                    for ((k, v), &t) in p.records.records().zip(&p.sorters) {
                        let Some(s) = sorters.get_mut(t as usize) else {
                            return Err(StoreError::Engine("zone form feed damaged".into()));
                        };
                        s.push(k, v)?;
                    }
                    p.records.clear();
                    p.sorters.clear();
                    // The adder may have stopped: the buffer is then dropped.
                    if let Some(b) = back.get(i) {
                        let _ = b.send(p);
                    }
                    match mark {
                        Mark::More => {}
                        Mark::BlockEnd => i ^= 1,
                        Mark::Done => {
                            if let Some(d) = done.get_mut(i) {
                                *d = true;
                            }
                            i ^= 1;
                        }
                    }
                }
                Ok(sorters)
            });
        let feed = SortFeed {
            worker: worker.ok(),
        };
        (feed, [l0, l1])
    }

    /// Waits for the thread and returns its sorters (or its error); both
    /// lanes must have sent `Done` or be dropped.
    fn join(&mut self) -> Result<[Sink; 3]> {
        let Some(w) = self.worker.take() else {
            return Err(StoreError::Engine(
                "zone form sorting thread not running".into(),
            ));
        };
        w.join()
            .map_err(|_| StoreError::Engine("zone form sorting thread panicked".into()))?
    }
}

/// Where one of the form's keyspaces' keys go: a sorter, and for `zdl`
/// and `nam` first a run written as the keys come. The run is read in
/// domain order and a `.com`-style zone's delegations are one label below
/// it, so their holder keys (`zdl`: the registrable name's labels
/// reversed, each followed by `.`) and forward names (`nam`: the labels
/// in order, each followed by `.`) sort as the run's domain text does
/// (`-` sorts before `.` in both): every key that follows the last one
/// written goes to that run (no copy into a sort buffer, no sort, no
/// fresh buffer pages), and only the others (a glue host's forward name,
/// a delegation two labels below the zone) to the sorter. The merge of
/// the runs at the ingestion is unchanged: the ordered run is one more
/// sorted run.
struct Sink {
    sorter: Sorter,
    ordered: Option<RunWriter>,
}

impl Sink {
    /// Every key sorted (`zrv`: keys in object order, random here).
    fn sorted(sorter: Sorter) -> Sink {
        Sink {
            sorter,
            ordered: None,
        }
    }

    /// Keys in order to a run of their own, the others sorted.
    fn ordered(dir: &Path, name: &str, sorter: Sorter) -> Result<Sink> {
        Ok(Sink {
            sorter,
            ordered: Some(RunWriter::create(dir.join(format!("{name}-ordered.run")))?),
        })
    }

    fn push(&mut self, k: &[u8], v: &[u8]) -> Result<()> {
        match &mut self.ordered {
            Some(w) if w.takes(k) => w.put(k, v),
            _ => self.sorter.push(k, v),
        }
    }

    /// The runs, fsynced: the ordered one (when it holds any key), then
    /// the sorter's.
    fn finish(self) -> Result<Vec<PathBuf>> {
        let mut runs = Vec::new();
        if let Some(w) = self.ordered {
            let any = w.records() > 0;
            let path = w.finish(any)?;
            if any {
                runs.push(path);
            } else {
                fs::remove_file(&path).map_err(|e| io(&path, e))?;
            }
        }
        runs.extend(self.sorter.finish()?);
        Ok(runs)
    }
}

impl Drop for EmbeddedZoneForm<'_> {
    /// A form dropped unfinished: the sorting thread ends with the feeds
    /// (its spills are the form's directory's, removed by the next form).
    /// A lane still running is waited for.
    fn drop(&mut self) {
        self.lane.tx = None;
        self.spare = None;
        if let Some(w) = self.sorters.worker.take() {
            let _ = w.join();
        }
    }
}

/// Most object names kept encoded by a zone-form load: small enough to
/// stay in the CPU cache (at 65,536 names, a `.com`-style zone's mostly
/// one-off in-bailiwick name servers made each lookup a cache miss: two
/// thirds of `add`'s own time).
const NAME_CACHE: usize = 1 << 12;

/// Appends an object's key, a domain's from `cache` when it was met
/// before (encoding a name computes its registrable split). A name below
/// the fact's subject (a delegation's own name server: nearly always met
/// once) is encoded without entering the cache, so it evicts nothing.
fn push_object(
    cache: &mut HashMap<String, Vec<u8>, NameHash>,
    a: &mut Vec<u8>,
    sub: &Entity,
    o: &Entity,
) {
    let Entity::Domain(d) = o else {
        push_entity(a, o);
        return;
    };
    if let Entity::Domain(s) = sub
        && is_below(d.ascii(), s.ascii())
    {
        push_entity(a, o);
        return;
    }
    if let Some(k) = cache.get(d.ascii()) {
        a.extend_from_slice(k);
        return;
    }
    let from = a.len();
    push_entity(a, o);
    if cache.len() >= NAME_CACHE {
        cache.clear();
    }
    cache.insert(d.ascii().to_string(), a[from..].to_vec());
}

/// `name` is strictly below `domain` (both A-label text).
fn is_below(name: &str, domain: &str) -> bool {
    name.len() > domain.len()
        && name.ends_with(domain)
        && name.as_bytes().get(name.len() - domain.len() - 1) == Some(&b'.')
}

impl Encoder {
    fn new(id: u16, date: Timestamp) -> Encoder {
        Encoder {
            id,
            date,
            taken: Taken::default(),
            keys: Vec::new(),
            subjects: Vec::new(),
            arena: Vec::new(),
            val: Vec::new(),
            rk: Vec::new(),
            hk: Vec::new(),
            fk: Vec::new(),
            names: HashMap::default(),
        }
    }

    /// [`crate::ZoneForm::add`]: the delegation's keys into `feed`.
    fn add(&mut self, facts: &[(&Entity, Predicate, &Entity)], feed: &mut LaneTx) -> Result<bool> {
        if facts.is_empty() {
            return Ok(true);
        }
        // Keys into one arena: (subject key, subject index, predicate,
        // object key) per fact; the holder's key first among subjects.
        let a = &mut self.arena;
        a.clear();
        self.keys.clear();
        self.subjects.clear();
        let mut fits = true;
        let mut holder: Option<(usize, usize)> = None;
        let mut prev: Option<(&Entity, usize, usize)> = None;
        for &(sub, p, o) in facts {
            // A delegation's facts mostly share their subject: its key is
            // encoded once.
            let s0 = a.len();
            match prev {
                Some((e, x, y)) if std::ptr::eq(e, sub) || e == sub => a.extend_from_within(x..y),
                _ => push_entity(a, sub),
            }
            let s1 = a.len();
            prev = Some((sub, s0, s1));
            let Some(hl) = holder_len(&a[s0..s1]) else {
                fits = false;
                break;
            };
            match holder {
                None => {
                    self.subjects.push((0, 0));
                    holder = Some((s0, s0 + hl));
                }
                Some((x, y)) if a[x..y] == a[s0..s0 + hl] => {}
                Some(_) => {
                    fits = false;
                    break;
                }
            }
            let si = match self
                .subjects
                .iter()
                .skip(1)
                .position(|(x, y)| a[*x..*y] == a[s0..s1])
            {
                Some(i) => i + 1,
                None => {
                    self.subjects.push((s0, s1));
                    self.subjects.len() - 1
                }
            };
            let pb = p.id().to_be_bytes();
            let o0 = a.len();
            push_object(&mut self.names, a, sub, o);
            self.keys.push((s0, s1, si, pb, o0, a.len()));
        }
        // The holder key: its registrable part, then `\x01`.
        let hk = &mut self.hk;
        hk.clear();
        if let Some((x, y)) = holder {
            hk.extend_from_slice(&self.arena[x..y]);
            hk.push(1);
        }
        let hk = &self.hk;
        // The holder's own key is subject 0 (it may hold no fact itself).
        let unique = fits && {
            let a = &self.arena;
            let fact = |k: &(usize, usize, usize, [u8; 2], usize, usize)| {
                (&a[k.0..k.1], k.3, &a[k.4..k.5])
            };
            let hold = |k: &(usize, usize, usize, [u8; 2], usize, usize)| (k.3, &a[k.4..k.5]);
            // A delegation has a handful of facts: pairs are compared
            // without sorting (no allocation); a long one is sorted.
            let ks = &self.keys;
            if ks.len() <= 32 {
                (0..ks.len()).all(|i| {
                    (i + 1..ks.len())
                        .all(|j| fact(&ks[i]) != fact(&ks[j]) && hold(&ks[i]) != hold(&ks[j]))
                })
            } else {
                let mut f: Vec<_> = ks.iter().map(fact).collect();
                f.sort_unstable();
                f.dedup();
                let mut d: Vec<_> = ks.iter().map(hold).collect();
                d.sort_unstable();
                d.dedup();
                f.len() == ks.len() && d.len() == ks.len()
            }
        };
        // Subject 0 is the holder: a subject equal to it must use index 0.
        if !unique || self.subjects.len() > u16::MAX as usize || facts.len() > u16::MAX as usize {
            for (sub, _, _) in facts {
                if let Some(h) = holder_key_of(&entity_key(sub)) {
                    self.taken.foreign.insert(h);
                }
            }
            return Ok(false);
        }
        let a = &self.arena;
        let hsub = self
            .subjects
            .iter()
            .skip(1)
            .position(|(x, y)| a[*x..*y] == hk[..])
            .map(|i| i + 1);
        let index = |si: usize| -> usize {
            match hsub {
                Some(h) if si == h => 0,
                Some(h) if si > h => si - 1,
                _ => si,
            }
        };
        let v = &mut self.val;
        v.clear();
        v.extend_from_slice(&self.date.to_be_bytes());
        v.extend_from_slice(&self.id.to_be_bytes());
        let others = || {
            self.subjects
                .iter()
                .enumerate()
                .skip(1)
                .filter(|(i, _)| Some(*i) != hsub)
                .map(|(_, r)| r)
        };
        v.extend_from_slice(&(others().count() as u16).to_be_bytes());
        for (x, y) in others() {
            v.extend_from_slice(&((y - x) as u16).to_be_bytes());
            v.extend_from_slice(&a[*x..*y]);
        }
        v.extend_from_slice(&(self.keys.len() as u16).to_be_bytes());
        for k in &self.keys {
            v.extend_from_slice(&(index(k.2) as u16).to_be_bytes());
            v.extend_from_slice(&k.3);
            v.extend_from_slice(&((k.5 - k.4) as u16).to_be_bytes());
            v.extend_from_slice(&a[k.4..k.5]);
        }
        feed.push(ZDL, hk, v)?;
        let mut zv = [0u8; 10];
        zv[..8].copy_from_slice(&self.date.to_be_bytes());
        zv[8..].copy_from_slice(&self.id.to_be_bytes());
        let rk = &mut self.rk;
        for k in &self.keys {
            rk.clear();
            rk.extend_from_slice(&a[k.4..k.5]);
            rk.extend_from_slice(&k.3);
            rk.extend_from_slice(&a[k.0..k.1]);
            feed.push(ZRV, rk, &zv)?;
        }
        for &(_, _, o) in facts {
            if let Entity::Text(t) = o {
                let e = self.taken.texts.entry(entity_key(o)).or_default();
                if t.as_str() > e.as_str() {
                    *e = t.clone();
                }
            }
        }
        for (x, y) in self.subjects.iter().skip(1) {
            if keys::forward_name_key_into(&a[*x..*y], &mut self.fk) {
                feed.push(NAM, &self.fk, b"")?;
            }
        }
        self.taken.holders += 1;
        Ok(true)
    }
}

/// The form's second adder (see [`crate::ZoneForm::second_lane`]).
struct EmbeddedZoneLane {
    enc: Encoder,
    lane: LaneTx,
    taken: std::sync::Arc<std::sync::Mutex<Taken>>,
}

impl crate::ZoneFormLane for EmbeddedZoneLane {
    fn add(&mut self, facts: &[(&Entity, Predicate, &Entity)]) -> Result<bool> {
        self.enc.add(facts, &mut self.lane)
    }

    fn end_block(&mut self) -> Result<()> {
        self.lane.send(Mark::BlockEnd)
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        // What the lane took is handed over before its `Done`: the form
        // reads it after the sorting thread (which ends after `Done`).
        lock(&self.taken).absorb(std::mem::take(&mut self.enc.taken));
        self.lane.send(Mark::Done)
    }
}

impl crate::ZoneForm for EmbeddedZoneForm<'_> {
    fn add(&mut self, facts: &[(&Entity, Predicate, &Entity)]) -> Result<bool> {
        match self.enc.add(facts, &mut self.lane) {
            Ok(taken) => Ok(taken),
            Err(e) => Err(self.feed_error(e)),
        }
    }

    fn second_lane(&mut self) -> Result<Option<Box<dyn crate::ZoneFormLane>>> {
        let Some(lane) = self.spare.take() else {
            return Ok(None);
        };
        self.split = true;
        Ok(Some(Box::new(EmbeddedZoneLane {
            enc: Encoder::new(self.enc.id, self.enc.date),
            lane,
            taken: self.taken.clone(),
        })))
    }

    fn end_block(&mut self) -> Result<()> {
        if !self.split {
            return Ok(());
        }
        match self.lane.send(Mark::BlockEnd) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.feed_error(e)),
        }
    }

    fn finish(self: Box<Self>) -> Result<Vec<(Entity, Predicate, Entity)>> {
        let (kept_out, ingest) = self.commit()?;
        ingest()?;
        Ok(kept_out)
    }

    fn commit<'s>(mut self: Box<Self>) -> Result<crate::ZoneFormCommit<'s>>
    where
        Self: 's,
    {
        let s = self.store;
        // Both lanes end (an unused lane 1 ends with nothing), then the
        // sorting thread with them; lane 1 handed over what it took
        // before its end.
        if let Some(mut spare) = self.spare.take() {
            spare.send(Mark::Done)?;
        }
        let sent = self.lane.send(Mark::Done);
        let sorters = self.sorters.join();
        sent?;
        let [zdl, zrv, nam] = sorters?;
        let lane1 = std::mem::take(&mut *lock(&self.taken));
        self.enc.taken.absorb(lane1);
        // The three sorters' last runs are sorted and written at once.
        let (zdl, zrv, nam) = std::thread::scope(|sc| {
            let zrv = sc.spawn(|| zrv.finish());
            let nam = sc.spawn(|| nam.finish());
            let zdl = zdl.finish();
            let join = |h: std::thread::ScopedJoinHandle<'_, Result<Vec<PathBuf>>>| {
                h.join()
                    .map_err(|_| StoreError::Engine("zone form sort thread panicked".into()))?
            };
            Ok::<_, StoreError>((zdl?, join(zrv)?, join(nam)?))
        })?;
        // The facts of the holders kept out, for the caller's fact path.
        let mut kept_out = Vec::new();
        if !self.enc.taken.foreign.is_empty() {
            let mut m = Merged::open(&zdl, Rule::Max)?;
            while let Some((k, v)) = m.next()? {
                if self.enc.taken.foreign.contains(k) {
                    kept_out.extend(Entry::decode(k, v)?.triples()?);
                }
            }
        }
        let c = Commit {
            zdl,
            zrv,
            nam,
            foreign: self.enc.taken.foreign.iter().cloned().collect(),
            texts: std::mem::take(&mut self.enc.taken.texts)
                .into_iter()
                .collect(),
        };
        let body = serde_json::to_vec(&c).map_err(|e| StoreError::Engine(e.to_string()))?;
        let tmp = self.dir.join("COMMIT.tmp");
        let path = self.dir.join(COMMIT);
        {
            use std::io::Write;
            let mut f = fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
            f.write_all(&body).map_err(|e| io(&tmp, e))?;
            f.sync_all().map_err(|e| io(&tmp, e))?;
        }
        fs::rename(&tmp, &path).map_err(|e| io(&path, e))?;
        if let Ok(d) = fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        tracing::debug!(
            holders = self.enc.taken.holders,
            kept_out = kept_out.len(),
            "zone form committed"
        );
        let dir = std::mem::take(&mut self.dir);
        let ingest = move || -> Result<()> {
            s.zone_apply(&c)?;
            fs::remove_dir_all(&dir).map_err(|e| io(&dir, e))
        };
        Ok((kept_out, Box::new(ingest)))
    }
}

impl EmbeddedZoneForm<'_> {
    /// A feed that stopped: the sorting thread's own error says why.
    fn feed_error(&mut self, e: StoreError) -> StoreError {
        self.lane.tx = None;
        self.spare = None;
        match self.sorters.join() {
            Err(why) => why,
            Ok(_) => e,
        }
    }
}

/// A bulk load that materialises the zone-form holders it touches.
struct ZoneBulk<'a> {
    store: &'a EmbeddedStore,
    inner: Option<Box<dyn BulkLoad + 'a>>,
    done: HashSet<Vec<u8>>,
    taken: Vec<(Vec<u8>, Vec<u8>)>,
}

impl<'a> ZoneBulk<'a> {
    fn inner(&mut self) -> Result<&mut Box<dyn BulkLoad + 'a>> {
        self.inner
            .as_mut()
            .ok_or_else(|| StoreError::Engine("bulk load already finished".into()))
    }
}

impl BulkLoad for ZoneBulk<'_> {
    fn add(&mut self, mut batch: WriteBatch) -> Result<()> {
        self.store
            .zone_take(&mut batch.observations, &mut self.done, &mut self.taken)?;
        self.inner()?.add(batch)
    }

    fn add_event(
        &mut self,
        time: Timestamp,
        kind: &str,
        subject: &str,
        data: &[(&str, &str)],
    ) -> Result<()> {
        // An event names no holder: nothing to materialise.
        self.inner()?.add_event(time, kind, subject, data)
    }

    fn add_first_sightings(&mut self, sightings: Vec<(Entity, NewEvent)>) -> Result<()> {
        let mut keep = Vec::with_capacity(sightings.len());
        for (e, ev) in sightings {
            if !self.store.zone_knows(&e)? {
                keep.push((e, ev));
            }
        }
        self.inner()?.add_first_sightings(keep)
    }

    fn add_first_sighting_times(
        &mut self,
        kind: &str,
        data: &BTreeMap<String, String>,
        sightings: &[(&scry_model::DomainName, Timestamp)],
    ) -> Result<()> {
        let mut keep = Vec::with_capacity(sightings.len());
        for (d, t) in sightings {
            if !self.store.zone_knows(&Entity::Domain((*d).clone()))? {
                keep.push((*d, *t));
            }
        }
        self.inner()?.add_first_sighting_times(kind, data, &keep)
    }

    fn finish(mut self: Box<Self>, ledger: Option<LedgerEntry>) -> Result<WriteReceipt> {
        let inner = self
            .inner
            .take()
            .ok_or_else(|| StoreError::Engine("bulk load already finished".into()))?;
        if self.taken.is_empty() {
            return inner.finish(ledger);
        }
        self.store.write_intents(&self.taken)?;
        let r = inner.finish(ledger)?;
        self.store.zone_tombstone(&self.taken)?;
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FactQuery, Store, SubjectSel, TimeFence, ZoneForm as _};
    use scry_model::{DomainName, Predicate};

    const DATE: Timestamp = 1_767_225_600;

    fn d(s: &str) -> Entity {
        Entity::Domain(DomainName::parse(s).expect("name"))
    }

    fn obs(s: &str, p: Predicate, o: Entity, t: Timestamp, src: &str) -> Observation {
        let w = Window {
            first_seen: t,
            last_seen: t,
            count: 1,
        };
        Observation::new(d(s), p, o, w, src.to_string(), t).expect("observation")
    }

    /// Delegation `i` of a test zone: shared and own name servers, glue,
    /// a free-text object (its shown form varies in case), and every
    /// 97th delegation the one before it again with a fact twice (refused
    /// by the form: that holder is then kept out, its facts given back).
    fn delegation(i: usize) -> Vec<(Entity, Predicate, Entity)> {
        let again = i % 97 == 50;
        let name = format!("n{:05}.test", if again { i - 1 } else { i });
        let own = format!("ns.{name}");
        let mut f = vec![
            (
                d(&name),
                Predicate::NAMESERVER_HOST,
                d(&format!("ns{}.host.net", i % 50)),
            ),
            (d(&name), Predicate::NAMESERVER_HOST, d(&own)),
            (d(&name), Predicate::IN_ZONE, d("test")),
            (
                d(&own),
                Predicate::IP,
                Entity::Ip(scry_model::Ip::parse(&format!("192.0.2.{}", i % 250)).expect("ip")),
            ),
        ];
        if i.is_multiple_of(13) {
            let shown = if i.is_multiple_of(2) {
                "Signed"
            } else {
                "signed"
            };
            f.push((d(&name), Predicate::DNSSEC, Entity::Text(shown.into())));
        }
        if again {
            f.push(f[0].clone());
        }
        f
    }

    fn refs(f: &[(Entity, Predicate, Entity)]) -> Vec<(&Entity, Predicate, &Entity)> {
        f.iter().map(|(s, p, o)| (s, *p, o)).collect()
    }

    /// Every key and value of the form's keyspaces.
    fn form_dump(s: &EmbeddedStore) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        for ks in [&s.zdl, &s.zrv, &s.zcn, &s.nam] {
            for kv in plain(ks.iter()) {
                let (k, v) = kv.expect("read");
                out.push((k.to_vec(), v.to_vec()));
            }
            out.push((b"--".to_vec(), Vec::new()));
        }
        out
    }

    /// The form fed by two adders (blocks alternating, the second on its
    /// own thread) stores byte for byte what one adder stores, and gives
    /// back the same refused facts.
    #[test]
    fn a_second_lane_stores_what_one_adder_stores() {
        let zone: Vec<_> = (0..3_000).map(delegation).collect();
        let one_dir = tempfile::tempdir().expect("tempdir");
        let one = EmbeddedStore::open_path(one_dir.path()).expect("open");
        let mut z = Box::new(
            one.zone_form_load("zone:test", DATE)
                .expect("load")
                .expect("form"),
        );
        let mut refused_one = 0;
        for f in &zone {
            if !z.add(&refs(f)).expect("add") {
                refused_one += 1;
            }
        }
        let mut back_one: Vec<String> = z
            .finish()
            .expect("finish")
            .iter()
            .map(|t| format!("{t:?}"))
            .collect();
        back_one.sort();

        let two_dir = tempfile::tempdir().expect("tempdir");
        let two = EmbeddedStore::open_path(two_dir.path()).expect("open");
        let mut z = Box::new(
            two.zone_form_load("zone:test", DATE)
                .expect("load")
                .expect("form"),
        );
        let mut lane = z
            .second_lane()
            .expect("lane")
            .expect("the embedded form has one");
        assert!(z.second_lane().expect("lane").is_none(), "one second lane");
        // Blocks of varying size, even ones for the form, odd ones for the lane.
        let mut blocks = Vec::new();
        let mut at = 0;
        while at < zone.len() {
            let len = 1 + (blocks.len() * 37) % 150;
            blocks.push(&zone[at..(at + len).min(zone.len())]);
            at += len;
        }
        let refused_two = std::thread::scope(|sc| {
            let odd: Vec<_> = blocks.iter().skip(1).step_by(2).copied().collect();
            let h = sc.spawn(move || {
                let mut refused = 0;
                for b in odd {
                    for f in b {
                        if !lane.add(&refs(f)).expect("lane add") {
                            refused += 1;
                        }
                    }
                    lane.end_block().expect("lane block");
                }
                lane.finish().expect("lane finish");
                refused
            });
            let mut refused = 0;
            for b in blocks.iter().step_by(2) {
                for f in *b {
                    if !z.add(&refs(f)).expect("add") {
                        refused += 1;
                    }
                }
                z.end_block().expect("block");
            }
            refused + h.join().expect("lane thread")
        });
        let mut back_two: Vec<String> = z
            .finish()
            .expect("finish")
            .iter()
            .map(|t| format!("{t:?}"))
            .collect();
        back_two.sort();
        assert_eq!(refused_one, 31);
        assert!(back_one.len() >= 31 * 4, "{}", back_one.len());
        assert_eq!(refused_two, refused_one);
        assert_eq!(back_two, back_one);
        let (a, b) = (form_dump(&one), form_dump(&two));
        assert!(a.len() > 3_000 * 4, "{}", a.len());
        assert!(a == b, "the two loads differ");
    }

    /// A lane dropped before its end fails the form's commit.
    #[test]
    fn a_lane_dropped_unfinished_fails_the_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = EmbeddedStore::open_path(dir.path()).expect("open");
        let mut z = Box::new(
            s.zone_form_load("zone:test", DATE)
                .expect("load")
                .expect("form"),
        );
        let lane = z.second_lane().expect("lane").expect("lane");
        let f = delegation(1);
        let refs: Vec<_> = f.iter().map(|(s, p, o)| (s, *p, o)).collect();
        assert!(z.add(&refs).expect("add"));
        z.end_block().expect("block");
        drop(lane);
        assert!(z.finish().is_err());
        assert_eq!(form_dump(&s).len(), 4, "nothing stored");
    }

    /// Keys in the run's domain order: the holder keys and forward names
    /// of one-label delegations sort as the domain text does (`-` before
    /// `.`), so an ordered sink writes them all to its own run.
    #[test]
    fn delegations_in_domain_order_give_holder_and_forward_keys_in_order() {
        let mut names = vec![
            "a.com",
            "a-b.com",
            "a0.com",
            "ab.com",
            "a--b.com",
            "b.com",
            "zz.com",
            "z-z.com",
            "xn--bcher-kva.com",
            "9.com",
            "a-z.com",
        ];
        names.sort_unstable();
        let keys: Vec<Vec<u8>> = names.iter().map(|n| entity_key(&d(n))).collect();
        let holders: Vec<Vec<u8>> = keys
            .iter()
            .map(|k| holder_key_of(k).expect("holder"))
            .collect();
        let forward: Vec<Vec<u8>> = keys
            .iter()
            .map(|k| keys::forward_name_key(k).expect("forward"))
            .collect();
        assert!(holders.windows(2).all(|w| w[0] < w[1]), "{names:?}");
        assert!(forward.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    }

    /// A sink's runs merge to every key in order whatever order the keys
    /// came in; keys in order skip the sorter.
    #[test]
    fn an_ordered_sink_merges_to_all_keys_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sorter = Sorter::new(dir.path(), "t", Rule::Max, 1 << 10, false);
        let mut sink = Sink::ordered(dir.path(), "t", sorter).expect("sink");
        // Mostly ascending, with keys out of order and a repeat.
        let mut pushed = Vec::new();
        for i in 0u32..2_000 {
            let k = if i % 97 == 5 {
                (i / 3).to_be_bytes()
            } else {
                i.to_be_bytes()
            };
            sink.push(&k, &i.to_be_bytes()).expect("push");
            pushed.push(k.to_vec());
        }
        sink.push(&7u32.to_be_bytes(), b"zz").expect("push");
        pushed.push(7u32.to_be_bytes().to_vec());
        let in_order = sink.ordered.as_ref().map_or(0, |w| w.records());
        assert!(in_order > 1_900, "{in_order} keys took the ordered run");
        let runs = sink.finish().expect("finish");
        assert!(runs.len() > 1, "the keys out of order were sorted");
        pushed.sort_unstable();
        pushed.dedup();
        let mut m = Merged::open(&runs, Rule::Max).expect("merge");
        let mut got = Vec::new();
        while let Some((k, v)) = m.next().expect("next") {
            if k == 7u32.to_be_bytes() {
                assert_eq!(v, b"zz", "a repeated key merged by the rule");
            }
            got.push(k.to_vec());
        }
        assert_eq!(got, pushed);
    }

    /// A store with `a.test` and `b.test` in the zone form.
    fn loaded(path: &Path) -> EmbeddedStore {
        let s = EmbeddedStore::open_path(path).expect("open");
        let mut z = Box::new(
            s.zone_form_load("zone:test", DATE)
                .expect("load")
                .expect("an empty store takes the zone form"),
        );
        for name in ["a.test", "b.test"] {
            let facts = [
                (d(name), Predicate::NAMESERVER_HOST, d("ns1.host.net")),
                (d(name), Predicate::IN_ZONE, d("test")),
            ];
            let refs: Vec<_> = facts.iter().map(|(s, p, o)| (s, *p, o)).collect();
            assert!(z.add(&refs).expect("add"));
        }
        assert!(z.finish().expect("finish").is_empty());
        s
    }

    fn facts_of(s: &EmbeddedStore, name: &str) -> Vec<String> {
        let page = s
            .facts(&FactQuery {
                subject: SubjectSel::Exact(d(name)),
                predicates: Vec::new(),
                fence: TimeFence::default(),
                limit: 100,
            })
            .expect("facts");
        page.facts
            .iter()
            .map(|f| {
                format!(
                    "{} {} {:?} {:?}",
                    f.predicate, f.object, f.window, f.sources
                )
            })
            .collect()
    }

    #[test]
    fn a_crash_between_a_materialising_write_and_its_tombstones_is_finished_on_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = loaded(dir.path());
        let before = facts_of(&s, "a.test");
        assert_eq!(before.len(), 2, "{before:?}");
        // The write of `a.test`'s pDNS fact, its zone facts taken along,
        // then a crash before the tombstones.
        let mut batch = WriteBatch {
            observations: vec![obs(
                "a.test",
                Predicate::NAMESERVER_HOST,
                d("ns9.other.net"),
                DATE + 86_400,
                "pdns:s1",
            )],
            ..Default::default()
        };
        let mut taken = Vec::new();
        s.zone_take(&mut batch.observations, &mut HashSet::new(), &mut taken)
            .expect("take");
        assert_eq!(taken.len(), 1);
        s.write_intents(&taken).expect("intents");
        s.write_batch(batch).expect("write");
        // Until the next open, the holder is in both places.
        assert_eq!(facts_of(&s, "a.test").len(), 5);
        drop(s);
        let s = EmbeddedStore::open_path(dir.path()).expect("reopen");
        let after = facts_of(&s, "a.test");
        assert_eq!(after.len(), 3, "{after:?}");
        for f in &before {
            assert!(after.contains(f), "{f} kept as it was: {after:?}");
        }
        assert_eq!(s.zone_holders().expect("holders"), (1, 2));
        assert!(s.check().expect("check").problems.is_empty());
        assert!(s.meta.prefix(INTENT).next().is_none(), "intent removed");
    }

    #[test]
    fn a_crash_before_the_materialising_write_leaves_the_zone_form() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = loaded(dir.path());
        let mut o = vec![obs(
            "b.test",
            Predicate::NAMESERVER_HOST,
            d("ns9.other.net"),
            DATE,
            "pdns:s1",
        )];
        let mut taken = Vec::new();
        s.zone_take(&mut o, &mut HashSet::new(), &mut taken)
            .expect("take");
        s.write_intents(&taken).expect("intents");
        drop(s);
        let s = EmbeddedStore::open_path(dir.path()).expect("reopen");
        assert_eq!(s.zone_holders().expect("holders"), (2, 2));
        assert_eq!(facts_of(&s, "b.test").len(), 2);
        assert!(
            s.meta.prefix(INTENT).next().is_none(),
            "stale intent removed"
        );
        // And a materialising write through the store moves it for good.
        s.write(WriteBatch {
            observations: o[..1].to_vec(),
            ..Default::default()
        })
        .expect("write");
        assert_eq!(s.zone_holders().expect("holders"), (1, 2));
        assert_eq!(facts_of(&s, "b.test").len(), 3);
        assert!(s.check().expect("check").problems.is_empty());
    }

    #[test]
    fn a_form_committed_and_not_ingested_is_ingested_on_open() {
        // The ingest commits the form, then ingests it while the bulk load
        // commits the ledger entry: a crash in between must leave the form
        // to the next open.
        let dir = tempfile::tempdir().expect("tempdir");
        let s = EmbeddedStore::open_path(dir.path()).expect("open");
        let mut z = Box::new(
            s.zone_form_load("zone:test", DATE)
                .expect("load")
                .expect("zone form"),
        );
        let (name, ns, zone) = (d("e.test"), d("ns1.host.net"), d("test"));
        let facts = [
            (&name, Predicate::NAMESERVER_HOST, &ns),
            (&name, Predicate::IN_ZONE, &zone),
        ];
        assert!(z.add(&facts).expect("add"));
        let (back, ingest) = (z as Box<dyn crate::ZoneForm>).commit().expect("commit");
        assert!(back.is_empty());
        drop(ingest);
        assert!(facts_of(&s, "e.test").is_empty(), "not ingested yet");
        drop(s);
        let s = EmbeddedStore::open_path(dir.path()).expect("reopen");
        assert_eq!(facts_of(&s, "e.test").len(), 2);
        assert!(!dir.path().join(DIR).try_exists().expect("stat"));
        assert!(s.check().expect("check").problems.is_empty());
    }

    #[test]
    fn a_load_interrupted_after_its_commit_is_ingested_on_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = EmbeddedStore::open_path(dir.path()).expect("open");
        let mut z = s
            .zone_form_load("zone:test", DATE)
            .expect("load")
            .expect("zone form");
        let facts = [(d("c.test"), Predicate::NAMESERVER_HOST, d("ns1.host.net"))];
        let refs: Vec<_> = facts.iter().map(|(s, p, o)| (s, *p, o)).collect();
        assert!(crate::ZoneForm::add(&mut z, &refs).expect("add"));
        // As `finish` does, up to the commit file, then a crash.
        if let Some(mut spare) = z.spare.take() {
            spare.send(Mark::Done).expect("spare");
        }
        z.lane.send(Mark::Done).expect("lane");
        let [zdl, zrv, nam] = z.sorters.join().expect("sorters");
        let finish = |s: Sink| s.finish();
        let (zdl, zrv, nam) = (
            finish(zdl).expect("zdl"),
            finish(zrv).expect("zrv"),
            finish(nam).expect("nam"),
        );
        let c = Commit {
            zdl,
            zrv,
            nam,
            foreign: Vec::new(),
            texts: Vec::new(),
        };
        fs::write(z.dir.join(COMMIT), serde_json::to_vec(&c).expect("json")).expect("commit");
        drop(z);
        assert!(facts_of(&s, "c.test").is_empty());
        drop(s);
        let s = EmbeddedStore::open_path(dir.path()).expect("reopen");
        assert_eq!(facts_of(&s, "c.test").len(), 1);
        assert!(!dir.path().join(DIR).try_exists().expect("stat"));
        assert!(s.check().expect("check").problems.is_empty());
    }
}
