//! Repeats one passive-DNS rrset query over an existing data dir and
//! prints its latency (p50 / p99 wall, mean thread CPU) and result size:
//! a loop to profile one query shape under `perf record`.
//!
//! ```text
//! cargo run --release -p scry-intel --example pdns_query -- DATA_DIR '*.big-zone.com' 20000
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use scry_intel::pdns::{PdnsOptions, rrset};
use scry_store::embedded::EmbeddedStore;
use scry_store::{DataDir, TimeFence};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(pattern)) = (args.first(), args.get(1)) else {
        eprintln!("usage: pdns_query DATA_DIR PATTERN [CALLS]");
        std::process::exit(2);
    };
    let calls: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let dd = match DataDir::open(std::path::Path::new(dir), false) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{dir}: {e}");
            std::process::exit(1);
        }
    };
    let store = match EmbeddedStore::open(&dd) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{dir}: {e}");
            std::process::exit(1);
        }
    };
    let opts = PdnsOptions {
        rrtype: None,
        fence: TimeFence::default(),
        limit: 10_000,
        offset: 0,
    };
    let mut wall = Vec::with_capacity(calls);
    let mut records = 0;
    let cpu0 = thread_cpu_ns();
    for _ in 0..calls {
        let t = Instant::now();
        match rrset(&store, pattern, &opts) {
            Ok(r) => records = r.records.len(),
            Err(e) => {
                eprintln!("{pattern}: {e}");
                std::process::exit(1);
            }
        }
        wall.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let cpu = (thread_cpu_ns() - cpu0) as f64 / 1e3 / calls.max(1) as f64;
    wall.sort_by(f64::total_cmp);
    let at =
        |q: f64| wall.get(((wall.len() as f64 * q) as usize).min(wall.len().saturating_sub(1)));
    println!(
        "{{\"pattern\":{pattern:?},\"calls\":{calls},\"records\":{records},\"p50_us\":{:.1},\"p99_us\":{:.1},\"cpu_us\":{cpu:.1}}}",
        at(0.5).copied().unwrap_or(0.0),
        at(0.99).copied().unwrap_or(0.0)
    );
}

/// This thread's on-CPU time in nanoseconds, from the kernel's scheduler
/// statistics (0 when they cannot be read).
fn thread_cpu_ns() -> u64 {
    // /proc/thread-self/schedstat: on-CPU nanoseconds first.
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
