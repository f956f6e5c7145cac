//! Sources and collectors that feed the fact store.
//!
//! Every source streams its input, parses it with `scry-parse`, batches
//! observations and writes each batch through [`scry_store::Store::write`]
//! together with its ingest-ledger entry, so an interrupted or repeated
//! ingest is safe: a re-run skips what the ledger says is stored.
//!
//! Architecture invariants: memory is bounded by the batch size and the line
//! cap, whatever the input size; parsing and storing run on two threads
//! joined by a bounded channel (backpressure); every source reports the same
//! counters (read / stored / rejected by reason / skipped).
#![warn(missing_docs)]

pub mod asn;
pub mod ct;
mod error;
pub mod facts;
pub mod feed;
mod input;
pub mod pdns;
pub mod registration;
pub mod sensor;
mod summary;
pub mod zone;

pub use error::{IngestError, Result};
pub use input::{Line, file_identity, open_input, read_line_bounded};
pub use summary::{IngestSummary, Progress};

/// Commits a bulk load with the ledger entry that marks its input
/// complete, adds the store's receipt to `summary` and reports the final
/// position (`bytes` consumed): the end every source's bulk path shares.
pub(crate) fn finish_bulk(
    bulk: Box<dyn scry_store::BulkLoad + '_>,
    ledger: scry_store::LedgerEntry,
    bytes: u64,
    summary: &mut IngestSummary,
    progress: &mut dyn FnMut(&Progress),
) -> Result<()> {
    let committed_through_line = ledger.committed_through;
    let receipt = bulk.finish(Some(ledger))?;
    summary.facts_new += receipt.facts_new;
    summary.facts_merged += receipt.facts_merged;
    progress(&Progress {
        committed_through_line,
        bytes,
        read: summary.read,
        rejected: summary.rejected,
    });
    Ok(())
}

/// `kind` events for the names in `batch` that the store has no fact about
/// yet (first sightings), dated by their earliest observation in the batch.
/// Call it before writing the batch.
pub fn first_seen_events(
    store: &dyn scry_store::Store,
    batch: &[scry_model::Observation],
    kind: &str,
    source: &str,
    now: scry_model::Timestamp,
) -> Result<Vec<scry_store::NewEvent>> {
    new_name_events(store, sightings(batch, kind, source, now))
}

/// The distinct names of a batch and, index for index, the event each
/// would get if the store has never seen it.
#[derive(Debug, Default)]
pub struct Sightings {
    /// The names, in order.
    pub names: Vec<scry_model::Entity>,
    /// The candidate first-sighting event of each name.
    pub events: Vec<scry_store::NewEvent>,
}

/// The distinct names of a batch with their candidate `kind` events (dated
/// by the name's earliest observation), in name order: the
/// store-independent half of [`first_seen_events`], which a reader thread
/// can compute while the previous batch is written.
pub fn sightings(
    batch: &[scry_model::Observation],
    kind: &str,
    source: &str,
    now: scry_model::Timestamp,
) -> Sightings {
    use std::collections::BTreeMap;

    let sorted = first_times(batch, now);
    Sightings {
        names: sorted
            .iter()
            .map(|(d, _)| scry_model::Entity::Domain((*d).clone()))
            .collect(),
        events: sorted
            .iter()
            .map(|(d, t)| scry_store::NewEvent {
                time: *t,
                kind: kind.to_string(),
                subject: d.ascii().to_string(),
                data: BTreeMap::from([("source".to_string(), source.to_string())]),
            })
            .collect(),
    }
}

/// The distinct names of a batch, in name order, each with its earliest
/// observation (`now` when that is not a time): what dates a first-sighting
/// event.
pub fn first_times(
    batch: &[scry_model::Observation],
    now: scry_model::Timestamp,
) -> Vec<(&scry_model::DomainName, scry_model::Timestamp)> {
    first_times_of(batch.iter(), now)
}

/// [`first_times`] of observations held in several slices (one batch cut
/// into chunks).
pub fn first_times_of<'a>(
    batch: impl Iterator<Item = &'a scry_model::Observation>,
    now: scry_model::Timestamp,
) -> Vec<(&'a scry_model::DomainName, scry_model::Timestamp)> {
    first_times_with(batch, now, &mut FirstTimesBuffers::default())
}

/// The memory of [`first_times_with`]'s work list and result, kept from
/// one batch to the next: at 100 k names a batch they are ~6 MiB, and
/// fresh ones each batch were ~3% of a 1 M-rrset pDNS load's CPU in the
/// kernel's page zeroing (perf).
#[derive(Default)]
pub struct FirstTimesBuffers {
    all: Vec<[u128; 3]>,
    sorted: Vec<[u64; 2]>,
}

impl FirstTimesBuffers {
    /// Takes back a result of [`first_times_with`] (its memory).
    pub fn give_back(&mut self, sorted: Vec<(&scry_model::DomainName, scry_model::Timestamp)>) {
        self.sorted = reuse(sorted);
    }
}

