//! The pDNS form: a first passive-DNS load stored as its facts and their
//! reverse entries only, the holdings, pivots and counts served on read.
//!
//! A 1 M-rrset first load writes ~7.5 keys per rrset on the fact path
//! (`fwd`, `rev`, `dom`, `piv`, `cnt`, `nam`, `seen`, `evt`). The pDNS
//! queries read only `fwd`, `rev` (covering) and `nam`; the rest serve the
//! generic reads of the same predicates. Here a load into a store holding
//! nothing writes:
//!
//! | keyspace | key | value |
//! |---|---|---|
//! | `fwd`, `rev`, `nam`, `disp` | exactly the fact path's keys | exactly its values |
//! | `pho` | holder (a registrable domain's key) | per predicate the latest last-seen of its facts (predicate id · i64) |
//! | `pcn` | predicate · object (the `cnt` key) | (current, historic) form holders of the value |
//!
//! and no `dom`, `piv`, `cnt` or `seen` key for the form's holders. Events
//! (`pdns_first_seen`) and the ledger entry go through the bulk load as
//! before.
//!
//! **Partition invariant**: a holder is in `pho` (its holdings, pivot
//! entries, count shares and name markers not written: derived from its
//! `fwd` keys on read) or it is generic, never both. Reads: `holdings`
//! synthesises the holder's `dom` entries from one `fwd` prefix scan;
//! `pivot` and `scan_values` synthesise `piv` entries from `rev` (a
//! value's subjects of one holder are contiguous there), the current flag
//! from the holder's `pho` latest; counts are `cnt` + `pcn`;
//! `known_subjects` is `seen`, else `pho` plus a `fwd` prefix probe.
//! `facts`, `reverse`, `subject_summary`, `names_forward` and the pDNS
//! queries read the generic keyspaces unchanged.
//!
//! **Materialisation**: a write (batch or bulk load) touching a form
//! holder first writes the holder's `dom`, `piv`, `cnt` shares and `seen`
//! markers, moves its `pcn` shares and removes its `pho` key, all in one
//! synced batch: the store before and after that batch answers every read
//! the same, so no intent marker is needed.
//!
//! **Load** (`EmbeddedPdnsForm`): domain facts go to three sorters (`fwd`
//! and `rev` merging equal keys as facts, `nam`), anything else and the
//! first sightings to an inner bulk load, which only logs the candidates
//! (no `sight` sorter): each `nam` key carries its subject's candidate
//! ordinal in the batch (the least kept), candidates no fact of their
//! batch matched go to a small `cand` sorter, and the bulk load keeps each
//! name's least ordinal from those runs (a bitmap over the ordinals) as
//! it numbers the events from the log. At `finish`: the runs are
//! fsynced and `pdnsform/COMMIT` (runs, ledger key) written; the inner
//! bulk load commits (events, sources, ledger entry); then the runs are
//! ingested (`fwd` with `pho` and the count moves derived from it on one
//! thread, `rev` on another, then `nam`, `pcn`). An open that finds
//! `COMMIT` ingests again (absolute values) when the ledger entry is
//! stored, and removes the directory otherwise (the bulk load never
//! committed: the store holds nothing of the load).

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use fjall::Slice;
use scry_model::{Entity, Window};

use super::bulk::write_synced;
use super::bulk::{
    EmbeddedBulk, Merged, Order, Rule, Sorter, decode_delta, encode_delta, fact_key,
};
use super::codec::{FactVal, HoldVal, decode_count, encode_count};
use super::write::{MARK_HOLDER, MARK_SUBJECT};
use super::zone::{Stream, holder_key_of, merge};
use super::{EmbeddedStore, Writer};
use crate::error::{Result, StoreError};
use crate::keys::{self, push_entity, read_pred};
use crate::{BulkLoad, LedgerEntry, WriteBatch, WriteReceipt};

const DIR: &str = "pdnsform";
const COMMIT: &str = "COMMIT";
const FWD_BUDGET: usize = 16 << 20;
const REV_BUDGET: usize = 16 << 20;
const NAM_BUDGET: usize = 8 << 20;
const SIDE_BUDGET: usize = 16 << 20;
/// First-sighting candidates matched by no fact of their batch.
const CAND_BUDGET: usize = 4 << 20;

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corruption {
        what: "pdns form",
        detail: detail.into(),
    }
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

type Kv = (Slice, Slice);

/// A `pho` value: (predicate id, latest last-seen), sorted by predicate.
fn decode_latest(v: &[u8]) -> Result<Vec<(u16, i64)>> {
    if !v.len().is_multiple_of(10) {
        return Err(corrupt("bad pho value"));
    }
    Ok(v.chunks_exact(10)
        .map(|c| {
            let p = u16::from_be_bytes([c[0], c[1]]);
            let mut t = [0u8; 8];
            t.copy_from_slice(&c[2..]);
            (p, i64::from_be_bytes(t))
        })
        .collect())
}

/// The latest last-seen of predicate `pred` among a holder's facts
/// (`i64::MIN` when it has none).
fn latest_of(latest: &[(u16, i64)], pred: [u8; 2]) -> i64 {
    let p = u16::from_be_bytes(pred);
    latest
        .iter()
        .find(|(q, _)| *q == p)
        .map_or(i64::MIN, |(_, t)| *t)
}

fn is_current(pred: [u8; 2], last_seen: i64, latest: i64) -> Result<bool> {
    let (p, _) = read_pred(&pred)?;
    Ok(p.current_rule().is_current(last_seen, latest))
}

/// The `fwd` prefix of a holder's subjects (`D<registrable>\0`).
fn subjects_prefix(holder: &[u8]) -> &[u8] {
    &holder[..holder.len().saturating_sub(1)]
}

/// One holder's holdings folded from its facts: (predicate · object,
/// window) in `dom` order, and per predicate the latest last-seen.
#[derive(Default)]
struct Fold {
    holdings: BTreeMap<Vec<u8>, Window>,
    latest: Vec<(u16, i64)>,
    subjects: Vec<Vec<u8>>,
}

impl Fold {
    fn add(&mut self, subject: &[u8], po: &[u8], w: &Window) {
        if self.subjects.last().map(Vec::as_slice) != Some(subject) {
            self.subjects.push(subject.to_vec());
        }
        self.holdings
            .entry(po.to_vec())
            .and_modify(|x| x.merge(w))
            .or_insert(*w);
        let p = u16::from_be_bytes([po[0], po[1]]);
        match self.latest.iter_mut().find(|(q, _)| *q == p) {
            Some((_, t)) => *t = (*t).max(w.last_seen),
            None => self.latest.push((p, w.last_seen)),
        }
    }

    fn latest_value(&self) -> Vec<u8> {
        let mut l = self.latest.clone();
        l.sort_unstable();
        let mut v = Vec::with_capacity(l.len() * 10);
        for (p, t) in l {
            v.extend_from_slice(&p.to_be_bytes());
            v.extend_from_slice(&t.to_be_bytes());
        }
        v
    }

    /// (predicate · object, holding) in key order.
    fn holdings(&self) -> Result<Vec<(&[u8], HoldVal)>> {
        let mut out = Vec::with_capacity(self.holdings.len());
        for (po, w) in &self.holdings {
            let pred = [po[0], po[1]];
            let latest = latest_of(&self.latest, pred);
            out.push((
                po.as_slice(),
                HoldVal {
                    window: *w,
                    current: is_current(pred, w.last_seen, latest)?,
                },
            ));
        }
        Ok(out)
    }
}

impl EmbeddedStore {
    fn pdns_present(&self) -> bool {
        self.pdns_present.load(Ordering::SeqCst)
    }

    /// Holders in the pDNS form (not materialised). One scan of `pho`.
    pub fn pdns_holders(&self) -> Result<u64> {
        let mut n = 0;
        for item in self.pho.iter() {
            item.into_inner()?;
            n += 1;
        }
        Ok(n)
    }

