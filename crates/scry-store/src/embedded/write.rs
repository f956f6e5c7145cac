//! The write path: one batch of observations into the puts of every
//! keyspace.
//!
//! Observations are encoded once into their forward keys, sorted and merged
//! (one vector, no tree). Sorted forward keys make every subject a
//! contiguous run, and every holder too: a registrable domain's hosts share
//! its key prefix up to `\0`. So facts and holdings are produced in key
//! order, and the holder of a subject is read off its key instead of
//! re-parsing the name.
//!
//! A subject or holder the store has never seen has nothing stored: the
//! `seen` keyspace holds one marker per subject (`S` + key) and per holder
//! (`H` + key), written in the batch that first stores it, and one
//! bloom-filtered point read tells a new name from a known one. New names
//! are written without reading anything (a first load, a zone's first
//! snapshot, a day of new registrations); known ones are merged with one
//! bounded scan per subject and per holder. A keyspace written once per
//! new subject (an index of distinct names) belongs in `new_subject`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

use scry_model::{Entity, Predicate, Window};

use super::codec::{FactVal, HoldVal, decode_count, encode_count};
use super::redo::{CNT, DISP, DOC, DOM, EVT, FWD, META, NAM, PIV, Puts, REV, SEEN};
use super::{COUNT_CACHE, EmbeddedStore, lock};
use crate::error::{Result, StoreError};
use crate::keys::{self, entity_key, push_entity, push_pred, read_pred};
use crate::{WriteBatch, WriteReceipt, holder_of};

/// Marker tags in `seen`.
pub(super) const MARK_SUBJECT: u8 = b'S';
pub(super) const MARK_HOLDER: u8 = b'H';

/// One aggregated fact of a batch.
struct Agg {
    /// Forward key: subject · predicate · object.
    key: Vec<u8>,
    subject_len: u32,
    pred: Predicate,
    window: Window,
    /// First source, then any others (rarely more than one).
    source: u16,
    more: Vec<u16>,
}

impl Agg {
    fn subject(&self) -> &[u8] {
        &self.key[..self.subject_len as usize]
    }

    fn object(&self) -> &[u8] {
        &self.key[self.subject_len as usize + 2..]
    }

    fn add_source(&mut self, s: u16) {
        if s != self.source && !self.more.contains(&s) {
            self.more.push(s);
        }
    }

    fn sources(&self) -> Vec<u16> {
        let mut v = Vec::with_capacity(1 + self.more.len());
        v.push(self.source);
        v.extend_from_slice(&self.more);
        v.sort_unstable();
        v
    }
}

/// The key of a subject's holder (its registrable domain), from the
/// subject's key: a name key up to its `\0` then `\x01`; any other entity
/// holds its own facts. Equal to `entity_key(&holder_of(subject))`.
pub(super) fn holder_key_into(subject: &[u8], out: &mut Vec<u8>) {
    out.clear();
    if keys::is_name_key(subject)
        && let Some(z) = subject.iter().position(|b| *b == 0)
    {
        out.extend_from_slice(&subject[..=z]);
        out.push(1);
        return;
    }
    out.extend_from_slice(subject);
}

/// A batch's window deltas for one holder, by (predicate, object key).
type HolderDeltas = BTreeMap<(Predicate, Vec<u8>), Window>;

/// Count moves of a batch, by value key (predicate · object).
type CountDeltas = HashMap<Vec<u8>, (i64, i64)>;

/// A holding under both orders: `dom` (holder · predicate · object) and
/// `piv` (predicate · object · holder).
fn put_holding(
    out: &mut Puts,
    bufs: &mut Bufs,
    holder: &[u8],
    pred: Predicate,
    obj: &[u8],
    hv: &[u8],
) {
    let dk = &mut bufs.a;
    dk.clear();
    dk.extend_from_slice(holder);
    push_pred(dk, pred);
    dk.extend_from_slice(obj);
    out.put(DOM, dk.as_slice(), hv);
    let pk = &mut bufs.b;
    pk.clear();
    push_pred(pk, pred);
    pk.extend_from_slice(obj);
    pk.extend_from_slice(holder);
    out.put(PIV, pk.as_slice(), hv);
}

