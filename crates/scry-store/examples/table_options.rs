//! Measures what fjall's table-writing options cost on the loads' own keys:
//! reads one keyspace of an existing store (`facts/` of a data dir), then
//! ingests its records into fresh databases under each variant of the
//! options, alternating variants round by round, and prints the ingesting
//! thread's CPU time, the tables' size on disk, and the CPU time of one
//! full scan and of point reads of every 64th key.
//!
//! `cargo run --release -p scry-store --example table_options -- FACTS KS ROUNDS WORK [VARIANT...]`
//! where a variant is `BLOCK_KIB:LZ4(0|1):RESTART[:FILTER(0|1)]`, e.g.
//! `4:1:16 16:1:16 16:0:16` (the first is the engine's options for new
//! stores before this measurement).

#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use fjall::{Database, KeyspaceCreateOptions};

/// Nanoseconds the calling thread has run on a CPU (Linux schedstat).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
        .unwrap_or(0)
}

fn dir_size(p: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(p) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[derive(Clone, Copy)]
struct Variant {
    block_kib: u32,
    lz4: bool,
    restart: u8,
    filter: bool,
}

impl Variant {
    fn parse(s: &str) -> Option<Variant> {
        let f: Vec<&str> = s.split(':').collect();
        Some(Variant {
            block_kib: f.first()?.parse().ok()?,
            lz4: *f.get(1)? == "1",
            restart: f.get(2)?.parse().ok()?,
            filter: f.get(3).is_none_or(|x| *x == "1"),
        })
    }

    fn options(self) -> KeyspaceCreateOptions {
        let o = KeyspaceCreateOptions::default()
            .data_block_compression_policy(fjall::config::CompressionPolicy::all(if self.lz4 {
                fjall::CompressionType::Lz4
            } else {
                fjall::CompressionType::None
            }))
            .index_block_pinning_policy(fjall::config::PinningPolicy::all(true))
            .filter_block_pinning_policy(fjall::config::PinningPolicy::all(true))
            .data_block_size_policy(fjall::config::BlockSizePolicy::all(self.block_kib * 1024))
            .data_block_restart_interval_policy(fjall::config::RestartIntervalPolicy::all(
                self.restart,
            ));
        if self.filter {
            o
        } else {
            o.filter_policy(fjall::config::FilterPolicy::disabled())
        }
    }
}

type Records = Vec<(Vec<u8>, Vec<u8>)>;

fn read_records(facts: &Path, name: &str) -> Res<Records> {
    let db = Database::builder(facts).open()?;
    let ks = db.keyspace(name, KeyspaceCreateOptions::default)?;
    let mut out = Vec::new();
    for item in ks.iter() {
        let (k, v) = item.into_inner()?;
        out.push((k.to_vec(), v.to_vec()));
    }
    Ok(out)
}

/// One ingest of `recs` under `v` into a fresh database in `dir`: (ingest
/// CPU ns, wall ns, table bytes, scan CPU ns, point-read CPU ns).
fn run(recs: &Records, v: Variant, dir: &Path) -> Res<[u64; 5]> {
    let _ = std::fs::remove_dir_all(dir);
    let db = Database::builder(dir).worker_threads_unchecked(0).open()?;
    let ks = db.keyspace("t", || v.options())?;
    let (c0, w0) = (thread_cpu_ns(), Instant::now());
    let mut ing = ks.start_ingestion()?;
    for (k, val) in recs {
        ing.write(k.as_slice(), val.as_slice())?;
    }
    ing.finish()?;
    let (ingest, wall) = (thread_cpu_ns() - c0, w0.elapsed().as_nanos() as u64);
    let size = dir_size(&dir.join("keyspaces"));
    let c1 = thread_cpu_ns();
    let mut n = 0u64;
    for item in ks.iter() {
        n += item.key()?.len() as u64;
    }
    let scan = thread_cpu_ns() - c1;
    let c2 = thread_cpu_ns();
    let mut hits = 0u64;
    for (k, _) in recs.iter().step_by(64) {
        hits += u64::from(ks.get(k)?.is_some());
    }
    let point = thread_cpu_ns() - c2;
    if n == 0 && !recs.is_empty() || hits as usize != recs.len().div_ceil(64) {
        return Err(Box::<dyn std::error::Error>::from("records lost"));
    }
    drop(ks);
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
    Ok([ingest, wall, size, scan, point])
}

type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 6 {
        return Err(Box::<dyn std::error::Error>::from(
            "usage: table_options FACTS KS ROUNDS WORK VARIANT...",
        ));
    }
    let facts = PathBuf::from(&args[1]);
    let name = &args[2];
    let rounds: usize = args[3]
        .parse()
        .map_err(|_| Box::<dyn std::error::Error>::from("ROUNDS"))?;
    let work = PathBuf::from(&args[4]);
    let variants: Vec<(String, Variant)> = args[5..]
        .iter()
        .map(|s| {
            Variant::parse(s)
                .map(|v| (s.clone(), v))
                .ok_or_else(|| Box::<dyn std::error::Error>::from(format!("bad variant {s}")))
        })
        .collect::<Res<_>>()?;
    let recs = read_records(&facts, name)?;
    let (kb, vb) = recs.iter().fold((0usize, 0usize), |(a, b), (k, v)| {
        (a + k.len(), b + v.len())
    });
    println!(
        "{name}: {} records, {:.1} B key, {:.1} B value",
        recs.len(),
        kb as f64 / recs.len().max(1) as f64,
        vb as f64 / recs.len().max(1) as f64
    );
    let mut sums = vec![[0u64; 5]; variants.len()];
    for round in 0..rounds {
        for (i, (label, v)) in variants.iter().enumerate() {
            let r = run(&recs, *v, &work.join(format!("v{i}")))?;
            println!(
                "round {round} {label:>10}: ingest cpu {:7.1} ms wall {:7.1} ms size {:>11} scan cpu {:6.1} ms point cpu {:6.1} ms",
                r[0] as f64 / 1e6,
                r[1] as f64 / 1e6,
                r[2],
                r[3] as f64 / 1e6,
                r[4] as f64 / 1e6
            );
            for j in 0..5 {
                sums[i][j] += r[j];
            }
        }
    }
    println!("mean over {rounds} rounds:");
    for (i, (label, _)) in variants.iter().enumerate() {
        let m = |j: usize| sums[i][j] as f64 / rounds as f64;
        println!(
            "{label:>10}: ingest cpu {:7.1} ms ({:.3}x first) size {:>11.0} ({:.3}x) scan cpu {:6.1} ms point cpu {:6.1} ms",
            m(0) / 1e6,
            sums[i][0] as f64 / sums[0][0].max(1) as f64,
            m(2),
            sums[i][2] as f64 / sums[0][2].max(1) as f64,
            m(3) / 1e6,
            m(4) / 1e6
        );
    }
    Ok(())
}
