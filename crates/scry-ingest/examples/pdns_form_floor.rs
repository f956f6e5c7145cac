//! What an rrset form would cost at the least: `cargo run --release -p
//! scry-ingest --example pdns_form_floor -- FILE.cof DIR`.
//!
//! A measurement for the design of a pDNS rrset form (ARCHITECTURE.md,
//! Passive DNS), not a store: it parses FILE's COF lines on two threads
//! (the ingest's parser, `to_observation` included, so names are
//! validated and split as the store needs), builds for each rrset two
//! keys of the shape such a form would write (forward: the name's labels
//! reversed, type, rdata; reverse: rdata, type, name; each with a 22-byte
//! window + count + source value), sorts the two streams on two threads
//! and ingests each into its own fjall keyspace (LZ4, options as the
//! store's `fwd` and `rev`) on two threads. It reports each phase's wall
//! time and the process's CPU, to compare with `scry ingest pdns` of the
//! same file (8 keyspaces) in the same session.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use fjall::{Database, KeyspaceCreateOptions};

/// CPU seconds used by this process so far (user + system).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(close) = stat.rfind(')') else {
        return 0.0;
    };
    let f: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

type Kv = (Vec<u8>, [u8; 22]);

fn push_reversed(out: &mut Vec<u8>, name: &str) {
    for label in name.rsplit('.') {
        out.extend_from_slice(label.as_bytes());
        out.push(0);
    }
    out.push(1);
}

fn parse_part(part: &[u8], now: i64) -> (Vec<Kv>, Vec<Kv>) {
    let (mut fwd, mut rev) = (Vec::new(), Vec::new());
    let mut recs = Vec::new();
    for line in part.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        recs.clear();
        if scry_parse::pdns::cof::parse_cof_line_into(line, &mut |r| recs.push(r)).is_err() {
            continue;
        }
        for r in &recs {
            let Ok(o) = r.to_observation("pdns:bench", now) else {
                continue;
            };
            let mut v = [0u8; 22];
            v[..8].copy_from_slice(&o.window.first_seen.to_be_bytes());
            v[8..16].copy_from_slice(&o.window.last_seen.to_be_bytes());
            v[16..20].copy_from_slice(&(r.count as u32).to_be_bytes());
            let name = o
                .subject
                .as_domain()
                .map_or(r.rrname.as_str(), |d| d.ascii());
            let mut k = Vec::with_capacity(64);
            push_reversed(&mut k, name);
            k.extend_from_slice(&r.rrtype.to_be_bytes());
            k.extend_from_slice(r.rdata.as_bytes());
            fwd.push((k, v));
            let mut k = Vec::with_capacity(64);
            match r.rdata.parse::<std::net::IpAddr>() {
                Ok(std::net::IpAddr::V4(a)) => k.extend_from_slice(&a.to_ipv6_mapped().octets()),
                Ok(std::net::IpAddr::V6(a)) => k.extend_from_slice(&a.octets()),
                Err(_) => push_reversed(&mut k, &r.rdata),
            }
            k.extend_from_slice(&r.rrtype.to_be_bytes());
            k.extend_from_slice(name.as_bytes());
            rev.push((k, v));
        }
    }
    (fwd, rev)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (file, dir) = (&args[1], std::path::Path::new(&args[2]));
    let (t0, c0) = (Instant::now(), cpu_seconds());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let buf = std::fs::read(file).expect("read the COF file");
    let mut cut = buf.len() / 2;
    while cut < buf.len() && buf[cut - 1] != b'\n' {
        cut += 1;
    }
    let (a, b) = buf.split_at(cut);
    let ((mut fwd, mut rev), (fwd_b, rev_b)) = std::thread::scope(|s| {
        let h = s.spawn(|| parse_part(b, now));
        (parse_part(a, now), h.join().unwrap())
    });
    fwd.extend(fwd_b);
    rev.extend(rev_b);
    let n = fwd.len();
    let (t_parse, c_parse) = (t0.elapsed().as_secs_f64(), cpu_seconds());
    std::thread::scope(|s| {
        s.spawn(|| fwd.sort_unstable_by(|x, y| x.0.cmp(&y.0)));
        rev.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    });
    fwd.dedup_by(|x, y| x.0 == y.0);
    rev.dedup_by(|x, y| x.0 == y.0);
    let (t_sort, c_sort) = (t0.elapsed().as_secs_f64(), cpu_seconds());
    let db = Database::builder(dir).open().expect("open fjall");
    let opts = |scanned: bool| {
        let o = KeyspaceCreateOptions::default()
            .data_block_compression_policy(fjall::config::CompressionPolicy::all(
                fjall::CompressionType::Lz4,
            ))
            .index_block_pinning_policy(fjall::config::PinningPolicy::all(true))
            .filter_block_pinning_policy(fjall::config::PinningPolicy::all(true));
        if scanned {
            o.filter_policy(fjall::config::FilterPolicy::disabled())
        } else {
            o
        }
    };
    let kf = db.keyspace("rrf", || opts(false)).expect("keyspace");
    let kr = db.keyspace("rrr", || opts(true)).expect("keyspace");
    std::thread::scope(|s| {
        let ingest = &|ks: &fjall::Keyspace, kvs: &[Kv]| {
            let mut ing = ks.start_ingestion().expect("ingestion");
            for (k, v) in kvs {
                ing.write(k.as_slice(), v.as_slice()).expect("write");
            }
            ing.finish().expect("finish");
        };
        s.spawn(move || ingest(&kf, &fwd));
        ingest(&kr, &rev);
    });
    db.persist(fjall::PersistMode::SyncAll).expect("sync");
    let t_all = t0.elapsed().as_secs_f64();
    // The tables, not the journal (fjall preallocates it).
    let disk: u64 = walk(&dir.join("keyspaces"));
    println!(
        "{n} rrsets: read+parse+keys {t_parse:.2} s ({:.2} s CPU), sort {:.2} s ({:.2} s CPU), ingest {:.2} s ({:.2} s CPU), total {t_all:.2} s wall, {:.2} s CPU, {:.0} MiB on disk",
        c_parse - c0,
        t_sort - t_parse,
        c_sort - c_parse,
        t_all - t_sort,
        cpu_seconds() - c_sort,
        cpu_seconds() - c0,
        disk as f64 / 1048576.0
    );
}

fn walk(p: &std::path::Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(p) else {
        return std::fs::metadata(p).map_or(0, |m| m.len());
    };
    rd.flatten().map(|e| walk(&e.path())).sum()
}
