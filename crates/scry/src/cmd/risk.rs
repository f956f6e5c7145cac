//! `scry rescore` and `scry feeds` (and `scry risk`, with the threat model).

use std::process::ExitCode;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use scry_intel::risk::proximity::{full_pass, incremental_pass};
use scry_store::feeds::FeedIndex;

use crate::cli::{Cli, JsonArg, ProgressMode, RescoreArgs, RiskArgs};
use crate::cmd::ingest::now;
use crate::{open, out};

use scry_intel::risk::proximity::RESCORE_CURSOR as CURSOR;

pub(crate) fn rescore(cli: &Cli, a: &RescoreArgs) -> Result<ExitCode> {
    let opened = open::open(cli, false)?;
    let cursor = opened.state.cursor(CURSOR)?;
    let pb = if a.progress == ProgressMode::Bar {
        let pb = ProgressBar::new(0);
        pb.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        pb
    } else {
        ProgressBar::hidden()
    };
    let mut progress = |stage: &str, done: u64, total: u64| {
        pb.set_message(stage.to_string());
        pb.set_length(total);
        pb.set_position(done);
    };
    let store = opened.store.as_ref();
    let (sum, last, mode) = if a.full || cursor == 0 {
        let last = store.stats()?.last_event_seq;
        (
            full_pass(store, &opened.state, now(), &mut progress)?,
            last,
            "full",
        )
    } else {
        let (s, last) = incremental_pass(store, &opened.state, cursor, now(), &mut progress)?;
        let mode = if s.full { "full" } else { "incremental" };
        (s, last, mode)
    };
    pb.finish_and_clear();
    opened.state.set_cursor(CURSOR, last)?;
    if a.json {
        let mut v = serde_json::to_value(&sum)?;
        v["mode"] = mode.into();
        out::json(&v)?;
    } else {
        eprintln!(
            "proximity ({mode}): {} listed seeds, {} hop-2 seeds, {} shared values ({} edges, {} too common); {} domains scored, {} at 50+, {} stale removed, in {:.1}s",
            sum.seeds,
            sum.hop2_seeds,
            sum.values,
            sum.edges,
            sum.too_common,
            sum.scored,
            sum.high,
            sum.removed,
            sum.elapsed_ms as f64 / 1000.0
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn feeds(cli: &Cli, a: &JsonArg) -> Result<ExitCode> {
    let opened = open::open(cli, false)?;
    let feeds = FeedIndex::new(&opened.state).feeds()?;
    if a.json {
        out::json(&feeds)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = feeds
        .iter()
        .map(|f| {
            let l = f.latest();
            vec![
                f.name.clone(),
                f.kind.as_str().to_string(),
                f.versions.len().to_string(),
                l.map(|v| scry_model::format_time(v.time))
                    .unwrap_or_default(),
                l.map(|v| v.entries.to_string()).unwrap_or_default(),
                l.map(|v| format!("+{} -{}", v.added, v.removed))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    out::table(
        &["feed", "kind", "versions", "latest", "listed", "change"],
        &rows,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Prints one report for people.
fn print_report(r: &scry_intel::risk::RiskReport) {
    println!(
        "{}  {}  risk {}  ({}){}",
        r.indicator,
        r.kind,
        r.risk,
        r.status,
        if r.threats.is_empty() {
            String::new()
        } else {
            format!("  threats: {}", r.threats.join(", "))
        }
    );
    let comps: Vec<String> = r
        .components
        .iter()
        .map(|c| format!("{} {}", c.name, c.risk))
        .collect();
    println!("  components: {}", comps.join(", "));
    for e in &r.evidence {
        println!("  - [{}] {}", e.component, e.text);
    }
}

pub(crate) fn risk(cli: &Cli, a: &RiskArgs) -> Result<ExitCode> {
    use std::io::BufRead;

    if a.batch.is_some() {
        // A lexical-only batch is CPU work on pages the allocator keeps
        // reusing: huge pages only add the kernel's zeroing of 2 MiB at a
        // time (7 % of a 200 k-name batch's samples). Before the model is
        // built: its automata and tables, faulted in under huge pages, were
        // most of the zeroing left.
        crate::alloc::no_transparent_huge_pages();
    }
    let scorer = scry_intel::risk::builtin_scorer();
    // With no data dir yet, score with the threat model alone (what an
    // empty store gives) without opening a store, let alone creating one
    // in the working directory.
    let opened = if cli.store.is_none() && !cli.data_dir.try_exists()? {
        tracing::info!(data_dir = %cli.data_dir.display(), "no data dir: scoring with the threat model only");
        None
    } else {
        Some(open::open(cli, false)?)
    };
    let mut engine = match &opened {
        Some(o) => scry_intel::risk::RiskEngine::new(o.store.as_ref(), &o.state, &scorer),
        None => scry_intel::risk::RiskEngine::threat_model_only(&scorer),
    };
    if let Some(path) = &a.batch {
        if opened.is_some() && !engine.use_stored_proximity_if_fresh()? {
            tracing::info!(
                "no rescore since the last change: proximity is computed live (run `scry rescore` first for speed)"
            );
        }
        let input: Box<dyn BufRead + Send> = if path.as_os_str() == "-" {
            Box::new(std::io::BufReader::new(std::io::stdin()))
        } else {
            scry_ingest::open_input(path)?
        };
        let jobs = a.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
            usize::from,
        );
        let (scored, failed) = batch(&engine, input, jobs)?;
        tracing::info!(scored, failed, "batch scored");
        return Ok(if failed > 0 && scored == 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        });
    }
    let mut code = ExitCode::SUCCESS;
    for i in &a.indicators {
        match engine.score(i) {
            Ok(r) if a.json => out::json(&r)?,
            Ok(r) => print_report(&r),
            Err(e) => {
                eprintln!("error: {i}: {e}");
                code = ExitCode::FAILURE;
            }
        }
    }
    Ok(code)
}

/// Lines a block scores at most, and the least worth spreading over threads.
const BLOCK: usize = 4_096;
const SPREAD_MIN: usize = 64;

/// Input lines handed from the reader to the scorers: their text
/// back to back in one buffer (no allocation per line), and per line its
/// number and its span in `text`, or its length when it was longer than a
/// line may be.
#[derive(Default)]
struct Lines {
    text: String,
    spans: Vec<Span>,
}

/// A line's number and its text's span in [`Lines::text`], or its length.
type Span = (u64, Result<(u32, u32), usize>);

impl Lines {
    fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
    }

    fn len(&self) -> usize {
        self.spans.len()
    }
}

/// What the reader and the scorers share: the lines read and not yet
/// taken (at most [`BLOCK`]), how the input ended, and who waits.
#[derive(Default)]
struct Queue {
    lines: Lines,
    /// The input ended (`Some(Ok)`) or failed.
    end: Option<std::io::Result<()>>,
    /// The scorers returned (a closed output): the reader stops.
    closed: bool,
    reader_waits: bool,
    scorer_waits: bool,
}

struct Handover {
    q: std::sync::Mutex<Queue>,
    /// Signalled when lines arrive or the input ends (scorer side) and
    /// when lines are taken (reader side); one waiter at a time each.
    cv: std::sync::Condvar,
}

/// Reads `input` into `h` until it ends, fails, or the scorers close.
fn read_lines(mut input: Box<dyn std::io::BufRead + Send>, h: &Handover) {
    let mut buf = Vec::new();
    let mut no = 0u64;
    let lock = || {
        h.q.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let end = loop {
        let kind = match scry_ingest::read_line_bounded(&mut input, &mut buf, 4096) {
            Ok(k) => k,
            Err(e) => break Err(e),
        };
        if kind == scry_ingest::Line::Eof {
            break Ok(());
        }
        no += 1;
        let lossy;
        let text = match kind {
            scry_ingest::Line::TooLong(n) => Err(n),
            _ => {
                lossy = String::from_utf8_lossy(&buf);
                let t = lossy.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                Ok(t)
            }
        };
        let mut q = lock();
        while q.lines.len() >= BLOCK && !q.closed {
            q.reader_waits = true;
            q =
                h.cv.wait(q)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            q.reader_waits = false;
        }
        if q.closed {
            return;
        }
        let span = text.map(|t| {
            let start = q.lines.text.len();
            q.lines.text.push_str(t);
            (start as u32, q.lines.text.len() as u32)
        });
        q.lines.spans.push((no, span));
        // Only a waiting scorer needs waking (a wake is a system call).
        if q.scorer_waits {
            h.cv.notify_all();
        }
    };
    let mut q = lock();
    q.end = Some(end);
    h.cv.notify_all();
}

/// Scores every line of `input` with `jobs` threads and writes one JSON
/// object a line to stdout in input order. A reader thread hands lines
/// over; each block is whatever has arrived (at most [`BLOCK`] lines, at
/// least one), so a file is scored in large blocks while a playbook
/// writing one indicator at a time to stdin gets each answer as soon as it
/// is scored. Each scoring thread writes its part of a block into a buffer
/// of its own, kept from block to block. Returns (scored, failed).
fn batch(
    engine: &scry_intel::risk::RiskEngine<'_>,
    input: Box<dyn std::io::BufRead + Send>,
    jobs: usize,
) -> Result<(u64, u64)> {
    use std::io::Write;
    use std::sync::{Arc, PoisonError};

    let h = Arc::new(Handover {
        q: std::sync::Mutex::new(Queue::default()),
        cv: std::sync::Condvar::new(),
    });
    // The reader is not a scoped thread: when the output fails (a closed
    // pipe) the batch returns at once instead of waiting for a reader
    // blocked on a quiet stdin.
    {
        let h = h.clone();
        std::thread::spawn(move || read_lines(input, &h));
    }
    /// Tells the reader to stop however the scorers return.
    struct Close(Arc<Handover>);
    impl Drop for Close {
        fn drop(&mut self) {
            let mut q = self.0.q.lock().unwrap_or_else(PoisonError::into_inner);
            q.closed = true;
            self.0.cv.notify_all();
        }
    }
    let _close = Close(h.clone());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (mut scored, mut failed) = (0u64, 0u64);
    let jobs = jobs.max(1);
    // The scoring threads live as long as the batch: a thread per block
    // started each time with an empty allocator heap, whose first pages
    // the kernel zeroed every time (a tenth of the samples).
    std::thread::scope(|w| -> Result<()> {
        let mut workers = Vec::with_capacity(jobs - 1);
        for _ in 1..jobs {
            let (job_tx, job_rx) = std::sync::mpsc::channel::<Job>();
            let (done_tx, done_rx) = std::sync::mpsc::channel::<Part>();
            w.spawn(move || {
                for (block, range, mut part) in job_rx {
                    score_lines(engine, &block, range, &mut part);
                    // The block goes back to the reader once every part
                    // let go of it.
                    drop(block);
                    if done_tx.send(part).is_err() {
                        return;
                    }
                }
            });
            workers.push((job_tx, done_rx));
        }
        let mut parts: Vec<Part> = (0..jobs).map(|_| Part::default()).collect();
        let mut spare = Lines::default();
        loop {
            // Wait for one line, then take what else has arrived.
            let mut block = std::mem::take(&mut spare);
            block.clear();
            {
                let mut q = h.q.lock().unwrap_or_else(PoisonError::into_inner);
                while q.lines.spans.is_empty() && q.end.is_none() {
                    q.scorer_waits = true;
                    q = h.cv.wait(q).unwrap_or_else(PoisonError::into_inner);
                    q.scorer_waits = false;
                }
                if q.lines.spans.is_empty() {
                    match q.end.take() {
                        Some(Err(e)) => return Err(e.into()),
                        _ => return Ok(()),
                    }
                }
                std::mem::swap(&mut block, &mut q.lines);
                if q.reader_waits {
                    h.cv.notify_all();
                }
            }
            let n = block.len();
            let used = if n < SPREAD_MIN { 1 } else { jobs };
            let per = n.div_ceil(used);
            let block = Arc::new(block);
            for (k, (tx, _)) in workers.iter().enumerate().take(used - 1) {
                let range = ((k + 1) * per).min(n)..((k + 2) * per).min(n);
                let part = std::mem::take(&mut parts[k + 1]);
                if tx.send((block.clone(), range, part)).is_err() {
                    anyhow::bail!("a scoring thread panicked");
                }
            }
            score_lines(engine, &block, 0..per.min(n), &mut parts[0]);
            for (k, (_, rx)) in workers.iter().enumerate().take(used - 1) {
                parts[k + 1] = rx
                    .recv()
                    .map_err(|_| anyhow::anyhow!("a scoring thread panicked"))?;
            }
            spare = Arc::try_unwrap(block).unwrap_or_default();
            for p in parts.iter().take(used) {
                out.write_all(&p.out)?;
                scored += p.scored;
                failed += p.failed;
            }
            out.flush()?;
        }
    })?;
    out.flush()?;
    Ok((scored, failed))
}

/// One scoring thread's answers to its part of a block: the JSON lines,
/// and how many were scored and failed.
#[derive(Default)]
struct Part {
    out: Vec<u8>,
    scored: u64,
    failed: u64,
}

/// A part of a block for a scoring thread: the block, the part's lines,
/// and the buffers to answer in.
type Job = (std::sync::Arc<Lines>, std::ops::Range<usize>, Part);

/// Scores `block`'s lines in `range` into `part` (cleared first), one
/// JSON answer a line, and counts them.
fn score_lines(
    engine: &scry_intel::risk::RiskEngine<'_>,
    block: &Lines,
    range: std::ops::Range<usize>,
    part: &mut Part,
) {
    part.out.clear();
    (part.scored, part.failed) = (0, 0);
    for (no, span) in block.spans.get(range).unwrap_or_default() {
        let text = span.map(|(a, b)| block.text.get(a as usize..b as usize).unwrap_or_default());
        if score_line(engine, *no, text, &mut part.out) {
            part.scored += 1;
        } else {
            part.failed += 1;
        }
    }
}

/// Appends one line's JSON answer (with its newline) to `buf`: the
/// report, or the line's number and the error. Returns whether it was
/// scored.
fn score_line(
    engine: &scry_intel::risk::RiskEngine<'_>,
    no: u64,
    text: Result<&str, usize>,
    buf: &mut Vec<u8>,
) -> bool {
    let v = match text {
        Err(n) => serde_json::json!({"line": no, "error": format!("line is {n} bytes")}),
        Ok(t) => match engine.score(t) {
            Ok(r) => {
                let at = buf.len();
                if serde_json::to_writer(&mut *buf, &r).is_ok() {
                    buf.push(b'\n');
                    return true;
                }
                buf.truncate(at);
                serde_json::json!({"line": no, "indicator": t, "error": "report not serialisable"})
            }
            Err(e) => serde_json::json!({"line": no, "indicator": t, "error": e.to_string()}),
        },
    };
    buf.extend_from_slice(v.to_string().as_bytes());
    buf.push(b'\n');
    false
}
