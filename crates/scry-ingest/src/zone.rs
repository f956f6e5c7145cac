//! `scry ingest zone` and `scry zone diff`: zone-file snapshots.
//!
//! Each ingested zone file is a snapshot of its zone for its date. The
//! snapshot is kept as a **sorted run** in the data dir
//! (`zones/<origin>/<date>.run.gz`: one line per delegated domain,
//! `domain TAB ns,ns TAB glue TAB ds`), built with bounded memory (sorted
//! chunks spilled to disk, then a k-way merge that also joins the partial
//! delegations of unsorted zones). The diff against the previous snapshot is
//! a merge-join of two runs: `added` (newly registered), `removed` (deleted
//! or expired) and `changed` (name servers changed). Only what changed is
//! written to the store — delegation facts (`nameserver_host`, glue
//! addresses, `nameserver_ip`, signed delegations, `in_zone`) at the
//! snapshot date, and one event per change — so a daily `.com` does not
//! rewrite 160 M facts. Presence windows come from the runs.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use scry_model::{DomainName, Entity, Ip, Observation, Predicate, Timestamp, Window, format_time};
use scry_parse::zone::{DelegationGrouper, Rdata, ZoneOptions, ZoneReader, ZoneRecord, rtype};
use scry_parse::{ParseError, ParseErrorKind};
use scry_store::namehash::NameHash;
use scry_store::{BulkLoad, LedgerEntry, NewEvent, Store, WriteBatch, ZoneForm};

use crate::error::{IngestError, Result};
use crate::input::{file_identity, open_input};
use crate::summary::{IngestSummary, MAX_EXAMPLES, Progress};

/// Delegations per in-memory sorted chunk, at most.
const CHUNK: usize = 1_000_000;
/// Bytes of run lines per in-memory sorted chunk, at most (two chunks
/// exist at once: one filling, one being sorted and written).
const CHUNK_BYTES: usize = 32 << 20;
/// Diff entries per committed batch.
const BATCH: usize = 20_000;
/// Diff entries per piece handed from the change thread to the writer
/// (and per bulk-load batch: small pieces reuse the allocator's free
/// pages).
const SEND: usize = 4_096;
/// Batches a later snapshot commits one by one before the rest of its
/// changes go into one bulk merge.
const BULK_AFTER_BATCHES: u64 = 3;

/// Options of a zone ingest.
#[derive(Debug, Clone)]
pub struct ZoneIngestOptions {
    /// The zone's origin (`com.`); else the first record's owner if it is the SOA.
    pub origin: Option<String>,
    /// Snapshot date (midnight UTC); else from a date-shaped SOA serial.
    pub date: Option<Timestamp>,
    /// Stop at the first bad record.
    pub strict: bool,
    /// Where snapshot runs live (`<data dir>/zones`).
    pub runs_dir: PathBuf,
    /// "Now".
    pub now: Timestamp,
    /// Store a first snapshot in the engine's zone form when it has one
    /// (`Store::zone_form`); `false` keeps the fact path.
    pub zone_form: bool,
}

/// One delegation in a snapshot run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct RunEntry {
    /// Delegated domain (lower case, no trailing dot).
    pub domain: String,
    /// Name servers, sorted, unique.
    pub ns: Vec<String>,
    /// Glue `host=ip`, sorted, unique.
    pub glue: Vec<String>,
    /// DS records.
    pub ds: u32,
}

impl RunEntry {
    /// Writes the run line `domain TAB ns,ns TAB glue TAB ds\n` (no
    /// allocation: this is called once per delegation, twice per
    /// snapshot).
    fn write_line(&self, w: &mut impl Write) -> std::io::Result<()> {
        w.write_all(self.domain.as_bytes())?;
        for (sep, list) in [(b'\t', &self.ns), (b'\t', &self.glue)] {
            w.write_all(&[sep])?;
            for (i, x) in list.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                w.write_all(x.as_bytes())?;
            }
        }
        writeln!(w, "\t{}", self.ds)
    }

    fn parse(line: &str) -> Option<RunEntry> {
        let mut it = line.trim_end_matches('\n').split('\t');
        let domain = it.next()?.to_string();
        let split = |s: &str| -> Vec<String> {
            s.split(',')
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        };
        let ns = split(it.next()?);
        let glue = split(it.next()?);
        let ds = it.next()?.parse().ok()?;
        Some(RunEntry {
            domain,
            ns,
            glue,
            ds,
        })
    }

    fn absorb(&mut self, other: RunEntry) {
        self.ns.extend(other.ns);
        self.ns.sort();
        self.ns.dedup();
        self.glue.extend(other.glue);
        self.glue.sort();
        self.glue.dedup();
        self.ds += other.ds;
    }
}

/// A run line's fields, borrowed (what [`RunEntry::parse`] reads).
struct LineRef<'a> {
    domain: &'a str,
    /// Name servers, comma-separated.
    ns: &'a str,
    /// Glue `host=ip`, comma-separated.
    glue: &'a str,
    ds: u32,
}

impl LineRef<'_> {
    fn parse(line: &str) -> Option<LineRef<'_>> {
        let mut it = line.trim_end_matches('\n').split('\t');
        Some(LineRef {
            domain: it.next()?,
            ns: it.next()?,
            glue: it.next()?,
            ds: it.next()?.parse().ok()?,
        })
    }
}

/// A change between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneChange {
    /// `added`, `removed` or `changed`.
    pub kind: &'static str,
    /// The domain.
    pub domain: String,
    /// Name servers before (empty when added).
    pub ns_old: Vec<String>,
    /// Name servers after (empty when removed).
    pub ns_new: Vec<String>,
    /// The entry after (for facts).
    pub entry: Option<RunEntry>,
}

/// The directory name of an origin (`com`, `co.uk`, `root`).
fn origin_dir(origin: &str) -> String {
    let o = origin.trim_end_matches('.');
    if o.is_empty() {
        "root".into()
    } else {
        o.to_string()
    }
}

fn date_str(t: Timestamp) -> String {
    format_time(t).get(..10).unwrap_or("unknown").to_string()
}

fn io(path: &Path, e: std::io::Error) -> IngestError {
    IngestError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Snapshot dates stored for an origin, oldest first.
pub fn snapshots(runs_dir: &Path, origin: &str) -> Result<Vec<(Timestamp, PathBuf)>> {
    let dir = runs_dir.join(origin_dir(origin));
    let mut out = Vec::new();
    let rd = match fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io(&dir, e)),
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(d) = name.strip_suffix(".run.gz")
            && let Ok(t) = scry_model::parse_time(d)
        {
            out.push((t, e.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// A stored snapshot run read line by line into one reused buffer: a
/// diff compares lines as bytes and parses only what changed.
struct RunReader {
    src: Box<dyn BufRead + Send>,
    line: Vec<u8>,
    path: PathBuf,
}

impl RunReader {
    /// A stored snapshot run (gzip).
    fn open(path: &Path) -> Result<RunReader> {
        let f = File::open(path).map_err(|e| io(path, e))?;
        Ok(RunReader {
            src: Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(f))),
            line: Vec::new(),
            path: path.to_path_buf(),
        })
    }

    /// Reads the next line into `line`; `false` at the end.
    fn advance(&mut self) -> Result<bool> {
        self.line.clear();
        let n = self
            .src
            .read_until(b'\n', &mut self.line)
            .map_err(|e| io(&self.path, e))?;
        Ok(n > 0)
    }

    /// The current line as an entry.
    fn entry(&self) -> Result<RunEntry> {
        std::str::from_utf8(&self.line)
            .ok()
            .and_then(RunEntry::parse)
            .ok_or_else(|| {
                IngestError::Internal(format!(
                    "{}: damaged snapshot run line",
                    self.path.display()
                ))
            })
    }

    #[cfg(test)]
    fn next_entry(&mut self) -> Result<Option<RunEntry>> {
        if !self.advance()? {
            return Ok(None);
        }
        self.entry().map(Some)
    }
}

/// One line of a block read by [`RunReader::read_lines`], borrowed.
fn run_line<'a>(path: &Path, line: &'a [u8]) -> Result<LineRef<'a>> {
    std::str::from_utf8(line)
        .ok()
        .and_then(LineRef::parse)
        .ok_or_else(|| {
            IngestError::Internal(format!("{}: damaged snapshot run line", path.display()))
        })
}

/// Bytes of whole run lines per block handed from the run's reader thread
/// to the zone form's producer.
const RUN_BLOCK: usize = 256 << 10;

/// Uncompressed bytes per gzip member of a run file.
const MEMBER: usize = 1 << 20;

/// A gzip run file being written, as a sequence of gzip members of
/// [`MEMBER`] uncompressed bytes each (RFC 1952 section 2.2: a gzip file
/// is a series of members; every reader of runs is a `MultiGzDecoder`, so
/// the decompressed run is byte for byte what one member held). Full
/// blocks are deflated on [`Compressors`] threads while the caller goes on
/// filling the next one (the run build's merge is otherwise
/// single-threaded behind the deflate), and the members are written in
/// order. Each block is handed to the encoder in one `write_all`: flate2
/// zero-fills its output buffer's spare capacity on every `write` call, so
/// line-sized writes straight into a `GzEncoder` had spent most of a run's
/// build in `memset`.
struct RunFile {
    path: PathBuf,
    file: File,
    /// The block being filled.
    buf: Vec<u8>,
    pool: Compressors,
    /// Members being deflated, oldest first (at most `pool.in_flight`).
    pending: std::collections::VecDeque<std::sync::mpsc::Receiver<Deflated>>,
    /// Emptied blocks and member buffers, reused.
    spare: Vec<(Vec<u8>, Vec<u8>)>,
    /// Where every line written is also handed (a first snapshot's
    /// producer), if anywhere.
    sink: Option<LineSink>,
}

/// The run build's merge handing its lines, as they are written to the
/// run file, to a first snapshot's producer: blocks of at least
/// [`RUN_BLOCK`] bytes of whole run lines, in order, over a bounded
/// channel; the producer gives emptied blocks back to be refilled (so at
/// most the channel's blocks, the one being filled and the one being read
/// exist). The producer starts on the run's first lines instead of
/// inflating the finished run (phases 1 and 2 overlap).
struct LineSink {
    tx: std::sync::mpsc::SyncSender<Vec<u8>>,
    free: std::sync::mpsc::Receiver<Vec<u8>>,
    block: Vec<u8>,
}

