//! Lexical scoring throughput:
//! `cargo run --release -p scry-risk --example risk_bench [-- ROUNDS]`.
//!
//! Names: the 20k OpenDNS benign names plus the first 20k DGA names of
//! `shared/data` (parsed into `DomainName`s before timing, as the store
//! holds them). Each round scores every name once; the figures are domains
//! per second for the fast path (`Model::scores`, three scores, no
//! evidence) and for `Model::score` (with evidence), on one thread and on
//! two (`std::thread::scope`, the threads claiming blocks of 256 names from
//! a shared counter). `--json` adds one
//! last line, a JSON object with every figure (for `cargo xtask bench all`).
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Names per block a thread claims at a time.
const BLOCK: usize = 256;

use scry_model::DomainName;
use scry_risk::Model;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn names() -> Vec<DomainName> {
    let mut out = Vec::new();
    for f in [
        "benign/opendns-top-10k.txt",
        "benign/opendns-random-10k.txt",
    ] {
        let text = std::fs::read_to_string(format!("{DATA}/{f}")).unwrap();
        out.extend(text.lines().filter_map(|l| DomainName::parse(l).ok()));
    }
    let f = std::fs::File::open(format!("{DATA}/dga/dga-labeled.csv.gz")).unwrap();
    let gz = flate2::read::MultiGzDecoder::new(BufReader::new(f));
    for line in BufReader::new(gz).lines().skip(1).take(20_000) {
        let line = line.unwrap();
        if let Some(d) = line
            .split(',')
            .next()
            .and_then(|d| DomainName::parse(d).ok())
        {
            out.push(d);
        }
    }
    out
}

/// Process CPU seconds (user + system) from `/proc/self/stat` (Linux;
/// 0 elsewhere): the machine is shared, so wall time alone undersells.
fn cpu_seconds() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// (domains per wall second, domains per CPU second).
fn run(
    model: &Model,
    names: &[DomainName],
    rounds: usize,
    threads: usize,
    evidence: bool,
) -> (f64, f64) {
    let cpu0 = cpu_seconds();
    let start = Instant::now();
    // Threads claim blocks of names from a shared counter, as a pool would:
    // a fixed split gives one thread the benign half and the other the DGA
    // half, whose names cost differently, and the wall figure would then be
    // the slower half's.
    let next = AtomicUsize::new(0);
    let per_round = names.len().div_ceil(BLOCK);
    let blocks = per_round * rounds;
    let per_thread: Vec<(u64, f64)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|_| {
                let next = &next;
                s.spawn(move || {
                    let t0 = Instant::now();
                    let mut acc = 0u64;
                    loop {
                        let b = next.fetch_add(1, Ordering::Relaxed);
                        if b >= blocks {
                            break;
                        }
                        let from = (b % per_round) * BLOCK;
                        let part = &names[from..(from + BLOCK).min(names.len())];
                        for n in part {
                            acc += if evidence {
                                let p = model.score(n);
                                u64::from(p.phishing) + p.evidence.len() as u64
                            } else {
                                model.scores(n).iter().map(|&x| u64::from(x)).sum()
                            };
                        }
                    }
                    (acc, t0.elapsed().as_secs_f64())
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let total: u64 = per_thread.iter().map(|p| p.0).sum();
    if threads > 1 {
        let busy: Vec<String> = per_thread.iter().map(|p| format!("{:.2}", p.1)).collect();
        eprintln!("  threads' wall: {} s", busy.join(" / "));
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    std::hint::black_box(total);
    let n = (names.len() * rounds) as f64;
    (n / secs, if cpu > 0.0 { n / cpu } else { 0.0 })
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let rounds: usize = std::env::args()
        .filter(|a| a != "--json")
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let model = Model::builtin();
    let names = names();
    println!("names: {} x {rounds} rounds", names.len());
    // Warm-up (builds the matcher's indexes and the lexicon).
    run(model, &names[..1000], 1, 1, false);
    let mut report = serde_json::Map::new();
    report.insert("bench".into(), "risk_lexical".into());
    report.insert("names".into(), names.len().into());
    report.insert("rounds".into(), rounds.into());
    for (threads, evidence) in [(1, false), (2, false), (1, true), (2, true)] {
        let (rate, per_cpu) = run(model, &names, rounds, threads, evidence);
        let key = if evidence { "score" } else { "scores" };
        report.insert(format!("{key}_{threads}t_per_s"), rate.into());
        report.insert(format!("{key}_{threads}t_per_cpu_s"), per_cpu.into());
        println!(
            "{} thread(s), {:<22} {:>8.0} domains/s wall, {:>8.0} per CPU-second",
            threads,
            if evidence {
                "score (with evidence):"
            } else {
                "scores (no evidence):"
            },
            rate,
            per_cpu
        );
    }
    if json {
        println!("{}", serde_json::Value::Object(report));
    }
}
