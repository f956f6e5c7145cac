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
use std::sync::mpsc::sync_channel;
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
    /// Load the file in one sorted pass (`Store::bulk_load`, merged with
    /// what is stored) when it is at least this many bytes; `None`: never.
    /// Such a load commits once, at the end: a crash before that leaves
    /// the store as it was and the file is started again.
    pub bulk_min_bytes: Option<u64>,
    /// Store a sorted-pass load as facts even when the store offers a
    /// pDNS form (`Store::pdns_form`: the embedded engine's, for a first
    /// load into a store holding nothing).
    pub fact_path: bool,
}

/// Records parsed on the reader thread, up to one batch.
struct Chunk {
    observations: Vec<Observation>,
    /// Records read (good and bad).
    read: u64,
    rejected: Vec<ParseError>,
    /// The input position of the last record in the chunk.
    position: u64,
    /// A bad record in strict mode: the reader stopped.
    fatal: Option<ParseError>,
    /// The input ended.
    last: bool,
    /// The distinct names of `observations` and their candidate events,
    /// computed on the reader thread.
    sighted: crate::Sightings,
}

impl Chunk {
    fn new(batch_size: usize, position: u64) -> Chunk {
        Chunk {
            observations: Vec::with_capacity(batch_size),
            read: 0,
            rejected: Vec::new(),
            position,
            fatal: None,
            last: false,
            sighted: crate::Sightings::default(),
        }
    }
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
    let ledger = LedgerInput {
        store,
        key: &key,
        name: &name,
        now: opts.now,
    };
    let batch_size = opts.batch_size.max(1);
    let (strict, now) = (opts.strict, opts.now);
    let input_len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut bulk = match opts.bulk_min_bytes {
        Some(min) if resume == 0 && input_len >= min => {
            match (!opts.fact_path)
                .then(|| store.pdns_form())
                .transpose()?
                .flatten()
            {
                Some(form) => Some(form),
                None => store.bulk_load()?,
            }
        }
        _ => None,
    };
    if let Some(b) = bulk.take_if(|_| format == PdnsFormat::Cof) {
        // COF lines are independent: parsed on every core.
        return ingest_cof_parallel(ParallelCof {
            input,
            name,
            key,
            summary,
            file_source,
            batch_size,
            strict,
            now,
            bulk: b,
            started,
            progress,
        });
    }
    let reader = PdnsReader::new(format, input)
        .with_source(name.clone())
        .with_dns_ports(&opts.dns_ports);
    let mut last_position = resume;
    // Parsing and normalising (one thread) overlap with storing (this
    // one): chunks of a batch each through a channel of two, so memory
    // stays bounded by three batches.
    let (tx, rx) = sync_channel::<Chunk>(2);
    // A bulk load dates first sightings itself, from borrowed names.
    let reader_sightings = bulk.is_none();
    let event_data = std::collections::BTreeMap::from([("source".to_string(), "pdns".to_string())]);
    let mut outcome: Result<()> = Ok(());
    std::thread::scope(|scope| {
        let src_name = name.clone();
        scope.spawn(move || {
            let mut chunk = Chunk::new(batch_size, 0);
            let mut position = 0u64;
            let mut last_sensor: Option<(String, String)> = None;
            for item in reader {
                position += 1;
                if position <= resume {
                    continue;
                }
                chunk.read += 1;
                chunk.position = position;
                let rec = match item {
                    Ok(r) => r,
                    Err(e) => {
                        if strict {
                            chunk.fatal = Some(e);
                            let _ = tx.send(chunk);
                            return;
                        }
                        chunk.rejected.push(e);
                        continue;
                    }
                };
                // One source string per sensor run, not one per record.
                let sensor = rec.sensor_id.as_deref().unwrap_or(&file_source);
                let source = match &last_sensor {
                    Some((s, src)) if s == sensor => src.clone(),
                    _ => {
                        let src = format!("pdns:{sensor}");
                        last_sensor = Some((sensor.to_string(), src.clone()));
                        src
                    }
                };
                match rec.to_observation(&source, now) {
                    Ok(o) => chunk.observations.push(o),
                    Err(e) => {
                        let e = e.with_source(src_name.clone());
                        if strict {
                            chunk.fatal = Some(e);
                            let _ = tx.send(chunk);
                            return;
                        }
                        chunk.rejected.push(e);
                    }
                }
                if chunk.observations.len() >= batch_size {
                    if reader_sightings {
                        chunk.sighted =
                            crate::sightings(&chunk.observations, "pdns_first_seen", "pdns", now);
                    }
                    let full = std::mem::replace(&mut chunk, Chunk::new(batch_size, position));
                    if tx.send(full).is_err() {
                        return;
                    }
                }
            }
            if reader_sightings {
                chunk.sighted =
                    crate::sightings(&chunk.observations, "pdns_first_seen", "pdns", now);
            }
            chunk.last = true;
            chunk.position = chunk.position.max(position);
            let _ = tx.send(chunk);
        });
        outcome = (|| {
            let mut finished = false;
            for chunk in rx.iter() {
                summary.read += chunk.read;
                for e in chunk.rejected {
                    summary.reject(e, false)?;
                }
                if let Some(e) = chunk.fatal {
                    return Err(IngestError::Strict(e));
                }
                if let Some(b) = bulk.as_mut() {
                    // Stored (and reported) when the load finishes; the
                    // load keeps the first sighting of each new name.
                    b.add_first_sighting_times(
                        "pdns_first_seen",
                        &event_data,
                        &crate::first_times(&chunk.observations, now),
                    )?;
                    summary.stored += chunk.observations.len() as u64;
                    summary.batches += 1;
                    b.add(scry_store::WriteBatch {
                        observations: chunk.observations,
                        ..Default::default()
                    })?;
                    last_position = chunk.position.max(resume);
                    finished = chunk.last;
                    continue;
                }
                let events = crate::new_name_events(store, chunk.sighted)?;
                summary.commit(
                    &ledger,
                    chunk.observations,
                    events,
                    chunk.position.max(resume),
                    chunk.last,
                    progress,
                )?;
                finished = chunk.last;
            }
            if !finished {
                return Err(IngestError::Internal(
                    "the pdns reader stopped early".into(),
                ));
            }
            Ok(())
        })();
        // A failed write drops the receiver, which stops the reader.
        drop(rx);
    });
    outcome?;
    if let Some(b) = bulk {
        let ledger = scry_store::LedgerEntry {
            key: key.clone(),
            name: name.clone(),
            committed_through: last_position,
            complete: true,
            updated_at: now,
        };
        crate::finish_bulk(b, ledger, 0, &mut summary, progress)?;
    }
    summary.skipped = resume;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

/// Parser threads of the parallel COF path.
const PARSERS: usize = 2;

/// Lines per raw chunk of the parallel COF path: a unit of work only (the
/// load commits once), small enough that its buffers are reused from the
/// allocator's free pages rather than faulted in fresh.
const COF_CHUNK_LINES: usize = 4096;

/// Bytes after which a raw chunk is cut whatever its lines: memory stays
/// bounded when lines are long (a line of up to 1 MiB may carry
/// thousands of rdata values, each a record).
const COF_CHUNK_BYTES: usize = 1 << 20;

/// COF lines read but not parsed: their bytes back to back, and per line
/// its number, the end of its bytes and, for a line over the cap, its
/// length.
#[derive(Default)]
struct RawLines {
    buf: Vec<u8>,
    lines: Vec<(u64, usize, Option<usize>)>,
    /// The input failed after these lines: (the line it failed on, why).
    failed: Option<(u64, String)>,
}

/// Raw chunks in the parallel COF path: one being cut, [`PARSERS`] in the
/// channel, one per parser, and spares.
const RAW_CHUNKS: usize = 2 * PARSERS + 2;

impl RawLines {
    /// A chunk sized for [`COF_CHUNK_BYTES`] and [`COF_CHUNK_LINES`] (no
    /// growth by doubling, each step a new block).
    fn sized() -> RawLines {
        RawLines {
            buf: Vec::with_capacity(COF_CHUNK_BYTES + (64 << 10)),
            lines: Vec::with_capacity(COF_CHUNK_LINES),
            failed: None,
        }
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.lines.clear();
        self.failed = None;
    }
}

/// Cuts input into [`RawLines`] straight from the reader's buffer (no
/// copy per line), each line capped at the parsers' line limit: a longer
/// one is skipped without buffering it and reported.
#[derive(Default)]
struct LineCut {
    line_no: u64,
    /// Where the line being cut starts in the chunk's buffer.
    start: usize,
    /// The line being cut is over the cap: its length so far.
    skipping: Option<usize>,
    /// Bytes of a line were taken and its end not seen yet.
    open: bool,
}

impl LineCut {
    /// Adds lines to `chunk` until it holds [`COF_CHUNK_LINES`] or
    /// [`COF_CHUNK_BYTES`]; `true`: the input ended.
    fn fill(&mut self, input: &mut dyn BufRead, chunk: &mut RawLines) -> std::io::Result<bool> {
        self.start = chunk.buf.len();
        loop {
            if self.full(chunk) {
                return Ok(false);
            }
            let avail = match input.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                if self.open {
                    self.end_line(chunk);
                }
                return Ok(true);
            }
            let mut used = 0;
            while used < avail.len() && !self.full(chunk) {
                let rest = &avail[used..];
                match memchr::memchr(b'\n', rest) {
                    Some(i) => {
                        self.take(chunk, &rest[..i]);
                        self.end_line(chunk);
                        used += i + 1;
                    }
                    None => {
                        self.take(chunk, rest);
                        self.open = true;
                        used = avail.len();
                    }
                }
            }
            input.consume(used);
        }
    }

