//! Times a full proximity pass over an existing data dir, phase by phase,
//! in wall and process CPU seconds (the machine is shared: under load the
//! wall time is mostly waiting for a core, the CPU time is the work).
//!
//! ```text
//! cargo run --release -p scry-intel --example prox_pass -- DATA_DIR
//! ```
//!
//! It prints one JSON line: the pass summary, and per phase the wall and
//! CPU seconds from that progress event to the next (`scan 0/1`: the
//! store scan into the graph; `scan 1/1`: seeds, privacy and base rate;
//! `hop1 0/1`, `hop2 0/1`; `store 0/1`: evidence and writing results).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use scry_store::{DataDir, StateStore};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Process CPU seconds (user + system) from `/proc/self/stat` (Linux; 0
/// elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // utime and stime are the 14th and 15th fields of the whole line.
    let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: prox_pass DATA_DIR");
        std::process::exit(2);
    };
    let dd = DataDir::open(std::path::Path::new(&dir), false).expect("data dir");
    let t_open = Instant::now();
    let store = scry_store::embedded::EmbeddedStore::open(&dd).expect("store");
    let state = StateStore::open(&dd).expect("state");
    let open = (t_open.elapsed().as_secs_f64(), cpu_seconds());
    let mut phases: Vec<(String, f64, f64)> = Vec::new();
    let (mut wall, mut cpu) = (Instant::now(), cpu_seconds());
    let mut last = String::from("start");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let sum = scry_intel::risk::proximity::full_pass(&store, &state, now, &mut |phase, a, b| {
        let c = cpu_seconds();
        phases.push((last.clone(), wall.elapsed().as_secs_f64(), c - cpu));
        last = format!("{phase} {a}/{b}");
        wall = Instant::now();
        cpu = c;
    })
    .expect("pass");
    phases.push((last, wall.elapsed().as_secs_f64(), cpu_seconds() - cpu));
    let phases: Vec<String> = phases
        .iter()
        .filter(|p| p.1 >= 0.0005 || p.2 > 0.0)
        .map(|(p, w, c)| format!("{{\"phase\":\"{p}\",\"wall_s\":{w:.2},\"cpu_s\":{c:.2}}}"))
        .collect();
    println!(
        "{{\"open_s\":{:.2},\"open_cpu_s\":{:.2},\"pass\":{},\"phases\":[{}],\"cpu_s\":{:.2}}}",
        open.0,
        open.1,
        serde_json::to_string(&sum).expect("json"),
        phases.join(","),
        cpu_seconds()
    );
}
