//! Per-child delegations from a stream of zone records.
//!
//! A TLD zone is mostly delegations: for each child `example.com` the zone
//! holds its NS set, a DS set when the child is signed, and glue (A/AAAA) for
//! name servers under the child (`ns1.example.com`). [`DelegationGrouper`]
//! groups *consecutive* records by their child (the owner's first label below
//! the origin) and emits one [`Delegation`] per NS owner when the child
//! changes, so memory holds one child at a time.
//!
//! Zone files are usually sorted (canonically or by owner text), which keeps
//! each child's records together. When they are not, the same child can be
//! emitted several times, each [`Delegation`] carrying the part seen in that
//! run (possibly with empty `ns`, for glue or DS seen apart from the NS
//! records); the caller merges by domain (e.g. by sorting runs). A child
//! with more than [`MAX_GROUP`] NS/glue/DS records is emitted in pieces the
//! same way.

use std::collections::VecDeque;
use std::net::IpAddr;

use super::{Rdata, ZoneRecord, rtype};
use crate::error::ParseError;

/// Most NS + glue + DS records held for one child before it is emitted in
/// pieces.
pub const MAX_GROUP: usize = 10_000;

/// One delegated name (or part of one; see [`DelegationGrouper`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delegation {
    /// The delegated name (owner of the NS records): canonical, no trailing
    /// dot.
    pub domain: String,
    /// Name server names, in input order, without duplicates.
    pub ns: Vec<String>,
    /// Addresses of in-zone name servers under `domain` (glue).
    pub glue: Vec<(String, IpAddr)>,
    /// Number of DS records (the delegation is signed when > 0).
    pub ds: u32,
    /// Line of the first record of this delegation.
    pub line: u64,
}

/// Groups consecutive records per child (the owner's first label below the
/// origin) and emits one [`Delegation`] per NS owner when the child changes;
/// [`Delegations`] is the iterator form.
///
/// Only NS, DS, A and AAAA records matter; glue goes to the deepest
/// delegation at or above its owner. Input that is not grouped by child
/// (zone files usually are, but it is not guaranteed) gives several
/// `Delegation`s for one domain, each with the part of that run (possibly
/// empty `ns`, e.g. glue or DS seen apart from the NS records): the caller
/// merges by domain, e.g. by sorting runs. A child with more than
/// [`MAX_GROUP`] such records is emitted in pieces the same way, so memory
/// stays bounded.
#[derive(Debug)]
pub struct DelegationGrouper {
    origin: String,
    key: String,
    entries: Vec<Delegation>,
    glue: Vec<(String, IpAddr, u64)>,
    held: usize,
    apex_ns: Vec<String>,
    out_of_zone: u64,
    out: VecDeque<Delegation>,
}

impl DelegationGrouper {
    /// A grouper for the zone `origin` (`"com"`, `"com."`, `"."` or `""`
    /// for the root; matched case-insensitively).
    pub fn new(origin: &str) -> DelegationGrouper {
        let o = origin
            .strip_suffix('.')
            .unwrap_or(origin)
            .to_ascii_lowercase();
        DelegationGrouper {
            origin: o,
            key: String::new(),
            entries: Vec::new(),
            glue: Vec::new(),
            held: 0,
            apex_ns: Vec::new(),
            out_of_zone: 0,
            out: VecDeque::new(),
        }
    }

    /// Name servers of the zone apex seen so far.
    pub fn apex_ns(&self) -> &[String] {
        &self.apex_ns
    }

    /// Records whose owner is not in the zone (ignored).
    pub fn out_of_zone(&self) -> u64 {
        self.out_of_zone
    }

    /// Feeds one record. Finished delegations are then available from
    /// [`DelegationGrouper::pop`].
    pub fn push(&mut self, rec: ZoneRecord) {
        let relevant = matches!(rec.rtype, rtype::NS | rtype::DS | rtype::A | rtype::AAAA);
        if !relevant {
            return;
        }
        let Some(key_start) = self.child_start(&rec.owner) else {
            if *rec.owner == *self.origin {
                if let Rdata::Ns(n) = &rec.rdata
                    && !self.apex_ns.contains(n)
                {
                    self.apex_ns.push(n.clone());
                }
            } else {
                self.out_of_zone += 1;
            }
            return;
        };
        let key = &rec.owner[key_start..];
        if key != self.key || self.held >= MAX_GROUP {
            self.flush();
            self.key.clear();
            self.key.push_str(key);
        }
        self.held += 1;
        let line = rec.line;
        match rec.rdata {
            Rdata::Ns(n) => {
                let e = self.entry(&rec.owner, line);
                if !e.ns.contains(&n) {
                    e.ns.push(n);
                }
            }
            Rdata::Ds { .. } => self.entry(&rec.owner, line).ds += 1,
            Rdata::A(a) => self.glue.push((rec.owner.to_string(), IpAddr::V4(a), line)),
            Rdata::Aaaa(a) => self.glue.push((rec.owner.to_string(), IpAddr::V6(a), line)),
            _ => {}
        }
    }