fn add_count(cnt: &mut CountDeltas, key: &mut Vec<u8>, pred: Predicate, obj: &[u8], d: (i64, i64)) {
    key.clear();
    push_pred(key, pred);
    key.extend_from_slice(obj);
    match cnt.get_mut(key.as_slice()) {
        Some(e) => {
            e.0 += d.0;
            e.1 += d.1;
        }
        None => {
            cnt.insert(key.clone(), d);
        }
    }
}

/// Reusable key buffers of one batch.
#[derive(Default)]
struct Bufs {
    mark: Vec<u8>,
    a: Vec<u8>,
    b: Vec<u8>,
}

impl EmbeddedStore {
    fn is_known(&self, tag: u8, key: &[u8], buf: &mut Vec<u8>) -> Result<bool> {
        buf.clear();
        buf.push(tag);
        buf.extend_from_slice(key);
        Ok(self.seen.contains_key(buf.as_slice())?)
    }

    /// Puts written once per subject the store has never seen.
    fn new_subject(&self, subject: &[u8], out: &mut Puts, bufs: &mut Bufs) {
        bufs.mark.clear();
        bufs.mark.push(MARK_SUBJECT);
        bufs.mark.extend_from_slice(subject);
        out.put(SEEN, &bufs.mark, b"");
        // The forward-order name index (right-hand wildcards): one key per
        // distinct subject name.
        if let Some(f) = keys::forward_name_key(subject) {
            out.put(NAM, f, b"".as_slice());
        }
    }

    /// Facts of one subject (`group`: its aggregated facts, in key order).
    fn write_subject(
        &self,
        group: &[Agg],
        out: &mut Puts,
        receipt: &mut WriteReceipt,
        bufs: &mut Bufs,
    ) -> Result<()> {
        let subject = group[0].subject();
        let known = self.is_known(MARK_SUBJECT, subject, &mut bufs.mark)?;
        let existing = if known {
            let wanted: Vec<&[u8]> = group.iter().map(|a| a.key.as_slice()).collect();
            self.read_many(&self.fwd, subject, &wanted)?
        } else {
            self.new_subject(subject, out, bufs);
            HashMap::new()
        };
        for a in group {
            let merged = match existing.get(a.key.as_slice()) {
                Some(old) => {
                    let mut fv = FactVal::decode(old)?;
                    fv.window.merge(&a.window);
                    for s in a.sources() {
                        if !fv.sources.contains(&s) {
                            fv.sources.push(s);
                        }
                    }
                    receipt.facts_merged += 1;
                    fv
                }
                None => {
                    receipt.facts_new += 1;
                    FactVal {
                        window: a.window,
                        sources: a.sources(),
                    }
                }
            };
            // The reverse entry carries the fact's value too (covering):
            // a reverse scan answers without a point read per result.
            let v = merged.encode();
            let rk = &mut bufs.a;
            rk.clear();
            rk.extend_from_slice(a.object());
            push_pred(rk, a.pred);
            rk.extend_from_slice(subject);
            out.put(REV, rk.as_slice(), &v);
            out.put(FWD, a.key.as_slice(), v);
        }
        Ok(())
    }

    /// Holdings of one holder the store has never seen: every delta is a
    /// new holding; current flags from the batch alone.
    fn write_new_holder(
        &self,
        holder: &[u8],
        deltas: &[(Predicate, &[u8], Window)],
        out: &mut Puts,
        cnt: &mut CountDeltas,
        bufs: &mut Bufs,
    ) {
        bufs.mark.clear();
        bufs.mark.push(MARK_HOLDER);
        bufs.mark.extend_from_slice(holder);
        out.put(SEEN, &bufs.mark, b"");
        let is_domain = keys::is_name_key(holder);
        let mut g = 0;
        while g < deltas.len() {
            let pred = deltas[g].0;
            let mut h = g;
            let mut latest = i64::MIN;
            while h < deltas.len() && deltas[h].0 == pred {
                latest = latest.max(deltas[h].2.last_seen);
                h += 1;
            }
            let rule = pred.current_rule();
            for (_, obj, w) in &deltas[g..h] {
                let current = rule.is_current(w.last_seen, latest);
                let hv = HoldVal {
                    window: *w,
                    current,
                }
                .encode();
                put_holding(out, bufs, holder, pred, obj, &hv);
                if is_domain {
                    let d = if current { (1, 0) } else { (0, 1) };
                    add_count(cnt, &mut bufs.a, pred, obj, d);
                }
            }
            g = h;
        }
    }

