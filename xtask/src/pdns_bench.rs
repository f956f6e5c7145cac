//! `cargo xtask bench pdns [--rrsets N] [--pcap-packets N] [--work DIR]
//! [--out DIR] [--skip-pg]`: passive DNS at scale, beside PostgreSQL.
//!
//! Generates N distinct rrsets (default 10,000,000) as COF NDJSON (for
//! Scry) and as TSV (for PostgreSQL): names `www|mail|api|cdn.dK-p.TLD`
//! (four hosts per registrable domain), 70% A (addresses spread so that an
//! address holds ~4 names and a /24 ~1,000), 10% AAAA, NS and CNAME, plus a
//! zone `big-zone.com` with 1,000 hosts (the left-hand wildcard with ~1,000
//! results). Free disk is checked first (~1 KB per rrset at the peak: the
//! COF input and Scry's store; the TSV for PostgreSQL is written after both
//! are deleted).
//!
//! Scry: `scry ingest pdns FILE.cof --batch 100000` (a bulk load: the file
//! is over `--bulk-min-mib`; release binary; wall
//! time and peak RSS under /usr/bin/time), background compaction waited
//! for, then in-process query latency through `scry_intel::pdns`.
//! PostgreSQL (Debian's, on 127.0.0.1 in a temporary directory, stopped by
//! PID): `COPY` + the same indexes (a B-tree on the name, one on the
//! label-reversed name for left-hand wildcards, one on rdata, one on the
//! `inet` address for addresses and prefixes) + `VACUUM ANALYZE`, queries
//! through pgbench (prepared, unix socket, per-transaction log).
//! Queries (p50/p99 over 2,000 runs after 50 warm-ups): exact rrset, left
//! wildcard (~1,000 results), right wildcard (`www.dK-p.*`), rdata by
//! address and by /24.
//!
//! Then pcap: the real lab capture (`scry-parse/tests/data/pdns/lab.pcap`,
//! dig ↔ unbound ↔ nsd) repeated to `--pcap-packets` packets (default
//! 200,000) and ingested with `scry ingest pdns`, and the parse rates of
//! `scry-parse`'s `pdns_bench` example (COF on 1 and 2 threads, pcap).
//! Reports: `target/bench/pdns-N.md` and `.json`.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use scry_intel::pdns::{PdnsOptions, RdataKind, rdata, rrset};
use scry_store::embedded::EmbeddedStore;
use scry_store::{DataDir, TimeFence};

use crate::store_bench::{Latency, measure, scry_bin, timed};

const TLDS: [&str; 5] = ["com", "net", "org", "info", "xyz"];
const HOSTS: [&str; 4] = ["www", "mail", "api", "cdn"];
/// Hosts of the left-wildcard zone.
const BIG_ZONE_HOSTS: u64 = 1_000;
const PORT: &str = "55433";
/// Bytes of disk per rrset at the run's peak: the COF input plus Scry's
/// store while it ingests (the PostgreSQL side, TSV + tables, comes after
/// both are deleted and is smaller). Measured at 1 M: 147 B of COF, 410 MiB
/// of store after compaction, up to twice that before it.
const DISK_PER_RRSET: u64 = 1_000;

fn domain(k: u64) -> String {
    format!("d{k}-p.{}", TLDS[(k % 5) as usize])
}

fn name(i: u64) -> String {
    format!("{}.{}", HOSTS[(i % 4) as usize], domain(i / 4))
}

/// The address space of A records: ~4 names per address.
fn ip_space(n: u64) -> u64 {
    (n / 4).clamp(256, (1 << 24) - 1)
}

fn ip4(x: u64) -> String {
    format!("10.{}.{}.{}", (x >> 16) & 255, (x >> 8) & 255, x & 255)
}

/// The rrset number `i`: (name, type mnemonic, type number, rdata, address).
fn rrset_row(i: u64, n: u64) -> (String, &'static str, u16, String, Option<String>) {
    let owner = name(i);
    match i % 10 {
        0 => (
            owner,
            "NS",
            2,
            format!("ns{}.dnshost{}.net", i % 1000, i % 47),
            None,
        ),
        1 => (
            owner,
            "CNAME",
            5,
            format!("edge{}.cdn-p.net", i % 5000),
            None,
        ),
        2 => {
            let ip = format!("2001:db8::{:x}:{:x}", (i >> 16) & 0xffff, i & 0xffff);
            (owner, "AAAA", 28, ip.clone(), Some(ip))
        }
        _ => {
            let ip = ip4(i.wrapping_mul(2_654_435_761) % ip_space(n));
            (owner, "A", 1, ip.clone(), Some(ip))
        }
    }
}