    /// Whether `holder` (its key) is a form holder.
    pub(super) fn pdns_holds(&self, holder: &[u8]) -> Result<bool> {
        Ok(self.pdns_present() && self.pho.contains_key(holder)?)
    }

    /// A form holder's facts folded (one `fwd` prefix scan).
    fn pdns_fold(&self, holder: &[u8]) -> Result<Fold> {
        let mut f = Fold::default();
        for item in self.fwd.prefix(subjects_prefix(holder)) {
            let (k, v) = item.into_inner()?;
            let sl = keys::entity_len(&k).ok_or_else(|| corrupt("bad fwd key"))?;
            let w = FactVal::decode_window(&v)?;
            f.add(&k[..sl], &k[sl..], &w);
        }
        Ok(f)
    }

    /// `dom` entries of one holder (`prefix` = its key), the form's merged
    /// in.
    pub(super) fn pdns_dom<'a>(&'a self, it: Stream<'a>, prefix: &[u8]) -> Result<Stream<'a>> {
        if !self.pdns_holds(prefix)? {
            return Ok(it);
        }
        let f = self.pdns_fold(prefix)?;
        let mut extra: Vec<Result<Kv>> = Vec::new();
        for (po, hv) in f.holdings()? {
            let mut k = prefix.to_vec();
            k.extend_from_slice(po);
            extra.push(Ok((Slice::from(k), Slice::from(hv.encode().as_slice()))));
        }
        Ok(merge(it, Box::new(extra.into_iter())))
    }

    /// Form holders of a value (`cnt` key), current and historic.
    pub(super) fn pdns_count(&self, cnt_key: &[u8]) -> Result<(u64, u64)> {
        if !self.pdns_present() {
            return Ok((0, 0));
        }
        match self.pcn.get(cnt_key)? {
            Some(v) => decode_count(&v),
            None => Ok((0, 0)),
        }
    }

    /// Whether `subject` has facts in the form.
    pub(super) fn pdns_knows(&self, subject: &Entity) -> Result<bool> {
        if !self.pdns_present() {
            return Ok(false);
        }
        let sk = keys::entity_key(subject);
        let Some(hk) = holder_key_of(&sk) else {
            return Ok(false);
        };
        Ok(self.pho.contains_key(&hk)? && self.fwd.prefix(&sk).next().is_some())
    }