    /// The chunk is full and no line is cut in two.
    fn full(&self, chunk: &RawLines) -> bool {
        !self.open && (chunk.lines.len() >= COF_CHUNK_LINES || chunk.buf.len() >= COF_CHUNK_BYTES)
    }

    fn take(&mut self, chunk: &mut RawLines, bytes: &[u8]) {
        let max = scry_parse::pdns::DEFAULT_MAX_LINE;
        match &mut self.skipping {
            Some(n) => *n += bytes.len(),
            None if chunk.buf.len() - self.start + bytes.len() > max => {
                self.skipping = Some(chunk.buf.len() - self.start + bytes.len());
                chunk.buf.truncate(self.start);
            }
            None => chunk.buf.extend_from_slice(bytes),
        }
    }

    fn end_line(&mut self, chunk: &mut RawLines) {
        self.line_no += 1;
        match self.skipping.take() {
            Some(n) => chunk.lines.push((self.line_no, self.start, Some(n))),
            None => {
                if chunk.buf.len() > self.start && chunk.buf.last() == Some(&b'\r') {
                    chunk.buf.pop();
                }
                chunk.lines.push((self.line_no, chunk.buf.len(), None));
            }
        }
        self.start = chunk.buf.len();
        self.open = false;
    }
}

/// One parsed [`RawLines`].
struct ParsedLines {
    observations: Vec<Observation>,
    /// Records (good and bad): what the ledger position counts.
    records: u64,
    rejected: Vec<ParseError>,
    /// A bad record in strict mode: parsing stopped there.
    fatal: Option<ParseError>,
}