impl LineSink {
    fn new(
        tx: std::sync::mpsc::SyncSender<Vec<u8>>,
        free: std::sync::mpsc::Receiver<Vec<u8>>,
    ) -> LineSink {
        LineSink {
            tx,
            free,
            block: Vec::with_capacity(RUN_BLOCK + (64 << 10)),
        }
    }

    /// Whole lines (ending in `\n`).
    fn put(&mut self, lines: &[u8]) -> Result<()> {
        self.block.extend_from_slice(lines);
        if self.block.len() >= RUN_BLOCK {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<()> {
        let mut next = self
            .free
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(RUN_BLOCK + (64 << 10)));
        next.clear();
        let block = std::mem::replace(&mut self.block, next);
        // The producer stopped: it reports why.
        self.tx.send(block).map_err(|_| stopped())
    }

    /// Sends the last block; the channel closes when `self` is dropped.
    fn finish(mut self) -> Result<()> {
        if self.block.is_empty() {
            return Ok(());
        }
        self.send()
    }
}

/// A deflated member: the block it came from (to reuse) and the member.
type Deflated = std::io::Result<(Vec<u8>, Vec<u8>)>;

/// A block to deflate into a gzip member, and where to send the member.
struct DeflateJob {
    block: Vec<u8>,
    out: Vec<u8>,
    done: std::sync::mpsc::SyncSender<Deflated>,
}

/// Threads deflating run blocks into gzip members (stopped on drop).
struct Compressors {
    jobs: Option<std::sync::mpsc::Sender<DeflateJob>>,
    threads: Vec<std::thread::JoinHandle<()>>,
    in_flight: usize,
}

impl Compressors {
    /// One thread per core, at most 4 (a run's merge and two deflating
    /// threads fill two cores).
    fn new() -> Compressors {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
        let (tx, rx) = std::sync::mpsc::channel::<DeflateJob>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let threads = (0..n)
            .map(|_| {
                let rx = std::sync::Arc::clone(&rx);
                std::thread::spawn(move || {
                    loop {
                        // A poisoned lock means another deflating thread
                        // panicked: stop (the writer sees its job dropped).
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        let res = deflate_member(&job.block, job.out).map(|m| (job.block, m));
                        // The writer gave up (an error): nothing to report.
                        let _ = job.done.send(res);
                    }
                })
            })
            .collect();
        Compressors {
            jobs: Some(tx),
            threads,
            in_flight: 2 * n,
        }
    }
}

impl Drop for Compressors {
    fn drop(&mut self) {
        self.jobs = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// `block` as one gzip member, appended to `out` (emptied first).
fn deflate_member(block: &[u8], mut out: Vec<u8>) -> std::io::Result<Vec<u8>> {
    out.clear();
    let mut enc = GzEncoder::new(out, Compression::fast());
    enc.write_all(block)?;
    enc.finish()
}

impl RunFile {
    #[cfg(test)]
    fn create(path: &Path) -> Result<RunFile> {
        RunFile::with_sink(path, None)
    }

    /// A run file whose lines also go to `sink`.
    fn with_sink(path: &Path, sink: Option<LineSink>) -> Result<RunFile> {
        let file = File::create(path).map_err(|e| io(path, e))?;
        Ok(RunFile {
            path: path.to_path_buf(),
            file,
            buf: Vec::with_capacity(MEMBER + (64 << 10)),
            pool: Compressors::new(),
            pending: std::collections::VecDeque::new(),
            spare: Vec::new(),
            sink,
        })
    }

    fn put(&mut self, e: &RunEntry) -> Result<()> {
        let start = self.buf.len();
        // Writing into a `Vec` cannot fail.
        let _ = e.write_line(&mut self.buf);
        self.line_done(start)
    }

    /// A line already in run form (ending in `\n`).
    fn put_line(&mut self, line: &[u8]) -> Result<()> {
        let start = self.buf.len();
        self.buf.extend_from_slice(line);
        self.line_done(start)
    }

    /// The line at `start..` of the block is written: to the sink too.
    fn line_done(&mut self, start: usize) -> Result<()> {
        if let Some(s) = self.sink.as_mut() {
            s.put(&self.buf[start..])?;
        }
        self.block_done()
    }

    /// Hands a full block to the deflating threads.
    fn block_done(&mut self) -> Result<()> {
        if self.buf.len() < MEMBER {
            return Ok(());
        }
        self.send_block()
    }

    fn send_block(&mut self) -> Result<()> {
        if self.pending.len() >= self.pool.in_flight {
            self.write_oldest()?;
        }
        let (mut next, out) = self.spare.pop().unwrap_or_default();
        next.clear();
        let block = std::mem::replace(&mut self.buf, next);
        if self.buf.capacity() == 0 {
            self.buf.reserve(MEMBER + (64 << 10));
        }
        let (done, rx) = std::sync::mpsc::sync_channel(1);
        let job = DeflateJob { block, out, done };
        let sent = self.pool.jobs.as_ref().is_some_and(|j| j.send(job).is_ok());
        if !sent {
            return Err(IngestError::Internal(
                "run file deflating threads stopped".into(),
            ));
        }
        self.pending.push_back(rx);
        Ok(())
    }

    /// Waits for the oldest member and writes it.
    fn write_oldest(&mut self) -> Result<()> {
        let Some(rx) = self.pending.pop_front() else {
            return Ok(());
        };
        let (block, member) = rx
            .recv()
            .map_err(|_| IngestError::Internal("run file deflating thread panicked".into()))?
            .map_err(|e| io(&self.path, e))?;
        self.file
            .write_all(&member)
            .map_err(|e| io(&self.path, e))?;
        self.spare.push((block, member));
        Ok(())
    }

    /// Writes the last block and every member, and syncs the file. The
    /// sink gets its last lines first (its reader goes on while the file
    /// is finished).
    fn finish(mut self) -> Result<()> {
        if let Some(s) = self.sink.take() {
            s.finish()?;
        }
        if !self.buf.is_empty() {
            self.send_block()?;
        }
        while !self.pending.is_empty() {
            self.write_oldest()?;
        }
        if self.pending.is_empty() && self.spare.is_empty() {
            // An empty run is one empty member, as a single encoder wrote it.
            let member = deflate_member(&[], Vec::new()).map_err(|e| io(&self.path, e))?;
            self.file
                .write_all(&member)
                .map_err(|e| io(&self.path, e))?;
        }
        self.file.sync_all().map_err(|e| io(&self.path, e))
    }
}

/// Delegations of one in-memory chunk, each kept as its run line in one
/// arena (no allocation per delegation; sorting moves 16-byte handles).
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    /// Per line: its sort key's first bytes ([`key_prefix`]), its start
    /// and the end of its domain (the first tab); the line ends at the
    /// next `\n`.
    lines: Vec<(u64, u32, u32)>,
}

/// The first 8 bytes of a domain, big-endian, zero-padded: prefixes that
/// differ order as the domains do (a domain's shorter end pads with the
/// smallest byte), so a sort compares the arena's bytes only on a tie.
fn key_prefix(domain: &[u8]) -> u64 {
    let mut k = [0u8; 8];
    let n = domain.len().min(8);
    k[..n].copy_from_slice(&domain[..n]);
    u64::from_be_bytes(k)
}

impl Chunk {
    /// An empty chunk with room for a full one (no regrowth copies).
    fn with_capacity(max_lines: usize) -> Chunk {
        Chunk {
            bytes: Vec::with_capacity(CHUNK_BYTES + (64 << 10)),
            lines: Vec::with_capacity(max_lines.min(CHUNK_BYTES / 32)),
        }
    }

    fn push(&mut self, e: &RunEntry) {
        let start = self.bytes.len();
        // Writing into a `Vec` cannot fail.
        let _ = e.write_line(&mut self.bytes);
        let dom = start + e.domain.len();
        // The arena stays below `CHUNK_BYTES` plus one line, far below 4 GiB.
        self.lines
            .push((key_prefix(e.domain.as_bytes()), start as u32, dom as u32));
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    fn is_full(&self, max_lines: usize) -> bool {
        self.lines.len() >= max_lines || self.bytes.len() >= CHUNK_BYTES
    }

    /// Sorts the lines by domain and writes them to `path`, uncompressed
    /// and not synced (a crash discards the whole temporary directory;
    /// deflating chunks that are read once cost more than a tenth of a
    /// run's build). Hands the chunk back emptied, for its buffers to be
    /// filled again (no regrowth, no fresh pages per chunk). The handles
    /// carry their key's first bytes: most comparisons touch no arena
    /// line (random reads of a 32 MiB arena were most of a sort's time).
    fn sort_and_write(mut self, path: &Path) -> Result<Chunk> {
        let bytes = &self.bytes;
        self.lines.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                bytes[a.1 as usize..a.2 as usize].cmp(&bytes[b.1 as usize..b.2 as usize])
            })
        });
        let f = File::create(path).map_err(|e| io(path, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        for &(_, a, d) in &self.lines {
            let (a, d) = (a as usize, d as usize);
            // Every line of the arena ends in `\n`.
            let end = memchr::memchr(b'\n', &bytes[d..]).map_or(bytes.len(), |i| d + i + 1);
            w.write_all(&bytes[a..end]).map_err(|e| io(path, e))?;
        }
        w.flush().map_err(|e| io(path, e))?;
        self.bytes.clear();
        self.lines.clear();
        Ok(self)
    }
}

/// A sorted chunk file read line by line into one reused buffer.
struct ChunkReader {
    r: BufReader<File>,
    line: Vec<u8>,
    path: PathBuf,
}

impl ChunkReader {
    fn open(path: &Path) -> Result<ChunkReader> {
        let f = File::open(path).map_err(|e| io(path, e))?;
        let mut r = ChunkReader {
            r: BufReader::with_capacity(1 << 16, f),
            line: Vec::new(),
            path: path.to_path_buf(),
        };
        r.advance()?;
        Ok(r)
    }

