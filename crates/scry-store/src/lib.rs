//! The fact store: one trait, two engines.
//!
//! [`Store`] is what the query layer (`scry-intel`) and the ingest layer see.
//! Engines: the embedded default ([`embedded::EmbeddedStore`], one directory,
//! no server, crash-safe) and ClickHouse (scale-out). Both pass the same
//! conformance suite ([`store_test_suite!`], feature `testsuite`).
//!
//! Semantics every engine implements (DESIGN.md, "The data model"):
//! * a fact `(subject, predicate, object)` merges its observations: the
//!   window widens, counts add, sources accumulate;
//! * every fact is also held by the subject's **holder**: the registrable
//!   domain of a name (a host's facts roll up to its domain), or the subject
//!   itself for IPs and other entities;
//! * a holding is **current** when its last observation is within the
//!   predicate's [`scry_model::CurrentRule`] window of the holder's newest
//!   observation of that predicate, else **historic**;
//! * per `(predicate, object)`, the number of distinct registrable domains
//!   holding it currently and historically (the embedded engine stores it,
//!   the ClickHouse engine counts it at query time);
//! * a write carries an ingest-ledger update; replaying ledger-covered input
//!   changes nothing (the ingest layer skips it).
//!
//! Architecture invariant: the query layer never knows which engine it
//! talks to; nothing outside this crate sees engine keys or SQL.
#![warn(missing_docs)]

#[cfg(feature = "clickhouse")]
pub mod clickhouse;
pub mod embedded;
mod error;
pub mod feeds;
mod keys;
pub mod namehash;
mod state;
#[cfg(feature = "testsuite")]
pub mod testsuite;

use std::collections::{BTreeMap, BTreeSet};

use scry_model::{DomainName, Entity, Fact, IpNet, Observation, Predicate, Timestamp, Window};

pub use error::{Result, StoreError, StoreErrorKind};
pub use state::{DataDir, StateStore};

/// The on-disk format version of the embedded data dir.
/// Version 2 added the embedded engine's forward-name index (`nam`);
/// version 3 made its reverse index covering (each `rev` entry holds its
/// fact's window and sources); version 4 added the zone and pDNS forms
/// (`zdl`/`zrv`/`zcn`, `pho`/`pcn`: facts served on read), which a build
/// before them would misread. An older dir is upgraded when the embedded
/// engine opens it (it holds no form, so recording the version is all).
/// Version 5: a bulk load's `COMMIT` may hold compact first sightings
/// (their event templates) that a build before them, finishing a load a
/// crash interrupted, would copy into the event log unrendered; a version-4
/// dir is upgraded by recording the version (a load it left half done
/// holds no compact value).
pub const FORMAT_VERSION: u32 = 5;

/// A raw document (WHOIS text, RDAP JSON, certificate) kept per subject and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The entity it is about (usually a registrable domain).
    pub subject: Entity,
    /// `whois`, `rdap`, `cert`...
    pub kind: String,
    /// Observation time.
    pub time: Timestamp,
    /// Where it came from (server, file).
    pub source: String,
    /// The bytes, uncompressed.
    pub body: Vec<u8>,
}

/// One entry of the event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Sequence number, assigned by the store, strictly increasing from 1.
    pub seq: u64,
    /// When the change happened (data time, not wall time).
    pub time: Timestamp,
    /// `domain_added`, `domain_removed`, `domain_redelegated`,
    /// `pdns_first_seen`, `cert_first_seen`, `whois_changed`, `feed_listed`,
    /// `feed_delisted`...
    pub kind: String,
    /// What changed (usually a domain name).
    pub subject: String,
    /// Details (`ns_old`, `ns_new`, `feed`...).
    pub data: BTreeMap<String, String>,
}

/// An event to append (the store assigns `seq`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// See [`Event::time`].
    pub time: Timestamp,
    /// See [`Event::kind`].
    pub kind: String,
    /// See [`Event::subject`].
    pub subject: String,
    /// See [`Event::data`].
    pub data: BTreeMap<String, String>,
}