/// A parser thread's state: the source string of the last sensor, so a
/// run of one sensor's records formats it once.
struct CofParser<'a> {
    file_source: &'a str,
    src_name: &'a str,
    strict: bool,
    now: Timestamp,
    last_sensor: Option<(String, String)>,
    records: Vec<scry_parse::pdns::PdnsRecord>,
}

impl CofParser<'_> {
    /// Parses `raw` into `observations` (empty; its memory reused).
    fn parse(&mut self, raw: &RawLines, mut observations: Vec<Observation>) -> ParsedLines {
        observations.clear();
        observations.reserve(raw.lines.len());
        let mut out = ParsedLines {
            observations,
            records: 0,
            rejected: Vec::new(),
            fatal: None,
        };
        let mut at = 0;
        for &(line_no, end, too_long) in &raw.lines {
            let text = &raw.buf[at..end];
            at = end;
            let res = match too_long {
                Some(_) => Err(ParseError::new(
                    scry_parse::ParseErrorKind::TooLarge,
                    format!(
                        "line longer than {} bytes",
                        scry_parse::pdns::DEFAULT_MAX_LINE
                    ),
                )),
                None if text.trim_ascii().is_empty() => continue,
                None => {
                    self.records.clear();
                    let records = &mut self.records;
                    scry_parse::pdns::cof::parse_cof_line_into(text, &mut |r| records.push(r))
                }
            };
            if let Err(e) = res {
                out.records += 1;
                if self.reject(&mut out, e.with_source(self.src_name).at_line(line_no)) {
                    return out;
                }
                continue;
            }
            let records = std::mem::take(&mut self.records);
            for rec in &records {
                out.records += 1;
                let sensor = rec.sensor_id.as_deref().unwrap_or(self.file_source);
                if self.last_sensor.as_ref().is_none_or(|(s, _)| s != sensor) {
                    self.last_sensor = Some((sensor.to_string(), format!("pdns:{sensor}")));
                }
                // Borrowed: the observation makes its own copy.
                let source = self
                    .last_sensor
                    .as_ref()
                    .map_or("", |(_, src)| src.as_str());
                match rec.to_observation(source, self.now) {
                    Ok(o) => out.observations.push(o),
                    Err(e) => {
                        let e = e.with_source(self.src_name).at_line(line_no);
                        if self.reject(&mut out, e) {
                            return out;
                        }
                    }
                }
            }
            self.records = records;
        }
        if let Some((line, why)) = &raw.failed {
            out.records += 1;
            let e = ParseError::new(
                scry_parse::ParseErrorKind::Truncated,
                format!("read failed: {why}"),
            )
            .with_source(self.src_name)
            .at_line(*line);
            self.reject(&mut out, e);
        }
        out
    }

    /// Records a bad line; `true`: strict mode, stop.
    fn reject(&self, out: &mut ParsedLines, e: ParseError) -> bool {
        if self.strict {
            out.fatal = Some(e);
            return true;
        }
        out.rejected.push(e);
        false
    }
}