    /// `piv` entries in `[lo, hi)` (`lo` starts with the predicate), the
    /// form's merged in: synthesised from `rev` (object · predicate ·
    /// subject), one holding per run of a form holder's subjects.
    pub(super) fn pdns_piv<'a>(
        &'a self,
        it: Stream<'a>,
        lo: &[u8],
        hi: Option<&[u8]>,
    ) -> Stream<'a> {
        if !self.pdns_present() || lo.len() < 2 {
            return it;
        }
        let pred = [lo[0], lo[1]];
        let rlo = match keys::entity_len(&lo[2..]) {
            Some(ol) => {
                let mut z = lo[2..2 + ol].to_vec();
                z.extend_from_slice(&pred);
                z.extend_from_slice(&lo[2 + ol..]);
                z
            }
            None => lo[2..].to_vec(),
        };
        let rhi = hi
            .filter(|h| h.len() > 2 && h[..2] == pred)
            .map(|h| h[2..].to_vec());
        let src = match rhi {
            Some(h) => self.rev.range(rlo..h),
            None => self.rev.range(rlo..),
        };
        Box::new(merge(
            it,
            Box::new(PivSynth {
                store: self,
                src,
                pred,
                lo: lo.to_vec(),
                hi: hi.map(<[u8]>::to_vec),
                group: None,
                holder: Vec::new(),
                latest: None,
                done: false,
            }),
        ))
    }

    /// Materialises the form holders among `holders` (keys): their
    /// holdings, pivot entries, count shares and name markers written,
    /// `pcn` moved, `pho` removed, in one synced batch. `w` is the writer
    /// state (held by the caller): its count cache loses the moved keys.
    fn pdns_materialise(&self, holders: &[Vec<u8>], w: &mut Writer) -> Result<()> {
        let mut b = self
            .db
            .batch()
            .durability(Some(fjall::PersistMode::SyncAll));
        let mut cnt: BTreeMap<Vec<u8>, (u64, u64)> = BTreeMap::new();
        let mut pcn: BTreeMap<Vec<u8>, (u64, u64)> = BTreeMap::new();
        let mut any = false;
        for h in holders {
            if !self.pho.contains_key(h)? {
                continue;
            }
            any = true;
            let f = self.pdns_fold(h)?;
            let mut mark = vec![MARK_HOLDER];
            mark.extend_from_slice(h);
            b.insert(&self.seen, mark, b"");
            for s in &f.subjects {
                let mut mark = vec![MARK_SUBJECT];
                mark.extend_from_slice(s);
                b.insert(&self.seen, mark, b"");
            }
            for (po, hv) in f.holdings()? {
                let v = hv.encode();
                let mut dk = h.clone();
                dk.extend_from_slice(po);
                b.insert(&self.dom, dk, v.as_slice());
                let mut pk = po.to_vec();
                pk.extend_from_slice(h);
                b.insert(&self.piv, pk, v.as_slice());
                let ck = po.to_vec();
                let (dc, dh) = if hv.current { (1, 0) } else { (0, 1) };
                let c = match cnt.get(&ck) {
                    Some(c) => *c,
                    None => match self.cnt.get(&ck)? {
                        Some(v) => decode_count(&v)?,
                        None => (0, 0),
                    },
                };
                cnt.insert(ck.clone(), (c.0 + dc, c.1 + dh));
                let p = match pcn.get(&ck) {
                    Some(c) => *c,
                    None => match self.pcn.get(&ck)? {
                        Some(v) => decode_count(&v)?,
                        None => (0, 0),
                    },
                };
                if p.0 < dc || p.1 < dh {
                    return Err(corrupt("form count would go negative"));
                }
                pcn.insert(ck, (p.0 - dc, p.1 - dh));
            }
            b.remove(&self.pho, h.as_slice());
        }
        if !any {
            return Ok(());
        }
        for (k, (c, h)) in &cnt {
            b.insert(&self.cnt, k.as_slice(), encode_count(*c, *h));
            w.counts.remove(k);
        }
        for (k, (c, h)) in pcn {
            if c == 0 && h == 0 {
                b.remove(&self.pcn, k);
            } else {
                b.insert(&self.pcn, k, encode_count(c, h));
            }
        }
        b.commit()?;
        Ok(())
    }

    /// The distinct holder keys of a batch's domain subjects not yet in
    /// `done`.
    fn pdns_touched(&self, batch: &WriteBatch, done: &mut HashSet<Vec<u8>>) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut key = Vec::with_capacity(64);
        for o in &batch.observations {
            if !matches!(o.subject, Entity::Domain(_)) {
                continue;
            }
            key.clear();
            push_entity(&mut key, &crate::holder_of(&o.subject));
            if !done.contains(&key) {
                done.insert(key.clone());
                out.push(key.clone());
            }
        }
        out
    }

    /// `Store::write`, the form holders it touches materialised first.
    pub(super) fn pdns_write(&self, batch: WriteBatch) -> Result<WriteReceipt> {
        if self.pdns_present() {
            let touched = self.pdns_touched(&batch, &mut HashSet::new());
            let mut w = super::lock(&self.writer);
            self.pdns_materialise(&touched, &mut w)?;
        }
        self.zone_write(batch)
    }

    /// Wraps a bulk load so that the form holders it touches are
    /// materialised as their facts arrive.
    pub(super) fn pdns_bulk<'a>(&'a self, inner: EmbeddedBulk<'a>) -> Box<dyn BulkLoad + 'a> {
        if !self.pdns_present() {
            return Box::new(inner);
        }
        Box::new(PdnsBulk {
            store: self,
            inner,
            done: HashSet::new(),
        })
    }

    /// A form load, when this store holds nothing (no fact, no name, no
    /// zone form); else `None` (the caller uses the bulk load).
    pub fn pdns_form_load(&self) -> Result<Option<EmbeddedPdnsForm<'_>>> {
        if self.zone_present.load(Ordering::SeqCst)
            || self.pdns_present()
            || self.zdl.first_key_value().is_some()
        {
            return Ok(None);
        }
        let Some(mut inner) = self.bulk()? else {
            return Ok(None);
        };
        if inner.merges() {
            return Ok(None);
        }
        inner.set_form_kept();
        let dir = self.path.join(DIR);
        if let Err(e) = fs::remove_dir_all(&dir)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            return Err(io(&dir, e));
        }
        fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        Ok(Some(EmbeddedPdnsForm {
            store: self,
            fwd: Sorter::new(&dir, "fwd", Rule::Fact, FWD_BUDGET, true),
            rev: Sorter::new(&dir, "rev", Rule::Fact, REV_BUDGET, true),
            nam: Sorter::new(&dir, "nam", Rule::Max, NAM_BUDGET, true).one_buffer(),
            disp: Sorter::new(&dir, "disp", Rule::Max, SIDE_BUDGET, true).one_buffer(),
            cand: Sorter::new(&dir, "cand", Rule::Max, CAND_BUDGET, true).one_buffer(),
            batch: Candidates::default(),
            dir,
            inner: Some(inner),
            key: Vec::with_capacity(128),
            rk: Vec::with_capacity(128),
            last_name: Vec::new(),
            rest: Vec::new(),
            committed: false,
            #[cfg(test)]
            stop: Stop::No,
        }))
    }

    /// Finishes a form load interrupted after its `COMMIT`: ingested again
    /// when its bulk load committed (its ledger entry is stored), else
    /// dropped. Called after the bulk load's own recovery.
    pub(super) fn pdns_recover(&self) -> Result<()> {
        let dir = self.path.join(DIR);
        let commit = dir.join(COMMIT);
        match fs::read(&commit) {
            Ok(body) => {
                let c: Commit = serde_json::from_slice(&body)
                    .map_err(|e| corrupt(format!("{}: {e}", commit.display())))?;
                let mut k = b"ledger:".to_vec();
                k.extend_from_slice(c.ledger.as_bytes());
                if self.meta.contains_key(&k)? {
                    tracing::warn!("finishing a pDNS form load interrupted by a crash");
                    self.pdns_apply(&c)?;
                } else {
                    tracing::warn!("dropping a pDNS form load whose bulk load never committed");
                }
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
        self.pdns_present
            .store(self.pho.first_key_value().is_some(), Ordering::SeqCst);
        Ok(())
    }

    /// Step 3 of a form load: the runs ingested (absolute values).
    fn pdns_apply(&self, c: &Commit) -> Result<u64> {
        let runs = |names: &[String]| -> Vec<PathBuf> {
            names.iter().map(|n| self.path.join(DIR).join(n)).collect()
        };
        let (fwd, rev, nam, disp) = (runs(&c.fwd), runs(&c.rev), runs(&c.nam), runs(&c.disp));
        for ks in [&self.fwd, &self.rev, &self.pho, &self.pcn, &self.nam] {
            self.make_write_room(ks)?;
        }
        self.pdns_present.store(true, Ordering::SeqCst);
        let dir = self.path.join(DIR);
        // Two chains of independent keyspaces side by side: `fwd` (with
        // `pho` folded from it) then `pcn` from its count moves on this
        // thread; `rev`, `nam` and `disp` on the other (together about
        // as long: `fwd`'s chain alone was the finish's tail).
        std::thread::scope(|scope| -> Result<u64> {
            let side = std::thread::Builder::new()
                .name("pdns-form-rev".into())
                .spawn_scoped(scope, || -> Result<()> {
                    ingest_merged(&self.rev, &rev, Rule::Fact)?;
                    ingest_names(&self.nam, &nam)?;
                    self.pdns_ingest_disp(&disp)
                })
                .map_err(|e| StoreError::Engine(format!("pdns form thread: {e}")))?;
            let fwd_done = self
                .pdns_ingest_fwd(&fwd, &dir)
                .and_then(|(n, counts)| self.pdns_ingest_counts(&counts).map(|()| n));
            let side_done = match side.join() {
                Ok(r) => r,
                Err(_) => Err(StoreError::Engine("pdns form rev thread panicked".into())),
            };
            side_done?;
            fwd_done
        })
    }

    /// `pcn`: the count moves summed per value.
    fn pdns_ingest_counts(&self, counts: &[PathBuf]) -> Result<()> {
        let mut ing = self.pcn.start_ingestion()?;
        let mut m = Merged::open(counts, Rule::Count)?;
        let mut order = Order::default();
        while let Some((k, v)) = m.next()? {
            let (c, h) = decode_moves(v)?;
            order.check(k)?;
            ing.write(k, encode_count(c, h).as_slice())?;
        }
        ing.finish()?;
        Ok(())
    }

    /// Display names: each kept unless a later one is stored.
    fn pdns_ingest_disp(&self, disp: &[PathBuf]) -> Result<()> {
        let mut b = self
            .db
            .batch()
            .durability(Some(fjall::PersistMode::SyncAll));
        let mut m = Merged::open(disp, Rule::Max)?;
        while let Some((k, v)) = m.next()? {
            match self.disp.get(k)? {
                Some(old) if old.as_ref() >= v => {}
                _ => b.insert(&self.disp, k, v),
            }
        }
        b.commit()?;
        Ok(())
    }

    /// `fwd` ingested from its runs; each holder's facts folded into its
    /// `pho` key and count moves (sorted into runs returned).
    fn pdns_ingest_fwd(&self, runs: &[PathBuf], dir: &Path) -> Result<(u64, Vec<PathBuf>)> {
        let mut fwd = self.fwd.start_ingestion()?;
        let mut pho = self.pho.start_ingestion()?;
        let mut counts = Sorter::new(dir, "moves", Rule::Count, SIDE_BUDGET, false).one_buffer();
        let mut m = Merged::open(runs, Rule::Fact)?;
        let (mut order, mut horder) = (Order::default(), Order::default());
        let mut holder: Vec<u8> = Vec::new();
        // One fold reused for every holder (no allocation per fact).
        let mut fold = FlatFold::default();
        let mut n = 0u64;
        while let Some((k, v)) = m.next()? {
            order.check(k)?;
            fwd.write(k, v)?;
            n += 1;
            let sl = keys::entity_len(k).ok_or_else(|| corrupt("bad fwd key"))?;
            // The holder key is the subject's `D<registrable>\0` and `\x01`.
            let hl = holder_part_len(&k[..sl]).ok_or_else(|| corrupt("form subject is no name"))?;
            let same = holder.len() == hl + 1 && holder[..hl] == k[..hl];
            if !same {
                if !holder.is_empty() {
                    horder.check(&holder)?;
                    pho.write(holder.as_slice(), fold.finish(&mut counts)?)?;
                }
                holder.clear();
                holder.extend_from_slice(&k[..hl]);
                holder.push(1);
                fold.clear();
            }
            fold.add(&k[sl..], &FactVal::decode_window(v)?)?;
        }
        if !holder.is_empty() {
            horder.check(&holder)?;
            pho.write(holder.as_slice(), fold.finish(&mut counts)?)?;
        }
        fwd.finish()?;
        pho.finish()?;
        Ok((n, counts.finish()?))
    }

    /// Adds the form to a check: its holdings and values, `pho` latest
    /// times against the facts, `pcn` against the holders counted off
    /// `rev`, and that no form holder has a generic holding or marker.
    pub(super) fn pdns_check(&self, r: &mut crate::CheckReport) -> Result<()> {
        if !self.pdns_present() {
            return Ok(());
        }
        let note = |r: &mut crate::CheckReport, p: String| {
            if r.problems.len() < 100 {
                r.problems.push(p);
            }
        };
        for item in self.pho.iter() {
            let (h, v) = item.into_inner()?;
            let f = self.pdns_fold(&h)?;
            r.holdings += f.holdings.len() as u64;
            if f.subjects.is_empty() {
                note(
                    r,
                    format!("form holder without facts: {}", String::from_utf8_lossy(&h)),
                );
            }
            if decode_latest(&v)? != decode_latest(&f.latest_value())? {
                note(
                    r,
                    format!(
                        "form holder's latest times differ from its facts: {}",
                        String::from_utf8_lossy(&h)
                    ),
                );
            }
            let mut mark = vec![MARK_HOLDER];
            mark.extend_from_slice(&h);
            if self.seen.contains_key(&mark)? || self.dom.prefix(&h).next().is_some() {
                note(
                    r,
                    format!("form holder also generic: {}", String::from_utf8_lossy(&h)),
                );
            }
        }
        for item in self.pcn.iter() {
            let (ck, v) = item.into_inner()?;
            let stored = decode_count(&v)?;
            if ck.len() < 3 {
                note(r, "bad form count key".into());
                continue;
            }
            let lo = ck.to_vec();
            let end = keys::prefix_end(&lo);
            let (mut c, mut h) = (0u64, 0u64);
            for item in self.pdns_piv(Box::new(std::iter::empty()), &lo, end.as_deref()) {
                let (_, hv) = item?;
                if HoldVal::decode(&hv)?.current {
                    c += 1;
                } else {
                    h += 1;
                }
            }
            if (c, h) != stored {
                note(
                    r,
                    format!(
                        "form count differs for a value: stored {stored:?}, counted {:?}",
                        (c, h)
                    ),
                );
            }
            if self.piv.prefix(&lo).next().is_none() && c + h > 0 {
                r.values += 1;
            }
        }
        Ok(())
    }
}

/// The length of a domain subject key's `D<registrable>\0` (the holder
/// key without its `\x01`; `holder_key_of`'s part).
fn holder_part_len(subject: &[u8]) -> Option<usize> {
    if subject.first() != Some(&b'D') {
        return None;
    }
    Some(subject.iter().position(|b| *b == 0)? + 1)
}

/// [`Fold`] for the form's ingestion, reused across holders: the
/// (predicate · object) keys back to back in one buffer, sorted and
/// merged when the holder is done; the same holdings and latest times.
#[derive(Default)]
struct FlatFold {
    bytes: Vec<u8>,
    /// (start, end) in `bytes`, window.
    items: Vec<(usize, usize, Window)>,
    latest: Vec<(u16, i64)>,
    value: Vec<u8>,
}

impl FlatFold {
    fn clear(&mut self) {
        self.bytes.clear();
        self.items.clear();
        self.latest.clear();
    }

    fn add(&mut self, po: &[u8], w: &Window) -> Result<()> {
        let [a, b, ..] = *po else {
            return Err(corrupt("bad fwd key"));
        };
        let start = self.bytes.len();
        self.bytes.extend_from_slice(po);
        self.items.push((start, self.bytes.len(), *w));
        let p = u16::from_be_bytes([a, b]);
        match self.latest.iter_mut().find(|(q, _)| *q == p) {
            Some((_, t)) => *t = (*t).max(w.last_seen),
            None => self.latest.push((p, w.last_seen)),
        }
        Ok(())
    }

    /// The holder's count moves pushed (one per distinct predicate ·
    /// object, windows merged); its `pho` value returned.
    fn finish(&mut self, counts: &mut Sorter) -> Result<&[u8]> {
        self.finish_with(|po, current| {
            let mv = if current {
                encode_delta(1, 0)
            } else {
                encode_delta(0, 1)
            };
            counts.push(po, &mv)
        })
    }

    /// [`FlatFold::finish`] with each holding (predicate · object,
    /// current) handed to `holding` in key order.
    fn finish_with(&mut self, mut holding: impl FnMut(&[u8], bool) -> Result<()>) -> Result<&[u8]> {
        let bytes = &self.bytes;
        // Merging windows is commutative: equal keys in any order.
        self.items
            .sort_unstable_by(|x, y| bytes[x.0..x.1].cmp(&bytes[y.0..y.1]));
        let mut i = 0;
        while i < self.items.len() {
            let (s, e, mut w) = self.items[i];
            let po = &bytes[s..e];
            let mut j = i + 1;
            while j < self.items.len() && bytes[self.items[j].0..self.items[j].1] == *po {
                w.merge(&self.items[j].2);
                j += 1;
            }
            let pred = [po[0], po[1]];
            let latest = latest_of(&self.latest, pred);
            holding(po, is_current(pred, w.last_seen, latest)?)?;
            i = j;
        }
        self.latest.sort_unstable();
        self.value.clear();
        for (p, t) in &self.latest {
            self.value.extend_from_slice(&p.to_be_bytes());
            self.value.extend_from_slice(&t.to_be_bytes());
        }
        Ok(&self.value)
    }
}

/// A summed count move as the two counts it leaves (never negative in a
/// load into an empty store).
fn decode_moves(b: &[u8]) -> Result<(u64, u64)> {
    let (c, h) = decode_delta(b)?;
    match (u64::try_from(c), u64::try_from(h)) {
        (Ok(c), Ok(h)) => Ok((c, h)),
        _ => Err(corrupt("bad count move")),
    }
}

/// Ingests the merge of the form's `nam` runs into `nam`, the values
/// (candidate ordinals, or empty from a binary before them) dropped.
fn ingest_names(ks: &fjall::Keyspace, runs: &[PathBuf]) -> Result<()> {
    let mut ing = ks.start_ingestion()?;
    let mut m = Merged::open(runs, Rule::Max)?;
    let mut order = Order::default();
    while let Some((k, _)) = m.next()? {
        order.check(k)?;
        ing.write(k, b"")?;
    }
    ing.finish()?;
    Ok(())
}

/// Ingests the merge of `runs` into `ks`, equal keys merged by `rule`.
fn ingest_merged(ks: &fjall::Keyspace, runs: &[PathBuf], rule: Rule) -> Result<()> {
    let mut ing = ks.start_ingestion()?;
    let mut m = Merged::open(runs, rule)?;
    let mut order = Order::default();
    while let Some((k, v)) = m.next()? {
        order.check(k)?;
        ing.write(k, v)?;
    }
    ing.finish()?;
    Ok(())
}

/// Synthesised `piv` entries of form holders from a `rev` range.
struct PivSynth<'a> {
    store: &'a EmbeddedStore,
    src: fjall::Iter,
    pred: [u8; 2],
    lo: Vec<u8>,
    hi: Option<Vec<u8>>,
    /// The run being folded: (object key, holder key, window).
    group: Option<(Vec<u8>, Vec<u8>, Window)>,
    /// The last holder looked up in `pho`, and its latest times (`None`:
    /// not a form holder).
    holder: Vec<u8>,
    latest: Option<Vec<(u16, i64)>>,
    done: bool,
}

