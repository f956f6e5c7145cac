//! The store benchmark: embedded engine vs PostgreSQL on the same facts.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use scry_intel::profile::ProfileOptions;
use scry_model::{DomainName, Entity, Predicate};
use scry_store::embedded::EmbeddedStore;
use scry_store::{DataDir, PivotQuery, Scope, Store};

use crate::{du, pct};

const TLDS: [&str; 5] = ["com", "net", "org", "info", "xyz"];
const REGISTRARS: usize = 40;
const STATUSES: [&str; 4] = [
    "clientTransferProhibited",
    "clientDeleteProhibited",
    "clientUpdateProhibited",
    "serverHold",
];
pub(crate) const PIVOT_NS: &str = "ns1.pivot-bench.net";
pub(crate) const PROFILE_DOMAIN: &str = "profile-target.com";

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn domain(i: u64) -> String {
    format!("d{i}-bench.{}", TLDS[(i % 5) as usize])
}

/// Writes the facts as NDJSON (for `scry ingest facts`) and TSV (for COPY).
/// Returns the number of facts.
fn generate(domains: u64, ndjson: &Path, tsv: &Path) -> Result<u64> {
    let mut nd = BufWriter::with_capacity(1 << 20, File::create(ndjson)?);
    let mut ts = BufWriter::with_capacity(1 << 20, File::create(tsv)?);
    let mut rng = Lcg(42);
    let mut n = 0u64;
    let t0: i64 = 1_735_689_600; // 2025-01-01
    let mut emit = |subject: &str,
                    holder: &str,
                    pred: &str,
                    pid: u16,
                    obj: &str,
                    t: i64|
     -> Result<()> {
        writeln!(
            nd,
            "{{\"subject\":\"{subject}\",\"predicate\":\"{pred}\",\"object\":\"{obj}\",\"time\":{t},\"source\":\"bench\"}}"
        )?;
        writeln!(
            ts,
            "{subject}\t{holder}\t{pid}\t{}\t{t}\t{t}\t1\tbench",
            obj.to_lowercase()
        )?;
        n += 1;
        Ok(())
    };
    for i in 0..domains {
        let d = domain(i);
        let t = t0 + (i % 300) as i64 * 86_400;
        let ns = rng.next() % 5_000;
        emit(
            &d,
            &d,
            "nameserver_host",
            2,
            &format!("ns1.prov{ns}.net"),
            t,
        )?;
        emit(
            &d,
            &d,
            "nameserver_host",
            2,
            &format!("ns2.prov{ns}.net"),
            t,
        )?;
        let ip = rng.next() % 200_000;
        emit(
            &format!("www.{d}"),
            &d,
            "ip",
            1,
            &format!("10.{}.{}.{}", ip >> 16, (ip >> 8) & 255, ip & 255),
            t,
        )?;
        emit(
            &d,
            &d,
            "mailserver_host",
            4,
            &format!("mx{}.mailhost.net", rng.next() % 20_000),
            t,
        )?;
        let r = (rng.next() % 1000) * (rng.next() % 1000) / 1000 * REGISTRARS as u64 / 1000;
        emit(&d, &d, "registrar", 13, &format!("Registrar {r} LLC"), t)?;
        emit(
            &d,
            &d,
            "registrant_email",
            24,
            &format!(
                "owner{}@mail{}.example",
                rng.next() % 500_000,
                rng.next() % 100
            ),
            t,
        )?;
        emit(
            &d,
            &d,
            "registrant_org",
            23,
            &format!("Org {}", rng.next() % 200_000),
            t,
        )?;
        emit(
            &d,
            &d,
            "create_date",
            16,
            &format!("{}", t - 86_400 * (rng.next() % 3000) as i64),
            t,
        )?;
        emit(&d, &d, "status", 19, STATUSES[0], t)?;
        emit(
            &d,
            &d,
            "status",
            19,
            STATUSES[1 + (rng.next() % 3) as usize],
            t,
        )?;
        if i % (domains / 1000).max(1) == 0 {
            emit(&d, &d, "nameserver_host", 2, PIVOT_NS, t)?;
        }
    }
    // The profile target: ~20 attributes, one of them held by every domain.
    let d = PROFILE_DOMAIN;
    let t = t0 + 299 * 86_400;
    for (p, pid, v) in [
        ("nameserver_host", 2, "ns1.prov1.net"),
        ("nameserver_host", 2, "ns2.prov1.net"),
        ("nameserver_host", 2, PIVOT_NS),
        ("ip", 1, "10.0.0.1"),
        ("ip", 1, "10.0.0.2"),
        ("mailserver_host", 4, "mx1.mailhost.net"),
        ("mailserver_host", 4, "mx2.mailhost.net"),
        ("registrar", 13, "Registrar 1 LLC"),
        ("registrant_email", 24, "owner1@mail1.example"),
        ("registrant_org", 23, "Org 1"),
        ("registrant_name", 22, "Pat Example"),
        ("registrant_country", 30, "NL"),
        ("admin_email", 33, "admin@profile-target.com"),
        ("tech_email", 37, "tech@profile-target.com"),
        ("create_date", 16, "1700000000"),
        ("expiration_date", 18, "1800000000"),
        ("status", 19, STATUSES[0]),
        ("status", 19, STATUSES[1]),
        (
            "ssl_hash",
            43,
            "aa11bb22cc33dd44ee55ff6677889900aa11bb22cc33dd44ee55ff6677889900",
        ),
        ("txt", 7, "v=spf1 include:mailhost.net -all"),
    ] {
        emit(d, d, p, pid, v, t)?;
    }
    nd.flush()?;
    ts.flush()?;
    Ok(n)
}