/// An emptied vector's memory as a vector of another type of the same
/// size and alignment (the standard library collects in place; otherwise
/// it is a new empty vector, which is only slower).
fn reuse<A, B>(mut v: Vec<A>) -> Vec<B> {
    v.clear();
    v.into_iter().filter_map(|_| None).collect()
}

/// [`first_times_of`] with its buffers reused.
pub fn first_times_with<'a>(
    batch: impl Iterator<Item = &'a scry_model::Observation>,
    now: scry_model::Timestamp,
    buffers: &mut FirstTimesBuffers,
) -> Vec<(&'a scry_model::DomainName, scry_model::Timestamp)> {
    // Sorted by the names' text (a `DomainName` orders by it) and merged:
    // no hashing (a batch of passive DNS repeats few names). Each entry
    // carries its text's first 16 bytes as a big-endian number
    // (zero-padded: it orders as the text's front does), so most compares
    // read no name (the text compares were 40% of this function's samples
    // in `memcmp`, cache misses into 100 k names).
    let front = |t: &str| {
        let mut w = [0u8; 16];
        let n = t.len().min(16);
        w[..n].copy_from_slice(&t.as_bytes()[..n]);
        u128::from_be_bytes(w)
    };
    let mut all: Vec<(
        u128,
        &'a str,
        scry_model::Timestamp,
        &'a scry_model::DomainName,
    )> = reuse(std::mem::take(&mut buffers.all));
    all.extend(batch.filter_map(|o| {
        o.subject
            .as_domain()
            .map(|d| (front(d.ascii()), d.ascii(), o.window.first_seen, d))
    }));
    all.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let mut sorted: Vec<(&'a scry_model::DomainName, scry_model::Timestamp)> =
        reuse(std::mem::take(&mut buffers.sorted));
    sorted.reserve(all.len());
    let mut last: Option<&str> = None;
    for &(_, text, t, d) in &all {
        if last == Some(text) {
            if let Some(e) = sorted.last_mut() {
                e.1 = e.1.min(t);
            }
            continue;
        }
        last = Some(text);
        sorted.push((d, t));
    }
    buffers.all = reuse(all);
    for e in &mut sorted {
        if e.1 <= 0 {
            e.1 = now;
        }
    }
    sorted
}

/// The events of the sighted names (from [`sightings`]) the store has no
/// fact about yet. One membership test per name: the embedded engine reads
/// its name markers (bloom-filtered), not the name's facts.
pub fn new_name_events(
    store: &dyn scry_store::Store,
    sighted: Sightings,
) -> Result<Vec<scry_store::NewEvent>> {
    let known = store.known_subjects(&sighted.names)?;
    Ok(sighted
        .events
        .into_iter()
        .zip(known)
        .filter_map(|(e, known)| (!known).then_some(e))
        .collect())
}

#[cfg(test)]
mod tests {
    use scry_model::{DomainName, Entity, Observation, Predicate, Window};

    use super::*;

    fn obs(name: &str, first_seen: i64) -> Observation {
        Observation::new(
            Entity::Domain(DomainName::parse(name).unwrap()),
            Predicate::IP,
            Entity::parse(Predicate::IP.object_kind(), "192.0.2.1").unwrap(),
            Window {
                first_seen,
                last_seen: first_seen.max(1_600_000_000),
                count: 1,
            },
            "pdns:s".to_string(),
            1_800_000_000,
        )
        .unwrap()
    }

    #[test]
    fn first_times_with_reused_buffers_equal_fresh_ones_and_keep_their_memory() {
        let now = 1_800_000_000;
        let batches = [
            vec![
                obs("b.example.com", 1_600_000_300),
                obs("a.example.com", 1_600_000_200),
                obs("b.example.com", 1_600_000_100),
            ],
            vec![
                obs("c.example.org", 1_600_000_000),
                obs("a.example.com", 1_600_000_900),
            ],
        ];
        let mut buffers = FirstTimesBuffers::default();
        let mut capacity = 0;
        for (i, batch) in batches.iter().enumerate() {
            let fresh = first_times_of(batch.iter(), now);
            let reused = first_times_with(batch.iter(), now, &mut buffers);
            assert_eq!(reused, fresh);
            if i > 0 {
                // The second batch wrote into the first one's memory.
                assert_eq!(reused.capacity(), capacity);
            }
            capacity = reused.capacity();
            buffers.give_back(reused);
        }
        let names: Vec<_> = first_times(&batches[0], now)
            .into_iter()
            .map(|(d, t)| (d.ascii().to_string(), t))
            .collect();
        assert_eq!(
            names,
            [
                ("a.example.com".to_string(), 1_600_000_200),
                ("b.example.com".to_string(), 1_600_000_100)
            ]
        );
    }
}
