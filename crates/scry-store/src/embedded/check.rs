//! Consistency check of the embedded engine, streaming over each keyspace
//! in key order (memory bounded by one holder's or one value's entries).

use std::collections::BTreeMap;

use scry_model::{Predicate, Window};

use super::EmbeddedStore;
use super::codec::{FactVal, HoldVal, decode_count};
use super::write::{MARK_HOLDER, MARK_SUBJECT};
use crate::error::Result;
use crate::keys::{self, entity_key, push_pred, read_entity, read_pred};
use crate::{CheckReport, holder_of};

const MAX_PROBLEMS: usize = 100;

fn note(r: &mut CheckReport, p: String) {
    if r.problems.len() < MAX_PROBLEMS {
        r.problems.push(p);
    }
}

type Group = BTreeMap<(Predicate, Vec<u8>), Window>;

fn compare_holder(
    s: &EmbeddedStore,
    holder: &[u8],
    expect: &Group,
    r: &mut CheckReport,
) -> Result<()> {
    let stored = s.holdings_of(holder)?;
    let mut latest: BTreeMap<Predicate, i64> = BTreeMap::new();
    for ((p, _), w) in expect {
        let e = latest.entry(*p).or_insert(i64::MIN);
        *e = (*e).max(w.last_seen);
    }
    let mut seen = 0usize;
    for (rest, hv) in stored {
        r.holdings += 1;
        let (p, obj) = read_pred(&rest)?;
        let Some(w) = expect.get(&(p, obj.to_vec())) else {
            note(
                r,
                format!("holding without facts: {}", String::from_utf8_lossy(holder)),
            );
            continue;
        };
        seen += 1;
        if hv.window != *w {
            note(
                r,
                format!(
                    "holding window differs from its facts: {} {p}",
                    String::from_utf8_lossy(holder)
                ),
            );
        }
        let cur = p
            .current_rule()
            .is_current(w.last_seen, latest.get(&p).copied().unwrap_or(i64::MIN));
        if hv.current != cur {
            note(
                r,
                format!(
                    "holding current flag wrong: {} {p}",
                    String::from_utf8_lossy(holder)
                ),
            );
        }
        let mut pk = Vec::new();
        push_pred(&mut pk, p);
        pk.extend_from_slice(obj);
        pk.extend_from_slice(holder);
        match s.piv.get(&pk)? {
            Some(v) if HoldVal::decode(&v)? == hv => {}
            _ => note(
                r,
                format!(
                    "pivot entry missing or different: {} {p}",
                    String::from_utf8_lossy(holder)
                ),
            ),
        }
    }
    if seen != expect.len() {
        note(
            r,
            format!(
                "facts without holdings under {}",
                String::from_utf8_lossy(holder)
            ),
        );
    }
    Ok(())
}

/// Whether `seen` holds the marker of a stored subject or holder (a
/// missing one would let the write path treat a stored name as new).
fn marked(s: &EmbeddedStore, tag: u8, key: &[u8]) -> Result<bool> {
    let mut k = Vec::with_capacity(key.len() + 1);
    k.push(tag);
    k.extend_from_slice(key);
    Ok(s.seen.contains_key(&k)?)
}