fn reversed(name: &str) -> String {
    name.rsplit('.').collect::<Vec<_>>().join(".")
}

/// Writes the rrsets as COF NDJSON (Scry's input) or as TSV (PostgreSQL's),
/// one at a time so the two never take disk together.
fn generate(n: u64, out: &Path, tsv: bool) -> Result<u64> {
    let mut c = BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    let mut write = |owner: &str, mn: &str, ty: u16, rd: &str, ip: Option<&str>, i: u64| {
        let tf = 1_600_000_000 + (i * 7919 % 100_000_000) as i64;
        let tl = tf + (i % 1_000_000) as i64;
        let count = 1 + i % 100;
        if tsv {
            writeln!(
                c,
                "{owner}\t{}\t{ty}\t{rd}\t{}\t{tf}\t{tl}\t{count}\tbench",
                reversed(owner),
                ip.unwrap_or("\\N")
            )
        } else {
            writeln!(
                c,
                "{{\"rrname\":\"{owner}\",\"rrtype\":\"{mn}\",\"rdata\":\"{rd}\",\"time_first\":{tf},\"time_last\":{tl},\"count\":{count},\"sensor_id\":\"bench\"}}"
            )
        }
    };
    for i in 0..n {
        let (owner, mn, ty, rd, ip) = rrset_row(i, n);
        write(&owner, mn, ty, &rd, ip.as_deref(), i)?;
    }
    for k in 0..BIG_ZONE_HOSTS {
        let ip = format!("172.16.{}.{}", k >> 8, k & 255);
        write(&format!("h{k}.big-zone.com"), "A", 1, &ip, Some(&ip), n + k)?;
    }
    c.flush()?;
    Ok(n + BIG_ZONE_HOSTS)
}

/// Bytes free on the file system holding `dir`.
fn free_bytes(dir: &Path) -> Result<u64> {
    let out = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(dir)
        .output()
        .context("df")?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .context("df printed no free space")
}

/// The same pseudo-random sample on both sides (pgbench draws its own
/// from the same ranges).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

pub(crate) struct Queries {
    exact: Latency,
    left: Latency,
    right: Latency,
    ip: Latency,
    net24: Latency,
    left_results: usize,
    net24_results: usize,
}

fn scry_queries(store: &EmbeddedStore, n: u64) -> Result<Queries> {
    let opts = PdnsOptions {
        rrtype: None,
        fence: TimeFence::default(),
        limit: 10_000,
        offset: 0,
    };
    let mut rng = Lcg(7);
    let names: Vec<String> = (0..2_000).map(|_| name(rng.below(n))).collect();
    let exact = measure(2_000, |i| {
        let r = rrset(store, &names[i % names.len()], &opts)?;
        if r.records.is_empty() {
            bail!("exact rrset {} found nothing", names[i % names.len()]);
        }
        Ok(())
    })?;
    let left_results = rrset(store, "*.big-zone.com", &opts)?.records.len();
    let left = measure(2_000, |_| {
        rrset(store, "*.big-zone.com", &opts)?;
        Ok(())
    })?;
    let doms: Vec<String> = (0..2_000)
        .map(|_| format!("www.d{}-p.*", rng.below(n / 4)))
        .collect();
    let right = measure(2_000, |i| {
        let r = rrset(store, &doms[i % doms.len()], &opts)?;
        if r.records.is_empty() {
            bail!("right wildcard {} found nothing", doms[i % doms.len()]);
        }
        Ok(())
    })?;
    let space = ip_space(n);
    let ips: Vec<String> = (0..2_000).map(|_| ip4(rng.below(space))).collect();
    let ip = measure(2_000, |i| {
        rdata(store, RdataKind::Ip, &ips[i % ips.len()], &opts)?;
        Ok(())
    })?;
    let nets: Vec<String> = (0..2_000)
        .map(|_| format!("{}/24", ip4(rng.below(space) & !255)))
        .collect();
    // The /24 PostgreSQL counts too.
    let net24_results = rdata(store, RdataKind::Ip, "10.0.1.0/24", &opts)?
        .records
        .len();
    let net24 = measure(2_000, |i| {
        rdata(store, RdataKind::Ip, &nets[i % nets.len()], &opts)?;
        Ok(())
    })?;
    Ok(Queries {
        exact,
        left,
        right,
        ip,
        net24,
        left_results,
        net24_results,
    })
}

