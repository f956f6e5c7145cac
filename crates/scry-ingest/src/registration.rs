//! `scry ingest whois|rdap`: registration records from files.
//!
//! Each file is one response (WHOIS text or RDAP JSON). The raw document is
//! kept (compressed, per domain and time) so history can be re-parsed when
//! the parser improves; the parsed record becomes facts on the registrable
//! domain at the observation time (`--date`, else the file's modification
//! time); a change from the domain's previous record of the same kind is
//! written to the event log as `whois_changed` with the fields that changed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use scry_model::{DomainName, Entity, Timestamp};
use scry_parse::registration::{FieldChange, RegistrationRecord};
use scry_parse::{ParseError, ParseErrorKind};
use scry_store::{Document, LedgerEntry, NewEvent, Store, WriteBatch};
use sha2::{Digest, Sha256};

use crate::error::{IngestError, Result};
use crate::summary::{IngestSummary, Progress};

/// Which format the files are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegKind {
    /// WHOIS text.
    Whois,
    /// RDAP JSON.
    Rdap,
}

impl RegKind {
    /// `whois` or `rdap`: the document kind and source name.
    pub fn as_str(self) -> &'static str {
        match self {
            RegKind::Whois => "whois",
            RegKind::Rdap => "rdap",
        }
    }
}

/// Options of a registration ingest.
#[derive(Debug, Clone)]
pub struct RegOptions {
    /// Format.
    pub kind: RegKind,
    /// Observation time for every file (else each file's mtime).
    pub observed_at: Option<Timestamp>,
    /// Stop at the first bad file.
    pub strict: bool,
    /// "Now".
    pub now: Timestamp,
}

/// Largest file read (bigger ones are rejected, not read).
pub const MAX_FILE: u64 = 16 << 20;