pub(super) fn run(s: &EmbeddedStore) -> Result<CheckReport> {
    let mut r = CheckReport::default();
    // Facts → reverse entries and holdings, one holder at a time.
    let mut cur_holder: Option<Vec<u8>> = None;
    let mut last_subject: Vec<u8> = Vec::new();
    let mut group: Group = BTreeMap::new();
    let mut last_name: Vec<u8> = Vec::new();
    // Whether the current holder is in the pDNS form (no markers or
    // holdings of its own: `pdns_check` verifies it).
    let mut form = false;
    for item in s.fwd.iter() {
        let (k, v) = item.into_inner()?;
        r.facts += 1;
        let (subject, rest) = read_entity(&k)?;
        let slen = k.len() - rest.len();
        // Every subject name is in the forward-name index.
        if let Some(f) = keys::forward_name_key(&k[..slen])
            && f != last_name
        {
            if s.nam.get(&f)?.is_none() {
                note(
                    &mut r,
                    format!("name missing from the name index: {subject}"),
                );
            }
            last_name = f;
        }
        let (pred, rest) = read_pred(rest)?;
        let _ = read_entity(rest)?;
        let fv = FactVal::decode(&v)?;
        let mut rk = rest.to_vec();
        push_pred(&mut rk, pred);
        rk.extend_from_slice(&k[..slen]);
        match s.rev.get(&rk)? {
            None => note(
                &mut r,
                format!("fact without reverse entry: {subject} {pred}"),
            ),
            // The reverse index is covering: its value is the fact's.
            Some(rv) if rv != v => note(
                &mut r,
                format!("reverse entry's value differs from its fact: {subject} {pred}"),
            ),
            Some(_) => {}
        }
        let holder = entity_key(&holder_of(&subject));
        if cur_holder.as_deref() != Some(holder.as_slice()) {
            if let Some(h) = cur_holder.take()
                && !form
            {
                compare_holder(s, &h, &group, &mut r)?;
            }
            form = s.pdns_holds(&holder)?;
            if !form && !marked(s, MARK_HOLDER, &holder)? {
                note(
                    &mut r,
                    format!(
                        "stored holder not marked seen: {}",
                        String::from_utf8_lossy(&holder)
                    ),
                );
            }
            group.clear();
            cur_holder = Some(holder);
        }
        if last_subject.as_slice() != &k[..slen] {
            last_subject.clear();
            last_subject.extend_from_slice(&k[..slen]);
            if !form && !marked(s, MARK_SUBJECT, &last_subject)? {
                note(&mut r, format!("stored subject not marked seen: {subject}"));
            }
        }
        group
            .entry((pred, rest.to_vec()))
            .and_modify(|w| w.merge(&fv.window))
            .or_insert(fv.window);
    }
    if let Some(h) = cur_holder.take()
        && !form
    {
        compare_holder(s, &h, &group, &mut r)?;
    }
    // Reverse entries → facts.
    for item in s.rev.iter() {
        let (k, _) = item.into_inner()?;
        let (object, rest) = read_entity(&k)?;
        let (pred, rest) = read_pred(rest)?;
        let mut fk = rest.to_vec();
        push_pred(&mut fk, pred);
        fk.extend_from_slice(&k[..k.len() - rest.len() - 2]);
        if s.fwd.get(&fk)?.is_none() {
            note(
                &mut r,
                format!("reverse entry without fact: {object} {pred}"),
            );
        }
    }
    // Pivot entries → counts, one value at a time.
    let mut cur_value: Option<Vec<u8>> = None;
    let (mut c, mut h) = (0u64, 0u64);
    let flush = |value: &[u8], c: u64, h: u64, r: &mut CheckReport| -> Result<()> {
        r.values += 1;
        let stored = match s.cnt.get(value)? {
            Some(v) => decode_count(&v)?,
            None => (0, 0),
        };
        if stored != (c, h) {
            note(
                r,
                format!(
                    "count differs for a value: stored {stored:?}, counted {:?}",
                    (c, h)
                ),
            );
        }
        Ok(())
    };
    for item in s.piv.iter() {
        let (k, v) = item.into_inner()?;
        let (_, rest) = read_pred(&k)?;
        let (_, holder) = read_entity(rest)?;
        let vlen = k.len() - holder.len();
        if cur_value.as_deref() != Some(&k[..vlen]) {
            if let Some(val) = cur_value.take() {
                flush(&val, c, h, &mut r)?;
            }
            cur_value = Some(k[..vlen].to_vec());
            c = 0;
            h = 0;
        }
        if keys::is_name_key(holder) {
            if HoldVal::decode(&v)?.current {
                c += 1;
            } else {
                h += 1;
            }
        }
    }
    if let Some(val) = cur_value.take() {
        flush(&val, c, h, &mut r)?;
    }
    // Counts without pivot entries.
    for item in s.cnt.iter() {
        let (k, v) = item.into_inner()?;
        let (cc, hh) = decode_count(&v)?;
        if (cc, hh) != (0, 0) && s.piv.prefix(&k).next().is_none() {
            note(&mut r, "count for a value nobody holds".to_string());
        }
    }
    // Events: contiguous from 1.
    let mut expect = 1u64;
    for item in s.evt.iter() {
        let (k, _) = item.into_inner()?;
        let seq = k
            .get(..8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0);
        r.events += 1;
        if seq != expect {
            note(
                &mut r,
                format!("event sequence gap: expected {expect}, found {seq}"),
            );
        }
        expect = seq + 1;
    }
    Ok(r)
}