pub(crate) struct PgPdns {
    load_s: f64,
    copy_s: f64,
    disk: u64,
    q: Queries,
}

fn pg_bench(work: &Path, tsv: &Path, n: u64) -> Result<PgPdns> {
    let pg = crate::pg::Server::start(&work.join("pg"), PORT)?;
    let result = (|| -> Result<PgPdns> {
        let t = Instant::now();
        pg.psql("CREATE TABLE pdns(rrname text, rrname_rev text, rrtype smallint, rdata text, rdata_ip inet, time_first bigint, time_last bigint, count bigint, sensor text)")?;
        pg.psql(&format!("\\copy pdns FROM '{}'", tsv.display()))?;
        let copy_s = t.elapsed().as_secs_f64();
        pg.psql("CREATE INDEX pdns_name ON pdns(rrname, rrtype)")?;
        pg.psql("CREATE INDEX pdns_rev ON pdns(rrname_rev)")?;
        pg.psql("CREATE INDEX pdns_rdata ON pdns(rdata, rrtype)")?;
        pg.psql("CREATE INDEX pdns_ip ON pdns(rdata_ip)")?;
        pg.psql("VACUUM ANALYZE pdns")?;
        let load_s = t.elapsed().as_secs_f64();
        let disk: u64 = pg
            .psql("SELECT pg_total_relation_size('pdns')")?
            .parse()
            .unwrap_or(0);
        let cols = "SELECT rrname, rrtype, rdata, time_first, time_last, count FROM pdns WHERE";
        let name_expr = "(ARRAY['www','mail','api','cdn'])[:i % 4 + 1] || '.d' || (:i / 4) || '-p.' || (ARRAY['com','net','org','info','xyz'])[(:i / 4) % 5 + 1]";
        let exact = pg.pgbench(
            "exact",
            &format!(
                "\\set i random(0, {})\n{cols} rrname = {name_expr} LIMIT 10000;\n",
                n - 1
            ),
        )?;
        let left = pg.pgbench(
            "left",
            &format!("{cols} rrname_rev >= 'com.big-zone.' AND rrname_rev < 'com.big-zone/' LIMIT 10000;\n"),
        )?;
        let right = pg.pgbench(
            "right",
            &format!(
                "\\set k random(0, {})\n{cols} rrname >= 'www.d' || :k || '-p.' AND rrname < 'www.d' || :k || '-p/' LIMIT 10000;\n",
                n / 4 - 1
            ),
        )?;
        let space = ip_space(n);
        let ip_expr =
            "('10.' || ((:x >> 16) & 255) || '.' || ((:x >> 8) & 255) || '.' || (:x & 255))::inet";
        let ip = pg.pgbench(
            "ip",
            &format!(
                "\\set x random(0, {})\n{cols} rdata_ip = {ip_expr} LIMIT 10000;\n",
                space - 1
            ),
        )?;
        let lo = "('10.' || ((:x >> 16) & 255) || '.' || ((:x >> 8) & 255) || '.0')::inet";
        let hi = "('10.' || ((:x >> 16) & 255) || '.' || ((:x >> 8) & 255) || '.255')::inet";
        let net24 = pg.pgbench(
            "net24",
            &format!(
                "\\set x random(0, {})\n{cols} rdata_ip >= {lo} AND rdata_ip <= {hi} LIMIT 10000;\n",
                space - 1
            ),
        )?;
        let left_results: usize = pg
            .psql("SELECT count(*) FROM pdns WHERE rrname_rev >= 'com.big-zone.' AND rrname_rev < 'com.big-zone/'")?
            .parse()
            .unwrap_or(0);
        let net24_results: usize = pg
            .psql("SELECT count(*) FROM pdns WHERE rdata_ip >= '10.0.1.0' AND rdata_ip <= '10.0.1.255'")?
            .parse()
            .unwrap_or(0);
        // The plans, for the report: every query must be an index scan.
        let plan = pg.psql("EXPLAIN SELECT * FROM pdns WHERE rrname_rev >= 'com.big-zone.' AND rrname_rev < 'com.big-zone/'")?;
        eprintln!("postgres left-wildcard plan:\n{plan}");
        Ok(PgPdns {
            load_s,
            copy_s,
            disk,
            q: Queries {
                exact,
                left,
                right,
                ip,
                net24,
                left_results,
                net24_results,
            },
        })
    })();
    pg.stop();
    result
}

