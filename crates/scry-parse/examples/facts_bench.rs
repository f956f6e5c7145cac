//! Parse-only throughput of the fact-line parser (what each parser thread
//! of `scry ingest facts` does), one thread.
//!
//! ```text
//! cargo run --release -p scry-parse --example facts_bench -- FILE.ndjson
//! ```
//!
//! Prints lines/s for [`scry_parse::facts::parse_line`] (every name
//! normalised on every line) and for [`scry_parse::facts::FactLineParser`]
//! (each distinct name once), best of three passes each, in CPU time (the
//! machine is shared: wall time measures the load as much as the parser).
#![allow(
    clippy::print_stdout,
    reason = "a command-line example prints its report"
)]
#![allow(
    clippy::print_stderr,
    reason = "a command-line example reports errors on stderr"
)]

use std::process::ExitCode;

use scry_parse::facts::{FactLineParser, parse_line};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const NOW: i64 = 1_800_000_000;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: facts_bench FILE.ndjson");
        return ExitCode::from(2);
    };
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(1);
        }
    };
    let lines: Vec<&[u8]> = data
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let pass = |f: &mut dyn FnMut(&[u8]) -> bool| -> (f64, usize) {
        let t = cpu_seconds();
        let ok = lines.iter().filter(|l| f(l)).count();
        (cpu_seconds() - t, ok)
    };
    let best = |name: &str, f: &mut dyn FnMut() -> (f64, usize)| {
        let (mut s, mut ok) = f();
        for _ in 0..2 {
            let (s2, _) = f();
            s = s.min(s2);
        }
        ok = ok.min(lines.len());
        println!(
            "{name}: {:.0} lines/s ({:.2} s CPU for {} lines, {} ok)",
            lines.len() as f64 / s,
            s,
            lines.len(),
            ok
        );
    };
    best("FactLineParser", &mut || {
        let mut p = FactLineParser::new("bench", NOW);
        pass(&mut |l| p.parse(l).is_ok())
    });
    best("parse_line", &mut || {
        pass(&mut |l| parse_line(l, "bench", NOW).is_ok())
    });
    best("FactLineParser", &mut || {
        let mut p = FactLineParser::new("bench", NOW);
        pass(&mut |l| p.parse(l).is_ok())
    });
    ExitCode::SUCCESS
}

/// User + system CPU time of this process, from `/proc/self/stat` (clock
/// ticks, 100 per second on Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces), from field 3.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}
