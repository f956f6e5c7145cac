//! `scry ingest facts`: the generic NDJSON fact import.

use std::path::Path;
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use scry_model::{Observation, Timestamp};
use scry_parse::facts::{FactLineParser, MAX_LINE};
use scry_parse::{ParseError, ParseErrorKind};
use scry_store::{LedgerEntry, Store, WriteBatch};

use crate::error::{IngestError, Result};
use crate::input::{Line, file_identity, open_input, read_line_bounded};
use crate::summary::{IngestSummary, Progress};

/// Options of a fact import.
#[derive(Debug, Clone)]
pub struct FactsOptions {
    /// Source name for lines without `source`.
    pub default_source: String,
    /// Stop at the first bad line instead of skipping it.
    pub strict: bool,
    /// Observations per committed batch.
    pub batch_size: usize,
    /// "Now", to reject times in the future.
    pub now: Timestamp,
    /// Load an empty store in one sorted pass (`Store::bulk_load`) when
    /// the input is at least this many bytes; `None`: never. Such a load
    /// commits once, at the end: a crash before that leaves the store
    /// empty and the input is started again.
    pub bulk_min_bytes: Option<u64>,
}

struct Chunk {
    observations: Vec<Observation>,
    last_line: u64,
    bytes: u64,
    read: u64,
    rejected: Vec<ParseError>,
}

/// Parser threads.
const PARSERS: usize = 2;

/// Lines per chunk in a bulk load, whatever `batch_size` says (a bulk load
/// commits once, so a chunk is only a unit of work): small enough that a
/// chunk's buffers are reused from the allocator's free pages instead of
/// being faulted in fresh from the kernel every time.
const BULK_CHUNK_LINES: usize = 4096;

/// Lines read but not parsed yet: their bytes back to back, and per line
/// its number, the end of its bytes and, for a line over the cap, its
/// length.
struct RawChunk {
    buf: Vec<u8>,
    lines: Vec<(u64, usize, Option<usize>)>,
    last_line: u64,
    bytes: u64,
}

impl RawChunk {
    fn new(last_line: u64) -> RawChunk {
        RawChunk {
            buf: Vec::new(),
            lines: Vec::new(),
            last_line,
            bytes: 0,
        }
    }

    /// A parsed chunk back for reuse, emptied (its buffers kept).
    fn reuse(mut self, last_line: u64) -> RawChunk {
        self.buf.clear();
        self.lines.clear();
        self.last_line = last_line;
        self.bytes = 0;
        self
    }

    fn parse(
        &self,
        parser: &mut FactLineParser,
        src_name: &str,
        strict: bool,
    ) -> std::result::Result<Chunk, IngestError> {
        let mut chunk = Chunk {
            observations: Vec::with_capacity(self.lines.len()),
            last_line: self.last_line,
            bytes: self.bytes,
            read: 0,
            rejected: Vec::new(),
        };
        let mut at = 0;
        for &(line_no, end, too_long) in &self.lines {
            let res = match too_long {
                Some(n) => Err(ParseError::new(
                    ParseErrorKind::TooLarge,
                    format!("line is {n} bytes (max {MAX_LINE})"),
                )),
                None => parser.parse(&self.buf[at..end]),
            };
            at = end;
            chunk.read += 1;
            match res {
                Ok(o) => chunk.observations.push(o),
                Err(e) => {
                    let e = e.with_source(src_name.to_string()).at_line(line_no);
                    if strict {
                        return Err(IngestError::Strict(e));
                    }
                    chunk.rejected.push(e);
                }
            }
        }
        Ok(chunk)
    }
}

