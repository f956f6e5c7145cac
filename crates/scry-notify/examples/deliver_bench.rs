//! Delivery throughput against receivers in this process on 127.0.0.1:
//! webhook (one signed POST per alert), HEC (batches of 100) and syslog
//! over TCP (batches of 500), each draining N alerts from a fresh state
//! store (enqueue, sends, audit and outbox commits included).
//!
//! `cargo run --release -p scry-notify --example deliver_bench -- 5000 [--json]`
//!
//! `--json` adds one last line, a JSON object with every figure (for
//! `cargo xtask bench all`).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use scry_intel::monitor::{Alert, StateChange};
use scry_notify::{DeliverOptions, Target, Transport, add_destination, deliver};
use scry_store::{DataDir, StateStore};

/// Answers every HTTP request with 200 (keep-alive).
fn http_receiver() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/h", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || serve(s));
        }
    });
    url
}

fn serve(s: TcpStream) {
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    loop {
        let mut len = 0usize;
        let mut first = true;
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" && !first {
                break;
            }
            first = false;
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
        if w.write_all(ok).is_err() {
            return;
        }
    }
}

/// Reads and discards syslog TCP streams.
fn tcp_sink() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s, &mut std::io::sink());
            });
        }
    });
    addr
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let n: u64 = std::env::args()
        .filter(|a| a != "--json")
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5_000);
    let http = http_receiver();
    let sink = tcp_sink();
    let targets = [
        (
            "webhook",
            Target::Webhook {
                url: http.clone(),
                secret: "0123456789abcdef0123".into(),
            },
        ),
        (
            "hec",
            Target::Hec {
                url: http.clone(),
                token: "t".into(),
                sourcetype: "scry:alert".into(),
                index: None,
            },
        ),
        (
            "syslog-tcp",
            Target::Syslog {
                address: sink,
                transport: Transport::Tcp,
                facility: 16,
                hostname: None,
            },
        ),
    ];
    let mut report = serde_json::Map::new();
    report.insert("bench".into(), "deliver".into());
    report.insert("alerts".into(), n.into());
    for (name, target) in targets {
        let t = tempfile::tempdir().unwrap();
        let dir = DataDir::open(&t.path().join("d"), true).unwrap();
        let state = StateStore::open(&dir).unwrap();
        let puts: Vec<(String, Vec<u8>)> = (1..=n)
            .map(|id| {
                let a = Alert {
                    id,
                    monitor: 1,
                    domain: format!("shop{id}.example.com"),
                    reason: "imitates example.com (homoglyph)".into(),
                    similarity: Some(90),
                    event_seq: id,
                    event_time: "2026-01-02T00:00:00Z".into(),
                    state: "new".into(),
                    history: vec![StateChange {
                        state: "new".into(),
                        who: "monitor".into(),
                        when: "2026-01-02T00:00:00Z".into(),
                        note: None,
                    }],
                    risk: None,
                };
                (format!("alert:{id:012}"), serde_json::to_vec(&a).unwrap())
            })
            .collect();
        state.commit(&puts, None).unwrap();
        state.put("alert_seq", &n.to_be_bytes()).unwrap();
        add_destination(&state, name, target, None, true, 0).unwrap();
        let t0 = Instant::now();
        let s = deliver(
            &state,
            DeliverOptions {
                once: false,
                max_time: Duration::from_secs(600),
            },
        )
        .unwrap();
        let secs = t0.elapsed().as_secs_f64();
        let d = &s.destinations[0];
        assert_eq!(d.delivered, n, "{s:?}");
        println!(
            "{name:11} {n} alerts delivered in {secs:.2} s: {:.0} alerts/s",
            n as f64 / secs
        );
        report.insert(
            name.into(),
            serde_json::json!({"seconds": secs, "alerts_per_s": n as f64 / secs}),
        );
    }
    if json {
        println!("{}", serde_json::Value::Object(report));
    }
}
