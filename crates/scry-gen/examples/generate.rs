//! Generates a synthetic world from the command line, for measurements:
//!
//! ```text
//! cargo run --release -p scry-gen --example generate -- OUT_DIR [DOMAINS] [DAYS] [SEED] [THREADS]
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use scry_gen::{GenConfig, Progress, generate};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: generate OUT_DIR [DOMAINS] [DAYS] [SEED] [THREADS]");
        return ExitCode::from(2);
    };
    let num = |i: usize, default: u64| -> u64 {
        args.get(i)
            .and_then(|s| s.replace('_', "").parse().ok())
            .unwrap_or(default)
    };
    let mut cfg = GenConfig::new(num(1, 50_000), num(2, 7) as u32, num(3, 1));
    if let Some(t) = args.get(4).and_then(|s| s.parse().ok()) {
        cfg.threads = t;
    }
    let started = Instant::now();
    let last = std::cell::Cell::new(0u64);
    let report = |p: Progress| {
        let pct = (p.done * 100).checked_div(p.total).unwrap_or(100);
        if pct / 10 != last.get() {
            last.set(pct / 10);
            eprintln!(
                "{:?} {pct}% ({:.1}s)",
                p.phase,
                started.elapsed().as_secs_f64()
            );
        }
    };
    match generate(&cfg, &out, &report) {
        Ok(s) => {
            println!("{s:#?}");
            println!("elapsed: {:.1}s", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
