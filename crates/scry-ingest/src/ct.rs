//! `scry ingest ct`: certificate-transparency entries (certstream JSON
//! lines). Every name a certificate covers gets its hash, issuer and
//! subject as facts (so `ssl_hash` pivots find the other names on the same
//! certificate), and a name never seen before writes a `cert_first_seen`
//! event for the monitors.

use std::path::Path;
use std::time::Instant;

use scry_model::{Observation, Timestamp};
use scry_parse::ct::{MAX_LINE, parse_line};
use scry_parse::{ParseError, ParseErrorKind};
use scry_store::Store;

use crate::error::{IngestError, Result};
use crate::input::{Line, file_identity, open_input, read_line_bounded};
use crate::summary::{IngestSummary, LedgerInput, Progress};

/// Options of a CT ingest.
#[derive(Debug, Clone)]
pub struct CtOptions {
    /// Stop at the first bad line.
    pub strict: bool,
    /// Observations per committed batch.
    pub batch_size: usize,
    /// "Now".
    pub now: Timestamp,
}

/// Ingests one certstream JSON-lines file.
pub fn ingest_ct(
    store: &dyn Store,
    path: &Path,
    opts: &CtOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<IngestSummary> {
    let started = Instant::now();
    let name = path.display().to_string();
    let key = format!("ct:{}", file_identity(path)?);
    let mut summary = IngestSummary::for_input(&name);
    let Some(resume) = summary.resume_point(store, &key)? else {
        return Ok(summary);
    };
    let mut input = open_input(path)?;
    let mut buf = Vec::with_capacity(4096);
    let mut line_no = 0u64;
    let mut batch: Vec<Observation> = Vec::new();
    let ledger = LedgerInput {
        store,
        key: &key,
        name: &name,
        now: opts.now,
    };
    let mut flush = |batch: &mut Vec<Observation>,
                     position: u64,
                     complete: bool,
                     summary: &mut IngestSummary|
     -> Result<()> {
        let events = crate::first_seen_events(store, batch, "cert_first_seen", "ct", opts.now)?;
        summary.commit(
            &ledger,
            std::mem::take(batch),
            events,
            position,
            complete,
            progress,
        )
    };
    loop {
        let kind =
            read_line_bounded(&mut input, &mut buf, MAX_LINE).map_err(|e| IngestError::Io {
                path: path.to_path_buf(),
                source: e,
            })?;
        if kind == Line::Eof {
            break;
        }
        line_no += 1;
        if line_no <= resume || buf.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        summary.read += 1;
        let parsed = match kind {
            Line::TooLong(n) => Err(ParseError::new(
                ParseErrorKind::TooLarge,
                format!("line is {n} bytes"),
            )),
            _ => parse_line(&buf),
        };
        match parsed {
            Ok(Some(entry)) => batch.extend(entry.to_observations("ct", opts.now)),
            Ok(None) => {}
            Err(e) => summary.reject(e.with_source(name.clone()).at_line(line_no), opts.strict)?,
        }
        if batch.len() >= opts.batch_size.max(1) {
            flush(&mut batch, line_no, false, &mut summary)?;
        }
    }
    flush(&mut batch, line_no, true, &mut summary)?;
    summary.skipped = resume;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}