impl PivSynth<'_> {
    /// The `piv` entry of a finished run, if in range: `Err(None)` past
    /// the range's end.
    fn emit(&self, g: (Vec<u8>, Vec<u8>, Window), latest: i64) -> Result<Option<Kv>> {
        let (obj, holder, w) = g;
        let mut pk = Vec::with_capacity(2 + obj.len() + holder.len());
        pk.extend_from_slice(&self.pred);
        pk.extend_from_slice(&obj);
        pk.extend_from_slice(&holder);
        if pk.as_slice() < self.lo.as_slice()
            || self.hi.as_deref().is_some_and(|h| pk.as_slice() >= h)
        {
            return Ok(None);
        }
        let hv = HoldVal {
            window: w,
            current: is_current(self.pred, w.last_seen, latest)?,
        };
        Ok(Some((Slice::from(pk), Slice::from(hv.encode().as_slice()))))
    }

    fn step(&mut self) -> Result<Option<Kv>> {
        loop {
            let Some(item) = self.src.next() else {
                self.done = true;
                let Some(g) = self.group.take() else {
                    return Ok(None);
                };
                let latest = self.latest_for(&g.1)?;
                return self.emit(g, latest);
            };
            let (k, v) = item.into_inner()?;
            let ol = keys::entity_len(&k).ok_or_else(|| corrupt("bad rev key"))?;
            if k.get(ol..ol + 2) != Some(self.pred.as_slice()) {
                continue;
            }
            let subject = &k[ol + 2..];
            let Some(h) = holder_key_of(subject) else {
                continue;
            };
            if h != self.holder {
                self.latest = match self.store.pho.get(&h)? {
                    Some(v) => Some(decode_latest(&v)?),
                    None => None,
                };
                self.holder = h.clone();
            }
            if self.latest.is_none() {
                continue;
            }
            let w = FactVal::decode_window(&v)?;
            let out = match &mut self.group {
                Some((o, gh, gw)) if o.as_slice() == &k[..ol] && *gh == h => {
                    gw.merge(&w);
                    None
                }
                _ => self.group.replace((k[..ol].to_vec(), h, w)),
            };
            if let Some(g) = out {
                let latest = self.latest_for(&g.1)?;
                if let Some(kv) = self.emit(g, latest)? {
                    return Ok(Some(kv));
                }
            }
        }
    }

    fn latest_for(&self, holder: &[u8]) -> Result<i64> {
        let l = match (&self.latest, holder == self.holder.as_slice()) {
            (Some(l), true) => l.clone(),
            _ => match self.store.pho.get(holder)? {
                Some(v) => decode_latest(&v)?,
                None => Vec::new(),
            },
        };
        Ok(latest_of(&l, self.pred))
    }
}

