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

mod error;
pub mod facts;
mod input;
pub mod pdns;
pub mod registration;
mod summary;
pub mod zone;

pub use error::{IngestError, Result};
pub use input::{Line, file_identity, open_input, read_line_bounded};
pub use summary::{IngestSummary, Progress};
