//! Parse-only throughput of the zone parser, optionally beside BIND and ldns.
//!
//! ```text
//! cargo run --release -p scry-parse --example gen_com_zone -- /tmp/com.zone
//! cargo run --release -p scry-parse --example zone_bench -- /tmp/com.zone [--origin com.] [--delegations] [--compare]
//! ```
//!
//! Prints input MB/s, records/s, errors and the peak RSS of the process
//! (`VmHWM`). `--delegations` also groups the records per child
//! (`Delegations`), as ingest does. `--compare` then runs, on the same file,
//! `named-compilezone -i none -k ignore -o /dev/null com FILE` (Debian
//! bind9-utils) and `ldns-read-zone -q FILE` (Debian ldnsutils) under
//! `/usr/bin/time -v` and prints their wall time, peak RSS and the ratios.
//! `--json` adds one last line, a JSON object with every figure (for
//! `cargo xtask bench all`).
//!
//! Every record is consumed: the report prints a checksum over each
//! record's owner, TTL, class, type and RDATA (their `Hash` encoding in
//! 8-byte words, each multiplied and added with its position: a few per
//! cent of the parse time), so two builds
//! that produce different records print different checksums and no record
//! can be skipped by the compiler or a shortcut. The input is read plain
//! (no gzip), as `named-compilezone` and `ldns-read-zone` read it.
//!
//! The allocator is mimalloc, the global allocator of the `scry` binary,
//! which is where zones are parsed in production (`scry ingest zone`).
#![allow(
    clippy::print_stdout,
    reason = "a command-line example prints its report"
)]
#![allow(
    clippy::print_stderr,
    reason = "a command-line example reports errors on stderr"
)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::BufReader;
use std::process::{Command, ExitCode};
use std::time::Instant;

use scry_parse::zone::{Delegations, ZoneOptions, ZoneReader};