/// Progress of one ingested input, recorded with the data it covers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LedgerEntry {
    /// Stable identity of the input (source kind + content digest).
    pub key: String,
    /// A human name for it (file path).
    pub name: String,
    /// Every record up to this position (line, record number) is stored.
    pub committed_through: u64,
    /// The whole input is stored.
    pub complete: bool,
    /// Wall time of the last update.
    pub updated_at: Timestamp,
}

/// What one write stores, atomically on engines that can.
#[derive(Debug, Clone, Default)]
pub struct WriteBatch {
    /// Observations to merge.
    pub observations: Vec<Observation>,
    /// Raw documents.
    pub documents: Vec<Document>,
    /// Events to append.
    pub events: Vec<NewEvent>,
    /// The ledger position this batch completes.
    pub ledger: Option<LedgerEntry>,
}

/// What a write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteReceipt {
    /// Facts created (0 when `new_known` is false).
    pub facts_new: u64,
    /// Facts that existed and were widened (every distinct fact of the
    /// batch when `new_known` is false).
    pub facts_merged: u64,
    /// Whether the engine split the batch's facts into new and merged. The
    /// ClickHouse engine does not: it would cost a read per batch.
    pub new_known: bool,
    /// Events appended; the last one's sequence number.
    pub last_event_seq: Option<u64>,
}

/// A domain's (or other holder's) roll-up of one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// Predicate.
    pub predicate: Predicate,
    /// Value.
    pub object: Entity,
    /// Window over all subjects under the holder.
    pub window: Window,
    /// Current or historic (see the crate docs).
    pub current: bool,
}

/// How many registrable domains hold a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValueCount {
    /// Holding it now.
    pub current: u64,
    /// Held it before, not now.
    pub historic: u64,
}

/// Which holders a pivot returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Domains holding the value now.
    #[default]
    Current,
    /// Domains that held it before and no longer do.
    Historic,
    /// Both.
    All,
}

/// A pivot request: the registrable domains holding `predicate = object`.
#[derive(Debug, Clone)]
pub struct PivotQuery {
    /// Predicate.
    pub predicate: Predicate,
    /// Value.
    pub object: Entity,
    /// Which holders.
    pub scope: Scope,
    /// Resume after this domain (exclusive), as returned in `next_cursor`.
    pub after: Option<String>,
    /// Page size.
    pub limit: usize,
}

/// One page of a pivot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PivotPage {
    /// The domains on this page, in key order, with their holding.
    pub domains: Vec<(DomainName, Holding)>,
    /// Counts for the value.
    pub count: ValueCount,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<String>,
}

/// A scan of every value of one predicate with its holders, in value key
/// order ([`Store::scan_values`]): what a pass over all shared values
/// reads instead of one pivot per value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueScan {
    /// The predicate whose values are read.
    pub predicate: Predicate,
    /// Values held by fewer registrable domains are skipped.
    pub min_holders: u64,
    /// Values held by more are counted as too common, not delivered (nor
    /// read to the end where the engine can skip them).
    pub max_holders: u64,
}

/// A holder met by a value scan. Its name is kept as the store's key
/// bytes (equal keys, equal names), so that a pass over millions of
/// holdings decodes each distinct name once, not once per holding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScannedHolder<'a> {
    /// The registrable domain, as the store's name key ([`Self::name`]
    /// decodes it).
    pub key: &'a [u8],
    /// Whether it holds the value now.
    pub current: bool,
    /// When it was first seen holding it.
    pub first_seen: Timestamp,
}

/// The name (normalised ASCII form) of a store name key (a
/// [`ScannedHolder::key`]) appended to `out`; false (and `out`
/// unspecified) if the key is not a name's.
pub fn push_key_name(key: &[u8], out: &mut String) -> bool {
    keys::push_name_ascii(key, out)
}

impl ScannedHolder<'_> {
    /// The registrable domain (normalised ASCII form) appended to `out`;
    /// false (and `out` unspecified) if the key is not a name's.
    pub fn push_name(&self, out: &mut String) -> bool {
        push_key_name(self.key, out)
    }

    /// The registrable domain (normalised ASCII form).
    pub fn name(&self) -> Option<String> {
        let mut s = String::with_capacity(self.key.len());
        self.push_name(&mut s).then_some(s)
    }
}