    /// Holdings of a known holder: one bounded scan; merge deltas,
    /// recompute current flags per (holder, predicate), collect count moves.
    fn write_known_holder(
        &self,
        holder: &[u8],
        deltas: &HolderDeltas,
        out: &mut Puts,
        cnt: &mut CountDeltas,
        bufs: &mut Bufs,
    ) -> Result<()> {
        let wanted = deltas.len();
        let preds: BTreeSet<Predicate> = deltas.keys().map(|(p, _)| *p).collect();
        // Every holding of the touched predicates: the whole group is
        // needed to know the group's latest observation.
        let mut existing: BTreeMap<(Predicate, Vec<u8>), HoldVal> = BTreeMap::new();
        match self.scan_bounded(&self.dom, holder, wanted * 16 + 64)? {
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
                    let mut prefix = holder.to_vec();
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
            let mut state: BTreeMap<&[u8], (Option<HoldVal>, Window, bool)> = existing
                .range((pred, Vec::new())..)
                .take_while(|((p, _), _)| *p == pred)
                .map(|((_, o), h)| (o.as_slice(), (Some(*h), h.window, false)))
                .collect();
            for ((_, obj), dw) in deltas
                .range((pred, Vec::new())..)
                .take_while(|((p, _), _)| *p == pred)
            {
                state
                    .entry(obj.as_slice())
                    .and_modify(|(_, w, t)| {
                        w.merge(dw);
                        *t = true;
                    })
                    .or_insert((None, *dw, true));
            }
            let latest = state
                .values()
                .map(|(_, w, _)| w.last_seen)
                .max()
                .unwrap_or(i64::MIN);
            let rule = pred.current_rule();
            let latest_moved = old_latest != Some(latest);
            for (obj, (old, w, touched)) in &state {
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
                put_holding(out, bufs, holder, pred, obj, &hv);
                if is_domain {
                    let d = match (old.map(|o| o.current), current) {
                        (None, true) => (1, 0),
                        (None, false) => (0, 1),
                        (Some(false), true) => (1, -1),
                        (Some(true), false) => (-1, 1),
                        _ => (0, 0),
                    };
                    if d != (0, 0) {
                        add_count(cnt, &mut bufs.a, pred, obj, d);
                    }
                }
            }
        }
        Ok(())
    }