/// The lab capture repeated to about `packets` packets (classic pcap).
fn repeated_pcap(path: &Path, packets: u64) -> Result<u64> {
    let lab =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/scry-parse/tests/data/pdns/lab.pcap");
    let bytes = std::fs::read(&lab).with_context(|| lab.display().to_string())?;
    if bytes.len() < 24 || bytes[..4] != [0xd4, 0xc3, 0xb2, 0xa1] {
        bail!("{} is not a little-endian classic pcap", lab.display());
    }
    let mut per_copy = 0u64;
    let mut off = 24;
    while off + 16 <= bytes.len() {
        let incl = u32::from_le_bytes([
            bytes[off + 8],
            bytes[off + 9],
            bytes[off + 10],
            bytes[off + 11],
        ]) as usize;
        off += 16 + incl;
        per_copy += 1;
    }
    let copies = packets.div_ceil(per_copy.max(1));
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    w.write_all(&bytes[..24])?;
    for _ in 0..copies {
        w.write_all(&bytes[24..])?;
    }
    w.flush()?;
    Ok(copies * per_copy)
}

fn parse_rates(root: &Path) -> Result<serde_json::Value> {
    let out = Command::new("cargo")
        .args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "scry-parse",
            "--example",
            "pdns_bench",
            "--",
            "2000000",
            "2",
            "--json",
        ])
        .current_dir(root)
        .output()
        .context("pdns_bench")?;
    if !out.status.success() {
        bail!(
            "pdns_bench failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}");
    let last = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .context("no json line")?;
    Ok(serde_json::from_str(last)?)
}

fn ingest_json(
    scry: &Path,
    data: &Path,
    file: &Path,
    extra: &[&str],
) -> Result<(f64, u64, serde_json::Value)> {
    let (s, rss) = timed(
        Command::new(scry)
            .arg("--data-dir")
            .arg(data)
            .args(["ingest", "pdns", "--batch", "100000"])
            .args(extra)
            .arg(file),
    )?;
    // The summary, read back cheaply: a second run is a ledger no-op.
    let out = Command::new(scry)
        .arg("--data-dir")
        .arg(data)
        .args(["ingest", "pdns", "--json"])
        .args(extra)
        .arg(file)
        .output()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    Ok((s, rss, v))
}