/// What a value scan met.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValueScanSummary {
    /// Values delivered to the visitor.
    pub delivered: u64,
    /// Values held by more than `max_holders` domains.
    pub too_common: u64,
}

/// Which subjects a fact query covers.
#[derive(Debug, Clone)]
pub enum SubjectSel {
    /// Exactly this entity.
    Exact(Entity),
    /// A registrable domain and all its hosts (not other registrable domains below it).
    Registrable(DomainName),
    /// A name and every name below it (`*.example.com` plus `example.com`).
    Subtree(DomainName),
    /// Every IP in a prefix.
    Cidr(IpNet),
}

/// Which objects a reverse query covers.
#[derive(Debug, Clone)]
pub enum ObjectSel {
    /// Exactly this value.
    Exact(Entity),
    /// A name and every name below it.
    Subtree(DomainName),
    /// Every IP in a prefix.
    Cidr(IpNet),
}

/// Time fence on facts (DNSDB semantics; all bounds optional, inclusive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeFence {
    /// `first_seen <= first_before`... strictly: first seen before this time.
    pub first_before: Option<Timestamp>,
    /// First seen after this time.
    pub first_after: Option<Timestamp>,
    /// Last seen before this time.
    pub last_before: Option<Timestamp>,
    /// Last seen after this time.
    pub last_after: Option<Timestamp>,
}

impl TimeFence {
    /// Whether a window passes the fence.
    pub fn admits(&self, w: &Window) -> bool {
        self.first_before.is_none_or(|t| w.first_seen <= t)
            && self.first_after.is_none_or(|t| w.first_seen >= t)
            && self.last_before.is_none_or(|t| w.last_seen <= t)
            && self.last_after.is_none_or(|t| w.last_seen >= t)
    }
}

/// The facts under a registrable domain as a profile shows them (see
/// [`Store::subject_summary`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectSummary {
    /// Each subject (as written by `Entity`'s `Display`) and its number of
    /// facts.
    pub subjects: BTreeMap<String, u64>,
    /// The sources of those facts.
    pub sources: BTreeSet<String>,
    /// Earliest first sighting and latest last sighting (`None`: no facts).
    pub window: Option<(Timestamp, Timestamp)>,
    /// Facts read.
    pub facts: u64,
    /// More facts matched than the limit.
    pub limited: bool,
}

impl SubjectSummary {
    /// The summary of a page of facts.
    pub fn of_facts(page: &FactPage) -> SubjectSummary {
        let mut out = SubjectSummary {
            limited: page.limited,
            ..SubjectSummary::default()
        };
        for f in &page.facts {
            out.add(
                &f.subject.to_string(),
                &f.window,
                f.sources.iter().cloned(),
                1,
            );
        }
        out
    }

    /// Counts `facts` facts of `subject` seen in `window` by `sources`.
    pub fn add(
        &mut self,
        subject: &str,
        window: &Window,
        sources: impl IntoIterator<Item = String>,
        facts: u64,
    ) {
        if let Some(n) = self.subjects.get_mut(subject) {
            *n += facts;
        } else {
            self.subjects.insert(subject.to_string(), facts);
        }
        self.sources.extend(sources);
        self.window = Some(match self.window {
            None => (window.first_seen, window.last_seen),
            Some((a, b)) => (a.min(window.first_seen), b.max(window.last_seen)),
        });
        self.facts += facts;
    }
}

/// A forward fact query.
#[derive(Debug, Clone)]
pub struct FactQuery {
    /// Which subjects.
    pub subject: SubjectSel,
    /// Only these predicates (empty: all).
    pub predicates: Vec<Predicate>,
    /// Time fence.
    pub fence: TimeFence,
    /// Stop after this many facts (the result says whether it was cut).
    pub limit: usize,
}

