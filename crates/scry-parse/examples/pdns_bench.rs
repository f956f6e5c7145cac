//! COF NDJSON parse rate.
//!
//! `cargo run --release -p scry-parse --example pdns_bench [N [THREADS]]` generates N
//! deterministic COF lines (default 2,000,000; a mix of A, AAAA, NS, MX,
//! CNAME and TXT rows, some with rdata arrays, trailing dots, bailiwick and
//! sensor_id) and reports records/s for: the line parser on one thread, the
//! same lines through serde alone (the parser without its fast path), the
//! streaming `PdnsReader` on one thread, and the line parser on THREADS
//! threads (default 2; the buffer split in chunks at line boundaries).
//! Then the pcap rate: the real capture in tests/data/pdns/lab.pcap (UDP
//! and TCP DNS between dig, unbound and nsd) repeated to 200,000 packets.
//! `--file F` (last) parses F's lines instead (each must hold one record).
//! `--json` (anywhere among the arguments) adds one last line, a JSON object
//! with every figure (for `cargo xtask bench all`).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::io::Cursor;
use std::time::Instant;

use pcap_file::pcap::{PcapReader, PcapWriter};
use scry_parse::pdns::cof::{parse_cof_line_into, parse_cof_line_serde};
use scry_parse::pdns::{PdnsFormat, PdnsReader};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn generate(n: usize) -> (Vec<u8>, usize) {
    let mut rng = Rng(0x5c7e_1234_abcd_0001);
    let mut out = Vec::with_capacity(n * 190);
    let mut records = 0;
    for i in 0..n {
        let dom = format!("d{}.example{}.com", rng.below(1_000_000), rng.below(50));
        let host = if rng.below(3) == 0 {
            format!("www.{dom}")
        } else {
            dom.clone()
        };
        let t0 = 1_500_000_000 + rng.below(200_000_000) as i64;
        let t1 = t0 + rng.below(10_000_000) as i64;
        let count = 1 + rng.below(5000);
        let (rrtype, rdata): (&str, Vec<String>) = match rng.below(10) {
            0..=4 => {
                let k = 1 + rng.below(3) as usize;
                let ips = (0..k)
                    .map(|_| {
                        let a = rng.next();
                        format!(
                            "{}.{}.{}.{}",
                            (a >> 24) as u8,
                            (a >> 16) as u8,
                            (a >> 8) as u8,
                            a as u8
                        )
                    })
                    .collect();
                ("A", ips)
            }
            5 => (
                "AAAA",
                vec![format!(
                    "2001:db8:{:x}::{:x}",
                    rng.below(65536),
                    rng.below(65536)
                )],
            ),
            6 => (
                "NS",
                vec![
                    format!("ns1.host{}.net.", rng.below(1000)),
                    format!("ns2.host{}.net.", rng.below(1000)),
                ],
            ),
            7 => ("MX", vec![format!("10 mx{}.{dom}.", rng.below(3))]),
            8 => (
                "CNAME",
                vec![format!("cdn{}.edge.example.net.", rng.below(100_000))],
            ),
            _ => (
                "TXT",
                vec![format!("\\\"v=spf1 include:_spf.{dom} -all\\\"")],
            ),
        };
        records += rdata.len();
        let rd = if rdata.len() == 1 && i % 2 == 0 {
            format!("\"{}\"", rdata[0])
        } else {
            let q: Vec<String> = rdata.iter().map(|r| format!("\"{r}\"")).collect();
            format!("[{}]", q.join(","))
        };
        let extra = if i % 4 == 0 {
            format!(
                ",\"bailiwick\":\"{dom}.\",\"sensor_id\":\"sensor-{}\"",
                i % 7
            )
        } else {
            String::new()
        };
        let line = format!(
            "{{\"count\":{count},\"time_first\":{t0},\"time_last\":{t1},\"rrtype\":\"{rrtype}\",\"rrname\":\"{host}.\",\"rdata\":{rd}{extra}}}\n"
        );
        out.extend_from_slice(line.as_bytes());
    }
    (out, records)
}

fn parse_chunk(chunk: &[u8]) -> (usize, usize) {
    let (mut ok, mut bad) = (0, 0);
    for line in chunk.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        if parse_cof_line_into(line, &mut |r| {
            std::hint::black_box(&r);
            ok += 1;
        })
        .is_err()
        {
            bad += 1;
        }
    }
    (ok, bad)
}

fn split_at_line(buf: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    for p in 1..parts {
        let mut cut = buf.len() * p / parts;
        while cut > 0 && cut < buf.len() && buf[cut - 1] != b'\n' {
            cut += 1;
        }
        out.push(&buf[start..cut]);
        start = cut;
    }
    out.push(&buf[start..]);
    out
}