/// What the parallel COF path needs from [`ingest_pdns`].
struct ParallelCof<'a, 'p> {
    input: Box<dyn BufRead + Send>,
    name: String,
    key: String,
    summary: IngestSummary,
    file_source: String,
    batch_size: usize,
    strict: bool,
    now: Timestamp,
    bulk: Box<dyn scry_store::BulkLoad + 'a>,
    started: Instant,
    progress: &'p mut dyn FnMut(&Progress),
}

/// A COF file bulk-loaded with its lines parsed on [`PARSERS`] threads: a
/// reader cuts the input into chunks of lines, the parsers turn them into
/// observations, and this thread takes them back in input order. First
/// sightings are dated per `batch_size` observations, as the one-thread
/// path and batch writes date them, so the load stores the same events.
fn ingest_cof_parallel(job: ParallelCof<'_, '_>) -> Result<IngestSummary> {
    let ParallelCof {
        mut input,
        name,
        key,
        mut summary,
        file_source,
        batch_size,
        strict,
        now,
        mut bulk,
        started,
        progress,
    } = job;
    type Parsed = (u64, ParsedLines);
    let (tx, rx) = sync_channel::<Parsed>(PARSERS + 1);
    let (raw_tx, raw_rx) = sync_channel::<(u64, RawLines)>(PARSERS);
    // Parsed raw chunks back to the reader, for their buffers: room for
    // every chunk there is, so none is dropped.
    let (spare_tx, spare_rx) = sync_channel::<RawLines>(RAW_CHUNKS);
    // Observation vectors the writer has emptied, back to the parsers.
    let spare_obs: std::sync::Mutex<Vec<Vec<Observation>>> = std::sync::Mutex::new(Vec::new());
    let spare_obs = &spare_obs;
    // At most what one batch's window and the chunks in flight hold.
    let max_spare_obs = batch_size.div_ceil(COF_CHUNK_LINES) + 2 * PARSERS + 4;
    // Shared by the parsers and dropped with the last of them: a reader
    // blocked on a full channel then stops too.
    let raw_rx = std::sync::Arc::new(std::sync::Mutex::new(raw_rx));
    let event_data = std::collections::BTreeMap::from([("source".to_string(), "pdns".to_string())]);
    let mut position = 0u64;
    let mut outcome: Result<()> = Ok(());
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new().name("cof-read".into());
        let reader = reader.spawn_scoped(scope, move || {
            let mut cut = LineCut::default();
            let mut seq = 0u64;
            let mut chunk = RawLines::sized();
            // Raw chunks made so far: up to RAW_CHUNKS, then each parsed
            // one comes back (their memory touched once, not per chunk).
            let mut made = 1;
            loop {
                let ended = match cut.fill(&mut input, &mut chunk) {
                    Ok(ended) => ended,
                    Err(e) => {
                        chunk.failed = Some((cut.line_no + 1, e.to_string()));
                        true
                    }
                };
                if ended {
                    break;
                }
                let mut next = match spare_rx.try_recv() {
                    Ok(spare) => spare,
                    Err(_) if made < RAW_CHUNKS => {
                        made += 1;
                        RawLines::sized()
                    }
                    Err(_) => match spare_rx.recv() {
                        Ok(spare) => spare,
                        // Every parser stopped.
                        Err(_) => return,
                    },
                };
                next.clear();
                let full = std::mem::replace(&mut chunk, next);
                if raw_tx.send((seq, full)).is_err() {
                    return;
                }
                seq += 1;
            }
            let _ = raw_tx.send((seq, chunk));
        });
        if let Err(e) = reader {
            outcome = Err(IngestError::Internal(format!("cof reader thread: {e}")));
            return;
        }
        for _ in 0..PARSERS {
            let tx = tx.clone();
            let raw_rx = std::sync::Arc::clone(&raw_rx);
            let spare_tx = spare_tx.clone();
            let (file_source, src_name) = (file_source.as_str(), name.as_str());
            let parser = std::thread::Builder::new().name("cof-parse".into());
            let parser = parser.spawn_scoped(scope, move || {
                let mut parser = CofParser {
                    file_source,
                    src_name,
                    strict,
                    now,
                    last_sensor: None,
                    records: Vec::new(),
                };
                loop {
                    let next = match raw_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, raw)) = next else { return };
                    let observations = spare_obs
                        .lock()
                        .ok()
                        .and_then(|mut v| v.pop())
                        .unwrap_or_default();
                    let parsed = parser.parse(&raw, observations);
                    // Never full (room for every chunk); the reader gone:
                    // dropped.
                    let _ = spare_tx.try_send(raw);
                    if tx.send((seq, parsed)).is_err() {
                        return;
                    }
                }
            });
            if let Err(e) = parser {
                outcome = Err(IngestError::Internal(format!("cof parser thread: {e}")));
                return;
            }
        }
        drop(tx);
        drop(raw_rx);
        drop(spare_tx);
        outcome = (|| {
            // Chunks parsed ahead of their turn (at most one per parser
            // and channel slot).
            let mut ahead: std::collections::BTreeMap<u64, ParsedLines> =
                std::collections::BTreeMap::new();
            let mut want = 0u64;
            // The current batch, as chunks, and its length.
            let mut window: Vec<Vec<Observation>> = Vec::new();
            let mut in_window = 0usize;
            let mut times = crate::FirstTimesBuffers::default();
            let mut flush = |window: &mut Vec<Vec<Observation>>,
                             bulk: &mut Box<dyn scry_store::BulkLoad + '_>|
             -> Result<()> {
                let first = crate::first_times_with(window.iter().flatten(), now, &mut times);
                bulk.add_first_sighting_times("pdns_first_seen", &event_data, &first)?;
                times.give_back(first);
                for mut observations in window.drain(..) {
                    bulk.add_observations(&mut observations)?;
                    if observations.capacity() > 0
                        && let Ok(mut spare) = spare_obs.lock()
                        && spare.len() < max_spare_obs
                    {
                        spare.push(observations);
                    }
                }
                Ok(())
            };
            loop {
                let chunk = match ahead.remove(&want) {
                    Some(c) => c,
                    None => match rx.recv() {
                        Ok((seq, c)) => {
                            ahead.insert(seq, c);
                            continue;
                        }
                        Err(_) => break,
                    },
                };
                want += 1;
                summary.read += chunk.records;
                position += chunk.records;
                for e in chunk.rejected {
                    summary.reject(e, false)?;
                }
                if let Some(e) = chunk.fatal {
                    return Err(IngestError::Strict(e));
                }
                summary.stored += chunk.observations.len() as u64;
                let mut observations = chunk.observations;
                while in_window + observations.len() >= batch_size {
                    // The tail into a pooled vector (`split_off` made a
                    // new one each batch, and the pool kept them all).
                    let mut rest = spare_obs
                        .lock()
                        .ok()
                        .and_then(|mut v| v.pop())
                        .unwrap_or_default();
                    rest.extend(observations.drain(batch_size - in_window..));
                    window.push(observations);
                    flush(&mut window, &mut bulk)?;
                    summary.batches += 1;
                    in_window = 0;
                    observations = rest;
                }
                if !observations.is_empty() {
                    in_window += observations.len();
                    window.push(observations);
                }
            }
            if in_window > 0 {
                flush(&mut window, &mut bulk)?;
                summary.batches += 1;
            }
            Ok(())
        })();
        // A failed write drops the receiver, which stops the parsers and
        // then the reader.
        drop(rx);
    });
    outcome?;
    let ledger = scry_store::LedgerEntry {
        key,
        name,
        committed_through: position,
        complete: true,
        updated_at: now,
    };
    crate::finish_bulk(bulk, ledger, 0, &mut summary, progress)?;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(summary)
}

