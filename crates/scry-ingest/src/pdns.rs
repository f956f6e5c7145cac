//! `scry ingest pdns`: passive DNS from sensors and feeds (COF, DNSDB SAF,
//! Zeek TSV/JSON, passivedns, dnstap, pcap/pcapng), plain or gzip.
//!
//! Each answer becomes an rrset fact `(rrname, rrtype, rdata)` through the
//! shared predicate vocabulary (NS, A/AAAA, MX, CNAME meet zone and WHOIS
//! facts in pivots) with its window and count; the source names the sensor.
//! A name Scry has never seen writes a `pdns_first_seen` event. Batches are
//! committed with their record position in the ledger, so replaying a file
//! changes nothing and an interrupted ingest resumes.

use std::io::BufRead;
use std::path::Path;
use std::time::Instant;

use scry_model::{Observation, Timestamp};
use scry_parse::ParseError;
use scry_parse::pdns::{PdnsFormat, PdnsReader, detect_format};
use scry_store::Store;

use crate::error::{IngestError, Result};
use crate::input::{file_identity, open_input};
use crate::summary::{IngestSummary, LedgerInput, Progress};

/// Options of a passive-DNS ingest.
#[derive(Debug, Clone)]
pub struct PdnsOptions {
    /// The format; `None`: detect from the first bytes.
    pub format: Option<PdnsFormat>,
    /// Stop at the first bad record.
    pub strict: bool,
    /// Observations per committed batch.
    pub batch_size: usize,
    /// DNS server ports in pcap captures.
    pub dns_ports: Vec<u16>,
    /// "Now".
    pub now: Timestamp,
}

/// Ingests one passive-DNS file.
pub fn ingest_pdns(
    store: &dyn Store,
    path: &Path,
    opts: &PdnsOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<IngestSummary> {
    let started = Instant::now();
    let name = path.display().to_string();
    let key = format!("pdns:{}", file_identity(path)?);
    let mut summary = IngestSummary::for_input(&name);
    let Some(resume) = summary.resume_point(store, &key)? else {
        return Ok(summary);
    };
    let mut input = open_input(path)?;
    let format = match opts.format {
        Some(f) => f,
        None => {
            let head = input.fill_buf().map_err(|e| IngestError::Io {
                path: path.to_path_buf(),
                source: e,
            })?;
            detect_format(head).ok_or_else(|| {
                IngestError::Strict(
                    ParseError::new(
                        scry_parse::ParseErrorKind::Unsupported,
                        "cannot tell the format; give --format",
                    )
                    .with_source(name.clone()),
                )
            })?
        }
    };
    let file_source = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_else(|| "file".into());
    let reader = PdnsReader::new(format, input)
        .with_source(name.clone())
        .with_dns_ports(&opts.dns_ports);
    let mut position = 0u64;
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
        let events = crate::first_seen_events(store, batch, "pdns_first_seen", "pdns", opts.now)?;
        summary.commit(
            &ledger,
            std::mem::take(batch),
            events,
            position,
            complete,
            progress,
        )
    };
    for item in reader {
        position += 1;
        if position <= resume {
            continue;
        }
        summary.read += 1;
        let rec = match item {
            Ok(r) => r,
            Err(e) => {
                summary.reject(e, opts.strict)?;
                continue;
            }
        };
        let source = format!("pdns:{}", rec.sensor_id.as_deref().unwrap_or(&file_source));
        match rec.to_observation(&source, opts.now) {
            Ok(o) => batch.push(o),
            Err(e) => summary.reject(e.with_source(name.clone()), opts.strict)?,
        }
        if batch.len() >= opts.batch_size.max(1) {
            flush(&mut batch, position, false, &mut summary)?;
        }
    }
    flush(&mut batch, position, true, &mut summary)?;
    summary.skipped = resume;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}
