//! Graph expansion latency at 2,000 nodes, server side:
//! `cargo run --release -p scry-server --example graph_bench -- DATA_DIR SEED [N]`
//! (e.g. `./scry-data` after `scry demo`, and the demo's seed domain).
//!
//! Two figures over N requests (default 200), p50/p99/max:
//! * `handler`: what the `/api/v1/graph` handler does — `scry_intel::graph`
//!   (depth 4, `max_nodes` 2,000, `max_fanout` 1,000, risk on every domain)
//!   and the JSON of the answer;
//! * `http`: the same request through the real router on a loopback port
//!   (one keep-alive connection, a throw-away read key).
//!
//! * `handler at the default size`: the first figure for depth 2 and 500
//!   nodes at most, in the same run, for scale.
//!
//! The target (ARCHITECTURE.md) is p99 under 100 ms at 2,000 nodes.
//!
//! The allocator is mimalloc, the global allocator of the `scry` binary
//! that serves the API, so the figures are what ships.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::Arc;
use std::time::Instant;

use scry_store::embedded::EmbeddedStore;
use scry_store::{DataDir, StateStore, Store};

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn report(what: &str, mut ms: Vec<f64>) {
    let max = ms.iter().copied().fold(0.0, f64::max);
    println!(
        "{what}: n={} p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms.len(),
        pct(&mut ms, 0.5),
        pct(&mut ms, 0.99),
        max
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: graph_bench DATA_DIR SEED [N]");
        std::process::exit(2);
    }
    let n: usize = args.get(3).map_or(200, |s| s.parse().unwrap());
    let seed = args[2].clone();
    let dir = DataDir::open(std::path::Path::new(&args[1]), false).unwrap();
    let state = Arc::new(StateStore::open(&dir).unwrap());
    let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open(&dir).unwrap());
    let opts = scry_intel::graph::GraphOptions {
        depth: 4,
        max_nodes: 2_000,
        max_fanout: 1_000,
    };

    // The handler's work, in process.
    let scorer = scry_intel::risk::builtin_scorer();
    let engine = scry_intel::risk::RiskEngine::new(store.as_ref(), &state, &scorer);
    let g = scry_intel::graph::graph(store.as_ref(), &engine, &seed, &opts).unwrap();
    println!(
        "graph around {seed}: {} nodes, {} edges, truncated {}",
        g.nodes.len(),
        g.edges.len(),
        g.truncated
    );
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let g = scry_intel::graph::graph(store.as_ref(), &engine, &seed, &opts).unwrap();
        let body = serde_json::to_vec(&g).unwrap();
        std::hint::black_box(body);
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    report("handler (graph + JSON)", ms);
    // The same seed at the default size (depth 2, 500 nodes), in the same
    // run, for scale.
    let small = scry_intel::graph::GraphOptions::default();
    let g = scry_intel::graph::graph(store.as_ref(), &engine, &seed, &small).unwrap();
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let g = scry_intel::graph::graph(store.as_ref(), &engine, &seed, &small).unwrap();
        std::hint::black_box(serde_json::to_vec(&g).unwrap());
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    report(
        &format!("handler at the default size ({} nodes)", g.nodes.len()),
        ms,
    );

    // Through the router on loopback.
    let (key, info) =
        scry_server::keys::create_key(&state, scry_server::Scope::Read, "bench", 0).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = scry_server::router(store.clone(), state.clone(), 1_000_000, false);
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, app).await });
    let enc: String = seed
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let req = format!(
        "GET /api/v1/graph?seed={enc}&depth=4&max_nodes=2000&max_fanout=1000 HTTP/1.1\r\nHost: bench\r\nX-Api-Key: {key}\r\n\r\n"
    );
    let tcp = std::net::TcpStream::connect(addr).unwrap();
    tcp.set_nodelay(true).unwrap();
    let mut w = tcp.try_clone().unwrap();
    let mut r = BufReader::new(tcp);
    let mut ms = Vec::with_capacity(n);
    let mut bytes = 0;
    for _ in 0..n {
        let t = Instant::now();
        w.write_all(req.as_bytes()).unwrap();
        let mut len = 0usize;
        let mut status = String::new();
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            if status.is_empty() {
                status = line.clone();
            }
            let l = line.to_ascii_lowercase();
            if let Some(v) = l.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        assert!(status.contains(" 200 "), "{status}");
        let mut body = vec![0; len];
        r.read_exact(&mut body).unwrap();
        bytes = body.len();
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    report(&format!("http (loopback, {bytes} bytes a answer)"), ms);
    scry_server::keys::revoke_key(&state, &info.id).unwrap();
}