pub(crate) struct Latency {
    pub(crate) p50: f64,
    pub(crate) p99: f64,
}

pub(crate) fn measure(iters: usize, mut f: impl FnMut(usize) -> Result<()>) -> Result<Latency> {
    for i in 0..iters.min(50) {
        f(i)?;
    }
    let mut v = Vec::with_capacity(iters);
    for i in 0..iters {
        let t = Instant::now();
        f(i)?;
        v.push(t.elapsed().as_secs_f64() * 1e6);
    }
    v.sort_by(|a, b| a.total_cmp(b));
    Ok(Latency {
        p50: pct(&v, 0.5),
        p99: pct(&v, 0.99),
    })
}

pub(crate) fn scry_bin() -> Result<PathBuf> {
    let status = Command::new("cargo")
        .args(["build", "--release", "-p", "scry", "--quiet"])
        .status()
        .context("cargo build")?;
    if !status.success() {
        bail!("building scry failed");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Ok(root.join("target/release/scry"))
}

/// Runs a command under /usr/bin/time; returns (wall seconds, max RSS KiB).
pub(crate) fn timed(cmd: &mut Command) -> Result<(f64, u64)> {
    let tf = std::env::temp_dir().join(format!("scry-time-{}", std::process::id()));
    let prog = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let t = Instant::now();
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&tf)
        .arg(prog)
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .context("running /usr/bin/time (apt-get install time)")?;
    let wall = t.elapsed().as_secs_f64();
    if !status.success() {
        bail!("benchmarked command failed: {status}");
    }
    let rss = std::fs::read_to_string(&tf)?
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    let _ = std::fs::remove_file(&tf);
    Ok((wall, rss))
}