/// CPU seconds used by this process so far (user + system, all threads),
/// from /proc/self/stat; `None` off Linux.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let args: Vec<String> = std::env::args()
        .filter(|a| a != "--json")
        .take_while(|a| a != "--file")
        .collect();
    let n: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    let t = Instant::now();
    // `--file F`: F's lines instead of generated ones (every line valid).
    let file = std::env::args()
        .skip_while(|a| a != "--file")
        .nth(1)
        .map(|f| std::fs::read(f).unwrap());
    let (buf, expected) = match file {
        Some(buf) => {
            let recs = buf.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
            (buf, recs)
        }
        None => generate(n),
    };
    println!(
        "input: {expected} records, {:.1} MB in {:.2?}",
        buf.len() as f64 / 1e6,
        t.elapsed()
    );

    // On a shared machine wall time undercounts: the CPU time says what one
    // core does when it is free.
    let report = |key: &str, what: &str, recs: usize, secs: f64, cpu: Option<f64>| -> String {
        let per_cpu = cpu
            .filter(|c| *c > 0.0)
            .map(|c| format!(", {:.2} M records per CPU-second", recs as f64 / c / 1e6))
            .unwrap_or_default();
        println!(
            "{what:<24} {recs} records in {secs:.3} s wall: {:.2} M records/s, {:.0} MB/s{per_cpu}",
            recs as f64 / secs / 1e6,
            buf.len() as f64 / secs / 1e6
        );
        format!(
            "\"{key}\":{{\"records\":{recs},\"wall_s\":{secs},\"records_per_s\":{},\"records_per_cpu_s\":{}}}",
            recs as f64 / secs,
            cpu.filter(|c| *c > 0.0)
                .map_or_else(|| "null".to_owned(), |c| (recs as f64 / c).to_string())
        )
    };
    let mut parts = Vec::new();
    let cpu_since = |c0: Option<f64>| Some(cpu_seconds()? - c0?);

    let (t, c) = (Instant::now(), cpu_seconds());
    let (ok, bad) = parse_chunk(&buf);
    assert_eq!((ok, bad), (expected, 0));
    parts.push(report(
        "line_1t",
        "line parser, 1 thread",
        ok,
        t.elapsed().as_secs_f64(),
        cpu_since(c),
    ));

    // The same lines through serde alone (the parser before its fast
    // path), in the same run.
    let (t, c) = (Instant::now(), cpu_seconds());
    let mut serde_ok = 0;
    for line in buf.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        serde_ok += std::hint::black_box(parse_cof_line_serde(line).unwrap()).len();
    }
    assert_eq!(serde_ok, expected);
    parts.push(report(
        "line_serde_1t",
        "serde only, 1 thread",
        serde_ok,
        t.elapsed().as_secs_f64(),
        cpu_since(c),
    ));

    let (t, c) = (Instant::now(), cpu_seconds());
    let mut got = 0;
    for r in PdnsReader::new(PdnsFormat::Cof, Cursor::new(&buf)) {
        std::hint::black_box(r.unwrap());
        got += 1;
    }
    assert_eq!(got, expected);
    parts.push(report(
        "reader_1t",
        "PdnsReader, 1 thread",
        got,
        t.elapsed().as_secs_f64(),
        cpu_since(c),
    ));

    let threads: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2).max(1);
    let chunks = split_at_line(&buf, threads);
    let (t, c) = (Instant::now(), cpu_seconds());
    let total: usize = std::thread::scope(|s| {
        let hs: Vec<_> = chunks
            .iter()
            .map(|c| s.spawn(move || parse_chunk(c).0))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(total, expected);
    parts.push(report(
        "line_nt",
        &format!("line parser, {threads} threads"),
        total,
        t.elapsed().as_secs_f64(),
        cpu_since(c),
    ));

    parts.push(pcap_rate());
    if json {
        println!(
            "{{\"bench\":\"pdns_parse\",\"lines\":{n},\"bytes\":{},\"threads\":{threads},{}}}",
            buf.len(),
            parts.join(",")
        );
    }
}

/// Parse rate of DNS in a pcap built from the real lab capture; returns
/// the figures as a JSON member.
fn pcap_rate() -> String {
    let lab = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/pdns/lab.pcap"
    ))
    .unwrap();
    let mut r = PcapReader::new(Cursor::new(&lab)).unwrap();
    let header = r.header();
    let mut packets = Vec::new();
    while let Some(p) = r.next_packet() {
        packets.push(p.unwrap().into_owned());
    }
    let mut w = PcapWriter::with_header(Vec::new(), header).unwrap();
    let mut n = 0;
    while n < 200_000 {
        for p in &packets {
            w.write_packet(p).unwrap();
            n += 1;
        }
    }
    let buf = w.into_writer();
    let (t, c) = (Instant::now(), cpu_seconds());
    let mut recs = 0;
    let mut errs = 0;
    for r in PdnsReader::new(PdnsFormat::Pcap, Cursor::new(&buf)).with_dns_ports(&[5300, 5301]) {
        match r {
            Ok(r) => {
                std::hint::black_box(r);
                recs += 1;
            }
            Err(_) => errs += 1,
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_since_start(c);
    println!(
        "pcap, 1 thread           {n} packets, {recs} records ({errs} errors) in {secs:.3} s wall: {:.0} k packets/s, {:.2} M records/s{}",
        n as f64 / secs / 1e3,
        recs as f64 / secs / 1e6,
        cpu.filter(|c| *c > 0.0)
            .map(|c| format!(", {:.2} M records per CPU-second", recs as f64 / c / 1e6))
            .unwrap_or_default()
    );
    format!(
        "\"pcap_1t\":{{\"packets\":{n},\"records\":{recs},\"errors\":{errs},\"wall_s\":{secs},\"packets_per_s\":{},\"records_per_s\":{}}}",
        n as f64 / secs,
        recs as f64 / secs
    )
}

fn cpu_since_start(c0: Option<f64>) -> Option<f64> {
    Some(cpu_seconds()? - c0?)
}