#[cfg(test)]
mod equiv;

#[cfg(test)]
mod tests {
    use std::io::Write;

    use scry_store::embedded::EmbeddedStore;
    use scry_store::{DataDir, Store};

    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn opts(strict: bool) -> PdnsOptions {
        PdnsOptions {
            format: Some(PdnsFormat::Cof),
            strict,
            batch_size: 2,
            dns_ports: vec![53],
            now: NOW,
            bulk_min_bytes: None,
            fact_path: false,
        }
    }

    fn cof(lines: &[&str]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        for l in lines {
            writeln!(f, "{l}").unwrap();
        }
        f
    }

    const GOOD: &str = r#"{"rrname":"www.example.com","rrtype":"A","rdata":"192.0.2.1","time_first":1700000000,"time_last":1700000100,"count":3,"sensor_id":"s1"}"#;

    #[test]
    fn batches_events_ledger_and_replay() {
        let dir = tempfile::tempdir().unwrap();
        let dd = DataDir::open(dir.path(), true).unwrap();
        let s = EmbeddedStore::open(&dd).unwrap();
        let f = cof(&[
            GOOD,
            r#"{"rrname":"www.example.com","rrtype":"A","rdata":"192.0.2.1","time_first":1690000000,"time_last":1700000200,"count":2,"sensor_id":"s2"}"#,
            "not json",
            r#"{"rrname":"mail.example.com","rrtype":"A","rdata":"192.0.2.2","time_first":1700000000,"time_last":1700000000,"count":1}"#,
            r#"{"rrname":"bad..name","rrtype":"A","rdata":"192.0.2.3","time_first":1700000000,"time_last":1700000000,"count":1}"#,
            r#"{"rrname":"example.com","rrtype":"NS","rdata":"ns1.example.net","time_first":1700000000,"time_last":1700000000,"count":1}"#,
            // A name seen in an earlier batch of the same file: no second event.
            r#"{"rrname":"mail.example.com","rrtype":"MX","rdata":"10 mx.example.net","time_first":1700000000,"time_last":1700000000,"count":1}"#,
        ]);
        let sum = ingest_pdns(&s, f.path(), &opts(false), &mut |_| {}).unwrap();
        assert_eq!((sum.read, sum.stored, sum.rejected), (7, 5, 2), "{sum:?}");
        assert_eq!(sum.batches, 3);
        let ev = s.events(0, 100).unwrap();
        let names: Vec<&str> = ev.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(
            names,
            ["www.example.com", "example.com", "mail.example.com"]
        );
        assert!(ev.iter().all(|e| e.kind == "pdns_first_seen"));
        // The earliest observation in its batch dates the event.
        assert_eq!(ev[0].time, 1_690_000_000);
        let key = format!("pdns:{}", crate::input::file_identity(f.path()).unwrap());
        let l = s.ledger(&key).unwrap().unwrap();
        assert!(l.complete);
        assert_eq!(l.committed_through, 7);
        // Both sensors are sources of the merged rrset.
        let page = s
            .reverse(&scry_store::ReverseQuery {
                object: scry_store::ObjectSel::Exact(scry_model::Entity::Ip(
                    scry_model::Ip::parse("192.0.2.1").unwrap(),
                )),
                predicates: vec![],
                fence: scry_store::TimeFence::default(),
                limit: 10,
            })
            .unwrap();
        assert_eq!(page.facts.len(), 1);
        assert_eq!(page.facts[0].sources, ["pdns:s1", "pdns:s2"]);
        assert_eq!(page.facts[0].window.count, 5);
        // Replaying the file changes nothing.
        let again = ingest_pdns(&s, f.path(), &opts(false), &mut |_| {}).unwrap();
        assert!(again.already_complete);
        assert_eq!(again.skipped, 7);
        assert_eq!(s.events(0, 100).unwrap().len(), 3);
        assert!(s.check().unwrap().problems.is_empty());
    }