/// Imports one NDJSON file of observations into `store`, resuming after
/// what the ledger says an earlier run stored. `progress` is called after
/// every durable commit.
pub fn ingest_file(
    store: &dyn Store,
    path: &Path,
    opts: &FactsOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<IngestSummary> {
    let started = Instant::now();
    let name = path.display().to_string();
    let key = format!("facts:{}", file_identity(path)?);
    let mut summary = IngestSummary::for_input(&name);
    let Some(resume_after) = summary.resume_point(store, &key)? else {
        return Ok(summary);
    };
    let input_len = std::fs::metadata(path)
        .map_err(|e| IngestError::Io {
            path: path.to_path_buf(),
            source: e,
        })?
        .len();
    let mut bulk = match opts.bulk_min_bytes {
        Some(min) if resume_after == 0 && input_len >= min => store.bulk_load()?,
        _ => None,
    };
    let mut last_bytes = 0u64;
    let mut reader = open_input(path)?;
    let (tx, rx) = sync_channel::<(u64, std::result::Result<Chunk, IngestError>)>(PARSERS + 1);
    let (raw_tx, raw_rx) = sync_channel::<(u64, RawChunk)>(PARSERS);
    // Parsed raw chunks, back to the reader for reuse (at most one per
    // chunk in flight; the reader makes a new one when none is back).
    let (spare_tx, spare_rx) = sync_channel::<RawChunk>(2 * PARSERS + 2);
    // Shared by the parsers, and dropped with the last of them: a reader
    // blocked on a full channel then stops too.
    let raw_rx = std::sync::Arc::new(std::sync::Mutex::new(raw_rx));
    let batch_size = if bulk.is_some() {
        opts.batch_size.clamp(1, BULK_CHUNK_LINES)
    } else {
        opts.batch_size.max(1)
    };
    let strict = opts.strict;
    let default_source = opts.default_source.clone();
    let now = opts.now;
    let src_name = name.clone();
    let path_buf = path.to_path_buf();
    let mut last_line_seen = resume_after;
    let mut write_error = None;
    std::thread::scope(|scope| {
        // The reader cuts the input into chunks of raw lines; parsers (one
        // per core) turn them into observations; the writer takes them back
        // in input order.
        let read_tx = tx.clone();
        scope.spawn(move || {
            let mut buf = Vec::with_capacity(4096);
            let mut line_no = 0u64;
            let mut bytes = 0u64;
            let mut seq = 0u64;
            let mut chunk = RawChunk::new(0);
            loop {
                let kind = match read_line_bounded(&mut reader, &mut buf, MAX_LINE) {
                    Ok(k) => k,
                    Err(e) => {
                        let _ = read_tx.send((
                            seq,
                            Err(IngestError::Io {
                                path: path_buf.clone(),
                                source: e,
                            }),
                        ));
                        return;
                    }
                };
                if kind == Line::Eof {
                    break;
                }
                line_no += 1;
                bytes += buf.len() as u64 + 1;
                if line_no <= resume_after {
                    continue;
                }
                chunk.last_line = line_no;
                chunk.bytes = bytes;
                match kind {
                    Line::TooLong(n) => chunk.lines.push((line_no, chunk.buf.len(), Some(n))),
                    _ if buf.iter().all(|b| b.is_ascii_whitespace()) => continue,
                    _ => {
                        chunk.buf.extend_from_slice(&buf);
                        chunk.lines.push((line_no, chunk.buf.len(), None));
                    }
                }
                if chunk.lines.len() >= batch_size {
                    let next = match spare_rx.try_recv() {
                        Ok(c) => c.reuse(line_no),
                        Err(_) => RawChunk::new(line_no),
                    };
                    let full = std::mem::replace(&mut chunk, next);
                    chunk.bytes = bytes;
                    if raw_tx.send((seq, full)).is_err() {
                        return;
                    }
                    seq += 1;
                }
            }
            let _ = raw_tx.send((seq, chunk));
        });
        for _ in 0..PARSERS {
            let tx = tx.clone();
            let raw_rx = std::sync::Arc::clone(&raw_rx);
            let spare_tx = spare_tx.clone();
            let (default_source, src_name) = (&default_source, &src_name);
            scope.spawn(move || {
                // One per thread: its name caches outlive the chunks.
                let mut parser = FactLineParser::new(default_source, now);
                loop {
                    let next = match raw_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, raw)) = next else { return };
                    let parsed = raw.parse(&mut parser, src_name, strict);
                    // Full (the reader is behind or gone): dropped.
                    let _ = spare_tx.try_send(raw);
                    if tx.send((seq, parsed)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        drop(raw_rx);
        drop(spare_tx);
        // Chunks parsed ahead of their turn (at most one per parser and
        // channel slot).
        let mut ahead: std::collections::BTreeMap<u64, std::result::Result<Chunk, IngestError>> =
            std::collections::BTreeMap::new();
        let mut want = 0u64;
        let rx = rx;
        let mut in_order = std::iter::from_fn(|| {
            loop {
                if let Some(c) = ahead.remove(&want) {
                    want += 1;
                    return Some(c);
                }
                let (seq, c) = rx.recv().ok()?;
                ahead.insert(seq, c);
            }
        });
        let mut done_ok = false;
        for msg in &mut in_order {
            let chunk = match msg {
                Ok(c) => c,
                Err(e) => {
                    write_error = Some(e);
                    return;
                }
            };
            summary.read += chunk.read;
            for e in chunk.rejected {
                // Strict mode stopped the reader already; these are skips.
                let _ = summary.reject(e, false);
            }
            let n = chunk.observations.len() as u64;
            let line = chunk.last_line.max(last_line_seen);
            if let Some(b) = bulk.as_mut() {
                // Stored (and reported) when the load finishes.
                if let Err(e) = b.add(WriteBatch {
                    observations: chunk.observations,
                    ..Default::default()
                }) {
                    write_error = Some(e.into());
                    return;
                }
                last_line_seen = line;
                last_bytes = chunk.bytes;
                summary.stored += n;
                summary.batches += 1;
                done_ok = true;
                continue;
            }
            let receipt = match store.write(WriteBatch {
                observations: chunk.observations,
                ledger: Some(LedgerEntry {
                    key: key.clone(),
                    name: name.clone(),
                    committed_through: line,
                    complete: false,
                    updated_at: now,
                }),
                ..Default::default()
            }) {
                Ok(r) => r,
                Err(e) => {
                    write_error = Some(e.into());
                    return;
                }
            };
            last_line_seen = line;
            summary.stored += n;
            summary.facts_new += receipt.facts_new;
            summary.facts_merged += receipt.facts_merged;
            summary.batches += 1;
            progress(&Progress {
                committed_through_line: line,
                bytes: chunk.bytes,
                read: summary.read,
                rejected: summary.rejected,
            });
            done_ok = true;
        }
        if !done_ok && write_error.is_none() {
            write_error = Some(IngestError::Internal(
                "reader stopped without output".into(),
            ));
        }
    });
    if let Some(e) = write_error {
        return Err(e);
    }
    let ledger = LedgerEntry {
        key,
        name,
        committed_through: last_line_seen,
        complete: true,
        updated_at: now,
    };
    if let Some(b) = bulk {
        crate::finish_bulk(b, ledger, last_bytes, &mut summary, progress)?;
        summary.skipped = resume_after;
        summary.elapsed_ms = started.elapsed().as_millis() as u64;
        return Ok(summary);
    }
    store.write(WriteBatch {
        ledger: Some(ledger),
        ..Default::default()
    })?;
    summary.skipped = resume_after;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

#[cfg(test)]
mod tests;
