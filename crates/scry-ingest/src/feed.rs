//! `scry ingest feed`: one version of a threat feed (a plain list, a CSV
//! dump or JSON) becomes `listed` facts on its domains and IPs, with
//! `feed_listed` / `feed_delisted` events against the previous version, and
//! the feed index ([`scry_store::feeds`]) is moved to the new version.
//!
//! A version is the set of distinct indicators in the file. An indicator in
//! the previous version but not in this one is delisted: its `listed` fact
//! keeps its window (the history stays), it just stops being current.
//!
//! Crash safety: the facts and events are written in ledger-covered batches
//! first, the index last, in one state-store transaction. A re-run of the
//! same file after a crash finishes what is missing: the remaining batches,
//! or only the index when every batch was stored.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::time::Instant;

use scry_model::{Entity, Observation, Predicate, Timestamp, Window};
use scry_parse::feed::{FeedEntry, FeedFormat, FeedReader, Indicator, entries_from_json};
use scry_parse::{ParseError, ParseErrorKind};
use scry_store::feeds::{FeedIndex, FeedKind, FeedVersion, valid_feed_name};
use scry_store::{NewEvent, StateStore, Store};
use serde::Serialize;

use crate::error::{IngestError, Result};
use crate::input::{Line, file_identity, open_input, read_line_bounded};
use crate::summary::{IngestSummary, LedgerInput, Progress};

/// Options of a feed ingest.
#[derive(Debug, Clone)]
pub struct FeedOptions {
    /// The feed's name (`[a-z0-9._-]{1,64}`).
    pub name: String,
    /// What it lists.
    pub kind: FeedKind,
    /// The layout; `None` guesses from the first bytes.
    pub format: Option<FeedFormat>,
    /// The version's time; default: now. Must not be older than the feed's
    /// newest version.
    pub as_of: Option<Timestamp>,
    /// Stop at the first bad record.
    pub strict: bool,
    /// "Now".
    pub now: Timestamp,
}

/// What a feed ingest did.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FeedSummary {
    /// The common counters.
    #[serde(flatten)]
    pub ingest: IngestSummary,
    /// The feed.
    pub feed: String,
    /// The version's time.
    pub version: Timestamp,
    /// Distinct indicators in this version.
    pub entries: u64,
    /// Newly listed.
    pub added: u64,
    /// Delisted.
    pub removed: u64,
}

/// Lines longer than this are rejected (URLs in real feeds stay far below).
const LINE_CAP: usize = 64 * 1024;
/// JSON documents are read whole; larger ones are refused.
const JSON_CAP: u64 = 1 << 30;
/// Indicators per write batch.
const BATCH: usize = 50_000;

/// Reads every entry of the file into a sorted set of indicators.
fn read_entries(
    path: &Path,
    name: &str,
    format: FeedFormat,
    strict: bool,
    summary: &mut IngestSummary,
) -> Result<BTreeMap<String, Indicator>> {
    let io = |e| IngestError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let mut set = BTreeMap::new();
    let mut take = |r: std::result::Result<FeedEntry, ParseError>,
                    summary: &mut IngestSummary|
     -> Result<()> {
        match r {
            Ok(e) => {
                set.entry(e.indicator.text()).or_insert(e.indicator);
                Ok(())
            }
            Err(e) => summary.reject(e, strict),
        }
    };
    let mut input = open_input(path)?;
    let mut head = Vec::new();
    let is_json = match format {
        FeedFormat::Json => {
            // A JSON array is read whole (bounded); one object a line is
            // read line by line below.
            (&mut input)
                .take(JSON_CAP + 1)
                .read_to_end(&mut head)
                .map_err(io)?;
            if head.len() as u64 > JSON_CAP {
                return Err(IngestError::Invalid(format!(
                    "{name}: JSON feed larger than {JSON_CAP} bytes; give it as one object a line"
                )));
            }
            let first = head.iter().find(|b| !b.is_ascii_whitespace());
            first == Some(&b'[')
        }
        _ => false,
    };
    if is_json {
        let entries = entries_from_json(&head)
            .map_err(|e| IngestError::Strict(e.with_source(name.to_string())))?;
        for r in entries {
            summary.read += 1;
            take(r.map_err(|e| e.with_source(name.to_string())), summary)?;
        }
        return Ok(set);
    }
    let mut reader = FeedReader::new(format);
    let mut buf = Vec::new();
    let mut cursor: Box<dyn std::io::BufRead> = if head.is_empty() {
        input
    } else {
        Box::new(std::io::Cursor::new(head))
    };
    let mut line_no = 0u64;
    loop {
        let kind = read_line_bounded(&mut cursor, &mut buf, LINE_CAP).map_err(io)?;
        if kind == Line::Eof {
            break;
        }
        line_no += 1;
        let parsed = match kind {
            Line::TooLong(n) => Err(ParseError::new(
                ParseErrorKind::TooLarge,
                format!("line is {n} bytes"),
            )),
            _ => match std::str::from_utf8(&buf) {
                Ok(s) => reader.line(s),
                Err(e) => Err(ParseError::new(ParseErrorKind::Encoding, "not utf-8")
                    .at_column(e.valid_up_to() as u64 + 1)),
            },
        };
        match parsed {
            Ok(None) => {}
            Ok(Some(e)) => {
                summary.read += 1;
                take(Ok(e), summary)?;
            }
            Err(e) => {
                summary.read += 1;
                take(
                    Err(e.with_source(name.to_string()).at_line(line_no)),
                    summary,
                )?;
            }
        }
    }
    Ok(set)
}

