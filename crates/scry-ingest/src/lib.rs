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
    use std::collections::{BTreeMap, HashMap};

    use scry_model::{DomainName, Entity};
    use scry_store::NewEvent;

    // Earliest sighting per name (hashed: a batch repeats few names but
    // holds many), then in name order so events come out sorted.
    let mut first: HashMap<&DomainName, scry_model::Timestamp> = HashMap::new();
    for o in batch {
        if let Some(d) = o.subject.as_domain() {
            let t = first.entry(d).or_insert(o.window.first_seen);
            *t = (*t).min(o.window.first_seen);
        }
    }
    let mut first: Vec<(&DomainName, scry_model::Timestamp)> = first.into_iter().collect();
    first.sort_unstable_by(|a, b| a.0.cmp(b.0));
    // One membership test per name (the embedded engine: a bloom-filtered
    // marker read), not a scan of the name's facts.
    let subjects: Vec<Entity> = first
        .iter()
        .map(|(d, _)| Entity::Domain((*d).clone()))
        .collect();
    let known = store.known_subjects(&subjects)?;
    let mut events = Vec::new();
    for ((d, t), known) in first.into_iter().zip(known) {
        if !known {
            events.push(NewEvent {
                time: if t > 0 { t } else { now },
                kind: kind.to_string(),
                subject: d.ascii().to_string(),
                data: BTreeMap::from([("source".to_string(), source.to_string())]),
            });
        }
    }
    Ok(events)
}
