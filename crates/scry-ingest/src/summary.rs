use std::collections::BTreeMap;

use scry_model::{Observation, Timestamp};
use scry_parse::ParseError;
use scry_store::{LedgerEntry, NewEvent, Store, WriteBatch};
use serde::Serialize;

use crate::error::{IngestError, Result};

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

impl IngestSummary {
    /// A new summary for an input.
    pub(crate) fn for_input(name: &str) -> IngestSummary {
        IngestSummary {
            input: name.to_string(),
            ..Default::default()
        }
    }

    /// Counts a rejected record (by `kind:field`), logs it and keeps the
    /// first few as examples; with `strict`, turns it into the error instead.
    pub(crate) fn reject(&mut self, e: ParseError, strict: bool) -> Result<()> {
        if strict {
            return Err(IngestError::Strict(e));
        }
        self.rejected += 1;
        let reason = match &e.field {
            Some(f) => format!("{}:{f}", e.kind),
            None => e.kind.to_string(),
        };
        *self.rejected_by_reason.entry(reason).or_default() += 1;
        tracing::warn!(error = %e, "skipped invalid record");
        if self.rejected_examples.len() < MAX_EXAMPLES {
            self.rejected_examples.push(e.to_string());
        }
        Ok(())
    }

    /// Where to resume an input from the ledger: `None` when it was
    /// completely stored (the summary then says so), else the position
    /// after which to continue (0 for a new input).
    pub(crate) fn resume_point(&mut self, store: &dyn Store, key: &str) -> Result<Option<u64>> {
        match store.ledger(key)? {
            Some(l) if l.complete => {
                self.already_complete = true;
                self.skipped = l.committed_through;
                Ok(None)
            }
            Some(l) => Ok(Some(l.committed_through)),
            None => Ok(Some(0)),
        }
    }
}

/// Where an input's progress is recorded: its ledger key and name.
pub(crate) struct LedgerInput<'a> {
    /// The store written to.
    pub(crate) store: &'a dyn Store,
    /// The ledger key (source kind + content identity).
    pub(crate) key: &'a str,
    /// The input's name.
    pub(crate) name: &'a str,
    /// Wall time of the update.
    pub(crate) now: Timestamp,
}

impl IngestSummary {
    /// Stores one batch with the ledger position it completes, counts it,
    /// and reports progress: the one commit step every source shares.
    pub(crate) fn commit(
        &mut self,
        input: &LedgerInput<'_>,
        observations: Vec<Observation>,
        events: Vec<NewEvent>,
        position: u64,
        complete: bool,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<()> {
        let n = observations.len() as u64;
        let r = input.store.write(WriteBatch {
            observations,
            events,
            ledger: Some(LedgerEntry {
                key: input.key.to_string(),
                name: input.name.to_string(),
                committed_through: position,
                complete,
                updated_at: input.now,
            }),
            ..Default::default()
        })?;
        self.stored += n;
        self.facts_new += r.facts_new;
        self.facts_merged += r.facts_merged;
        self.batches += 1;
        progress(&Progress {
            committed_through_line: position,
            bytes: 0,
            read: self.read,
            rejected: self.rejected,
        });
        Ok(())
    }
}