    pub(super) fn write_batch(&self, batch: WriteBatch) -> Result<WriteReceipt> {
        let mut w = lock(&self.writer);
        let mut out = std::mem::take(&mut w.puts);
        out.clear();
        let mut receipt = WriteReceipt {
            new_known: true,
            ..WriteReceipt::default()
        };
        let mut new_sources: Vec<(String, u16)> = Vec::new();

        // 1. Encode every observation's forward key; sort; merge equal keys.
        let mut aggs: Vec<Agg> = Vec::with_capacity(batch.observations.len());
        let mut display: BTreeMap<Vec<u8>, String> = BTreeMap::new();
        let mut last_source: Option<(&str, u16)> = None;
        for o in &batch.observations {
            let sid = match last_source {
                // A batch usually has one source: skip the hash lookup.
                Some((name, id)) if name == o.source => id,
                _ => match w.sources.get(&o.source) {
                    Some(id) => *id,
                    None => {
                        let id = u16::try_from(w.sources.len() + 1).map_err(|_| {
                            StoreError::Invalid("more than 65535 distinct sources".into())
                        })?;
                        w.sources.insert(o.source.clone(), id);
                        new_sources.push((o.source.clone(), id));
                        id
                    }
                },
            };
            last_source = Some((o.source.as_str(), sid));
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
            aggs.push(Agg {
                key,
                subject_len: subject_len as u32,
                pred: o.predicate,
                window: o.window,
                source: sid,
                more: Vec::new(),
            });
        }
        aggs.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        let mut merged: Vec<Agg> = Vec::with_capacity(aggs.len());
        for a in aggs {
            match merged.last_mut() {
                Some(last) if last.key == a.key => {
                    last.window.merge(&a.window);
                    last.add_source(a.source);
                    for s in a.more {
                        last.add_source(s);
                    }
                }
                _ => merged.push(a),
            }
        }
        let aggs = merged;

        // 2. Facts and holdings, one holder run at a time (a holder's
        //    subjects are contiguous in key order).
        let mut bufs = Bufs::default();
        let mut cnt_delta: CountDeltas = HashMap::new();
        let mut holder = Vec::with_capacity(64);
        let mut next_holder = Vec::with_capacity(64);
        let mut deltas: Vec<(Predicate, &[u8], Window)> = Vec::new();
        let mut i = 0;
        while i < aggs.len() {
            holder_key_into(aggs[i].subject(), &mut holder);
            let mut j = i + 1;
            while j < aggs.len() {
                holder_key_into(aggs[j].subject(), &mut next_holder);
                if next_holder != holder {
                    break;
                }
                j += 1;
            }
            let mut s = i;
            while s < j {
                let sl = aggs[s].subject_len;
                let mut e = s + 1;
                while e < j
                    && aggs[e].subject_len == sl
                    && aggs[e].key.starts_with(aggs[s].subject())
                {
                    e += 1;
                }
                self.write_subject(&aggs[s..e], &mut out, &mut receipt, &mut bufs)?;
                s = e;
            }
            deltas.clear();
            deltas.extend(aggs[i..j].iter().map(|a| (a.pred, a.object(), a.window)));
            deltas.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
            deltas.dedup_by(|later, first| {
                if later.0 == first.0 && later.1 == first.1 {
                    first.2.merge(&later.2);
                    true
                } else {
                    false
                }
            });
            if self.is_known(MARK_HOLDER, &holder, &mut bufs.mark)? {
                let d: HolderDeltas = deltas
                    .iter()
                    .map(|(p, o, w)| ((*p, o.to_vec()), *w))
                    .collect();
                self.write_known_holder(&holder, &d, &mut out, &mut cnt_delta, &mut bufs)?;
            } else {
                self.write_new_holder(&holder, &deltas, &mut out, &mut cnt_delta, &mut bufs);
            }
            i = j;
        }
        drop(deltas);

        // 3. Stored counts.
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
            out.put(CNT, ck.as_slice(), encode_count(nc, nh));
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
        let mut json = Vec::with_capacity(256);
        for e in &batch.events {
            encode_event(e, &mut json)?;
            out.put(EVT, seq.to_be_bytes(), &json);
            receipt.last_event_seq = Some(seq);
            seq += 1;
        }
        if seq != w.next_seq {
            out.put(META, b"seq", seq.to_be_bytes());
        }
        for (name, id) in &new_sources {
            let mut k = b"src:".to_vec();
            k.extend_from_slice(name.as_bytes());
            out.put(META, k, id.to_be_bytes());
        }
        if let Some(l) = &batch.ledger {
            let mut k = b"ledger:".to_vec();
            k.extend_from_slice(l.key.as_bytes());
            let v = serde_json::to_vec(l).map_err(|e| StoreError::Engine(e.to_string()))?;
            out.put(META, k, v);
        }
        let committed = self.commit(&mut out);
        out.clear();
        w.puts = out;
        if let Err(e) = committed {
            w.counts.clear();
            // Roll back in-memory state: nothing of this batch is stored.
            for (name, _) in &new_sources {
                w.sources.remove(name);
            }
            return Err(e);
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
}

/// The `meta` key saying `seen` holds a marker for every stored name.
const SEEN_READY: &[u8] = b"seen:v1";

impl EmbeddedStore {
    /// Fills `seen` once for a store written before the markers existed
    /// (two passes over `fwd`: holders, then subjects, each in key order,
    /// ingested as one sorted run). Interrupted, it runs again at the next
    /// open; markers written twice are the same markers.
    pub(super) fn mark_seen_names(&self) -> Result<()> {
        if self.meta.contains_key(SEEN_READY)? {
            return Ok(());
        }
        if self.fwd.first_key_value().is_some() {
            tracing::info!("indexing the names already stored (once)");
            self.make_write_room(&self.seen)?;
            let mut ing = self.seen.start_ingestion()?;
            let mut last: Vec<u8> = Vec::new();
            let mut holder = Vec::new();
            let mut mark = Vec::new();
            for tag in [MARK_HOLDER, MARK_SUBJECT] {
                last.clear();
                for item in self.fwd.iter() {
                    let k = item.key()?;
                    let (_, rest) = crate::keys::read_entity(&k)?;
                    let subject = &k[..k.len() - rest.len()];
                    let name = if tag == MARK_HOLDER {
                        holder_key_into(subject, &mut holder);
                        holder.as_slice()
                    } else {
                        subject
                    };
                    if name == last.as_slice() {
                        continue;
                    }
                    mark.clear();
                    mark.push(tag);
                    mark.extend_from_slice(name);
                    ing.write(mark.as_slice(), b"".as_slice())?;
                    last.clear();
                    last.extend_from_slice(name);
                }
            }
            ing.finish()?;
        }
        self.meta.insert(SEEN_READY, b"1".as_slice())?;
        self.db.persist(fjall::PersistMode::SyncAll)?;
        Ok(())
    }

    /// Test hook: drops every name marker, as in a store written before
    /// they existed (the next open indexes the names again).
    #[cfg(feature = "testsuite")]
    pub fn forget_name_markers(&self) -> Result<()> {
        self.seen.clear()?;
        self.meta.remove(SEEN_READY)?;
        self.db.persist(fjall::PersistMode::SyncAll)?;
        Ok(())
    }
}

/// An event as stored in `evt`: the JSON object `decode_event` reads, keys
/// in sorted order as before.
#[derive(serde::Serialize)]
struct EventJson<'a> {
    data: &'a BTreeMap<String, String>,
    kind: &'a str,
    subject: &'a str,
    time: i64,
}

/// Encodes an event as stored in `evt` into `json` (cleared first); the
/// batch writer and the bulk load store the same bytes.
pub(super) fn encode_event(e: &crate::NewEvent, json: &mut Vec<u8>) -> Result<()> {
    encode_event_parts(&e.kind, &e.data, &e.subject, e.time, json)
}

/// [`encode_event`] from the event's parts.
pub(super) fn encode_event_parts(
    kind: &str,
    data: &BTreeMap<String, String>,
    subject: &str,
    time: i64,
    json: &mut Vec<u8>,
) -> Result<()> {
    json.clear();
    serde_json::to_writer(
        &mut *json,
        &EventJson {
            data,
            kind,
            subject,
            time,
        },
    )
    .map_err(|e| StoreError::Engine(e.to_string()))
}

/// Appends `s` as a JSON string, as `serde_json` writes it: a string with
/// nothing to escape (no `"`, `\\` or control character below 0x20, as
/// names and addresses are) is copied between quotes, any other goes
/// through `serde_json` (a first snapshot's 2 M events spent ~1 % of the
/// load's CPU in its per-byte escaping).
fn push_json_str(json: &mut Vec<u8>, s: &str) -> Result<()> {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        json.reserve(s.len() + 2);
        json.push(b'"');
        json.extend_from_slice(s.as_bytes());
        json.push(b'"');
        return Ok(());
    }
    serde_json::to_writer(&mut *json, s).map_err(|e| StoreError::Engine(e.to_string()))
}

