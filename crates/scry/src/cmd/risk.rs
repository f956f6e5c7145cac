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

    // With no data dir yet, score against an empty store (the threat
    // model alone) without creating one in the working directory.
    let _empty;
    let opened = if cli.store.is_none() && !cli.data_dir.try_exists()? {
        _empty = tempfile::Builder::new().prefix("scry-empty-").tempdir()?;
        tracing::info!(data_dir = %cli.data_dir.display(), "no data dir: scoring with the threat model only");
        open::open_dir(_empty.path())?
    } else {
        open::open(cli, false)?
    };
    let scorer = scry_intel::risk::builtin_scorer();
    let mut engine =
        scry_intel::risk::RiskEngine::new(opened.store.as_ref(), &opened.state, &scorer);
    if let Some(path) = &a.batch {
        if !engine.use_stored_proximity_if_fresh()? {
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
        // A lexical-only batch is CPU work on pages the allocator keeps
        // reusing: huge pages only add the kernel's zeroing of 2 MiB at a
        // time (7 % of a 200 k-name batch's samples).
        crate::alloc::no_transparent_huge_pages();
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

/// One input line of a batch: its number and text, or its length when it
/// was longer than a line may be.
struct BatchLine {
    no: u64,
    text: Result<String, usize>,
}

/// Lines a block scores at most, and the least worth spreading over threads.
const BLOCK: usize = 4_096;
const SPREAD_MIN: usize = 64;

/// Scores every line of `input` with `jobs` threads and writes one JSON
/// object a line to stdout in input order. A reader thread hands lines
/// over a bounded channel; each block is whatever has arrived (at most
/// [`BLOCK`] lines, at least one), so a file is scored in large blocks
/// while a playbook writing one indicator at a time to stdin gets each
/// answer as soon as it is scored. Returns (scored, failed).
fn batch(
    engine: &scry_intel::risk::RiskEngine<'_>,
    mut input: Box<dyn std::io::BufRead + Send>,
    jobs: usize,
) -> Result<(u64, u64)> {
    use std::io::Write;
    use std::sync::mpsc;

    let (tx, rx) = mpsc::sync_channel::<std::io::Result<BatchLine>>(2 * BLOCK);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (mut scored, mut failed) = (0u64, 0u64);
    // The reader is not a scoped thread: when the output fails (a closed
    // pipe) the batch returns at once instead of waiting for a reader
    // blocked on a full channel or on a quiet stdin.
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let mut no = 0u64;
        loop {
            let kind = match scry_ingest::read_line_bounded(&mut input, &mut buf, 4096) {
                Ok(k) => k,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            if kind == scry_ingest::Line::Eof {
                return;
            }
            no += 1;
            let text = match kind {
                scry_ingest::Line::TooLong(n) => Err(n),
                _ => {
                    let t = String::from_utf8_lossy(&buf);
                    let t = t.trim();
                    if t.is_empty() || t.starts_with('#') {
                        continue;
                    }
                    Ok(t.to_string())
                }
            };
            if tx.send(Ok(BatchLine { no, text })).is_err() {
                return;
            }
        }
    });
    {
        let mut block: Vec<BatchLine> = Vec::with_capacity(BLOCK);
        let mut lines: Vec<(bool, Vec<u8>)> = Vec::with_capacity(BLOCK);
        loop {
            block.clear();
            // Wait for one line, then take what else has arrived.
            match rx.recv() {
                Ok(l) => block.push(l?),
                Err(_) => break,
            }
            while block.len() < BLOCK {
                match rx.try_recv() {
                    Ok(l) => block.push(l?),
                    Err(_) => break,
                }
            }
            lines.clear();
            if jobs <= 1 || block.len() < SPREAD_MIN {
                lines.extend(block.iter().map(|l| score_line(engine, l)));
            } else {
                let per = block.len().div_ceil(jobs);
                let parts: Vec<Vec<(bool, Vec<u8>)>> = std::thread::scope(|w| {
                    let handles: Vec<_> = block
                        .chunks(per)
                        .map(|part| {
                            w.spawn(move || part.iter().map(|l| score_line(engine, l)).collect())
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| h.join().unwrap_or_default())
                        .collect()
                });
                for p in parts {
                    lines.extend(p);
                }
                if lines.len() != block.len() {
                    anyhow::bail!("a scoring thread panicked");
                }
            }
            for (ok, l) in &lines {
                if *ok {
                    scored += 1;
                } else {
                    failed += 1;
                }
                out.write_all(l)?;
            }
            out.flush()?;
        }
    }
    out.flush()?;
    Ok((scored, failed))
}

/// One line's JSON answer (with its newline): the report, or the line's
/// number and the error; and whether it was scored.
fn score_line(engine: &scry_intel::risk::RiskEngine<'_>, l: &BatchLine) -> (bool, Vec<u8>) {
    let v = match &l.text {
        Err(n) => serde_json::json!({"line": l.no, "error": format!("line is {n} bytes")}),
        Ok(t) => match engine.score(t) {
            Ok(r) => {
                let mut b = serde_json::to_vec(&r).unwrap_or_default();
                if !b.is_empty() {
                    b.push(b'\n');
                    return (true, b);
                }
                serde_json::json!({"line": l.no, "indicator": t, "error": "report not serialisable"})
            }
            Err(e) => serde_json::json!({"line": l.no, "indicator": t, "error": e.to_string()}),
        },
    };
    let mut b = v.to_string().into_bytes();
    b.push(b'\n');
    (false, b)
}