impl Iterator for PivSynth<'_> {
    type Item = Result<Kv>;
    fn next(&mut self) -> Option<Result<Kv>> {
        loop {
            if self.done && self.group.is_none() {
                return None;
            }
            match self.step() {
                Ok(Some(kv)) => return Some(Ok(kv)),
                Ok(None) if self.done => return None,
                Ok(None) => {}
                Err(e) => {
                    self.done = true;
                    self.group = None;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// A bulk load that materialises the form holders its facts touch.
struct PdnsBulk<'a> {
    store: &'a EmbeddedStore,
    inner: EmbeddedBulk<'a>,
    done: HashSet<Vec<u8>>,
}

impl BulkLoad for PdnsBulk<'_> {
    fn add(&mut self, batch: WriteBatch) -> Result<()> {
        let touched = self.store.pdns_touched(&batch, &mut self.done);
        self.store
            .pdns_materialise(&touched, self.inner.writer_mut())?;
        self.inner.add(batch)
    }

    fn add_first_sightings(&mut self, sightings: Vec<(Entity, crate::NewEvent)>) -> Result<()> {
        self.inner.add_first_sightings(sightings)
    }

    fn add_first_sighting_times(
        &mut self,
        kind: &str,
        data: &BTreeMap<String, String>,
        sightings: &[(&scry_model::DomainName, i64)],
    ) -> Result<()> {
        self.inner.add_first_sighting_times(kind, data, sightings)
    }

    fn finish(self: Box<Self>, ledger: Option<LedgerEntry>) -> Result<WriteReceipt> {
        Box::new(self.inner).finish(ledger)
    }
}

/// What `pdnsform/COMMIT` records.
#[derive(serde::Serialize, serde::Deserialize)]
struct Commit {
    fwd: Vec<String>,
    rev: Vec<String>,
    nam: Vec<String>,
    disp: Vec<String>,
    /// The ledger key the inner bulk load commits: stored means the load
    /// is decided.
    ledger: String,
}

/// Where a test stops a form load.
#[cfg(test)]
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    No,
    /// After `COMMIT`, before the inner bulk load commits.
    AfterCommit,
    /// After the inner bulk load committed, before the form's ingestion.
    AfterBulk,
    /// After the inner bulk load's `COMMIT` and the form's ingestion,
    /// before the bulk load's step 3 (events, ledger).
    FormBeforeBulk,
}

/// A pDNS form load (see the module docs).
pub struct EmbeddedPdnsForm<'a> {
    store: &'a EmbeddedStore,
    dir: PathBuf,
    inner: Option<EmbeddedBulk<'a>>,
    fwd: Sorter,
    rev: Sorter,
    /// Valued by the complement of the subject's candidate ordinal in
    /// its batch (`Rule::Max` keeps the least; see [`Candidates`]): the
    /// bulk load's events take each name's first candidate from these
    /// runs, the values dropped as `nam` is ingested.
    nam: Sorter,
    disp: Sorter,
    /// Candidates no fact of their batch matched, keyed as `nam` (and
    /// other subjects' as `0xFF` · entity key), valued likewise.
    cand: Sorter,
    batch: Candidates,
    key: Vec<u8>,
    rk: Vec<u8>,
    last_name: Vec<u8>,
    rest: Vec<scry_model::Observation>,
    committed: bool,
    #[cfg(test)]
    pub(super) stop: Stop,
}

/// The current batch's compact first-sighting candidates (one per name
/// and batch, as [`BulkLoad::add_first_sighting_times`] gets them): their
/// names in one buffer, each with its ordinal and whether a fact of the
/// batch matched it, and an open-addressing table over the names (a
/// binary search over the sorted names cost ~3 % of a load's samples).
#[derive(Default)]
struct Candidates {
    names: Vec<u8>,
    /// (start, end) in `names`, ordinal; in ordinal order.
    entries: Vec<((u32, u32), u64)>,
    matched: Vec<bool>,
    /// Entry index + 1 per slot (0: empty); a power of two, at least
    /// twice the entries. A name's first entry only (its least ordinal).
    slots: Vec<u32>,
    /// Keyed: the names come from sensors' and feeds' input, and linear
    /// probing with a known hash could be made quadratic.
    hash: crate::namehash::NameHash,
}

impl Candidates {
    fn name(&self, i: usize) -> &[u8] {
        let ((a, b), _) = self.entries[i];
        &self.names[a as usize..b as usize]
    }

    fn slot_of(&self, name: &[u8]) -> usize {
        let mask = self.slots.len() - 1;
        (std::hash::BuildHasher::hash_one(&self.hash, name) as usize) & mask
    }

    /// The batch's candidates, numbered from `first`.
    fn fill(&mut self, first: u64, sightings: &[(&scry_model::DomainName, i64)]) -> Result<()> {
        self.names.clear();
        self.entries.clear();
        for (i, (name, _)) in sightings.iter().enumerate() {
            let a = self.names.len();
            self.names.extend_from_slice(name.ascii().as_bytes());
            let b = self.names.len();
            let (Ok(a), Ok(b)) = (u32::try_from(a), u32::try_from(b)) else {
                return Err(StoreError::Invalid("first sightings too large".into()));
            };
            self.entries.push(((a, b), first + i as u64));
        }
        let n = u32::try_from(self.entries.len())
            .map_err(|_| StoreError::Invalid("first sightings too large".into()))?;
        self.slots.clear();
        self.slots
            .resize((2 * self.entries.len()).next_power_of_two().max(16), 0);
        let mask = self.slots.len() - 1;
        for i in 0..n {
            let mut at = self.slot_of(self.name(i as usize));
            loop {
                match self.slots[at] {
                    0 => {
                        self.slots[at] = i + 1;
                        break;
                    }
                    // A repeated name keeps its first (least) ordinal.
                    j if self.name(j as usize - 1) == self.name(i as usize) => break,
                    _ => at = (at + 1) & mask,
                }
            }
        }
        self.matched.clear();
        self.matched.resize(self.entries.len(), false);
        Ok(())
    }