/// [`encode_event_parts`] from data given as (key, value) pairs in
/// strictly ascending key order (the order a `BTreeMap` serialises in),
/// written straight into `json` (cleared first): the same bytes, without
/// building the map. Keys out of order are refused.
pub(super) fn encode_event_pairs(
    kind: &str,
    data: &[(&str, &str)],
    subject: &str,
    time: i64,
    json: &mut Vec<u8>,
) -> Result<()> {
    if data.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(StoreError::Invalid(
            "event data keys must be unique and in ascending order".into(),
        ));
    }
    let text = |json: &mut Vec<u8>, s: &str| push_json_str(json, s);
    json.clear();
    json.extend_from_slice(b"{\"data\":{");
    for (i, (k, v)) in data.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        text(json, k)?;
        json.push(b':');
        text(json, v)?;
    }
    json.extend_from_slice(b"},\"kind\":");
    text(json, kind)?;
    json.extend_from_slice(b",\"subject\":");
    text(json, subject)?;
    json.extend_from_slice(b",\"time\":");
    json.extend_from_slice(time.to_string().as_bytes());
    json.push(b'}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_written_as_serde_json_writes_them() {
        for s in [
            "",
            "example.com",
            "ns1.example.com,ns2.example.net",
            "192.0.2.1",
            "2001:db8::1",
            "quote \" inside",
            "back\\slash",
            "tab\tnew\nline\r",
            "\u{1}\u{1f}\u{7f}",
            "caf\u{e9} \u{4e2d}\u{6587} \u{1f600}",
            "slash / and <html>",
        ] {
            let mut got = Vec::new();
            push_json_str(&mut got, s).unwrap();
            assert_eq!(got, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn event_pairs_encode_as_the_map_does() {
        /// (kind, data pairs, subject, time)
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, i64);
        let cases: [Case<'_>; 5] = [
            (
                "domain_added",
                &[
                    ("date", "2026-01-01"),
                    ("ns_new", "a.net,b.net"),
                    ("zone", "com"),
                ],
                "x.com",
                1_767_225_600,
            ),
            (
                "domain_added",
                &[("date", "2026-01-01"), ("zone", "com")],
                "x.com",
                0,
            ),
            (
                "k\"\\\n\u{1}é",
                &[("a\tb", "q\"uote\\ \u{7f} ü")],
                "s\r\u{8}",
                -42,
            ),
            ("none", &[], "", i64::MIN),
            ("max", &[("z", "")], "z", i64::MAX),
        ];
        for (kind, data, subject, time) in cases {
            let map: BTreeMap<String, String> = data
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            encode_event_parts(kind, &map, subject, time, &mut a).expect("map");
            encode_event_pairs(kind, data, subject, time, &mut b).expect("pairs");
            assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
        }
        let mut out = Vec::new();
        for bad in [&[("b", "1"), ("a", "2")][..], &[("a", "1"), ("a", "2")][..]] {
            assert!(encode_event_pairs("k", bad, "s", 1, &mut out).is_err());
        }
    }
    use scry_model::DomainName;

    #[test]
    fn holder_key_matches_holder_of() {
        let mut out = Vec::new();
        for name in [
            "example.com",
            "www.example.com",
            "a.b.c.example.co.uk",
            "foo.blogspot.com",
            "x.foo.blogspot.com",
            "com",
            "co.uk",
            "localhost",
            "bücher.example",
        ] {
            let e = Entity::Domain(DomainName::parse(name).unwrap());
            holder_key_into(&entity_key(&e), &mut out);
            assert_eq!(out, entity_key(&holder_of(&e)), "{name}");
        }
        for e in [
            Entity::Ip(scry_model::Ip::parse("10.0.0.1").unwrap()),
            Entity::Text("Some Text".into()),
        ] {
            holder_key_into(&entity_key(&e), &mut out);
            assert_eq!(out, entity_key(&holder_of(&e)));
        }
    }
}
