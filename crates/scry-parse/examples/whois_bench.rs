//! WHOIS parse throughput on one core over the shared corpus, repeated.
//!
//! `cargo run --release -p scry-parse --example whois_bench -- [--repeat N] [--data DIR] [--list FILE]`
//!
//! The corpus is every raw response in `shared/data/whois` (likexian
//! registered and not-found, weppos `.txt`, joepie91 `data/`, whoisdomain
//! `input`), the same list `bench/whois_peers.py` reads; `--list FILE`
//! reads the paths from FILE instead (one a line: the peers script passes
//! the records its peers finish). Prints records, seconds and records/s;
//! `--json` prints them as one JSON object instead.
//!
//! The allocator is mimalloc, the global allocator of the `scry` binary,
//! which is where WHOIS is parsed in production (`scry ingest`, look-ups);
//! with glibc's malloc the figure is about a tenth lower.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::time::Instant;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The benchmark corpus: raw responses only, sorted.
fn corpus(data: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    walk(&data.join("whois"), &mut all);
    let mut keep: Vec<PathBuf> = all
        .into_iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if s.contains("/likexian/testdata/") {
                !(name.ends_with(".json") || name.ends_with(".pre") || name.ends_with(".md"))
            } else if s.contains("/weppos/") {
                name.ends_with(".txt")
            } else if s.contains("/joepie91/test/data/") {
                true
            } else if s.contains("/whoisdomain/testdata/") {
                name == "input"
            } else {
                false
            }
        })
        .collect();
    keep.sort();
    keep
}

/// This process's CPU time (user + system) in seconds, from
/// `/proc/self/stat` (clock ticks of 1/100 s), when available. The machine
/// may be shared, so records per CPU-second is the per-core figure.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let mut repeat = 20usize;
    let mut data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut list: Option<PathBuf> = None;
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => repeat = args.next().and_then(|v| v.parse().ok()).unwrap_or(repeat),
            "--data" => data = args.next().map(PathBuf::from).unwrap_or(data),
            "--list" => list = args.next().map(PathBuf::from),
            "--json" => json = true,
            _ => {
                eprintln!("usage: whois_bench [--repeat N] [--data DIR] [--list FILE] [--json]");
                std::process::exit(2);
            }
        }
    }
    let files = match &list {
        Some(l) => std::fs::read_to_string(l)
            .unwrap_or_default()
            .lines()
            .filter(|x| !x.is_empty())
            .map(PathBuf::from)
            .collect(),
        None => corpus(&data),
    };
    let docs: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
    let bytes: usize = docs.iter().map(Vec::len).sum();
    // Warm up once.
    let mut found = 0usize;
    for d in &docs {
        found += usize::from(scry_parse::parse_whois_bytes(d).has_data());
    }
    let cpu0 = cpu_seconds();
    let start = Instant::now();
    let mut n = 0usize;
    for _ in 0..repeat {
        for d in &docs {
            let r = scry_parse::parse_whois_bytes(d);
            std::hint::black_box(&r);
            n += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = match (cpu0, cpu_seconds()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => secs,
    };
    if json {
        println!(
            "{{\"bench\":\"whois_parse\",\"files\":{},\"bytes\":{bytes},\"with_data\":{found},\"repeat\":{repeat},\"records\":{n},\"wall_s\":{secs},\"cpu_s\":{cpu},\"records_per_cpu_s\":{},\"records_per_s\":{}}}",
            docs.len(),
            n as f64 / cpu,
            n as f64 / secs
        );
        return;
    }
    println!(
        "scry whois: {} files ({} KiB, {found} with data) x {repeat} = {n} records in {secs:.3} s wall, {cpu:.2} s cpu: {:.0} records/s per core ({:.0} records/s wall, {:.1} MiB/s per core)",
        docs.len(),
        bytes / 1024,
        n as f64 / cpu,
        n as f64 / secs,
        (bytes * repeat) as f64 / cpu / (1 << 20) as f64
    );
}
