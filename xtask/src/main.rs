//! `cargo xtask`: benchmarks beside their peers.
//!
//! `cargo xtask bench store [--domains N] [--work DIR] [--skip-pg]` generates
//! a deterministic fact set (10 facts per domain plus a 1,000-domain pivot
//! value and a 20-attribute profile domain), ingests it with the release
//! `scry` binary (wall time and peak RSS from /usr/bin/time), measures pivot
//! and profile latency in-process, then loads the same facts into PostgreSQL
//! (Debian's server, started on 127.0.0.1 in a temporary directory, `COPY` +
//! two B-tree indexes, stopped by PID) and measures the same queries with
//! pgbench's per-transaction log. It writes a Markdown and a JSON report
//! under `target/bench/`.
//!
//! `cargo xtask bench pdns [--rrsets N]` (default 10 M): passive DNS ingest
//! and query latency beside PostgreSQL with the same indexes, plus pcap
//! ingest and the parse rates (see `pdns_bench`).
//!
//! `cargo xtask bench all [--scale small|medium|large] [--only a,b] [--out DIR]`
//! runs every benchmark beside its peer (see `bench_all`) and writes
//! `report-<scale>.md` and `.json`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench_all;
mod figures;
mod pdns_bench;
mod peers;
mod pg;
mod report;
mod run;
mod store_bench;

use anyhow::{Result, bail};

// In-process query latencies are measured on the allocator the `scry`
// binary and server run on (mimalloc), not glibc's: at 1,000 results a
// query is a quarter malloc/free on glibc (perf).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["bench", "store", rest @ ..] => store_bench::run(rest),
        ["bench", "pdns", rest @ ..] => pdns_bench::run(rest),
        ["bench", "all", rest @ ..] => bench_all::run(rest),
        _ => bail!(
            "usage: cargo xtask bench all [--scale small|medium|large] [--only store,zone,whois,lookalike,generator,pdns,risk,notify,clickhouse] [--out DIR]\n       cargo xtask bench store [--domains N] [--work DIR] [--out DIR] [--skip-pg] [--queries-only] [--iters N] [--probe]\n       cargo xtask bench pdns [--rrsets N] [--pcap-packets N] [--work DIR] [--out DIR] [--skip-pg]"
        ),
    }
}

/// Percentile of sorted microsecond samples.
pub(crate) fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The directory size in bytes.
pub(crate) fn du(path: &std::path::Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = std::fs::read_dir(path) {
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += du(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}