/// A reverse fact query: which subjects had a fact with this object.
#[derive(Debug, Clone)]
pub struct ReverseQuery {
    /// Which objects.
    pub object: ObjectSel,
    /// Only these predicates (empty: all).
    pub predicates: Vec<Predicate>,
    /// Time fence.
    pub fence: TimeFence,
    /// Stop after this many facts.
    pub limit: usize,
}

/// A scan of distinct subject names in written (forward) label order: the
/// index behind right-hand wildcards (`www.example.*`).
#[derive(Debug, Clone)]
pub struct NameScan {
    /// The leading labels (`www.example` for `www.example.*`): names that
    /// start with them and have at least one more label.
    pub labels: String,
    /// Resume after this name (exclusive), as the last name of a page.
    pub after: Option<DomainName>,
    /// Most names returned.
    pub limit: usize,
}

/// Facts and whether the limit cut them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactPage {
    /// The facts, in engine key order.
    pub facts: Vec<Fact>,
    /// More facts matched than `limit`.
    pub limited: bool,
}

/// Result of a consistency check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Facts examined.
    pub facts: u64,
    /// Holdings examined.
    pub holdings: u64,
    /// Counted values examined.
    pub values: u64,
    /// Events examined.
    pub events: u64,
    /// Problems found (empty: consistent).
    pub problems: Vec<String>,
}

/// Sizes, for `scry store stats` and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Engine name.
    pub engine: String,
    /// Approximate number of facts.
    pub facts: u64,
    /// Approximate number of holdings.
    pub holdings: u64,
    /// Bytes on disk (or in the remote tables).
    pub disk_bytes: u64,
    /// Last event sequence number.
    pub last_event_seq: u64,
}

/// A load of many batches, stored at once by `finish` (see
/// [`Store::bulk_load`]).
pub trait BulkLoad {
    /// Adds a batch's observations and events (documents are refused).
    fn add(&mut self, batch: WriteBatch) -> Result<()>;

    /// [`BulkLoad::add`] of observations only, taking them out of
    /// `observations` and leaving its buffer to the caller (a loader that
    /// reuses its buffers batch after batch touches no fresh pages: each
    /// fresh MiB costs the kernel's zeroing). By default the vector is
    /// moved into `add` and a new empty one left in its place.
    fn add_observations(&mut self, observations: &mut Vec<Observation>) -> Result<()> {
        self.add(WriteBatch {
            observations: std::mem::take(observations),
            ..Default::default()
        })
    }

    /// Adds first-sighting candidates: each `(subject, event)` is stored
    /// only when the subject had no fact before the load and no earlier
    /// candidate of the load names it, numbered where it was added, as
    /// batch writes filtering with [`Store::known_subjects`] would store
    /// them.
    fn add_first_sightings(&mut self, sightings: Vec<(Entity, NewEvent)>) -> Result<()>;

    /// [`BulkLoad::add_first_sightings`] without building the events: one
    /// `kind` event with `data` per `(name, time)`, its subject the name's
    /// ASCII form.
    fn add_first_sighting_times(
        &mut self,
        kind: &str,
        data: &BTreeMap<String, String>,
        sightings: &[(&DomainName, Timestamp)],
    ) -> Result<()>;

    /// Adds one event without building a [`NewEvent`] (numbered where it
    /// is added, as the events of [`BulkLoad::add`] are): its data as
    /// (key, value) pairs in strictly ascending key order (the order of
    /// [`NewEvent::data`]); pairs out of order are refused. The stored
    /// event is the one `add` stores for the same parts.
    fn add_event(
        &mut self,
        time: Timestamp,
        kind: &str,
        subject: &str,
        data: &[(&str, &str)],
    ) -> Result<()> {
        if data.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(StoreError::Invalid(
                "event data keys must be unique and in ascending order".into(),
            ));
        }
        self.add(WriteBatch {
            events: vec![NewEvent {
                time,
                kind: kind.to_string(),
                subject: subject.to_string(),
                data: data
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }],
            ..Default::default()
        })
    }

    /// Stores everything added, with `ledger`, durably.
    fn finish(self: Box<Self>, ledger: Option<LedgerEntry>) -> Result<WriteReceipt>;
}