    /// The next finished delegation.
    pub fn pop(&mut self) -> Option<Delegation> {
        self.out.pop_front()
    }

    /// Ends the input: emits what is held.
    pub fn finish(&mut self) {
        self.flush();
        self.key.clear();
    }

    fn entry(&mut self, owner: &str, line: u64) -> &mut Delegation {
        let idx = match self.entries.iter().position(|e| e.domain == owner) {
            Some(i) => i,
            None => {
                self.entries.push(Delegation {
                    domain: owner.to_string(),
                    line,
                    ..Delegation::default()
                });
                self.entries.len() - 1
            }
        };
        &mut self.entries[idx]
    }

    fn flush(&mut self) {
        for (host, addr, line) in std::mem::take(&mut self.glue) {
            // The deepest delegation at or above the host takes the glue.
            let best = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| is_at_or_below(&host, &e.domain))
                .max_by_key(|(_, e)| e.domain.len())
                .map(|(i, _)| i);
            let i = match best {
                Some(i) => i,
                None => {
                    let key = std::mem::take(&mut self.key);
                    self.entry(&key, line);
                    self.key = key;
                    self.entries.len() - 1
                }
            };
            self.entries[i].glue.push((host, addr));
        }
        self.out.extend(self.entries.drain(..));
        self.held = 0;
    }

    /// Byte index in `owner` where its child name (the first label below
    /// the origin) starts; `None` for the apex and names outside the zone.
    fn child_start(&self, owner: &str) -> Option<usize> {
        let rest = if self.origin.is_empty() {
            owner
        } else {
            let r = owner.strip_suffix(self.origin.as_str())?;
            r.strip_suffix('.')?
        };
        if rest.is_empty() {
            return None;
        }
        // The last unescaped dot in `rest` ends the labels above the child.
        let b = rest.as_bytes();
        let mut i = 0;
        let mut last_dot = None;
        while i < b.len() {
            match b[i] {
                b'\\' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => i += 4,
                b'\\' => i += 2,
                b'.' => {
                    last_dot = Some(i);
                    i += 1;
                }
                _ => i += 1,
            }
        }
        Some(last_dot.map_or(0, |d| d + 1))
    }
}

/// `name` equals `parent` or is a subdomain of it (canonical names).
fn is_at_or_below(name: &str, parent: &str) -> bool {
    name == parent
        || (name.len() > parent.len()
            && name.ends_with(parent)
            && name.as_bytes()[name.len() - parent.len() - 1] == b'.')
}

/// Iterator adapter: groups a record stream into [`Delegation`]s; errors of
/// the inner iterator are passed through in order.
#[derive(Debug)]
pub struct Delegations<I> {
    inner: I,
    grouper: DelegationGrouper,
    ended: bool,
}

impl<I> Delegations<I>
where
    I: Iterator<Item = Result<ZoneRecord, ParseError>>,
{
    /// Groups `records` of the zone `origin`.
    pub fn new(records: I, origin: &str) -> Delegations<I> {
        Delegations {
            inner: records,
            grouper: DelegationGrouper::new(origin),
            ended: false,
        }
    }

    /// The grouper (apex name servers, out-of-zone count).
    pub fn grouper(&self) -> &DelegationGrouper {
        &self.grouper
    }
}

impl<I> Iterator for Delegations<I>
where
    I: Iterator<Item = Result<ZoneRecord, ParseError>>,
{
    type Item = Result<Delegation, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(d) = self.grouper.pop() {
                return Some(Ok(d));
            }
            if self.ended {
                return None;
            }
            match self.inner.next() {
                Some(Ok(rec)) => self.grouper.push(rec),
                Some(Err(e)) => return Some(Err(e)),
                None => {
                    self.ended = true;
                    self.grouper.finish();
                }
            }
        }
    }
}