    #[test]
    fn strict_stops_at_the_bad_record_and_resumes_after_the_stored_ones() {
        let dir = tempfile::tempdir().unwrap();
        let dd = DataDir::open(dir.path(), true).unwrap();
        let s = EmbeddedStore::open(&dd).unwrap();
        let f = cof(&[GOOD, GOOD, GOOD, "{broken", GOOD]);
        let err = ingest_pdns(&s, f.path(), &opts(true), &mut |_| {}).unwrap_err();
        assert!(matches!(err, IngestError::Strict(_)), "{err}");
        let key = format!("pdns:{}", crate::input::file_identity(f.path()).unwrap());
        let l = s.ledger(&key).unwrap().unwrap();
        assert!(!l.complete);
        // The first full batch is stored; the record before the bad one
        // was not committed.
        assert_eq!(l.committed_through, 2);
        let sum = ingest_pdns(&s, f.path(), &opts(false), &mut |_| {}).unwrap();
        assert_eq!(sum.skipped, 2);
        assert_eq!((sum.read, sum.stored, sum.rejected), (3, 2, 1));
        assert!(s.ledger(&key).unwrap().unwrap().complete);
    }

    /// COF lines: `n` rrsets over names shared by the two files (`seed`
    /// shifts the windows and half the names), two sensors.
    fn cof_file(n: usize, seed: usize) -> tempfile::NamedTempFile {
        let lines: Vec<String> = (0..n)
            .map(|i| {
                let k = (i + seed * n / 2) % (n + n / 2);
                let t = 1_700_000_000 + (seed * 86_400 + i % 50) as i64;
                format!(
                    r#"{{"rrname":"h{}.d{}.example.com","rrtype":"A","rdata":"192.0.2.{}","time_first":{t},"time_last":{},"count":{},"sensor_id":"s{}"}}"#,
                    k % 3,
                    k / 3,
                    k % 200,
                    t + 100,
                    1 + i % 4,
                    (i + seed) % 2
                )
            })
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        cof(&refs)
    }