pub(crate) fn run(args: &[&str]) -> Result<()> {
    let mut domains = 1_000_000u64;
    let mut work = std::env::temp_dir().join("scry-bench-store");
    let mut skip_pg = false;
    let mut queries_only = false;
    let mut out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--domains" => domains = it.next().context("--domains N")?.parse()?,
            "--work" => work = PathBuf::from(it.next().context("--work DIR")?),
            "--skip-pg" => skip_pg = true,
            "--out" => out = PathBuf::from(it.next().context("--out DIR")?),
            // Re-measure the queries on the store a previous run left in --work.
            "--queries-only" => {
                queries_only = true;
                skip_pg = true;
            }
            other => {
                bail!(
                    "unknown option {other} (--domains N, --work DIR, --out DIR, --skip-pg, --queries-only)"
                )
            }
        }
    }
    let nd = work.join("facts.ndjson");
    let tsv = work.join("facts.tsv");
    let data = work.join("scry-data");
    let (facts, ingest_s, ingest_rss) = if queries_only {
        (0, f64::NAN, 0)
    } else {
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work)?;
        let scry = scry_bin()?;
        eprintln!("generating {domains} domains ...");
        let facts = generate(domains, &nd, &tsv)?;
        eprintln!("{facts} facts; ingesting with scry ...");
        let (s, rss) = timed(
            Command::new(&scry)
                .arg("--data-dir")
                .arg(&data)
                .args(["ingest", "facts", "--progress", "none", "--batch", "100000"])
                .arg(&nd),
        )?;
        (facts, s, rss)
    };
    eprintln!(
        "ingest {ingest_s:.1}s, rss {ingest_rss} KiB, disk {} B; queries ...",
        du(&data)
    );

    let dd = DataDir::open(&data, false)?;
    let store = EmbeddedStore::open(&dd)?;
    // Let background compaction of the freshly ingested tables finish, as
    // PostgreSQL's side finishes its index builds and VACUUM ANALYZE.
    let settle = Instant::now();
    let idle = store.wait_for_background_work(std::time::Duration::from_secs(600));
    let settle_s = settle.elapsed().as_secs_f64();
    let disk = du(&data);
    eprintln!("compaction settled in {settle_s:.1}s (idle: {idle}); disk {disk} B");
    let ns = Entity::Domain(DomainName::parse(PIVOT_NS)?);
    let pivot = measure(2000, |_| {
        let p = store.pivot(&PivotQuery {
            predicate: Predicate::NAMESERVER_HOST,
            object: ns.clone(),
            scope: Scope::Current,
            after: None,
            limit: 1000,
        })?;
        if p.domains.len() < 1000 {
            bail!("pivot returned {} domains", p.domains.len());
        }
        Ok(())
    })?;
    let opts = ProfileOptions::default();
    let profile_big = measure(2000, |_| {
        let p = scry_intel::profile::profile(&store, PROFILE_DOMAIN, &opts)?;
        if !p.found {
            bail!("profile target missing");
        }
        Ok(())
    })?;
    let small: Vec<String> = (0..2000u64).map(|i| domain(i * 7919 % domains)).collect();
    let profile_small = measure(2000, |i| {
        scry_intel::profile::profile(&store, &small[i % small.len()], &opts)?;
        Ok(())
    })?;
    let huge = store.value_counts(&[(Predicate::STATUS, Entity::Text(STATUSES[0].into()))])?[0];
    drop(store);
    drop(dd);

    let pg = if skip_pg {
        None
    } else {
        Some(crate::pg::bench(&work, &tsv, domains)?)
    };

    let mut md = String::new();
    writeln!(md, "# Store benchmark: embedded (fjall) vs PostgreSQL\n")?;
    writeln!(
        md,
        "Machine: {} cores; commit {}; {domains} domains, {facts} facts (10 per domain, + a 1,000-domain pivot value, + a 20-attribute profile domain whose `status` value is held by {} domains).\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        git_head(),
        huge.current
    )?;
    writeln!(
        md,
        "| measure | scry embedded | PostgreSQL | ratio (PG/scry) |"
    )?;
    writeln!(md, "|---|---|---|---|")?;
    let ratio = |a: f64, b: f64| {
        if a > 0.0 {
            format!("{:.2}x", b / a)
        } else {
            "-".into()
        }
    };
    let row =
        |md: &mut String, name: &str, ours: String, ours_v: f64, theirs: Option<(String, f64)>| {
            let (t, r) = match theirs {
                Some((s, v)) => (s, ratio(ours_v, v)),
                None => ("not run".to_string(), "-".to_string()),
            };
            let _ = writeln!(md, "| {name} | {ours} | {t} | {r} |");
        };
    row(
        &mut md,
        "ingest wall time (parse+store+index; PG: COPY + 2 indexes)",
        format!("{ingest_s:.1} s ({:.0} facts/s)", facts as f64 / ingest_s),
        ingest_s,
        pg.as_ref().map(|p| {
            (
                format!("{:.1} s ({:.0} facts/s)", p.load_s, facts as f64 / p.load_s),
                p.load_s,
            )
        }),
    );
    row(
        &mut md,
        "background compaction after ingest (before queries)",
        format!("{settle_s:.1} s"),
        settle_s,
        None,
    );
    row(
        &mut md,
        "ingest peak RSS",
        format!("{} MiB", ingest_rss / 1024),
        ingest_rss as f64,
        // PostgreSQL's memory is spread over server processes; not measured.
        None,
    );
    row(
        &mut md,
        "on-disk size",
        format!("{} MiB", disk >> 20),
        disk as f64,
        pg.as_ref()
            .map(|p| (format!("{} MiB", p.disk >> 20), p.disk as f64)),
    );
    let lat = |l: &Latency| format!("p50 {:.0} µs, p99 {:.0} µs", l.p50, l.p99);
    row(
        &mut md,
        "pivot, 1,000 domains",
        lat(&pivot),
        pivot.p99,
        pg.as_ref().map(|p| (lat(&p.pivot), p.pivot.p99)),
    );
    row(
        &mut md,
        "profile with counts, ~10 values (random domains)",
        lat(&profile_small),
        profile_small.p99,
        pg.as_ref()
            .map(|p| (lat(&p.profile_small), p.profile_small.p99)),
    );
    row(
        &mut md,
        &format!(
            "profile with counts, 20 values, one held by {} domains",
            huge.current
        ),
        lat(&profile_big),
        profile_big.p99,
        pg.as_ref()
            .map(|p| (lat(&p.profile_big), p.profile_big.p99)),
    );
    writeln!(
        md,
        "\nRatios are PostgreSQL's figure divided by Scry's (above 1: Scry is faster or smaller). Latencies: Scry in-process (`scry_intel::profile`, `Store::pivot`), PostgreSQL through pgbench's per-transaction log (prepared statements over a unix socket). p99 over 2,000 runs after 50 warm-ups."
    )?;
    std::fs::create_dir_all(&out)?;
    let name = if queries_only {
        format!("store-{domains}-queries")
    } else {
        format!("store-{domains}")
    };
    std::fs::write(out.join(format!("{name}.md")), &md)?;
    let json = serde_json::json!({
        "domains": domains, "facts": facts, "commit": git_head(),
        "scry": {"ingest_s": ingest_s, "compaction_settle_s": settle_s, "ingest_rss_kib": ingest_rss, "disk_bytes": disk,
                  "pivot_p50_us": pivot.p50, "pivot_p99_us": pivot.p99,
                  "profile_small_p50_us": profile_small.p50, "profile_small_p99_us": profile_small.p99,
                  "profile_big_p50_us": profile_big.p50, "profile_big_p99_us": profile_big.p99},
        "postgres": pg.as_ref().map(|p| serde_json::json!({
            "load_s": p.load_s, "disk_bytes": p.disk,
            "pivot_p50_us": p.pivot.p50, "pivot_p99_us": p.pivot.p99,
            "profile_small_p50_us": p.profile_small.p50, "profile_small_p99_us": p.profile_small.p99,
            "profile_big_p50_us": p.profile_big.p50, "profile_big_p99_us": p.profile_big.p99})),
    });
    std::fs::write(
        out.join(format!("{name}.json")),
        serde_json::to_string_pretty(&json)?,
    )?;
    println!("{md}");
    eprintln!("report: {}", out.join(format!("{name}.md")).display());
    Ok(())
}

fn git_head() -> String {
    Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}