pub(crate) fn run(args: &[&str]) -> Result<()> {
    let mut n = 10_000_000u64;
    let mut pcap_packets = 200_000u64;
    let mut work = std::env::temp_dir().join("scry-bench-pdns");
    let mut out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    let mut skip_pg = false;
    let mut parse = false;
    // Also time `scry ingest pdns --fact-path` (the bulk load without the
    // pDNS form) on the same file, in the same run.
    let mut fact_path = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--rrsets" => n = it.next().context("--rrsets N")?.parse()?,
            "--pcap-packets" => pcap_packets = it.next().context("--pcap-packets N")?.parse()?,
            "--work" => work = PathBuf::from(it.next().context("--work DIR")?),
            "--out" => out = PathBuf::from(it.next().context("--out DIR")?),
            "--skip-pg" => skip_pg = true,
            // Also run scry-parse's pdns_bench (builds the example).
            "--parse" => parse = true,
            "--fact-path" => fact_path = true,
            other => bail!(
                "unknown option {other} (--rrsets N, --pcap-packets N, --work DIR, --out DIR, --skip-pg, --parse, --fact-path)"
            ),
        }
    }
    if n < 1_000 {
        bail!("--rrsets must be at least 1000");
    }
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let need = n.saturating_mul(DISK_PER_RRSET);
    let free = free_bytes(&work)?;
    if free < need {
        bail!(
            "{n} rrsets need about {} GiB free in {}, there are {} GiB: give a smaller --rrsets or another --work",
            need >> 30,
            work.display(),
            free >> 30
        );
    }
    let root = crate::store_bench::workspace_root();
    let scry = scry_bin()?;
    let cof = work.join("rrsets.cof");
    let tsv = work.join("rrsets.tsv");
    eprintln!("generating {n} rrsets ...");
    let rows = generate(n, &cof, false)?;
    let data = work.join("scry-data");
    eprintln!("{rows} rrsets; ingesting with scry ...");
    let (ingest_s, ingest_rss, summary) = ingest_json(&scry, &data, &cof, &[])?;
    eprintln!("ingest {ingest_s:.1} s ({summary}); waiting for compaction ...");
    // As `scry serve` and the store bench's query process: no transparent
    // huge pages for the queries' heap (a query that first touches a fresh
    // 2 MiB page of mimalloc's arena waits while the kernel zeroes it, and
    // on this VM while the host backs it).
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        eprintln!("transparent huge pages left on: {e}");
    }
    let dd = DataDir::open(&data, false)?;
    let store = EmbeddedStore::open(&dd)?;
    let settle = Instant::now();
    let idle = store.wait_for_background_work(std::time::Duration::from_secs(900));
    let settle_s = settle.elapsed().as_secs_f64();
    let disk = crate::du(&data);
    eprintln!("compaction settled in {settle_s:.1} s (idle {idle}); queries ...");
    let ours = scry_queries(&store, n)?;
    drop(store);
    drop(dd);
    let _ = std::fs::remove_dir_all(&data);
    let facts = if fact_path {
        eprintln!("the same file with --fact-path ...");
        let fdata = work.join("scry-facts");
        let (s, rss, _) = ingest_json(&scry, &fdata, &cof, &["--fact-path"])?;
        let d = crate::du(&fdata);
        let _ = std::fs::remove_dir_all(&fdata);
        eprintln!("fact path: {s:.1} s");
        Some((s, rss, d))
    } else {
        None
    };
    let _ = std::fs::remove_file(&cof);

    let pg = if skip_pg {
        None
    } else {
        eprintln!("postgresql ...");
        generate(n, &tsv, true)?;
        Some(pg_bench(&work, &tsv, n)?)
    };
    let _ = std::fs::remove_file(&tsv);

    eprintln!("pcap ...");
    let pcap = work.join("lab-repeated.pcap");
    let packets = repeated_pcap(&pcap, pcap_packets)?;
    let pdata = work.join("scry-pcap");
    let (pcap_s, _, psum) = ingest_json(
        &scry,
        &pdata,
        &pcap,
        &["--dns-port", "5300", "--dns-port", "5301"],
    )?;
    // The read-back run is a ledger no-op: its `skipped` is the records
    // the first run stored through.
    let pcap_records = psum["skipped"].as_u64().unwrap_or(0);
    let parse = if parse {
        parse_rates(&root)?
    } else {
        serde_json::json!("not run (give --parse, or run the pdns_bench example)")
    };
    let _ = std::fs::remove_dir_all(&work);

    let mut md = String::new();
    writeln!(md, "# Passive DNS benchmark: scry embedded vs PostgreSQL\n")?;
    writeln!(
        md,
        "Machine: {} cores, load {}; {rows} rrsets ({n} generated + a {BIG_ZONE_HOSTS}-host zone). Command: `cargo xtask bench pdns --rrsets {n}`.\n",
        std::thread::available_parallelism().map_or(0, |c| c.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )?;
    writeln!(md, "| measure | scry embedded | PostgreSQL | PG / scry |")?;
    writeln!(md, "|---|---|---|---|")?;
    let ratio = |ours: f64, theirs: f64| format!("{:.2}x", theirs / ours);
    let lat = |l: &Latency| format!("p50 {:.0} µs, p99 {:.0} µs", l.p50, l.p99);
    let pgr = |f: &dyn Fn(&PgPdns) -> (String, f64), ours: f64| match &pg {
        Some(p) => {
            let (s, v) = f(p);
            (s, ratio(ours, v))
        }
        None => ("not run".into(), "-".into()),
    };
    let (t, r) = pgr(
        &|p| {
            (
                format!(
                    "{:.1} s, {:.0} rrsets/s (COPY alone {:.1} s)",
                    p.load_s,
                    rows as f64 / p.load_s,
                    p.copy_s
                ),
                p.load_s,
            )
        },
        ingest_s,
    );
    writeln!(
        md,
        "| ingest: COF file → stored + indexed (PG: COPY of pre-split TSV + 4 B-trees + VACUUM ANALYZE) | {ingest_s:.1} s, {:.0} rrsets/s, peak RSS {} MiB | {t} | {r} |",
        rows as f64 / ingest_s,
        ingest_rss / 1024
    )?;
    if let Some((s, rss, d)) = facts {
        writeln!(
            md,
            "| the same ingest with `--fact-path` (no pDNS form) | {s:.1} s, {:.0} rrsets/s, peak RSS {} MiB, {} MiB on disk | – | form {:.2}x faster |",
            rows as f64 / s,
            rss / 1024,
            d >> 20,
            s / ingest_s
        )?;
    }
    writeln!(
        md,
        "| compaction after ingest (before queries) | {settle_s:.1} s | – | |"
    )?;
    let (t, r) = pgr(
        &|p| (format!("{} MiB", p.disk >> 20), p.disk as f64),
        disk as f64,
    );
    writeln!(md, "| on-disk size | {} MiB | {t} | {r} |", disk >> 20)?;
    type Pick = fn(&Queries) -> &Latency;
    let rows_q: [(&str, Pick); 5] = [
        ("exact rrset (random name)", |q| &q.exact),
        ("left wildcard `*.big-zone.com`", |q| &q.left),
        ("right wildcard `www.dK-p.*`", |q| &q.right),
        ("rdata by address (random)", |q| &q.ip),
        ("rdata by /24 (random)", |q| &q.net24),
    ];
    for (label, pick) in rows_q {
        let l = pick(&ours);
        let (t, r) = pgr(&|p| (lat(pick(&p.q)), pick(&p.q).p99), l.p99);
        writeln!(md, "| {label} | {} | {t} | {r} (p99) |", lat(l))?;
    }
    writeln!(
        md,
        "\nResults per query: left wildcard {} (PG {}), one /24 {} (PG {}).",
        ours.left_results,
        pg.as_ref().map_or(0, |p| p.q.left_results),
        ours.net24_results,
        pg.as_ref().map_or(0, |p| p.q.net24_results)
    )?;
    writeln!(
        md,
        "\nScry latencies are in-process (`scry_intel::pdns::rrset/rdata` on the embedded store: decoding and COF records included); PostgreSQL's come from pgbench's per-transaction log (prepared statements over a unix socket, so they include a client round trip of ~30-60 µs). p50/p99 over 2,000 runs after 50 warm-ups.\n"
    )?;
    writeln!(
        md,
        "pcap: the lab capture repeated to {packets} packets, `scry ingest pdns` (parse + store): {:.1} s, {:.0} packets/s, {pcap_records} records ({:.0} records/s).\n",
        pcap_s,
        packets as f64 / pcap_s,
        pcap_records as f64 / pcap_s
    )?;
    writeln!(
        md,
        "Parse rates (`cargo run --release -p scry-parse --example pdns_bench -- 2000000 2 --json`): `{parse}`"
    )?;
    std::fs::create_dir_all(&out)?;
    let base = format!("pdns-{n}");
    std::fs::write(out.join(format!("{base}.md")), &md)?;
    let q = |q: &Queries| {
        serde_json::json!({
            "exact_p50_us": q.exact.p50, "exact_p99_us": q.exact.p99,
            "left_p50_us": q.left.p50, "left_p99_us": q.left.p99, "left_results": q.left_results,
            "right_p50_us": q.right.p50, "right_p99_us": q.right.p99,
            "ip_p50_us": q.ip.p50, "ip_p99_us": q.ip.p99,
            "net24_p50_us": q.net24.p50, "net24_p99_us": q.net24.p99, "net24_results": q.net24_results,
        })
    };
    let json = serde_json::json!({
        "rrsets": rows,
        "scry": {"ingest_s": ingest_s, "ingest_rss_kib": ingest_rss, "compaction_settle_s": settle_s,
                 "disk_bytes": disk, "queries": q(&ours)},
        "postgres": pg.as_ref().map(|p| serde_json::json!({
            "load_s": p.load_s, "copy_s": p.copy_s, "disk_bytes": p.disk, "queries": q(&p.q)})),
        "pcap": {"packets": packets, "records": pcap_records, "ingest_s": pcap_s},
        "parse": parse,
    });
    std::fs::write(
        out.join(format!("{base}.json")),
        serde_json::to_string_pretty(&json)?,
    )?;
    println!("{md}");
    eprintln!("report: {}", out.join(format!("{base}.md")).display());
    Ok(())
}