    /// A strict COF bulk load stops at the first bad record, naming its
    /// line, and stores nothing (the load never commits); the same file
    /// loads afterwards without `--strict`, its bad line skipped.
    #[test]
    fn strict_bulk_load_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dd = DataDir::open(dir.path(), true).unwrap();
        let s = EmbeddedStore::open(&dd).unwrap();
        let f = cof(&[GOOD, GOOD, "{broken", GOOD]);
        let strict = PdnsOptions {
            bulk_min_bytes: Some(0),
            ..opts(true)
        };
        let err = ingest_pdns(&s, f.path(), &strict, &mut |_| {}).unwrap_err();
        match &err {
            IngestError::Strict(e) => assert_eq!(e.line, Some(3), "{e}"),
            other => panic!("{other}"),
        }
        let key = format!("pdns:{}", crate::input::file_identity(f.path()).unwrap());
        assert!(s.ledger(&key).unwrap().is_none());
        assert!(s.events(0, 10).unwrap().is_empty());
        let lenient = PdnsOptions {
            bulk_min_bytes: Some(0),
            ..opts(false)
        };
        let sum = ingest_pdns(&s, f.path(), &lenient, &mut |_| {}).unwrap();
        assert_eq!((sum.read, sum.stored, sum.rejected), (4, 3, 1));
        assert_eq!(s.ledger(&key).unwrap().unwrap().committed_through, 4);
        assert_eq!(s.events(0, 10).unwrap().len(), 1);
    }

    /// The chunk cutter yields the lines `read_line_bounded` yields, over
    /// tiny reader buffers (lines split across refills), CRLF, blank and
    /// over-long lines and a last line without its newline.
    #[test]
    fn line_cut_matches_the_line_reader() {
        let long = "x".repeat(scry_parse::pdns::DEFAULT_MAX_LINE + 5);
        // Lines of 700 kB: chunks are cut by bytes too.
        let mid = "y".repeat(700_000);
        let text = format!("a\r\n\nbb\n{long}\nccc\r\n{mid}\n{mid}\r\n\r\n{long}\n{mid}\nd");
        for cap in [1, 3, 7, 64, 1 << 16] {
            let mut want = Vec::new();
            let mut r = std::io::BufReader::with_capacity(cap, text.as_bytes());
            let mut buf = Vec::new();
            loop {
                match crate::input::read_line_bounded(
                    &mut r,
                    &mut buf,
                    scry_parse::pdns::DEFAULT_MAX_LINE,
                )
                .unwrap()
                {
                    crate::input::Line::Eof => break,
                    crate::input::Line::TooLong(_) => want.push(None),
                    crate::input::Line::Text => want.push(Some(buf.clone())),
                }
            }
            let mut r = std::io::BufReader::with_capacity(cap, text.as_bytes());
            let mut cut = LineCut::default();
            let mut got = Vec::new();
            let mut numbers = Vec::new();
            let mut chunks = 0;
            loop {
                chunks += 1;
                let mut chunk = RawLines::default();
                let ended = cut.fill(&mut r, &mut chunk).unwrap();
                let mut at = 0;
                for &(n, end, too_long) in &chunk.lines {
                    numbers.push(n);
                    got.push(too_long.is_none().then(|| chunk.buf[at..end].to_vec()));
                    at = end;
                }
                if ended {
                    break;
                }
            }
            assert_eq!(got, want, "buffer of {cap}");
            assert!(chunks >= 2, "cut by bytes");
            assert_eq!(numbers, (1..=want.len() as u64).collect::<Vec<_>>());
        }
    }

    /// The parallel COF path (a bulk load: chunks of 4,096 lines on two
    /// parsers) against batch writes over a file of several chunks with
    /// bad lines, bad records and multi-valued rdata: the same counts,
    /// ledger position, rejections (with their lines) and stored bytes.
    #[test]
    fn parallel_cof_equals_batches() {
        let lines: Vec<String> = (0..10_000)
            .map(|i| match i % 997 {
                5 => "{broken".to_string(),
                6 => r#"{"rrname":"bad..name","rrtype":"A","rdata":"192.0.2.3","time_first":1700000000,"time_last":1700000000}"#.to_string(),
                7 => format!(
                    r#"{{"rrname":"multi{i}.example.org","rrtype":"A","rdata":["192.0.2.1","not an ip","192.0.2.2"],"time_first":1700000000,"time_last":1700000001,"count":2}}"#
                ),
                8 => format!(
                    r#"{{"rrname":"multi{i}.example.org","rrtype":"NS","rdata":["ns1.example.net.","NS2.example.net"],"time_first":1700000000,"time_last":1700000001}}"#
                ),
                9 => String::new(),
                _ => format!(
                    r#"{{"rrname":"h{}.d{}.example.com","rrtype":"A","rdata":"198.51.100.{}","time_first":{},"time_last":{},"sensor_id":"s{}"}}"#,
                    i % 3,
                    i % 2_000,
                    i % 250,
                    1_700_000_000 + i % 97,
                    1_700_000_500 + i % 89,
                    i % 3
                ),
            })
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let f = cof(&refs);
        let mut batched = opts(false);
        batched.batch_size = 700;
        let bulk = PdnsOptions {
            bulk_min_bytes: Some(0),
            fact_path: true,
            ..batched.clone()
        };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (da, db) = (
            DataDir::open(a.path(), true).unwrap(),
            DataDir::open(b.path(), true).unwrap(),
        );
        let (r, s) = (
            EmbeddedStore::open(&da).unwrap(),
            EmbeddedStore::open(&db).unwrap(),
        );
        let want = ingest_pdns(&r, f.path(), &batched, &mut |_| {}).unwrap();
        let got = ingest_pdns(&s, f.path(), &bulk, &mut |_| {}).unwrap();
        assert_eq!(
            (got.read, got.stored, got.rejected),
            (want.read, want.stored, want.rejected)
        );
        assert!(got.rejected > 30, "{got:?}");
        assert_eq!(got.rejected_by_reason, want.rejected_by_reason);
        // Each rejection names its line (the sequential reader names the
        // line of syntax errors only).
        let at_line = format!("{}:", f.path().display());
        assert!(
            got.rejected_examples.iter().all(|e| e
                .strip_prefix(&at_line)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))),
            "{:?}",
            got.rejected_examples
        );
        let key = format!("pdns:{}", crate::input::file_identity(f.path()).unwrap());
        assert_eq!(
            s.ledger(&key).unwrap().unwrap().committed_through,
            r.ledger(&key).unwrap().unwrap().committed_through
        );
        let (want, got) = (r.dump_for_test().unwrap(), s.dump_for_test().unwrap());
        assert_eq!(want.len(), got.len());
        for ((i, w), (_, g)) in want.iter().zip(&got) {
            assert_eq!(w, g, "keyspace {i}");
        }
    }

    /// A file bulk-merged into a store holding an earlier file leaves what
    /// batch writes leave: facts, holdings, counts, `pdns_first_seen`
    /// events (one per new name, numbered as batches number them), ledger.
    #[test]
    fn bulk_merge_equals_batches() {
        let (f1, f2) = (cof_file(3_000, 0), cof_file(3_000, 1));
        let mut batched = opts(false);
        batched.batch_size = 500;
        let bulk = PdnsOptions {
            bulk_min_bytes: Some(0),
            fact_path: true,
            ..batched.clone()
        };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (da, db) = (
            DataDir::open(a.path(), true).unwrap(),
            DataDir::open(b.path(), true).unwrap(),
        );
        let (r, s) = (
            EmbeddedStore::open(&da).unwrap(),
            EmbeddedStore::open(&db).unwrap(),
        );
        for f in [&f1, &f2] {
            ingest_pdns(&r, f.path(), &batched, &mut |_| {}).unwrap();
        }
        let mut reports = 0;
        for f in [&f1, &f2] {
            let sum = ingest_pdns(&s, f.path(), &bulk, &mut |_| reports += 1).unwrap();
            assert_eq!((sum.read, sum.stored), (3_000, 3_000));
        }
        assert_eq!(reports, 2, "one commit per file");
        let events = s.events(0, 100_000).unwrap();
        assert_eq!(events.len(), 4_500, "one event per distinct name");
        // Every keyspace the same, but the ledger's timestamps and ids.
        let (want, got) = (r.dump_for_test().unwrap(), s.dump_for_test().unwrap());
        assert_eq!(want.len(), got.len());
        for ((i, w), (_, g)) in want.iter().zip(&got) {
            assert_eq!(w, g, "keyspace {i}");
        }
        assert!(s.check().unwrap().problems.is_empty());
        // A replay is a no-op.
        assert!(
            ingest_pdns(&s, f2.path(), &bulk, &mut |_| {})
                .unwrap()
                .already_complete
        );
    }
}