    /// Reads the next line; an empty `line` means the end.
    fn advance(&mut self) -> Result<()> {
        self.line.clear();
        self.r
            .read_until(b'\n', &mut self.line)
            .map_err(|e| io(&self.path, e))?;
        Ok(())
    }
}

/// The domain of a run line (up to its first tab).
fn line_domain(line: &[u8]) -> &[u8] {
    let end = memchr_tab(line);
    &line[..end]
}

fn memchr_tab(line: &[u8]) -> usize {
    line.iter().position(|&b| b == b'\t').unwrap_or(line.len())
}

fn parse_line(line: &[u8], path: &Path) -> Result<RunEntry> {
    std::str::from_utf8(line)
        .ok()
        .and_then(RunEntry::parse)
        .ok_or_else(|| {
            IngestError::Internal(format!("{}: damaged sorted chunk line", path.display()))
        })
}

/// A chunk being sorted and written on the second thread.
type Spill = std::thread::JoinHandle<Result<(PathBuf, Chunk)>>;

fn join_spill(h: Spill) -> Result<(PathBuf, Chunk)> {
    h.join()
        .map_err(|_| IngestError::Internal("zone chunk sort thread panicked".into()))?
}

/// What parsing a zone file produced.
struct Parsed {
    origin: String,
    date: Timestamp,
    delegations: u64,
    records: u64,
    rejected: Vec<ParseError>,
    rejected_total: u64,
}

/// A temporary directory removed (with what is left in it) when dropped.
struct TmpDir(PathBuf);

impl Drop for TmpDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Parses a zone file into a sorted snapshot run at `run_path` with
/// bounded memory, in chunks of `chunk_len` delegations (the ingest runs
/// the same steps, [`sorted_chunks`] then [`merge_chunks`], with a sink).
#[cfg(test)]
fn build_run_in_chunks(
    path: &Path,
    opts: &ZoneIngestOptions,
    tmp_dir: &Path,
    run_path: &Path,
    chunk_len: usize,
) -> Result<Parsed> {
    let (chunks, mut parsed) = sorted_chunks(path, opts, tmp_dir, chunk_len)?;
    parsed.delegations = merge_chunks(&chunks, run_path, None)?;
    Ok(parsed)
}

/// The run build up to its merge: the zone parsed (on its own thread),
/// its records grouped into delegations, as run lines in sorted chunk
/// files under `tmp_dir`; the origin and date settled.
fn sorted_chunks(
    path: &Path,
    opts: &ZoneIngestOptions,
    tmp_dir: &Path,
    chunk_len: usize,
) -> Result<(Vec<PathBuf>, Parsed)> {
    let src = open_input(path)?;
    let reader = ZoneReader::new(
        src,
        ZoneOptions {
            origin: opts.origin.clone(),
            source_name: path.display().to_string(),
            allow_include: false,
            default_ttl: None,
        },
    );
    // The zone is parsed on its own thread and its records handed over in
    // batches (the containers come back to be refilled): grouping, run
    // lines and chunks go on here, chunk sorts on a third thread.
    let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(4);
    let (back_tx, back_rx) = std::sync::mpsc::channel::<RecordBatch>();
    let (origin, date, chunks, mut parsed) = std::thread::scope(|s| {
        s.spawn(move || parse_records(reader, &tx, &back_rx));
        // `rx` is dropped when this returns (also on an error), which
        // stops the parsing thread before the scope joins it.
        let res = group_into_chunks(rx, &back_tx, path, opts, tmp_dir, chunk_len);
        drop(back_tx);
        res
    })?;
    let Some(date) = date else {
        return Err(IngestError::Strict(
            ParseError::new(
                ParseErrorKind::Value,
                "no --date given and the SOA serial is not a date (YYYYMMDDnn); give --date",
            )
            .with_source(path.display().to_string()),
        ));
    };
    parsed.origin = origin.unwrap_or_default();
    parsed.date = date;
    Ok((chunks, parsed))
}

/// Records per batch handed from the parsing thread.
const RECORD_BATCH: usize = 1_024;

type RecordBatch = Vec<std::result::Result<ZoneRecord, ParseError>>;

/// The parsing thread: every item of `reader` in batches to `tx`, until
/// the end or until the receiver is gone.
fn parse_records<R: BufRead>(
    reader: ZoneReader<R>,
    tx: &std::sync::mpsc::SyncSender<RecordBatch>,
    back: &std::sync::mpsc::Receiver<RecordBatch>,
) {
    let mut batch = RecordBatch::with_capacity(RECORD_BATCH);
    for item in reader {
        batch.push(item);
        if batch.len() == RECORD_BATCH {
            let next = back
                .try_recv()
                .unwrap_or_else(|_| RecordBatch::with_capacity(RECORD_BATCH));
            if tx.send(std::mem::replace(&mut batch, next)).is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
}

/// What the grouping phase hands to the merge: origin, date, sorted
/// chunk files and the counts so far.
type Grouped = (Option<String>, Option<Timestamp>, Vec<PathBuf>, Parsed);

/// Groups the parsed records into delegations, as run lines in sorted
/// chunk files under `tmp_dir`.
fn group_into_chunks(
    rx: std::sync::mpsc::Receiver<RecordBatch>,
    back: &std::sync::mpsc::Sender<RecordBatch>,
    path: &Path,
    opts: &ZoneIngestOptions,
    tmp_dir: &Path,
    chunk_len: usize,
) -> Result<Grouped> {
    let mut origin = opts.origin.clone();
    let mut date = opts.date;
    let mut grouper: Option<DelegationGrouper> = None;
    let mut chunk = Chunk::with_capacity(chunk_len);
    let mut chunks: Vec<PathBuf> = Vec::new();
    let mut parsed = Parsed {
        origin: String::new(),
        date: 0,
        delegations: 0,
        records: 0,
        rejected: Vec::new(),
        rejected_total: 0,
    };
    // A full chunk is sorted and written on a second thread while parsing
    // goes on (at most one chunk in flight, so two chunks in memory).
    let mut pending: Option<Spill> = None;
    // The chunk handed back by the sort thread, refilled next.
    let mut spare: Option<Chunk> = None;
    let mut spill =
        |chunk: &mut Chunk, chunks: &mut Vec<PathBuf>, pending: &mut Option<Spill>| -> Result<()> {
            if let Some(h) = pending.take() {
                let (p, emptied) = join_spill(h)?;
                chunks.push(p);
                spare = Some(emptied);
            }
            if chunk.len() == 0 {
                return Ok(());
            }
            let next = spare
                .take()
                .unwrap_or_else(|| Chunk::with_capacity(chunk_len));
            let full = std::mem::replace(chunk, next);
            let p = tmp_dir.join(format!("chunk-{}", chunks.len()));
            *pending = Some(std::thread::spawn(move || {
                let emptied = full.sort_and_write(&p)?;
                Ok((p, emptied))
            }));
            Ok(())
        };
    for mut batch in rx {
        for item in batch.drain(..) {
            let rec = match item {
                Ok(r) => r,
                Err(e) => {
                    if opts.strict {
                        return Err(IngestError::Strict(e));
                    }
                    parsed.rejected_total += 1;
                    if parsed.rejected.len() < MAX_EXAMPLES {
                        parsed.rejected.push(e);
                    }
                    continue;
                }
            };
            parsed.records += 1;
            if grouper.is_none() {
                if origin.is_none() {
                    if rec.rtype == rtype::SOA {
                        origin = Some(rec.owner.to_string());
                    } else {
                        return Err(IngestError::Strict(
                            ParseError::new(
                                ParseErrorKind::Value,
                                "the zone does not start with its SOA; give --origin",
                            )
                            .with_source(path.display().to_string())
                            .at_line(rec.line),
                        ));
                    }
                }
                grouper = Some(DelegationGrouper::new(origin.as_deref().unwrap_or("")));
            }
            if rec.rtype == rtype::SOA
                && date.is_none()
                && let Rdata::Soa(soa) = &rec.rdata
            {
                date = date_from_serial(soa.serial);
            }
            let Some(g) = grouper.as_mut() else { continue };
            g.push(rec);
            while let Some(d) = g.pop() {
                chunk.push(&to_entry(d));
                if chunk.is_full(chunk_len) {
                    spill(&mut chunk, &mut chunks, &mut pending)?;
                }
            }
        }
        // The parsing thread may have finished: then nobody takes it back.
        let _ = back.send(batch);
    }
    if let Some(g) = grouper.as_mut() {
        g.finish();
        while let Some(d) = g.pop() {
            chunk.push(&to_entry(d));
        }
    }
    spill(&mut chunk, &mut chunks, &mut pending)?;
    if let Some(h) = pending.take() {
        chunks.push(join_spill(h)?.0);
    }
    Ok((origin, date, chunks, parsed))
}

/// The k-way merge of the sorted chunk files into the run at `run_path`
/// (written complete and synced, then renamed into place), every line
/// also handed to `sink`; the chunk files are removed. Returns the number
/// of delegations.
fn merge_chunks(chunks: &[PathBuf], run_path: &Path, sink: Option<LineSink>) -> Result<u64> {
    let mut delegations = 0u64;
    // k-way merge of the sorted chunks, joining partial delegations: lines
    // are copied as they are; only a domain met more than once is parsed
    // (and joined). Few chunks: the smallest head is found by a linear
    // scan (ties: the lower chunk first).
    let mut readers: Vec<ChunkReader> = chunks
        .iter()
        .map(|p| ChunkReader::open(p))
        .collect::<Result<_>>()?;
    let tmp_run = run_path.with_extension("tmp");
    let mut w = RunFile::with_sink(&tmp_run, sink)?;
    let mut cur: Vec<u8> = Vec::new();
    let mut joined: Option<RunEntry> = None;
    loop {
        let mut min: Option<usize> = None;
        for (i, r) in readers.iter().enumerate() {
            if r.line.is_empty() {
                continue;
            }
            if min.is_none_or(|m| line_domain(&r.line) < line_domain(&readers[m].line)) {
                min = Some(i);
            }
        }
        let Some(i) = min else { break };
        let r = &mut readers[i];
        if !cur.is_empty() && line_domain(&r.line) == line_domain(&cur) {
            let mut e = match joined.take() {
                Some(e) => e,
                None => parse_line(&cur, &r.path)?,
            };
            e.absorb(parse_line(&r.line, &r.path)?);
            joined = Some(e);
        } else {
            if !cur.is_empty() {
                match joined.take() {
                    Some(e) => w.put(&e)?,
                    None => w.put_line(&cur)?,
                }
                delegations += 1;
            }
            std::mem::swap(&mut cur, &mut r.line);
        }
        r.advance()?;
    }
    if !cur.is_empty() {
        match joined.take() {
            Some(e) => w.put(&e)?,
            None => w.put_line(&cur)?,
        }
        delegations += 1;
    }
    w.finish()?;
    fs::rename(&tmp_run, run_path).map_err(|e| io(run_path, e))?;
    for c in chunks {
        let _ = fs::remove_file(c);
    }
    Ok(delegations)
}

fn to_entry(d: scry_parse::zone::Delegation) -> RunEntry {
    let mut e = RunEntry {
        domain: d.domain,
        ns: d.ns,
        glue: d
            .glue
            .into_iter()
            .map(|(h, ip)| format!("{h}={ip}"))
            .collect(),
        ds: d.ds,
    };
    e.ns.sort();
    e.ns.dedup();
    e.glue.sort();
    e.glue.dedup();
    e
}

/// A date from a `YYYYMMDDnn` SOA serial, if it is one.
pub fn date_from_serial(serial: u32) -> Option<Timestamp> {
    let s = serial.to_string();
    if s.len() != 10 {
        return None;
    }
    let t = scry_model::parse_time(&format!("{}-{}-{}", &s[0..4], &s[4..6], &s[6..8])).ok()?;
    (t >= scry_model::MIN_TIME).then_some(t)
}

/// Merge-joins two runs (`old` may be absent: every domain is added) and
/// calls `f` for each change, in domain order.
pub fn diff_runs(
    old: Option<&Path>,
    new: &Path,
    f: &mut dyn FnMut(ZoneChange) -> Result<()>,
) -> Result<()> {
    let mut a = match old {
        Some(p) => Some(RunReader::open(p)?),
        None => None,
    };
    let mut b = RunReader::open(new)?;
    let mut has_a = match a.as_mut() {
        Some(r) => r.advance()?,
        None => false,
    };
    let mut has_b = b.advance()?;
    loop {
        let order = match (a.as_mut().filter(|_| has_a), has_b) {
            (None, false) => return Ok(()),
            (Some(_), false) => std::cmp::Ordering::Less,
            (None, true) => std::cmp::Ordering::Greater,
            (Some(r), true) => line_domain(&r.line).cmp(line_domain(&b.line)),
        };
        match (order, a.as_mut()) {
            (std::cmp::Ordering::Less, Some(r)) => {
                f(removed(r.entry()?))?;
                has_a = r.advance()?;
            }
            (std::cmp::Ordering::Equal, Some(r)) => {
                // Runs write name servers sorted and unique: equal bytes
                // are equal sets; unequal bytes are parsed to be sure.
                if line_ns(&r.line) != line_ns(&b.line) {
                    let (o, n) = (r.entry()?, b.entry()?);
                    if o.ns != n.ns {
                        f(ZoneChange {
                            kind: "changed",
                            domain: n.domain.clone(),
                            ns_old: o.ns,
                            ns_new: n.ns.clone(),
                            entry: Some(n),
                        })?;
                    }
                }
                has_a = r.advance()?;
                has_b = b.advance()?;
            }
            _ => {
                f(added(b.entry()?))?;
                has_b = b.advance()?;
            }
        }
    }
}

/// The name-server field of a run line (between its first two tabs).
fn line_ns(line: &[u8]) -> &[u8] {
    let from = (memchr_tab(line) + 1).min(line.len());
    let rest = &line[from..];
    &rest[..memchr_tab(rest)]
}

fn added(n: RunEntry) -> ZoneChange {
    ZoneChange {
        kind: "added",
        domain: n.domain.clone(),
        ns_old: Vec::new(),
        ns_new: n.ns.clone(),
        entry: Some(n),
    }
}

fn removed(o: RunEntry) -> ZoneChange {
    ZoneChange {
        kind: "removed",
        domain: o.domain,
        ns_old: o.ns,
        ns_new: Vec::new(),
        entry: None,
    }
}

/// The snapshot run of `origin` at `date` and the one before it.
pub fn runs_for(
    runs_dir: &Path,
    origin: &str,
    date: Timestamp,
) -> Result<(Option<PathBuf>, PathBuf)> {
    let all = snapshots(runs_dir, origin)?;
    let new = all
        .iter()
        .find(|(t, _)| *t == date)
        .map(|(_, p)| p.clone())
        .ok_or_else(|| {
            IngestError::Internal(format!("no snapshot of {origin} for {}", date_str(date)))
        })?;
    let old = all.iter().rfind(|(t, _)| *t < date).map(|(_, p)| p.clone());
    Ok((old, new))
}

/// What every change of one zone snapshot shares: the source, the zone's
/// own name, and the name servers parsed so far (a zone has far fewer name
/// servers than delegations; the cache is cleared when it grows past
/// `NS_CACHE`, so memory stays bounded).
struct ChangeContext {
    source: String,
    origin: Option<DomainName>,
    window: Window,
    now: Timestamp,
    ns: HashMap<String, DomainName>,
    /// The zone form's name servers: by name, their entities, and the
    /// current delegation's (indices), bounded by `FORM_NS_CACHE`.
    ns_index: HashMap<String, usize, NameHash>,
    ns_entities: Vec<Entity>,
    /// The current delegation's own (in-bailiwick) name servers: one-off
    /// names, kept out of the cache so they do not evict the shared ones.
    local: Vec<Entity>,
    current: Vec<NsAt>,
    /// The zone's own name and the signed-delegation value, as entities.
    origin_entity: Option<Entity>,
    signed: Entity,
}

/// Most name servers kept parsed (~250 bytes each: a `.com`-size zone's
/// in-bailiwick name servers, one pair per self-hosted domain, would
/// otherwise keep the cache at its cap for the whole run, next to the bulk
/// load's sorters).
const NS_CACHE: usize = 1 << 16;

/// Where the current delegation's name server is (see
/// [`ChangeContext::name_servers`]).
#[derive(Debug, Clone, Copy)]
enum NsAt {
    /// In the shared cache (`ns_entities`).
    Cached(usize),
    /// Among the delegation's own hosts (`local`).
    Local(usize),
}

/// `name` is strictly below `domain` (both normalised text).
fn is_below(name: &str, domain: &str) -> bool {
    name.len() > domain.len()
        && name.ends_with(domain)
        && name.as_bytes().get(name.len() - domain.len() - 1) == Some(&b'.')
}

/// Most name servers kept by the zone form's producer: small enough to
/// stay in the CPU cache (with 65,536 a `.com`-style zone's one-off
/// in-bailiwick name servers made most lookups a cache miss).
const FORM_NS_CACHE: usize = 1 << 12;

impl ChangeContext {
    fn new(origin: &str, date: Timestamp, now: Timestamp) -> ChangeContext {
        ChangeContext {
            source: format!("zone:{}", origin_dir(origin)),
            origin: DomainName::parse(origin).ok(),
            window: Window {
                first_seen: date,
                last_seen: date,
                count: 1,
            },
            now,
            ns: HashMap::new(),
            ns_index: HashMap::default(),
            ns_entities: Vec::new(),
            local: Vec::new(),
            current: Vec::new(),
            origin_entity: DomainName::parse(origin).ok().map(Entity::Domain),
            signed: Entity::Text("signedDelegation".into()),
        }
    }

    /// Makes a run line's name servers (comma-separated) the current
    /// delegation's (of `domain`, the run's text), parsed once per zone
    /// while the cache holds them; the delegation's own hosts
    /// (`ns1.example.com` for `example.com`: nearly always one-off) are
    /// parsed without entering the cache.
    fn name_servers(&mut self, domain: &str, field: &str) {
        self.current.clear();
        self.local.clear();
        let count = field.split(',').filter(|x| !x.is_empty()).count();
        if self.ns_index.len() + count > FORM_NS_CACHE {
            self.ns_index.clear();
            self.ns_entities.clear();
        }
        for ns in field.split(',').filter(|x| !x.is_empty()) {
            if is_below(ns, domain) {
                let Ok(d) = DomainName::parse(ns) else {
                    continue;
                };
                self.local.push(Entity::Domain(d));
                self.current.push(NsAt::Local(self.local.len() - 1));
                continue;
            }
            let i = match self.ns_index.get(ns) {
                Some(i) => *i,
                None => {
                    let Ok(d) = DomainName::parse(ns) else {
                        continue;
                    };
                    self.ns_entities.push(Entity::Domain(d));
                    let i = self.ns_entities.len() - 1;
                    self.ns_index.insert(ns.to_string(), i);
                    i
                }
            };
            self.current.push(NsAt::Cached(i));
        }
    }

    /// The current delegation's own name server written `host` in the
    /// run (a glue host usually is one: parsed once). The run's text is
    /// normalised, so it is the name's A-label form; a host written
    /// otherwise is not found and its caller parses it.
    fn local_name_server(&self, host: &str) -> Option<&Entity> {
        self.local
            .iter()
            .find(|e| matches!(e, Entity::Domain(d) if d.ascii() == host))
    }

    /// A delegation's facts as [`ChangeContext::triples`] builds them,
    /// borrowed: the current name servers (see
    /// [`ChangeContext::name_servers`]), `glue` (host, address), the
    /// signed delegation, the zone.
    fn delegation<'a>(
        &'a self,
        subject: &'a Entity,
        glue: &'a [(Entity, Entity)],
        signed: bool,
    ) -> Vec<(&'a Entity, Predicate, &'a Entity)> {
        let mut out = Vec::with_capacity(self.current.len() + 2 * glue.len() + 2);
        for at in &self.current {
            let n = match at {
                NsAt::Cached(i) => self.ns_entities.get(*i),
                NsAt::Local(i) => self.local.get(*i),
            };
            if let Some(n) = n {
                out.push((subject, Predicate::NAMESERVER_HOST, n));
            }
        }
        for (h, ip) in glue {
            out.push((h, Predicate::IP, ip));
            out.push((subject, Predicate::NAMESERVER_IP, ip));
        }
        if signed {
            out.push((subject, Predicate::DNSSEC, &self.signed));
        }
        if let Some(o) = &self.origin_entity {
            out.push((subject, Predicate::IN_ZONE, o));
        }
        out
    }

    fn name_server(&mut self, ns: &str) -> Option<DomainName> {
        if let Some(d) = self.ns.get(ns) {
            return Some(d.clone());
        }
        let d = DomainName::parse(ns).ok()?;
        if self.ns.len() >= NS_CACHE {
            self.ns.clear();
        }
        self.ns.insert(ns.to_string(), d.clone());
        Some(d)
    }

    /// The facts a change writes: delegation facts at the snapshot date.
    fn observations(&mut self, c: &ZoneChange, out: &mut Vec<Observation>) {
        let mut t = Vec::new();
        self.triples(c, &mut t);
        self.to_observations(t, out);
    }

    /// Facts of this snapshot as observations (one the model refuses is
    /// left out).
    fn to_observations(&self, facts: Vec<(Entity, Predicate, Entity)>, out: &mut Vec<Observation>) {
        for (s, p, o) in facts {
            if let Ok(ob) = Observation::new(s, p, o, self.window, self.source.clone(), self.now) {
                out.push(ob);
            }
        }
    }

    /// Whether the model takes this snapshot's facts (their window against
    /// `now`): the zone form, which keeps no observations, is used only
    /// then.
    fn facts_valid(&self) -> bool {
        match (
            DomainName::parse("zone.invalid"),
            DomainName::parse("invalid"),
        ) {
            (Ok(s), Ok(o)) => Observation::new(
                Entity::Domain(s),
                Predicate::IN_ZONE,
                Entity::Domain(o),
                self.window,
                self.source.clone(),
                self.now,
            )
            .is_ok(),
            _ => false,
        }
    }

    /// The facts a change writes, as (subject, predicate, object).
    fn triples(&mut self, c: &ZoneChange, out: &mut Vec<(Entity, Predicate, Entity)>) {
        let Some(e) = &c.entry else { return };
        let Ok(domain) = DomainName::parse(&e.domain) else {
            return;
        };
        let subject = Entity::Domain(domain);
        let mut servers = Vec::with_capacity(e.ns.len());
        for ns in &e.ns {
            if let Some(n) = self.name_server(ns) {
                servers.push(n);
            }
        }
        let mut push = |s: Entity, p: Predicate, o: Entity| out.push((s, p, o));
        for n in servers {
            push(
                subject.clone(),
                Predicate::NAMESERVER_HOST,
                Entity::Domain(n),
            );
        }
        for g in &e.glue {
            if let Some((host, ip)) = g.split_once('=')
                && let (Ok(h), Ok(ip)) = (DomainName::parse(host), Ip::parse(ip))
            {
                push(Entity::Domain(h), Predicate::IP, Entity::Ip(ip));
                push(subject.clone(), Predicate::NAMESERVER_IP, Entity::Ip(ip));
            }
        }
        if e.ds > 0 {
            push(
                subject.clone(),
                Predicate::DNSSEC,
                Entity::Text("signedDelegation".into()),
            );
        }
        if let Some(o) = &self.origin {
            push(subject, Predicate::IN_ZONE, Entity::Domain(o.clone()));
        }
    }
}

/// One piece of changes: facts the zone form did not take (as
/// observations), events, and the position of its last change.
type Changes = (Vec<Observation>, Vec<NewEvent>, u64);

fn stopped() -> IngestError {
    IngestError::Internal("zone change writer stopped".into())
}

/// The event of a change; `zone` and `day` are the origin's directory
/// name and the snapshot date as text (formatted once per snapshot).
fn event(c: &ZoneChange, zone: &str, day: &str, date: Timestamp) -> NewEvent {
    let mut data = BTreeMap::new();
    data.insert("zone".to_string(), zone.to_string());
    data.insert("date".to_string(), day.to_string());
    if !c.ns_old.is_empty() {
        data.insert("ns_old".to_string(), c.ns_old.join(","));
    }
    if !c.ns_new.is_empty() {
        data.insert("ns_new".to_string(), c.ns_new.join(","));
    }
    NewEvent {
        time: date,
        kind: match c.kind {
            "added" => "domain_added",
            "removed" => "domain_removed",
            _ => "domain_redelegated",
        }
        .to_string(),
        subject: c.domain.clone(),
        data,
    }
}

/// A first snapshot's `domain_added` events (as [`event`] of each
/// line's change), packed: each run line's domain and its name servers
/// (joined by `,`) in one text, handed to the bulk load as parts
/// ([`BulkLoad::add_event`]) instead of a `NewEvent` with a map each.
#[derive(Default)]
struct Added {
    text: String,
    /// Where each event's domain ends and its name servers end in `text`.
    ends: Vec<(usize, usize)>,
}

impl Added {
    fn push(&mut self, l: &LineRef<'_>) {
        self.text.push_str(l.domain);
        let at = self.text.len();
        for x in l.ns.split(',').filter(|x| !x.is_empty()) {
            if self.text.len() > at {
                self.text.push(',');
            }
            self.text.push_str(x);
        }
        self.ends.push((at, self.text.len()));
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Each event's (domain, name servers), in the order pushed.
    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut from = 0;
        self.ends.iter().map(move |&(d, n)| {
            let r = (&self.text[from..d], &self.text[d..n]);
            from = n;
            r
        })
    }

    /// Adds the events to `b` and empties `self`.
    fn add_to(
        &mut self,
        b: &mut dyn BulkLoad,
        zone: &str,
        day: &str,
        date: Timestamp,
    ) -> Result<()> {
        for (domain, ns) in self.iter() {
            // The data's keys in ascending order, as `event` builds them.
            let data = [("date", day), ("ns_new", ns), ("zone", zone)];
            let data: &[(&str, &str)] = if ns.is_empty() {
                &[data[0], data[2]]
            } else {
                &data
            };
            b.add_event(date, "domain_added", domain, data)?;
        }
        self.clear();
        Ok(())
    }

    /// The events as [`event`] builds them; empties `self`.
    fn take_events(&mut self, zone: &str, day: &str, date: Timestamp) -> Vec<NewEvent> {
        let out = self
            .iter()
            .map(|(domain, ns)| {
                let c = ZoneChange {
                    kind: "added",
                    domain: domain.to_string(),
                    ns_old: Vec::new(),
                    ns_new: ns
                        .split(',')
                        .filter(|x| !x.is_empty())
                        .map(str::to_string)
                        .collect(),
                    entry: None,
                };
                event(&c, zone, day, date)
            })
            .collect();
        self.clear();
        out
    }

    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }
}

/// One zone-form producer's output: the facts the form refused (as
/// observations), the packed `domain_added` events of its current
/// block, and how many facts the form took.
#[derive(Default)]
struct LaneOut {
    obs: Vec<Observation>,
    added: Added,
    taken: u64,
    glue: Vec<(Entity, Entity)>,
}

impl LaneOut {
    /// Sends the block's piece to the writer (an emptied event buffer
    /// comes back to be refilled).
    fn send(
        &mut self,
        tx: &std::sync::mpsc::SyncSender<(Vec<Observation>, Added)>,
        back: &std::sync::mpsc::Receiver<Added>,
    ) -> Result<()> {
        let next = back.try_recv().unwrap_or_default();
        let piece = (
            std::mem::take(&mut self.obs),
            std::mem::replace(&mut self.added, next),
        );
        tx.send(piece).map_err(|_| stopped())
    }
}

/// [`ZoneForm::add`] of the form or of its second lane.
type FormAdd<'f> = dyn FnMut(&[(&Entity, Predicate, &Entity)]) -> scry_store::Result<bool> + 'f;

/// Adds a block of whole run lines to the zone form (`add`: the form or
/// its second lane) and their events to `out`.
fn produce_block(
    run: &Path,
    block: &[u8],
    cx: &mut ChangeContext,
    add: &mut FormAdd<'_>,
    out: &mut LaneOut,
) -> Result<()> {
    for line in block.split_inclusive(|&b| b == b'\n') {
        let l = run_line(run, line)?;
        out.added.push(&l);
        let Ok(domain) = DomainName::parse(l.domain) else {
            continue;
        };
        let subject = Entity::Domain(domain);
        cx.name_servers(l.domain, l.ns);
        let glue = &mut out.glue;
        glue.clear();
        for g in l.glue.split(',') {
            if let Some((host, ip)) = g.split_once('=')
                && let Ok(ip) = Ip::parse(ip)
            {
                let h = match cx.local_name_server(host) {
                    Some(e) => e.clone(),
                    None => match DomainName::parse(host) {
                        Ok(h) => Entity::Domain(h),
                        Err(_) => continue,
                    },
                };
                glue.push((h, Entity::Ip(ip)));
            }
        }
        let facts = cx.delegation(&subject, glue, l.ds > 0);
        if add(&facts)? {
            out.taken += facts.len() as u64;
        } else {
            let owned = facts
                .iter()
                .map(|(s, p, o)| ((*s).clone(), *p, (*o).clone()))
                .collect();
            cx.to_observations(owned, &mut out.obs);
        }
    }
    Ok(())
}

/// Ingests one zone file: builds its snapshot run, diffs it with the
/// previous snapshot and writes the changes (facts and events) in batches
/// with their ledger position, so an interrupted ingest resumes.
pub fn ingest_zone(
    store: &dyn Store,
    path: &Path,
    opts: &ZoneIngestOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<IngestSummary> {
    let started = Instant::now();
    let key = format!("zone:{}", file_identity(path)?);
    let mut summary = IngestSummary {
        input: path.display().to_string(),
        ..Default::default()
    };
    let ledger = store.ledger(&key)?;
    if ledger.as_ref().is_some_and(|l| l.complete) {
        summary.already_complete = true;
        return Ok(summary);
    }
    fs::create_dir_all(&opts.runs_dir).map_err(|e| io(&opts.runs_dir, e))?;
    let tmp = opts.runs_dir.join(format!("tmp-{}", std::process::id()));
    fs::create_dir_all(&tmp).map_err(|e| io(&tmp, e))?;
    // Removed at the end, also on an error (its chunk files and a run
    // not finished).
    let _tmp = TmpDir(tmp.clone());
    let staging = tmp.join("run.gz");
    let build = Instant::now();
    let (chunks, mut parsed) = sorted_chunks(path, opts, &tmp, CHUNK)?;
    tracing::debug!(
        ms = build.elapsed().as_millis() as u64,
        chunks = chunks.len(),
        "zone run chunks sorted"
    );
    let dir = opts.runs_dir.join(origin_dir(&parsed.origin));
    fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let run_path = dir.join(format!("{}.run.gz", date_str(parsed.date)));
    // The run is complete and synced (in the temporary directory) before
    // it is renamed into place; the zone form is committed only after
    // that (see below).
    let merge = |sink: Option<LineSink>| -> Result<u64> {
        let delegations = merge_chunks(&chunks, &staging, sink)?;
        fs::rename(&staging, &run_path).map_err(|e| io(&run_path, e))?;
        tracing::debug!(ms = build.elapsed().as_millis() as u64, "zone run built");
        Ok(delegations)
    };
    summary.read = parsed.records;
    summary.rejected = parsed.rejected_total;
    for e in &parsed.rejected {
        let reason = match &e.field {
            Some(f) => format!("{}:{f}", e.kind),
            None => e.kind.to_string(),
        };
        *summary.rejected_by_reason.entry(reason).or_default() += 1;
        summary.rejected_examples.push(e.to_string());
    }

    // The snapshot before this one (the new run is not in place yet).
    let old = snapshots(&opts.runs_dir, &parsed.origin)?
        .into_iter()
        .rfind(|(t, _)| *t < parsed.date)
        .map(|(_, p)| p);
    let new = run_path.clone();
    let resume = ledger.map_or(0, |l| l.committed_through);
    // The first snapshot into an empty store: every change is a new domain,
    // so the store can build its indexes in one sorted pass (committed
    // once, at the end).
    let first = old.is_none() && resume == 0;
    // The zone form first (it is asked before the bulk load, which holds
    // the store's writer until it finishes).
    let mut cx = ChangeContext::new(&parsed.origin, parsed.date, opts.now);
    let mut form = if first && opts.zone_form && cx.facts_valid() {
        store.zone_form(&format!("zone:{}", origin_dir(&parsed.origin)), parsed.date)?
    } else {
        None
    };
    let mut bulk = if first { store.bulk_load()? } else { None };
    if bulk.is_none() {
        form = None;
    }
    // Without the zone form the run is merged now: the diff reads it (and
    // the snapshot before it) from the runs.
    let mut merge = Some(merge);
    if form.is_none()
        && let Some(m) = merge.take()
    {
        parsed.delegations = m(None)?;
    }
    summary.skipped = resume;
    let mut n = 0u64;
    let origin = parsed.origin.clone();
    let date = parsed.date;
    // The writer's own context: facts the zone form gives back at its
    // finish become observations there.
    let wcx = ChangeContext::new(&origin, date, opts.now);
    let name = path.display().to_string();
    let mut bulk_on = bulk.is_some();
    let (zone, day) = (origin_dir(&origin), date_str(date));
    let mut flush = |obs: &mut Vec<Observation>,
                     events: &mut Vec<NewEvent>,
                     added: &mut Added,
                     n: u64,
                     complete: bool,
                     summary: &mut IngestSummary|
     -> Result<bool> {
        let count = obs.len() as u64;
        if let Some(b) = bulk.as_mut() {
            b.add(WriteBatch {
                observations: std::mem::take(obs),
                events: std::mem::take(events),
                ..Default::default()
            })?;
            added.add_to(b.as_mut(), &zone, &day, date)?;
            summary.stored += count;
            summary.batches += 1;
            return Ok(true);
        }
        events.extend(added.take_events(&zone, &day, date));
        let r = store.write(WriteBatch {
            observations: std::mem::take(obs),
            events: std::mem::take(events),
            ledger: Some(LedgerEntry {
                key: key.clone(),
                name: name.clone(),
                committed_through: n,
                complete,
                updated_at: opts.now,
            }),
            ..Default::default()
        })?;
        summary.stored += count;
        summary.facts_new += r.facts_new;
        summary.facts_merged += r.facts_merged;
        summary.batches += 1;
        progress(&Progress {
            committed_through_line: n,
            bytes: 0,
            read: summary.read,
            rejected: summary.rejected,
        });
        // A snapshot with many changes: the rest is one bulk merge
        // (committed at the end; a crash before that resumes after the
        // batches committed so far).
        if !complete && bulk.is_none() && summary.batches >= BULK_AFTER_BATCHES {
            bulk = store.bulk_load()?;
        }
        Ok(bulk.is_some())
    };
    let phase = Instant::now();
    // Two cores: a producer thread merge-joins the runs and turns each
    // change into its facts and event (name normalisation, observation
    // checks), the calling thread stores them (the store's sorting). The
    // producer hands over pieces of `SEND` changes through a rendezvous
    // channel, so at most two pieces exist besides what the store holds;
    // the writer gathers them into batches of `BATCH` (one commit each)
    // or, during a bulk load, adds each piece as it comes.
    let new_run = new.clone();
    let (zone_text, day_text) = (zone.clone(), day.clone());
    let form = std::thread::scope(|sc| -> Result<_> {
        let (zone, day) = (&zone_text, &day_text);
        if let Some(mut f) = form {
            // A first snapshot into the zone form (a bulk load, committed
            // at its end; every delegation of the run is added): the
            // producer reads the run for the form (facts built from the
            // line, encoded and freed on its thread, name servers and the
            // zone's own name built once) and hands over, per piece of
            // `SEND` lines, the lines' `domain_added` events packed as
            // text ([`Added`]) and the facts the form refuses; the writer
            // gives the emptied event buffers back, so nothing allocated
            // on one thread is freed on the other (the run is read once:
            // the writer used to inflate it a second time for the events).
            // The run's merge goes on on a thread of its own and hands its
            // lines, as it writes them to the run file, in blocks of whole
            // lines to the producer (they come back to be refilled): the
            // producer starts with the merge, and the run is not inflated
            // again.
            type Piece = (Vec<Observation>, Added);
            let (block_tx, block_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
            let (free_tx, free_rx) = std::sync::mpsc::channel::<Vec<u8>>();
            let merge = merge
                .take()
                .ok_or_else(|| IngestError::Internal("zone run merged twice".into()))?;
            let merger = sc.spawn(move || merge(Some(LineSink::new(block_tx, free_rx))));
            // Two producers when the form has a second lane (both cores:
            // the producer was one core for the whole phase): the first
            // takes the even blocks and hands the odd ones to the second;
            // each sends one piece per block and ends each block in the
            // form, and the writer (as the form's sorting thread) takes
            // their pieces alternately, so the events and the form's keys
            // come in the run's order, as from one producer.
            let lane = f.second_lane()?;
            let mut rxs = Vec::new();
            let mut backs = Vec::new();
            let mut lane_channels = || {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Piece>(4);
                let (back_tx, back_rx) = std::sync::mpsc::channel::<Added>();
                rxs.push(rx);
                backs.push(back_tx);
                (tx, back_rx)
            };
            let (tx0, back0) = lane_channels();
            let second = match lane {
                Some(mut lane) => {
                    let (tx1, back1) = lane_channels();
                    let (odd_tx, odd_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
                    let free = free_tx.clone();
                    let mut cx1 = ChangeContext::new(&parsed.origin, parsed.date, opts.now);
                    let run = new_run.clone();
                    let h = std::thread::Builder::new()
                        .name("zone-form-lane".into())
                        .spawn_scoped(sc, move || -> Result<u64> {
                            let mut out = LaneOut::default();
                            for block in odd_rx.iter() {
                                produce_block(
                                    &run,
                                    &block,
                                    &mut cx1,
                                    &mut |f| lane.add(f),
                                    &mut out,
                                )?;
                                lane.end_block()?;
                                out.send(&tx1, &back1)?;
                                let _ = free.send(block);
                            }
                            lane.finish()?;
                            Ok(out.taken)
                        })
                        .map_err(|e| IngestError::Internal(format!("zone lane thread: {e}")))?;
                    Some((h, odd_tx))
                }
                None => None,
            };
            let (second, odd_tx) = match second {
                Some((h, t)) => (Some(h), Some(t)),
                None => (None, None),
            };
            let producer = sc.spawn(move || -> Result<(Box<dyn ZoneForm + '_>, u64)> {
                let mut out = LaneOut::default();
                for (i, block) in block_rx.iter().enumerate() {
                    if !i.is_multiple_of(2)
                        && let Some(odd) = &odd_tx
                    {
                        odd.send(block).map_err(|_| stopped())?;
                        continue;
                    }
                    produce_block(
                        &new_run,
                        &block,
                        &mut cx,
                        &mut |facts| f.add(facts),
                        &mut out,
                    )?;
                    f.end_block()?;
                    out.send(&tx0, &back0)?;
                    // The merge may have ended: the block is then dropped.
                    let _ = free_tx.send(block);
                }
                Ok((f, out.taken))
            });
            let mut obs = Vec::new();
            let mut events = Vec::new();
            let mut written = Ok(());
            let mut turn = 0;
            while let Some(rx) = rxs.get(turn) {
                let Ok((o, mut added)) = rx.recv() else {
                    break;
                };
                n += added.len() as u64;
                obs.extend(o);
                written =
                    flush(&mut obs, &mut events, &mut added, n, false, &mut summary).map(|_| ());
                if written.is_err() {
                    break;
                }
                // The producer may have ended: the buffer is then dropped.
                if let Some(back) = backs.get(turn) {
                    let _ = back.send(added);
                }
                turn = (turn + 1) % rxs.len();
            }
            drop(rxs);
            let produced = producer
                .join()
                .map_err(|_| IngestError::Internal("zone change thread panicked".into()))?;
            let lane_taken = match second {
                Some(h) => Some(
                    h.join()
                        .map_err(|_| IngestError::Internal("zone lane thread panicked".into()))?,
                ),
                None => None,
            };
            let merged = merger
                .join()
                .map_err(|_| IngestError::Internal("zone run merge thread panicked".into()))?;
            written?;
            let (f, mut taken) = produced?;
            if let Some(t) = lane_taken {
                taken += t?;
            }
            // A run that could not be built to its end (complete, synced
            // and in place) is not committed.
            parsed.delegations = merged?;
            summary.stored += taken;
            flush(
                &mut obs,
                &mut events,
                &mut Added::default(),
                n,
                true,
                &mut summary,
            )?;
            return Ok(Some(f));
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<Changes>(0);
        let producer = sc.spawn(move || -> Result<()> {
            let mut obs = Vec::new();
            let mut events = Vec::new();
            let mut n = 0u64;
            let sent = diff_runs(old.as_deref(), &new_run, &mut |c| {
                n += 1;
                if n <= resume {
                    return Ok(());
                }
                cx.observations(&c, &mut obs);
                events.push(event(&c, zone, day, date));
                if events.len() >= SEND {
                    let piece = (std::mem::take(&mut obs), std::mem::take(&mut events), n);
                    tx.send(piece).map_err(|_| stopped())?;
                }
                Ok(())
            });
            sent?;
            tx.send((obs, events, n)).map_err(|_| stopped())?;
            Ok(())
        });
        let (mut obs, mut events) = (Vec::new(), Vec::new());
        let mut failed = None;
        let mut rx = rx.into_iter().peekable();
        while let Some((o, e, at)) = rx.next() {
            obs.extend(o);
            events.extend(e);
            n = at;
            // The last piece is flushed as complete once the producer ends.
            if (bulk_on || events.len() >= BATCH) && rx.peek().is_some() {
                match flush(
                    &mut obs,
                    &mut events,
                    &mut Added::default(),
                    at,
                    false,
                    &mut summary,
                ) {
                    Ok(on) => bulk_on = on,
                    Err(err) => {
                        failed = Some(err);
                        break;
                    }
                }
            }
        }
        drop(rx);
        let produced = producer
            .join()
            .map_err(|_| IngestError::Internal("zone change thread panicked".into()))?;
        if let Some(err) = failed {
            return Err(err);
        }
        produced?;
        flush(
            &mut obs,
            &mut events,
            &mut Added::default(),
            n,
            true,
            &mut summary,
        )?;
        Ok(None)
    })?;
    tracing::debug!(
        ms = phase.elapsed().as_millis() as u64,
        "zone changes written"
    );
    // The form is made durable first (sorted runs and its commit file),
    // then ingested on its own thread while the bulk load stores the facts
    // it gave back and the events and commits the ledger entry: a crash
    // after the form's commit file ends with the form stored by the next
    // open, so the ledger never claims more than is stored.
    let mut ingest_form = None;
    if let Some(f) = form {
        let phase = Instant::now();
        let (back, ingest) = f.commit()?;
        tracing::debug!(
            ms = phase.elapsed().as_millis() as u64,
            given_back = back.len(),
            "zone form committed"
        );
        ingest_form = Some(ingest);
        if !back.is_empty()
            && let Some(b) = bulk.as_mut()
        {
            let mut observations = Vec::with_capacity(back.len());
            wcx.to_observations(back, &mut observations);
            b.add(WriteBatch {
                observations,
                ..Default::default()
            })?;
        }
    }
    let phase = Instant::now();
    std::thread::scope(|sc| -> Result<()> {
        let form = ingest_form.map(|ingest| {
            sc.spawn(move || {
                let phase = Instant::now();
                let r = ingest();
                tracing::debug!(ms = phase.elapsed().as_millis() as u64, "zone form stored");
                r
            })
        });
        let loaded = match bulk {
            Some(b) => {
                let ledger = LedgerEntry {
                    key: key.clone(),
                    name: name.clone(),
                    committed_through: n,
                    complete: true,
                    updated_at: opts.now,
                };
                let r = crate::finish_bulk(b, ledger, 0, &mut summary, progress);
                tracing::debug!(
                    ms = phase.elapsed().as_millis() as u64,
                    "zone bulk load finished"
                );
                r
            }
            None => Ok(()),
        };
        if let Some(h) = form {
            h.join()
                .map_err(|_| IngestError::Internal("zone form thread panicked".into()))??;
        }
        loaded
    })?;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    tracing::info!(zone = %origin_dir(&origin), date = %date_str(date), delegations = parsed.delegations, changes = n, "zone snapshot ingested");
    Ok(summary)
}

/// `scry zone diff`: the changes between two stored snapshots (default: the
/// newest and the one before it).
pub fn zone_diff(
    runs_dir: &Path,
    origin: &str,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    f: &mut dyn FnMut(Timestamp, ZoneChange) -> Result<()>,
) -> Result<()> {
    let all = snapshots(runs_dir, origin)?;
    let to_t = match to {
        Some(t) => t,
        None => all
            .last()
            .map(|(t, _)| *t)
            .ok_or_else(|| IngestError::Internal(format!("no snapshot of {origin} stored")))?,
    };
    let (prev, new) = runs_for(runs_dir, origin, to_t)?;
    let old = match from {
        Some(t) => Some(
            all.iter()
                .find(|(d, _)| *d == t)
                .map(|(_, p)| p.clone())
                .ok_or_else(|| {
                    IngestError::Internal(format!("no snapshot of {origin} for {}", date_str(t)))
                })?,
        ),
        None => prev,
    };
    diff_runs(old.as_deref(), &new, &mut |c| f(to_t, c))
}

#[cfg(test)]
pub(crate) mod equiv;

#[cfg(test)]
mod tests {
    use super::*;
    use scry_model::{DomainName, Entity, Predicate};
    use scry_store::embedded::EmbeddedStore;
    use scry_store::{DataDir, Store};

    const DAY0: Timestamp = 1_767_225_600; // 2026-01-01

    /// Strict options for the `test.` zone into the zone form, runs under
    /// `dir/zones`.
    fn form_opts(dir: &Path, date: Timestamp, now: Timestamp) -> ZoneIngestOptions {
        ZoneIngestOptions {
            zone_form: true,
            origin: Some("test.".into()),
            date: Some(date),
            strict: true,
            runs_dir: dir.join("zones"),
            now,
        }
    }

    fn zone(path: &Path, names: std::ops::Range<usize>, shift: usize) {
        let mut body = String::from(
            "$ORIGIN test.\n$TTL 3600\n@ SOA ns.test. admin.test. 1 3600 600 86400 300\n",
        );
        for i in names {
            body.push_str(&format!("d{i} NS ns{}.host.net.\n", (i + shift) % 5));
        }
        std::fs::write(path, body).unwrap();
    }

    /// A run written with a sink: the sink's blocks are whole lines of at
    /// least `RUN_BLOCK` bytes (but the last), together the run's lines in
    /// order, and the run file holds the same lines; blocks given back are
    /// refilled (no more blocks made than are in flight).
    #[test]
    fn run_sink_gets_the_run_in_blocks_of_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.run.gz");
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let (free_tx, free_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let reader = std::thread::spawn(move || {
            let (mut got, mut sizes, mut seen) = (Vec::new(), Vec::new(), Vec::new());
            for block in rx.iter() {
                assert_eq!(block.last(), Some(&b'\n'));
                for line in block.split_inclusive(|&b| b == b'\n') {
                    run_line(Path::new("sink"), line).unwrap();
                }
                got.extend_from_slice(&block);
                sizes.push(block.len());
                let at = block.as_ptr() as usize;
                if !seen.contains(&at) {
                    seen.push(at);
                }
                let _ = free_tx.send(block);
            }
            (got, sizes, seen.len())
        });
        let mut f = RunFile::with_sink(&path, Some(LineSink::new(tx, free_rx))).unwrap();
        let mut want = Vec::new();
        for i in 0..40_000 {
            let e = RunEntry {
                domain: format!("d{i:06}.test"),
                ns: vec![format!("ns{}.host.net", i % 7)],
                glue: if i % 3 == 0 {
                    vec![format!("ns.d{i}.test=192.0.2.{}", i % 250)]
                } else {
                    Vec::new()
                },
                ds: i % 2,
            };
            e.write_line(&mut want).unwrap();
            if i % 2 == 0 {
                f.put(&e).unwrap();
            } else {
                let mut line = Vec::new();
                e.write_line(&mut line).unwrap();
                f.put_line(&line).unwrap();
            }
        }
        f.finish().unwrap();
        let (got, sizes, distinct) = reader.join().unwrap();
        assert_eq!(got, want);
        assert!(sizes.len() > 4, "{sizes:?}");
        let (last, full) = sizes.split_last().unwrap();
        assert!(full.iter().all(|&n| n >= RUN_BLOCK), "{sizes:?}");
        assert!(*last > 0);
        assert!(distinct <= 7, "{distinct} blocks made");
        let mut run = Vec::new();
        let mut r = RunReader::open(&path).unwrap();
        while r.advance().unwrap() {
            run.extend_from_slice(&r.line);
        }
        assert_eq!(run, want);
        assert!(run_line(&path, b"no tabs\n").is_err());
    }

    /// Prefix keys order as the domains: every pair of a set of domains
    /// with shared prefixes, short ones, and bytes below and above the
    /// padding.
    #[test]
    fn key_prefixes_order_as_their_domains() {
        let names: Vec<&[u8]> = vec![
            b"",
            b"a",
            b"a\x00",
            b"a\x01",
            b"ab",
            b"abcdefgh",
            b"abcdefgh\x00",
            b"abcdefgha",
            b"abcdefghb",
            b"abcdefgi",
            b"b",
            b"\xff\xff",
        ];
        for a in &names {
            for b in &names {
                let (ka, kb) = (key_prefix(a), key_prefix(b));
                if ka != kb {
                    assert_eq!(ka.cmp(&kb), a.cmp(b), "{a:?} {b:?}");
                }
            }
        }
        // Chunks sorted by handle are sorted by domain.
        let mut c = Chunk::default();
        for d in ["abcdefghz", "abcdefgha", "b", "a", "abcdefgh", "ab"] {
            c.push(&RunEntry {
                domain: d.into(),
                ..Default::default()
            });
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c");
        c.sort_and_write(&p).unwrap();
        let got = std::fs::read_to_string(&p).unwrap();
        assert_eq!(
            got,
            "a\t\t\t0\nab\t\t\t0\nabcdefgh\t\t\t0\nabcdefgha\t\t\t0\nabcdefghz\t\t\t0\nb\t\t\t0\n"
        );
    }

    /// A sink whose reader stopped stops the run's writing with an error.
    #[test]
    fn run_sink_without_reader_fails() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(1);
        let (_free_tx, free_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        drop(rx);
        let mut f = RunFile::with_sink(
            &dir.path().join("r.run.gz"),
            Some(LineSink::new(tx, free_rx)),
        )
        .unwrap();
        let mut line = vec![b'x'; 1_000];
        line.extend_from_slice(b"\tns.test\t\t0\n");
        let failed = (0..(2 * RUN_BLOCK / line.len())).any(|_| f.put_line(&line).is_err());
        assert!(failed);
    }

    fn run_lines(path: &Path) -> Vec<String> {
        let mut r = RunReader::open(path).unwrap();
        let mut out = Vec::new();
        while let Some(e) = r.next_entry().unwrap() {
            let mut line = Vec::new();
            e.write_line(&mut line).unwrap();
            out.push(String::from_utf8(line).unwrap());
        }
        out
    }

    /// The byte-level diff of two runs gives the changes a diff of the
    /// parsed entries gives: removed, added, name servers changed (glue
    /// or DS alone is no change), in domain order.
    #[test]
    fn diff_of_runs_equals_diff_of_their_entries() {
        let dir = tempfile::tempdir().unwrap();
        let entry = |i: usize, shift: usize| RunEntry {
            domain: format!("d{i:04}.test"),
            ns: {
                let mut v = vec![format!("ns{}.h.net", (i + shift) % 5)];
                if i.is_multiple_of(3) {
                    v.push(format!("ns{}.o.org", (i * shift) % 4));
                }
                v.sort();
                v.dedup();
                v
            },
            glue: if i.is_multiple_of(4) {
                vec![format!("ns.d{i}.test=192.0.2.{}", (i + shift) % 200)]
            } else {
                Vec::new()
            },
            ds: u32::from(i % 5 == shift % 5),
        };
        let write = |name: &str, entries: &[RunEntry]| {
            let p = dir.path().join(name);
            let mut w = RunFile::create(&p).unwrap();
            for e in entries {
                w.put(e).unwrap();
            }
            w.finish().unwrap();
            p
        };
        let old: Vec<RunEntry> = (0..300)
            .filter(|i| i % 11 != 0)
            .map(|i| entry(i, 0))
            .collect();
        let new: Vec<RunEntry> = (20..340)
            .filter(|i| i % 13 != 0)
            .map(|i| entry(i, usize::from(i % 6 == 0) + usize::from(i % 4 == 0)))
            .collect();
        let (a, b) = (write("a.run.gz", &old), write("b.run.gz", &new));
        let mut got = Vec::new();
        diff_runs(Some(&a), &b, &mut |c| {
            got.push(c);
            Ok(())
        })
        .unwrap();
        let before: BTreeMap<&str, &RunEntry> =
            old.iter().map(|e| (e.domain.as_str(), e)).collect();
        let after: BTreeMap<&str, &RunEntry> = new.iter().map(|e| (e.domain.as_str(), e)).collect();
        let mut domains: Vec<&str> = before.keys().chain(after.keys()).copied().collect();
        domains.sort();
        domains.dedup();
        let mut want = Vec::new();
        for d in domains {
            match (before.get(d), after.get(d)) {
                (Some(o), None) => want.push(removed((*o).clone())),
                (None, Some(n)) => want.push(added((*n).clone())),
                (Some(o), Some(n)) if o.ns != n.ns => want.push(ZoneChange {
                    kind: "changed",
                    domain: d.to_string(),
                    ns_old: o.ns.clone(),
                    ns_new: n.ns.clone(),
                    entry: Some((*n).clone()),
                }),
                _ => {}
            }
        }
        assert!(want.iter().any(|c| c.kind == "changed"));
        assert!(want.iter().any(|c| c.kind == "added"));
        assert!(want.iter().any(|c| c.kind == "removed"));
        assert_eq!(got, want);
        // No previous run: everything is added.
        let mut firsts = 0;
        diff_runs(None, &b, &mut |c| {
            assert_eq!(c.kind, "added");
            firsts += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(firsts, new.len());
    }

    /// An unsorted zone whose delegations are split across the file
    /// (NS here, more NS, glue and DS far below): built in chunks of 7
    /// (spilled on the sort thread, merged, partial delegations joined),
    /// the run is the one built in a single chunk, sorted and joined.
    #[test]
    fn run_built_in_many_chunks_equals_one_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = String::from(
            "$ORIGIN test.\n$TTL 3600\n@ SOA ns.test. admin.test. 1 3600 600 86400 300\n",
        );
        for i in (0..60).rev() {
            body.push_str(&format!("d{i} NS ns{}.host.net.\n", i % 4));
        }
        for i in (0..60).step_by(3) {
            body.push_str(&format!("d{i} NS ns.d{i}.test.\nns.d{i} A 192.0.2.{i}\n"));
            body.push_str(&format!("D{i} DS 1 8 2 ABCD\n"));
        }
        let zone = dir.path().join("z.zone");
        std::fs::write(&zone, body).unwrap();
        let opts = form_opts(dir.path(), DAY0, DAY0);
        let build = |chunk: usize, name: &str| {
            let tmp = dir.path().join(format!("tmp-{name}"));
            std::fs::create_dir_all(&tmp).unwrap();
            let run = dir.path().join(format!("{name}.run.gz"));
            let p = build_run_in_chunks(&zone, &opts, &tmp, &run, chunk).unwrap();
            assert_eq!(p.delegations, 60, "{name}");
            run_lines(&run)
        };
        let one = build(usize::MAX, "one");
        let many = build(7, "many");
        assert_eq!(many, one);
        let mut sorted = one.clone();
        sorted.sort();
        assert_eq!(one, sorted, "the run is sorted by domain");
        assert!(
            one.contains(
                &"d3.test\tns.d3.test,ns3.host.net\tns.d3.test=192.0.2.3\t1\n".to_string()
            ),
            "{one:?}"
        );
        assert!(
            one.contains(&"d1.test\tns1.host.net\t\t0\n".to_string()),
            "{one:?}"
        );
    }

    /// A first snapshot whose run cannot be put in place (a directory in
    /// the way of the rename that ends the merge, after every line went to
    /// the form's producer): the ingest fails and nothing is committed;
    /// once the way is clear, the same file is ingested whole.
    #[test]
    fn first_snapshot_whose_run_fails_commits_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dd = DataDir::open(&dir.path().join("d"), true).unwrap();
        let s = EmbeddedStore::open(&dd).unwrap();
        let a = dir.path().join("a.zone");
        zone(&a, 0..20_000, 0);
        let opts = form_opts(dir.path(), DAY0, DAY0 + 10 * 86_400);
        let blocker = dir.path().join("zones/test/2026-01-01.run.gz");
        std::fs::create_dir_all(blocker.join("x")).unwrap();
        let failed = ingest_zone(&s, &a, &opts, &mut |_| {});
        assert!(failed.is_err(), "{failed:?}");
        assert!(s.events(0, 1_000_000).unwrap().is_empty());
        let key = format!("zone:{}", file_identity(&a).unwrap());
        assert!(s.ledger(&key).unwrap().is_none_or(|l| !l.complete));
        assert!(s.check().unwrap().problems.is_empty());
        std::fs::remove_dir_all(&blocker).unwrap();
        let sum = ingest_zone(&s, &a, &opts, &mut |_| {}).unwrap();
        assert!(!sum.already_complete);
        assert_eq!(s.events(0, 1_000_000).unwrap().len(), 20_000);
        assert!(s.check().unwrap().problems.is_empty());
        assert_eq!(run_lines(&blocker).len(), 20_000);
    }

    /// A later snapshot with more than a few batches of changes: the first
    /// batches are committed one by one, the rest in one bulk merge; the
    /// store ends consistent, every change stored once.
    #[test]
    fn later_snapshot_with_many_changes_ends_in_a_bulk_merge() {
        let dir = tempfile::tempdir().unwrap();
        let dd = DataDir::open(&dir.path().join("d"), true).unwrap();
        let s = EmbeddedStore::open(&dd).unwrap();
        let (a, b) = (dir.path().join("a.zone"), dir.path().join("b.zone"));
        zone(&a, 0..50_000, 0);
        // 40,000 redelegated, 10,000 removed, 30,000 added.
        zone(&b, 0..40_000, 1);
        let mut tail = std::fs::read_to_string(&b).unwrap();
        for i in 50_000..80_000 {
            tail.push_str(&format!("d{i} NS ns{}.host.net.\n", i % 5));
        }
        std::fs::write(&b, tail).unwrap();
        let opts = |date: Timestamp| form_opts(dir.path(), date, DAY0 + 10 * 86_400);
        ingest_zone(&s, &a, &opts(DAY0), &mut |_| {}).unwrap();
        let events_a = s.events(0, 1_000_000).unwrap().len();
        assert_eq!(events_a, 50_000);
        let mut reports = 0;
        let sum = ingest_zone(&s, &b, &opts(DAY0 + 86_400), &mut |_| reports += 1).unwrap();
        assert_eq!(
            reports,
            BULK_AFTER_BATCHES as usize + 1,
            "batches, then one bulk commit: {sum:?}"
        );
        assert_eq!(s.events(0, 1_000_000).unwrap().len(), 50_000 + 80_000);
        assert!(s.check().unwrap().problems.is_empty());
        let holdings = |d: &str| {
            let mut h: Vec<(String, bool)> = s
                .holdings(&Entity::Domain(DomainName::parse(d).unwrap()))
                .unwrap()
                .into_iter()
                .filter(|h| h.predicate == Predicate::NAMESERVER_HOST)
                .map(|h| (h.object.to_string(), h.current))
                .collect();
            h.sort();
            h
        };
        // Redelegated early (a batch) and late (the bulk merge).
        for d in ["d1.test", "d39999.test"] {
            let i: usize = d[1..d.len() - 5].parse().unwrap();
            let mut want = vec![
                (format!("ns{}.host.net", i % 5), false),
                (format!("ns{}.host.net", (i + 1) % 5), true),
            ];
            want.sort();
            assert_eq!(holdings(d), want, "{d}");
        }
        assert_eq!(
            holdings("d79999.test"),
            vec![("ns4.host.net".to_string(), true)]
        );
        let again = ingest_zone(&s, &b, &opts(DAY0 + 86_400), &mut |_| {}).unwrap();
        assert!(again.already_complete);
    }
}