    /// The least ordinal of `name`'s candidates in the batch, marked
    /// matched; `u64::MAX` when it has none.
    fn find(&mut self, name: &[u8]) -> u64 {
        if self.entries.is_empty() {
            return u64::MAX;
        }
        let mask = self.slots.len() - 1;
        let mut at = self.slot_of(name);
        loop {
            match self.slots[at] {
                0 => return u64::MAX,
                j if self.name(j as usize - 1) == name => {
                    let i = j as usize - 1;
                    self.matched[i] = true;
                    return self.entries[i].1;
                }
                _ => at = (at + 1) & mask,
            }
        }
    }

    /// The unmatched candidates into `cand` (keyed as `nam`: the name and
    /// a dot); then empty.
    fn flush(&mut self, cand: &mut Sorter, key: &mut Vec<u8>) -> Result<()> {
        for i in 0..self.entries.len() {
            if !self.matched[i] {
                key.clear();
                key.extend_from_slice(self.name(i));
                key.push(b'.');
                cand.push(key, &(!self.entries[i].1).to_be_bytes())?;
            }
        }
        self.names.clear();
        self.entries.clear();
        self.matched.clear();
        Ok(())
    }
}

impl<'a> EmbeddedPdnsForm<'a> {
    fn inner(&mut self) -> Result<&mut EmbeddedBulk<'a>> {
        self.inner
            .as_mut()
            .ok_or_else(|| StoreError::Engine("pdns form load already finished".into()))
    }
}

impl Drop for EmbeddedPdnsForm<'_> {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl EmbeddedPdnsForm<'_> {
    /// Domain facts into the form's sorters; the rest kept in `self.rest`
    /// for the inner bulk load.
    fn take_facts(
        &mut self,
        observations: impl Iterator<Item = scry_model::Observation>,
    ) -> Result<()> {
        let mut last: Option<(String, u16)> = None;
        for o in observations {
            if !matches!(o.subject, Entity::Domain(_)) {
                self.rest.push(o);
                continue;
            }
            let sid = match &last {
                Some((n, id)) if *n == o.source => *id,
                _ => {
                    let id = self.inner()?.source_id(&o.source)?;
                    last = Some((o.source.clone(), id));
                    id
                }
            };
            let (sl, at, display) = fact_key(&mut self.key, &o);
            let key = &self.key;
            if let Some(d) = display {
                self.disp.push(&key[at..], d)?;
            }
            let v = FactVal::encode_one(&o.window, sid);
            self.fwd.push(key, &v)?;
            let rk = &mut self.rk;
            rk.clear();
            rk.extend_from_slice(&key[at..]);
            rk.extend_from_slice(&key[sl..at]);
            rk.extend_from_slice(&key[..sl]);
            self.rev.push(rk, &v)?;
            if key[..sl] != self.last_name[..] {
                self.last_name.clear();
                self.last_name.extend_from_slice(&key[..sl]);
                if let Some(f) = keys::forward_name_key(&key[..sl]) {
                    let ordinal = match &o.subject {
                        Entity::Domain(d) => self.batch.find(d.ascii().as_bytes()),
                        _ => u64::MAX,
                    };
                    self.nam.push(&f, &(!ordinal).to_be_bytes())?;
                }
            }
        }
        Ok(())
    }
}