fn main() -> ExitCode {
    let mut file = None;
    let mut origin = "com.".to_owned();
    let mut delegations = false;
    let mut compare = false;
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--origin" => match args.next() {
                Some(o) => origin = o,
                None => return usage(),
            },
            "--delegations" => delegations = true,
            "--compare" => compare = true,
            "--json" => json = true,
            _ if file.is_none() && !a.starts_with('-') => file = Some(a),
            _ => return usage(),
        }
    }
    let Some(file) = file else { return usage() };
    let size = match std::fs::metadata(&file) {
        Ok(m) => m.len(),
        Err(e) => {
            eprintln!("zone_bench: {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let f = match File::open(&file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("zone_bench: {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let opts = ZoneOptions {
        origin: Some(origin.clone()),
        source_name: file.clone(),
        allow_include: false,
        default_ttl: None,
    };
    let start = Instant::now();
    let reader = ZoneReader::new(BufReader::with_capacity(256 * 1024, f), opts);
    let (mut records, mut errors, mut children) = (0u64, 0u64, 0u64);
    let mut sum = Mix::default();
    if delegations {
        let mut it = Delegations::new(
            reader.inspect(|r| {
                if let Ok(r) = r {
                    records += 1;
                    (&r.owner, r.ttl, r.class, r.rtype, &r.rdata).hash(&mut sum);
                }
            }),
            &origin,
        );
        for d in &mut it {
            match d {
                Ok(_) => children += 1,
                Err(e) => {
                    if errors < 5 {
                        eprintln!("{e}");
                    }
                    errors += 1;
                }
            }
        }
    } else {
        for r in reader {
            match r {
                Ok(r) => {
                    records += 1;
                    (&r.owner, r.ttl, r.class, r.rtype, &r.rdata).hash(&mut sum);
                }
                Err(e) => {
                    if errors < 5 {
                        eprintln!("{e}");
                    }
                    errors += 1;
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_secs().unwrap_or(f64::NAN);
    let rss = peak_rss_kib().unwrap_or(0);
    let mb = size as f64 / 1e6;
    println!("file            {file} ({mb:.1} MB)");
    let checksum = sum.finish();
    println!("records         {records} ({errors} errors)  checksum {checksum:016x}");
    if delegations {
        println!("delegations     {children}");
    }
    println!(
        "scry parse        wall {secs:.2} s  cpu {cpu:.2} s  {:.0} MB/s  {:.0} records/s  peak RSS {} MiB",
        mb / secs,
        records as f64 / secs,
        rss / 1024
    );
    let mut peers = Vec::new();
    if compare {
        let bind = timed(&[
            "named-compilezone",
            "-i",
            "none",
            "-k",
            "ignore",
            "-o",
            "/dev/null",
            origin.trim_end_matches('.'),
            &file,
        ]);
        let ldns = timed(&["ldns-read-zone", "-q", &file]);
        for (name, r) in [("named-compilezone", bind), ("ldns-read-zone", ldns)] {
            match r {
                Ok((wall, tool_cpu, rss_kib)) => {
                    println!(
                        "{name:<18}wall {wall:.2} s  cpu {tool_cpu:.2} s  peak RSS {} MiB  scry is {:.1}x faster (wall), {:.1}x (cpu)",
                        rss_kib / 1024,
                        wall / secs,
                        tool_cpu / cpu
                    );
                    peers.push(format!(
                        "\"{name}\":{{\"wall_s\":{wall},\"cpu_s\":{tool_cpu},\"peak_rss_kib\":{rss_kib}}}"
                    ));
                }
                Err(e) => {
                    println!("{name:<16}not measured: {e}");
                    peers.push(format!("\"{name}\":{{\"error\":{}}}", json_str(&e)));
                }
            }
        }
    }
    if json {
        println!(
            "{{\"bench\":\"zone_parse\",\"file\":{},\"bytes\":{size},\"records\":{records},\"errors\":{errors},\"checksum\":\"{checksum:016x}\",\"delegations\":{children},\"wall_s\":{secs},\"cpu_s\":{},\"peak_rss_kib\":{rss},\"peers\":{{{}}}}}",
            json_str(&file),
            if cpu.is_finite() { cpu } else { secs },
            peers.join(",")
        );
    }
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The records' checksum: each 8-byte word is mixed by a multiplication
/// off the dependency chain and added with its position, so the hash is
/// order-dependent but costs about a cycle per word (a chained hash such as
/// FxHash spends its multiplication latency on every word).
#[derive(Default)]
struct Mix {
    h: u64,
    pos: u64,
}

impl Mix {
    fn word(&mut self, w: u64) {
        self.pos = self.pos.wrapping_add(0x9e37_79b9_7f4a_7c15);
        self.h = self
            .h
            .wrapping_add((w ^ self.pos).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95));
    }
}

impl Hasher for Mix {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        self.word(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
    }

    fn write_u8(&mut self, v: u8) {
        self.word(u64::from(v));
    }

    fn write_u16(&mut self, v: u16) {
        self.word(u64::from(v));
    }

    fn write_u32(&mut self, v: u32) {
        self.word(u64::from(v));
    }

    fn write_u64(&mut self, v: u64) {
        self.word(v);
    }

    fn write_usize(&mut self, v: usize) {
        self.word(v as u64);
    }

    fn finish(&self) -> u64 {
        let x = (self.h ^ (self.h >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x ^ (x >> 29)
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: zone_bench FILE [--origin com.] [--delegations] [--compare] [--json]");
    ExitCode::from(2)
}

/// `s` as a JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Peak resident set size of this process, KiB (Linux `VmHWM`).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU seconds of this process so far (Linux `/proc`).
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after `(comm) `: state is the first, utime the 12th, stime the 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(ticks / 100.0)
}

/// Runs `cmd` under `/usr/bin/time -v`: wall seconds, CPU seconds (user +
/// system) and peak RSS (KiB).
fn timed(cmd: &[&str]) -> Result<(f64, f64, u64), String> {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .args(cmd)
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time: {e}"))?;
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let tail: Vec<&str> = err.lines().take(5).collect();
        return Err(format!("{} failed: {}", cmd[0], tail.join(" / ")));
    }
    let field = |key: &str| {
        err.lines()
            .find_map(|l| l.trim().strip_prefix(key).map(str::trim).map(str::to_owned))
    };
    let wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss):")
        .ok_or("no wall time in time -v output")?;
    let rss = field("Maximum resident set size (kbytes):").ok_or("no RSS in time -v output")?;
    let mut secs = 0.0;
    for part in wall.split(':') {
        secs = secs * 60.0
            + part
                .parse::<f64>()
                .map_err(|e| format!("bad time {wall}: {e}"))?;
    }
    let num = |key: &str| field(key).and_then(|v| v.parse::<f64>().ok());
    let cpu = num("User time (seconds):").ok_or("no user time")?
        + num("System time (seconds):").ok_or("no system time")?;
    Ok((
        secs,
        cpu,
        rss.parse().map_err(|e| format!("bad rss {rss}: {e}"))?,
    ))
}
