use std::collections::BTreeMap;

use serde::Serialize;

/// What an ingest did (printed by the CLI, as a table or JSON).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IngestSummary {
    /// The input's name.
    pub input: String,
    /// Records (lines) read in this run.
    pub read: u64,
    /// Observations stored in this run.
    pub stored: u64,
    /// Records rejected in this run.
    pub rejected: u64,
    /// Rejections by reason (`value:subject`, `syntax:time`...).
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// The first rejections, with their positions.
    pub rejected_examples: Vec<String>,
    /// Records skipped because the ledger says an earlier run stored them.
    pub skipped: u64,
    /// The ledger says the whole input was already stored: nothing was done.
    pub already_complete: bool,
    /// Facts created.
    pub facts_new: u64,
    /// Facts that existed and were widened.
    pub facts_merged: u64,
    /// Batches committed.
    pub batches: u64,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
}

/// Progress after each durable commit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Every line up to this one (1-based) is durably stored.
    pub committed_through_line: u64,
    /// Bytes of input consumed so far (of the decompressed stream).
    pub bytes: u64,
    /// Records read so far in this run.
    pub read: u64,
    /// Records rejected so far in this run.
    pub rejected: u64,
}

/// How many rejection examples a summary keeps.
pub(crate) const MAX_EXAMPLES: usize = 20;