impl BulkLoad for EmbeddedPdnsForm<'_> {
    fn add(&mut self, mut batch: WriteBatch) -> Result<()> {
        let mut observations = std::mem::take(&mut batch.observations);
        self.take_facts(observations.drain(..))?;
        batch.observations = std::mem::take(&mut self.rest);
        if !batch.observations.is_empty() || !batch.events.is_empty() || !batch.documents.is_empty()
        {
            self.inner()?.add(batch)?;
        }
        Ok(())
    }

    fn add_observations(&mut self, observations: &mut Vec<scry_model::Observation>) -> Result<()> {
        self.take_facts(observations.drain(..))?;
        if !self.rest.is_empty() {
            let rest = std::mem::take(&mut self.rest);
            self.inner()?.add(WriteBatch {
                observations: rest,
                ..Default::default()
            })?;
        }
        Ok(())
    }

    fn add_first_sightings(&mut self, sightings: Vec<(Entity, crate::NewEvent)>) -> Result<()> {
        // Each keyed by its subject for the kept runs (a name as `nam`
        // keys it), with its ordinal.
        let first = self.inner()?.next_ordinal();
        for (i, (subject, _)) in sightings.iter().enumerate() {
            self.key.clear();
            push_entity(&mut self.key, subject);
            match keys::forward_name_key(&self.key) {
                Some(f) => self.rk = f,
                None => {
                    self.rk.clear();
                    self.rk.push(0xFF);
                    self.rk.extend_from_slice(&self.key);
                }
            }
            self.cand
                .push(&self.rk, &(!(first + i as u64)).to_be_bytes())?;
        }
        self.inner()?.add_first_sightings(sightings)
    }

    fn add_first_sighting_times(
        &mut self,
        kind: &str,
        data: &BTreeMap<String, String>,
        sightings: &[(&scry_model::DomainName, i64)],
    ) -> Result<()> {
        self.batch.flush(&mut self.cand, &mut self.key)?;
        let first = self.inner()?.next_ordinal();
        self.batch.fill(first, sightings)?;
        self.inner()?
            .add_first_sighting_times(kind, data, sightings)
    }

    fn finish(mut self: Box<Self>, ledger: Option<LedgerEntry>) -> Result<WriteReceipt> {
        let Some(ledger) = ledger else {
            return Err(StoreError::Invalid(
                "a pDNS form load needs a ledger entry".into(),
            ));
        };
        let started = std::time::Instant::now();
        let take = |s: &mut Sorter, name: &'static str, rule: Rule, dir: &Path| {
            std::mem::replace(s, Sorter::new(dir, name, rule, 0, true)).finish()
        };
        let dir = self.dir.clone();
        let name = |p: &PathBuf| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        self.batch.flush(&mut self.cand, &mut self.key)?;
        let cand = take(&mut self.cand, "cand", Rule::Max, &dir)?;
        let commit = Commit {
            fwd: take(&mut self.fwd, "fwd", Rule::Fact, &dir)?
                .iter()
                .map(name)
                .collect(),
            rev: take(&mut self.rev, "rev", Rule::Fact, &dir)?
                .iter()
                .map(name)
                .collect(),
            nam: take(&mut self.nam, "nam", Rule::Max, &dir)?
                .iter()
                .map(name)
                .collect(),
            disp: take(&mut self.disp, "disp", Rule::Max, &dir)?
                .iter()
                .map(name)
                .collect(),
            ledger: ledger.key.clone(),
        };
        // The bulk load's first sightings: each name's first candidate
        // from the `nam` and `cand` runs (paths under the store's
        // directory: they stay until both loads are finished).
        let kept = commit
            .nam
            .iter()
            .cloned()
            .chain(cand.iter().map(name))
            .map(|n| format!("{DIR}/{n}"))
            .collect();
        self.inner()?.set_kept_runs(kept);
        let body = serde_json::to_vec(&commit).map_err(|e| StoreError::Engine(e.to_string()))?;
        write_synced(&dir, COMMIT, &body)?;
        self.committed = true;
        tracing::info!(
            secs = started.elapsed().as_secs_f64(),
            "pdns form: runs written, committed"
        );
        #[cfg(test)]
        if self.stop == Stop::AfterCommit {
            self.inner.take();
            return Ok(WriteReceipt::default());
        }
        let inner = self
            .inner
            .take()
            .ok_or_else(|| StoreError::Engine("pdns form load already finished".into()))?;
        #[cfg(test)]
        if self.stop == Stop::AfterBulk {
            return Box::new(inner).finish(Some(ledger));
        }
        // The form is ingested once the bulk load's `COMMIT` is durable
        // (the load is then decided: the next open finishes the bulk load,
        // which stores the ledger entry, and then the form), alongside the
        // bulk load's own step 3 (events and ledger) when that writes no
        // keyspace of the form's.
        let store = self.store;
        let form = || {
            store
                .pdns_apply(&commit)
                .inspect_err(|_| store.poisoned.store(true, Ordering::SeqCst))
        };
        #[cfg(test)]
        if self.stop == Stop::FormBeforeBulk {
            inner.commit_then_stop(Some(ledger), form)?;
            return Ok(WriteReceipt::default());
        }
        let (mut receipt, n) = inner.finish_then(Some(ledger), form)?;
        fs::remove_dir_all(&dir).map_err(|e| io(&dir, e))?;
        tracing::info!(
            secs = started.elapsed().as_secs_f64(),
            facts = n,
            "pdns form: ingested"
        );
        receipt.facts_new += n;
        receipt.new_known = true;
        Ok(receipt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FactQuery, Store, SubjectSel, TimeFence};
    use scry_model::{DomainName, Ip, Observation, Predicate};

    const T: i64 = 1_767_225_600;

    fn d(s: &str) -> Entity {
        Entity::Domain(DomainName::parse(s).expect("name"))
    }

    fn batch() -> WriteBatch {
        let mut observations = Vec::new();
        for i in 0..20 {
            for (host, last) in [("", T + 3_600), ("www.", T - 5 * 86_400)] {
                let w = Window {
                    first_seen: T - 10 * 86_400,
                    last_seen: last,
                    count: 2,
                };
                observations.push(
                    Observation::new(
                        d(&format!("{host}d{i}.test")),
                        Predicate::IP,
                        Entity::Ip(
                            Ip::parse(&format!("192.0.2.{}", i % 3 + usize::from(host.is_empty())))
                                .expect("ip"),
                        ),
                        w,
                        format!("pdns:s{}", i % 2),
                        T,
                    )
                    .expect("observation"),
                );
            }
        }
        WriteBatch {
            observations,
            ..Default::default()
        }
    }

    fn ledger() -> LedgerEntry {
        LedgerEntry {
            key: "pdns:test".into(),
            name: "test".into(),
            committed_through: 40,
            complete: true,
            updated_at: T,
        }
    }

    /// Loads `batch()` with its first sightings, through the form when
    /// `form` (stopped at `stop`), else the bulk load.
    fn load(s: &EmbeddedStore, form: bool, stop: Stop) {
        let b = batch();
        let names: Vec<DomainName> = b
            .observations
            .iter()
            .filter_map(|o| match &o.subject {
                Entity::Domain(n) => Some(n.clone()),
                _ => None,
            })
            .collect();
        let sightings: Vec<(&DomainName, i64)> = names.iter().map(|n| (n, T)).collect();
        let data = BTreeMap::from([("source".to_string(), "pdns".to_string())]);
        let mut l: Box<dyn BulkLoad + '_> = if form {
            let mut f = s
                .pdns_form_load()
                .expect("form")
                .expect("an empty store takes the form");
            f.stop = stop;
            Box::new(f)
        } else {
            s.bulk_load().expect("bulk").expect("bulk")
        };
        l.add_first_sighting_times("pdns_first_seen", &data, &sightings)
            .expect("sightings");
        l.add(b).expect("add");
        l.finish(Some(ledger())).expect("finish");
    }

    /// Every read the form serves, as lines.
    fn reads(s: &EmbeddedStore) -> Vec<String> {
        let mut out = Vec::new();
        for i in 0..20 {
            for n in [format!("d{i}.test"), format!("www.d{i}.test")] {
                let page = s
                    .facts(&FactQuery {
                        subject: SubjectSel::Exact(d(&n)),
                        predicates: Vec::new(),
                        fence: TimeFence::default(),
                        limit: 100,
                    })
                    .expect("facts");
                out.push(format!("{n}: {:?}", page.facts));
                out.push(format!(
                    "holdings {n}: {:?}",
                    s.holdings(&d(&n)).expect("holdings")
                ));
                out.push(format!(
                    "known {n}: {:?}",
                    s.known_subjects(&[d(&n)]).expect("known")
                ));
            }
        }
        for i in 0..4 {
            let ip = Entity::Ip(Ip::parse(&format!("192.0.2.{i}")).expect("ip"));
            out.push(format!(
                "count {i}: {:?}",
                s.value_counts(&[(Predicate::IP, ip.clone())])
                    .expect("counts")
            ));
            for scope in [crate::Scope::Current, crate::Scope::Historic] {
                let p = s
                    .pivot(&crate::PivotQuery {
                        predicate: Predicate::IP,
                        object: ip.clone(),
                        scope,
                        after: None,
                        limit: 100,
                    })
                    .expect("pivot");
                out.push(format!("pivot {i} {scope:?}: {:?}", p.domains));
            }
        }
        let c = s.check().expect("check");
        out.push(format!(
            "check {} {} {} {} {:?}",
            c.facts, c.holdings, c.values, c.events, c.problems
        ));
        out.push(format!("events {:?}", s.events(0, 1_000).expect("events")));
        out.push(format!(
            "ledger {:?}",
            s.ledger("pdns:test").expect("ledger")
        ));
        out
    }

    fn reference() -> Vec<String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = EmbeddedStore::open_path(dir.path()).expect("open");
        load(&s, false, Stop::No);
        reads(&s)
    }

    /// One batch of [`a_form_load_keeps_each_names_first_sighting_as_the_bulk_load`]:
    /// sighted names with times, facts' names, JSON sightings, events.
    type Round = (
        &'static [(&'static str, i64)],
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    );

    /// `FlatFold` gives `Fold`'s holdings, current flags and `pho` value.
    #[test]
    fn the_flat_fold_folds_as_the_fold() {
        let (a, ns) = (
            scry_model::Predicate::rr(1).id().to_be_bytes(),
            scry_model::Predicate::rr(2).id().to_be_bytes(),
        );
        let po = |p: [u8; 2], o: &str| [&p[..], o.as_bytes()].concat();
        let w = |f: i64, l: i64, c: u64| Window {
            first_seen: f,
            last_seen: l,
            count: c,
        };
        // (subject, predicate · object, window), in `fwd` order: the
        // same holdings under two subjects, a stale one, unsorted keys
        // across subjects.
        let holders = [
            vec![
                ("Dcom.example.\0", po(a, "10.0.0.9"), w(5, 90, 2)),
                ("Dcom.example.\0", po(ns, "ns1."), w(1, 100, 1)),
                ("Dcom.example.\0www.", po(a, "10.0.0.1"), w(3, 10, 4)),
                ("Dcom.example.\0www.", po(a, "10.0.0.9"), w(2, 95, 3)),
                ("Dcom.example.\0zz.", po(ns, "ns1."), w(7, 8, u64::MAX)),
            ],
            vec![("Dnet.other.\0", po(a, "10.0.0.2"), w(1, 1, 1))],
        ];
        let mut flat = FlatFold::default();
        for facts in &holders {
            let mut fold = Fold::default();
            flat.clear();
            for (subject, po, w) in facts {
                fold.add(subject.as_bytes(), po, w);
                flat.add(po, w).unwrap();
            }
            let want: Vec<(Vec<u8>, bool)> = fold
                .holdings()
                .unwrap()
                .into_iter()
                .map(|(po, hv)| (po.to_vec(), hv.current))
                .collect();
            let mut got = Vec::new();
            let value = flat
                .finish_with(|po, current| {
                    got.push((po.to_vec(), current));
                    Ok(())
                })
                .unwrap()
                .to_vec();
            assert_eq!(got, want);
            assert_eq!(value, fold.latest_value());
        }
        assert_eq!(holder_part_len(b"Dcom.example.\0www."), Some(14));
        assert_eq!(holder_part_len(b"Ionly"), None);
    }

    /// Three batches whose first sightings repeat names across batches,
    /// come unsorted, name names no fact of the batch has (and names with
    /// no fact at all), mixed with JSON sightings and plain events: a form
    /// load stores the events a plain bulk load stores, also when it is
    /// finished by an open after a crash.
    #[test]
    fn a_form_load_keeps_each_names_first_sighting_as_the_bulk_load() {
        let data = BTreeMap::from([("source".to_string(), "pdns".to_string())]);
        let obs = |name: &str, first: i64| {
            Observation::new(
                d(name),
                Predicate::IP,
                Entity::Ip(Ip::parse("192.0.2.7").expect("ip")),
                Window {
                    first_seen: first,
                    last_seen: first + 10,
                    count: 1,
                },
                "pdns:s".to_string(),
                T,
            )
            .expect("observation")
        };
        let event = |subject: &str| crate::NewEvent {
            time: T,
            kind: "note".into(),
            subject: subject.into(),
            data: BTreeMap::new(),
        };
        let rounds: [Round; 3] = [
            (
                &[("b.test", T + 1), ("a.test", T + 2), ("c.test", T + 3)],
                &["a.test", "b.test", "c.test", "a.test"],
                &["j.test"],
                &["e1"],
            ),
            (
                &[("a.test", T + 4), ("n.test", T + 5), ("d.test", T + 6)],
                &["d.test", "a.test", "j.test"],
                &["b.test", "d.test"],
                &[],
            ),
            (
                &[
                    ("n.test", T + 7),
                    ("b.test", T + 8),
                    ("e.test", T + 9),
                    ("e.test", T),
                ],
                &["b.test", "e.test", "x.test"],
                &["n.test"],
                &["e2", "e3"],
            ),
        ];
        let load = |s: &EmbeddedStore, form: Option<Stop>| {
            let mut l: Box<dyn BulkLoad + '_> = match form {
                Some(stop) => {
                    let mut f = s.pdns_form_load().expect("form").expect("form");
                    f.stop = stop;
                    Box::new(f)
                }
                None => s.bulk_load().expect("bulk").expect("bulk"),
            };
            for (sighted, facts, json, events) in rounds {
                let names: Vec<DomainName> = sighted
                    .iter()
                    .map(|(n, _)| DomainName::parse(n).expect("name"))
                    .collect();
                let times: Vec<(&DomainName, i64)> = names
                    .iter()
                    .zip(sighted)
                    .map(|(n, (_, t))| (n, *t))
                    .collect();
                l.add_first_sighting_times("pdns_first_seen", &data, &times)
                    .expect("sightings");
                l.add_first_sightings(json.iter().map(|n| (d(n), event(n))).collect())
                    .expect("json sightings");
                l.add(WriteBatch {
                    observations: facts.iter().map(|n| obs(n, T)).collect(),
                    events: events.iter().map(|e| event(e)).collect(),
                    ..Default::default()
                })
                .expect("add");
            }
            l.finish(Some(ledger())).expect("finish");
        };
        let events = |s: &EmbeddedStore| format!("{:?}", s.events(0, 1_000).expect("events"));
        let dir = tempfile::tempdir().expect("tempdir");
        let s = EmbeddedStore::open_path(dir.path()).expect("open");
        load(&s, None);
        let want = events(&s);
        assert!(want.contains("e3") && want.contains("j.test"), "{want}");
        for stop in [Stop::No, Stop::FormBeforeBulk, Stop::AfterBulk] {
            let dir = tempfile::tempdir().expect("tempdir");
            let s = EmbeddedStore::open_path(dir.path()).expect("open");
            load(&s, Some(stop));
            drop(s);
            let s = EmbeddedStore::open_path(dir.path()).expect("reopen");
            assert_eq!(events(&s), want, "stopped at {}", stop as u8);
        }
    }

    #[test]
    fn a_form_load_reads_as_the_bulk_load_and_checks_clean() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = EmbeddedStore::open_path(dir.path()).expect("open");
        load(&s, true, Stop::No);
        assert_eq!(s.pdns_holders().expect("holders"), 20);
        assert!(s.dom.first_key_value().is_none() && s.piv.first_key_value().is_none());
        let got = reads(&s);
        assert!(
            got.iter()
                .any(|l| l.starts_with("check 40 40 4 40 ") && l.ends_with("[]")),
            "{got:?}"
        );
        assert_eq!(got, reference());
        // A batch write touching one holder materialises it: same reads.
        drop(s);
        let s = EmbeddedStore::open_path(dir.path()).expect("reopen");
        let mut w = super::super::lock(&s.writer);
        s.pdns_materialise(&[keys::entity_key(&d("d3.test"))], &mut w)
            .expect("materialise");
        drop(w);
        assert_eq!(s.pdns_holders().expect("holders"), 19);
        assert_eq!(reads(&s), reference());
    }

    /// A crash before the form's `COMMIT` (the load dropped): nothing
    /// stored, the files removed.
    #[test]
    fn a_form_load_dropped_before_commit_stores_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let s = EmbeddedStore::open_path(dir.path()).expect("open");
            let mut f = s.pdns_form_load().expect("form").expect("form");
            f.add(batch()).expect("add");
            drop(f);
        }
        let s = EmbeddedStore::open_path(dir.path()).expect("reopen");
        assert!(s.fwd.first_key_value().is_none());
        assert_eq!(s.pdns_holders().expect("holders"), 0);
        assert!(s.ledger("pdns:test").expect("ledger").is_none());
        assert!(!dir.path().join(DIR).try_exists().expect("stat"));
        // The rerun loads it whole.
        load(&s, true, Stop::No);
        assert_eq!(reads(&s), reference());
    }

    /// A crash after the form's `COMMIT` but before the bulk load's: the
    /// next open drops the form (no ledger entry), and the rerun loads it.
    #[test]
    fn a_form_load_stopped_before_its_bulk_load_committed_is_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let s = EmbeddedStore::open_path(dir.path()).expect("open");
            load(&s, true, Stop::AfterCommit);
            assert!(
                dir.path()
                    .join(DIR)
                    .join(COMMIT)
                    .try_exists()
                    .expect("stat")
            );
        }
        let s = EmbeddedStore::open_path(dir.path()).expect("reopen");
        assert!(s.fwd.first_key_value().is_none());
        assert!(s.events(0, 10).expect("events").is_empty());
        assert!(!dir.path().join(DIR).try_exists().expect("stat"));
        load(&s, true, Stop::No);
        assert_eq!(reads(&s), reference());
    }

    /// A crash after the bulk load's `COMMIT` and the form's ingestion,
    /// before the bulk load stored its events and ledger (the two run
    /// alongside): the next open finishes the bulk load, then ingests the
    /// form again (absolute values).
    #[test]
    fn a_form_load_stopped_before_its_bulk_load_applied_is_finished_on_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let s = EmbeddedStore::open_path(dir.path()).expect("open");
            load(&s, true, Stop::FormBeforeBulk);
            assert!(s.ledger("pdns:test").expect("ledger").is_none());
            assert!(s.events(0, 10).expect("events").is_empty());
            assert!(s.fwd.first_key_value().is_some());
        }
        let s = EmbeddedStore::open_path(dir.path()).expect("reopen");
        assert!(!dir.path().join(DIR).try_exists().expect("stat"));
        assert!(s.ledger("pdns:test").expect("ledger").is_some());
        assert_eq!(s.pdns_holders().expect("holders"), 20);
        assert_eq!(reads(&s), reference());
    }

    /// A crash after the bulk load committed (events, ledger) and before
    /// the form's ingestion: the next open ingests the form.
    #[test]
    fn a_form_load_stopped_after_its_bulk_load_is_finished_on_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let s = EmbeddedStore::open_path(dir.path()).expect("open");
            load(&s, true, Stop::AfterBulk);
            assert!(s.ledger("pdns:test").expect("ledger").is_some());
            assert!(s.fwd.first_key_value().is_none());
        }
        let s = EmbeddedStore::open_path(dir.path()).expect("reopen");
        assert!(!dir.path().join(DIR).try_exists().expect("stat"));
        assert_eq!(s.pdns_holders().expect("holders"), 20);
        assert_eq!(reads(&s), reference());
    }
}