/// A zone snapshot's delegations stored in an engine's own form (see
/// [`Store::zone_form`]). `Send`: the caller feeds it on the thread that
/// produces the facts.
pub trait ZoneForm: Send {
    /// Takes one delegation's facts (subject, predicate, object), each
    /// seen by the form's source at its date. `false` when they do not fit
    /// the form: the caller stores them as facts. Borrowed: a zone's name
    /// servers, its own name and a delegation's subject are each one
    /// entity for many facts.
    fn add(&mut self, facts: &[(&Entity, Predicate, &Entity)]) -> Result<bool>;

    /// Stores what was taken, durably. Returns facts the form gave back
    /// (holders that facts outside the form also name), which the caller
    /// stores as facts.
    fn finish(self: Box<Self>) -> Result<Vec<(Entity, Predicate, Entity)>>;

    /// [`ZoneForm::finish`] in two steps: makes what was taken durable (a
    /// crash after this ends with the form stored by the next open) and
    /// returns the facts given back with the rest of the storing, which
    /// the caller may run while it stores other keyspaces.
    fn commit<'s>(self: Box<Self>) -> Result<ZoneFormCommit<'s>>
    where
        Self: 's;

    /// A second adder for a producer on another thread (`None`, the
    /// default: one thread adds). Once a lane is taken the adds come in
    /// blocks, each ended by `end_block`: the form's first block, then
    /// the lane's first, the form's second, and so on, and what is stored
    /// is exactly what adding every block on one thread in that order
    /// stores. The lane must be finished (or dropped, which fails the
    /// form) before the form's `commit` or `finish`.
    fn second_lane(&mut self) -> Result<Option<Box<dyn ZoneFormLane>>> {
        Ok(None)
    }

    /// Ends one of this adder's blocks (without a lane: nothing).
    fn end_block(&mut self) -> Result<()> {
        Ok(())
    }
}

/// The second adder of a [`ZoneForm`] ([`ZoneForm::second_lane`]).
pub trait ZoneFormLane: Send {
    /// As [`ZoneForm::add`].
    fn add(&mut self, facts: &[(&Entity, Predicate, &Entity)]) -> Result<bool>;

    /// Ends one of this lane's blocks.
    fn end_block(&mut self) -> Result<()>;

    /// Hands what the lane took to its form; the lane's last block needs
    /// no `end_block`.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// What [`ZoneForm::commit`] returns: the facts given back, and the
/// storing still to run.
pub type ZoneFormCommit<'s> = (
    Vec<(Entity, Predicate, Entity)>,
    Box<dyn FnOnce() -> Result<()> + Send + 's>,
);

/// The fact store. Implementations are internally synchronised.
pub trait Store: Send + Sync {
    /// Engine name (`embedded`, `clickhouse`).
    fn engine(&self) -> &'static str;