/// Files under `paths` (directories walked recursively), sorted.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| IngestError::Io {
            path: p.clone(),
            source: e,
        })?;
        if meta.is_dir() {
            let mut stack = vec![p.clone()];
            while let Some(d) = stack.pop() {
                let rd = std::fs::read_dir(&d).map_err(|e| IngestError::Io {
                    path: d.clone(),
                    source: e,
                })?;
                for e in rd.flatten() {
                    let path = e.path();
                    match e.file_type() {
                        Ok(t) if t.is_dir() => stack.push(path),
                        Ok(t) if t.is_file() => out.push(path),
                        _ => {}
                    }
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    Ok(out)
}

/// Parses one document.
pub fn parse(kind: RegKind, body: &[u8]) -> std::result::Result<RegistrationRecord, ParseError> {
    match kind {
        RegKind::Whois => Ok(scry_parse::parse_whois_bytes(body)),
        RegKind::Rdap => scry_parse::parse_rdap(body),
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    let f = std::fs::File::open(path).map_err(|e| IngestError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut body = Vec::new();
    f.take(MAX_FILE + 1)
        .read_to_end(&mut body)
        .map_err(|e| IngestError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
    Ok(body)
}

fn mtime(path: &Path) -> Option<Timestamp> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
}

/// The newest stored record of `kind` for `domain` observed before `time`.
pub fn previous_record(
    store: &dyn Store,
    kind: RegKind,
    domain: &DomainName,
    time: Timestamp,
) -> Result<Option<(Timestamp, RegistrationRecord)>> {
    let docs = store.documents(&Entity::Domain(domain.clone()), kind.as_str())?;
    for d in docs.iter().rev() {
        if d.time < time
            && let Ok(r) = parse(kind, &d.body)
            && r.has_data()
        {
            return Ok(Some((d.time, r)));
        }
    }
    Ok(None)
}

/// Ingests registration files; one durable write per file.
pub fn ingest_paths(
    store: &dyn Store,
    paths: &[PathBuf],
    opts: &RegOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<IngestSummary> {
    let started = Instant::now();
    let files = expand(paths)?;
    let mut summary = IngestSummary {
        input: paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        ..Default::default()
    };
    for (i, path) in files.iter().enumerate() {
        let name = path.display().to_string();
        let body = read_bounded(path)?;
        summary.read += 1;
        let key = format!(
            "{}:{}",
            opts.kind.as_str(),
            Sha256::digest(&body)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        if store.ledger(&key)?.is_some_and(|l| l.complete) {
            summary.skipped += 1;
            continue;
        }
        if body.len() as u64 > MAX_FILE {
            summary.reject(
                ParseError::new(
                    ParseErrorKind::TooLarge,
                    format!("larger than {MAX_FILE} bytes"),
                )
                .with_source(name),
                opts.strict,
            )?;
            continue;
        }
        let record = match parse(opts.kind, &body) {
            Ok(r) => r,
            Err(e) => {
                summary.reject(e.with_source(name), opts.strict)?;
                continue;
            }
        };
        let Some(domain) = record
            .domain
            .as_deref()
            .and_then(|d| DomainName::parse(d).ok())
        else {
            let why = if record.not_found {
                "a not-found response"
            } else if record.rate_limited {
                "a rate-limit response"
            } else {
                "no domain name in the record"
            };
            summary.reject(
                ParseError::new(ParseErrorKind::Value, why)
                    .with_source(name)
                    .in_field("domain"),
                opts.strict,
            )?;
            continue;
        };
        let domain = domain.registrable_name();
        let time = opts.observed_at.or_else(|| mtime(path)).unwrap_or(opts.now);
        let observations = record.to_observations(time, opts.kind.as_str(), opts.now);
        let mut events = Vec::new();
        match previous_record(store, opts.kind, &domain, time)? {
            Some((prev_time, prev)) => {
                let changes = record.diff(&prev);
                if !changes.is_empty() {
                    events.push(change_event(
                        &domain,
                        time,
                        Some(prev_time),
                        opts.kind,
                        &changes,
                    ));
                }
            }
            // The first record of a domain: every field is new (registrant
            // monitors watch these).
            None => {
                let fields = record.diff(&RegistrationRecord::default());
                events.push(change_event(&domain, time, None, opts.kind, &fields));
            }
        }
        summary.stored += observations.len() as u64;
        let receipt = store.write(WriteBatch {
            observations,
            documents: vec![Document {
                subject: Entity::Domain(domain),
                kind: opts.kind.as_str().to_string(),
                time,
                source: name.clone(),
                body,
            }],
            events,
            ledger: Some(LedgerEntry {
                key,
                name,
                committed_through: 1,
                complete: true,
                updated_at: opts.now,
            }),
        })?;
        summary.facts_new += receipt.facts_new;
        summary.facts_merged += receipt.facts_merged;
        summary.batches += 1;
        progress(&Progress {
            committed_through_line: i as u64 + 1,
            bytes: 0,
            read: summary.read,
            rejected: summary.rejected,
        });
    }
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

fn change_event(
    domain: &DomainName,
    time: Timestamp,
    prev_time: Option<Timestamp>,
    kind: RegKind,
    changes: &[FieldChange],
) -> NewEvent {
    let mut data = BTreeMap::new();
    data.insert("kind".to_string(), kind.as_str().to_string());
    if let Some(p) = prev_time {
        data.insert("previous".to_string(), scry_model::format_time(p));
    }
    data.insert(
        "fields".to_string(),
        changes
            .iter()
            .map(|c| c.field.as_str())
            .collect::<Vec<_>>()
            .join(","),
    );
    for c in changes {
        if let Some(o) = &c.old {
            data.insert(format!("{}_old", c.field), o.clone());
        }
        if let Some(n) = &c.new {
            data.insert(format!("{}_new", c.field), n.clone());
        }
    }
    NewEvent {
        time,
        kind: if prev_time.is_some() {
            "whois_changed"
        } else {
            "whois_new"
        }
        .to_string(),
        subject: domain.ascii().to_string(),
        data,
    }
}