fn subject(ind: &Indicator) -> Entity {
    match ind {
        Indicator::Domain(d) => Entity::Domain(d.clone()),
        Indicator::Ip(ip) => Entity::Ip(*ip),
    }
}

/// Ingests one version of a feed.
pub fn ingest_feed(
    store: &dyn Store,
    state: &StateStore,
    path: &Path,
    opts: &FeedOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<FeedSummary> {
    let started = Instant::now();
    if !valid_feed_name(&opts.name) {
        return Err(IngestError::Invalid(format!(
            "feed name {:?}: use 1-64 characters of a-z 0-9 . _ - (e.g. phishtank, urlhaus)",
            opts.name
        )));
    }
    let name = path.display().to_string();
    let key = format!("feed:{}:{}", opts.name, file_identity(path)?);
    let index = FeedIndex::new(state);
    let meta = index.feed(&opts.name)?;
    let time = opts.as_of.unwrap_or(opts.now);
    let mut summary = FeedSummary {
        ingest: IngestSummary::for_input(&name),
        feed: opts.name.clone(),
        version: time,
        entries: 0,
        added: 0,
        removed: 0,
    };
    if let Some(m) = &meta {
        if let Some(v) = m.versions.iter().find(|v| v.ledger_key == key) {
            summary.ingest.already_complete = true;
            summary.version = v.time;
            summary.entries = v.entries;
            return Ok(summary);
        }
        if let Some(latest) = m.latest()
            && time < latest.time
        {
            return Err(IngestError::Invalid(format!(
                "feed {} already has a version from {}; a version as of {} would be older",
                opts.name,
                scry_model::format_time(latest.time),
                scry_model::format_time(time)
            )));
        }
    }
    let format = match opts.format {
        Some(f) => f,
        None => {
            let mut head = Vec::new();
            open_input(path)?
                .take(64 * 1024)
                .read_to_end(&mut head)
                .map_err(|e| IngestError::Io {
                    path: path.to_path_buf(),
                    source: e,
                })?;
            FeedFormat::sniff(&head)
        }
    };
    let set = read_entries(path, &name, format, opts.strict, &mut summary.ingest)?;
    let old = index.members(&opts.name)?;
    let added: Vec<String> = set
        .keys()
        .filter(|k| !old.contains_key(*k))
        .cloned()
        .collect();
    let removed: Vec<String> = old
        .keys()
        .filter(|k| !set.contains_key(*k))
        .cloned()
        .collect();
    summary.entries = set.len() as u64;
    summary.added = added.len() as u64;
    summary.removed = removed.len() as u64;

    // Facts and events, in ledger-covered batches (position = indicators
    // stored, in sorted order).
    let resume = match store.ledger(&key)? {
        Some(l) if l.complete => None,
        Some(l) => Some(l.committed_through),
        None => Some(0),
    };
    if let Some(resume) = resume {
        let ledger = LedgerInput {
            store,
            key: &key,
            name: &name,
            now: opts.now,
        };
        let added_set: BTreeSet<&String> = added.iter().collect();
        let w = Window {
            first_seen: time,
            last_seen: time,
            count: 1,
        };
        let source = format!("feed:{}", opts.name);
        let event = |kind: &str, subject: &str| NewEvent {
            time,
            kind: kind.to_string(),
            subject: subject.to_string(),
            data: BTreeMap::from([
                ("feed".to_string(), opts.name.clone()),
                ("feed_kind".to_string(), opts.kind.as_str().to_string()),
            ]),
        };
        let items: Vec<(&String, &Indicator)> = set.iter().collect();
        let total = items.len();
        let mut position = 0usize;
        let mut chunks = items.chunks(BATCH).peekable();
        if chunks.peek().is_none() {
            // An empty version still records itself (and delists everything).
            let events = removed.iter().map(|r| event("feed_delisted", r)).collect();
            summary
                .ingest
                .commit(&ledger, Vec::new(), events, 0, true, progress)?;
        }
        while let Some(chunk) = chunks.next() {
            let end = position + chunk.len();
            let last = chunks.peek().is_none();
            if (end as u64) > resume {
                let mut obs = Vec::with_capacity(chunk.len());
                let mut events = Vec::new();
                for (text, ind) in chunk {
                    obs.push(Observation {
                        subject: subject(ind),
                        predicate: Predicate::LISTED,
                        object: Entity::Text(opts.name.clone()),
                        window: w,
                        source: source.clone(),
                    });
                    if added_set.contains(text) {
                        events.push(event("feed_listed", text));
                    }
                }
                if last {
                    events.extend(removed.iter().map(|r| event("feed_delisted", r)));
                }
                summary
                    .ingest
                    .commit(&ledger, obs, events, end as u64, last, progress)?;
            } else {
                summary.ingest.skipped += chunk.len() as u64;
            }
            position = end;
        }
        debug_assert_eq!(position, total);
    } else {
        tracing::info!(feed = %opts.name, "facts of this version were stored by an earlier run; updating the index");
    }
    index.apply_version(
        &opts.name,
        opts.kind,
        FeedVersion {
            time,
            ledger_key: key,
            input: name,
            entries: summary.entries,
            added: summary.added,
            removed: summary.removed,
        },
        &added,
        &removed,
    )?;
    summary.ingest.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

#[cfg(test)]
mod tests;