    /// A zone-specific form for a zone's first snapshot (`source` is
    /// `zone:<origin>`, every fact at `date`): `None` (the default, and
    /// the ClickHouse engine) stores the snapshot as facts. Reads see the
    /// same facts either way.
    fn zone_form(&self, _source: &str, _date: Timestamp) -> Result<Option<Box<dyn ZoneForm + '_>>> {
        Ok(None)
    }

    /// A first passive-DNS load into a store holding nothing, as a bulk
    /// load that the engine may store in a compact form (the embedded
    /// engine's pDNS form: facts and reverse entries only, holdings and
    /// counts derived on read); `None`: use [`Store::bulk_load`]. Every
    /// read answers as if the load had gone through the bulk load. Its
    /// `finish` needs a ledger entry.
    fn pdns_form(&self) -> Result<Option<Box<dyn BulkLoad + '_>>> {
        Ok(None)
    }

    /// Stores a batch: observations merged, documents kept, events
    /// appended, ledger updated. The embedded engine applies it atomically
    /// and durably before returning.
    fn write(&self, batch: WriteBatch) -> Result<WriteReceipt>;

    /// A bulk load, when the engine has a faster path for large inputs
    /// (the embedded engine sorts the whole input and ingests each index
    /// once, merged with what is stored); `None`: write batches instead.
    /// It stores exactly what writing its batches in order would. Nothing
    /// it is given is stored before [`BulkLoad::finish`]; a crash before
    /// that leaves the store as it was.
    fn bulk_load(&self) -> Result<Option<Box<dyn BulkLoad + '_>>> {
        Ok(None)
    }

    /// The ledger entry for an input, if any part of it was stored.
    fn ledger(&self, key: &str) -> Result<Option<LedgerEntry>>;

    /// Facts by subject.
    fn facts(&self, q: &FactQuery) -> Result<FactPage>;

    /// Facts by object (reverse index).
    fn reverse(&self, q: &ReverseQuery) -> Result<FactPage>;

    /// Distinct subject names by their leading labels, in forward order
    /// (a range scan of the forward-name index, never a full scan).
    fn names_forward(&self, q: &NameScan) -> Result<Vec<DomainName>>;

    /// Whether each subject has any fact stored, in input order (ingest
    /// uses it to tell first sightings). The default reads one fact per
    /// subject; an engine with a cheaper membership test overrides it.
    fn known_subjects(&self, subjects: &[Entity]) -> Result<Vec<bool>> {
        subjects
            .iter()
            .map(|e| {
                Ok(!self
                    .facts(&FactQuery {
                        subject: SubjectSel::Exact(e.clone()),
                        predicates: Vec::new(),
                        fence: TimeFence::default(),
                        limit: 1,
                    })?
                    .facts
                    .is_empty())
            })
            .collect()
    }

    /// What a profile shows of the facts under a registrable domain (its
    /// hosts with their fact counts, the sources, the overall window), over
    /// at most `limit` facts: [`SubjectSummary::of_facts`] of
    /// [`Store::facts`] with [`SubjectSel::Registrable`]. The default reads
    /// those facts; an engine may skip decoding their objects.
    fn subject_summary(&self, registrable: &DomainName, limit: usize) -> Result<SubjectSummary> {
        let page = self.facts(&FactQuery {
            subject: SubjectSel::Registrable(registrable.clone()),
            predicates: vec![],
            fence: TimeFence::default(),
            limit,
        })?;
        Ok(SubjectSummary::of_facts(&page))
    }

    /// Everything a holder (registrable domain, IP...) holds.
    fn holdings(&self, holder: &Entity) -> Result<Vec<Holding>>;

    /// How many registrable domains hold each value, in input order.
    fn value_counts(&self, values: &[(Predicate, Entity)]) -> Result<Vec<ValueCount>>;

    /// The registrable domains holding a value, paged.
    fn pivot(&self, q: &PivotQuery) -> Result<PivotPage>;

    /// Every value of `q.predicate` held by `q.min_holders` to
    /// `q.max_holders` registrable domains, in value key order, each with
    /// all its holders in key order (text values may come back lower-case
    /// where the engine keeps no display form beside its by-value index).
    /// One streaming read of the by-value holdings index, not a read per
    /// value.
    fn scan_values(
        &self,
        q: &ValueScan,
        visit: &mut dyn FnMut(&Entity, &[ScannedHolder<'_>]) -> Result<()>,
    ) -> Result<ValueScanSummary>;

    /// Raw documents about a subject, oldest first (`kind` empty: all kinds).
    fn documents(&self, subject: &Entity, kind: &str) -> Result<Vec<Document>>;

    /// Events with `seq > after`, at most `limit`, in order.
    fn events(&self, after: u64, limit: usize) -> Result<Vec<Event>>;

    /// Verifies the store's internal consistency.
    fn check(&self) -> Result<CheckReport>;

    /// Sizes.
    fn stats(&self) -> Result<StoreStats>;
}

/// The holder of a subject: a name's registrable domain, or the subject itself.
pub fn holder_of(subject: &Entity) -> Entity {
    match subject {
        Entity::Domain(d) if !d.is_registrable() && d.registrable().is_some() => {
            Entity::Domain(d.registrable_name())
        }
        other => other.clone(),
    }
}
