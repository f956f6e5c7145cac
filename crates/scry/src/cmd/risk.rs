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
    use std::io::{BufRead, Write};

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
        let input: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            scry_ingest::open_input(path)?
        };
        let mut reader = input;
        let mut buf = Vec::new();
        let mut line_no = 0u64;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let (mut scored, mut failed) = (0u64, 0u64);
        loop {
            let kind = scry_ingest::read_line_bounded(&mut reader, &mut buf, 4096)?;
            if kind == scry_ingest::Line::Eof {
                break;
            }
            line_no += 1;
            let text = String::from_utf8_lossy(&buf);
            let t = text.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let v = match (kind, engine.score(t)) {
                (scry_ingest::Line::TooLong(n), _) => {
                    failed += 1;
                    serde_json::json!({"line": line_no, "error": format!("line is {n} bytes")})
                }
                (_, Ok(r)) => {
                    scored += 1;
                    serde_json::to_value(&r)?
                }
                (_, Err(e)) => {
                    failed += 1;
                    serde_json::json!({"line": line_no, "indicator": t, "error": e.to_string()})
                }
            };
            serde_json::to_writer(&mut out, &v)?;
            out.write_all(b"\n")?;
            if line_no.is_multiple_of(256) {
                out.flush()?;
            }
        }
        out.flush()?;
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
