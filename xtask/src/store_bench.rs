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

/// The form [`generate`] writes the facts in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// NDJSON, for `scry ingest facts`.
    Ndjson,
    /// PostgreSQL's COPY text format, for the `facts` table.
    Tsv,
}

/// Writes the facts of `domains` domains to `out` in `form`; the same
/// facts in the same order every time (a fixed seed), so the NDJSON file
/// Scry ingests and the COPY stream PostgreSQL loads are generated apart
/// and neither is kept on disk beside the other. Returns the number of
/// facts.
pub(crate) fn generate(domains: u64, form: Form, out: impl Write) -> Result<u64> {
    let mut w = BufWriter::with_capacity(1 << 20, out);
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
        match form {
            Form::Ndjson => writeln!(
                w,
                "{{\"subject\":\"{subject}\",\"predicate\":\"{pred}\",\"object\":\"{obj}\",\"time\":{t},\"source\":\"bench\"}}"
            )?,
            Form::Tsv => writeln!(
                w,
                "{subject}\t{holder}\t{pid}\t{}\t{t}\t{t}\t1\tbench",
                obj.to_lowercase()
            )?,
        }
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
    w.flush()?;
    Ok(n)
}

/// Bytes per domain of what a run keeps on disk, from `du -sb` of the
/// work directory every 0.5-2 s through runs at 100 k and 1 M domains
/// (10 facts a domain; PostgreSQL 15): the NDJSON input; Scry's data
/// directory at its largest during the ingest (the bulk load's spilled
/// runs beside the tables: 4,050 at 100 k, 3,520 at 1 M) and once settled
/// (1 M: 902, 10 M: 877); the COPY input; PostgreSQL's heap after COPY;
/// PostgreSQL's `base` at its largest during the index builds (table,
/// indexes and sort files; 1 M: 2,934).
const ND_BYTES: u64 = 1_210;
const SCRY_INGEST_BYTES: u64 = 3_600;
const SCRY_BYTES: u64 = 900;
const TSV_BYTES: u64 = 830;
const PG_HEAP_BYTES: u64 = 1_300;
const PG_INDEX_BYTES: u64 = 2_950;
/// PostgreSQL's WAL: about the heap during COPY, up to 2,300 bytes a
/// domain during the index builds (1 M: 2.3 GB), and bounded by the
/// checkpoints (`max_wal_size=4GB`, which a checkpoint may overrun).
const PG_WAL_CAP: u64 = 6 << 30;

/// The disk a run of `domains` needs at its peak, with a tenth to spare
/// and 1 GiB for the rest (reports, logs): the largest of its three
/// phases, as the files live one after another. Scry's ingest (the NDJSON
/// beside the store, deleted after it); PostgreSQL's COPY (the store, the
/// COPY input, the heap and its WAL; the input is deleted after COPY);
/// the index builds (the store, PostgreSQL's files and WAL).
/// Returns the total and the three phases' peaks (PostgreSQL's are 0
/// without it).
fn disk_needed(domains: u64, pg: bool) -> (u64, [u64; 3]) {
    let ingest = domains * (ND_BYTES + SCRY_INGEST_BYTES);
    let (copy, index) = if pg {
        (
            domains * (SCRY_BYTES + TSV_BYTES + PG_HEAP_BYTES)
                + (domains * PG_HEAP_BYTES).min(PG_WAL_CAP),
            domains * (SCRY_BYTES + PG_INDEX_BYTES) + (domains * 2_300).min(PG_WAL_CAP),
        )
    } else {
        (0, 0)
    };
    let peak = ingest.max(copy).max(index);
    (peak + peak / 10 + (1 << 30), [ingest, copy, index])
}

/// Free bytes (for an unprivileged user) on the file system of `dir`.
fn free_bytes(dir: &Path) -> Result<u64> {
    let out = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(dir)
        .output()
        .context("running df")?;
    if !out.status.success() {
        bail!(
            "df {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .with_context(|| format!("df's output: {text}"))
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// Latency percentiles (µs) of a query, with its CPU cost.
pub(crate) struct Latency {
    pub(crate) p50: f64,
    pub(crate) p99: f64,
    /// Mean CPU time per query (µs): Scry's query thread
    /// (`CLOCK_THREAD_CPUTIME_ID`), PostgreSQL's backend (see `pg`).
    pub(crate) cpu_mean: Option<f64>,
    /// Scry only: percentiles of the per-query thread CPU time (µs).
    pub(crate) cpu_p50: Option<f64>,
    pub(crate) cpu_p99: Option<f64>,
}

impl Latency {
    /// From wall-time samples (µs) and the CPU seconds they cost in all.
    pub(crate) fn of(mut wall: Vec<f64>, cpu_s: Option<f64>) -> Latency {
        wall.sort_by(|a, b| a.total_cmp(b));
        let n = wall.len().max(1) as f64;
        Latency {
            p50: pct(&wall, 0.5),
            p99: pct(&wall, 0.99),
            cpu_mean: cpu_s.map(|s| s * 1e6 / n),
            cpu_p50: None,
            cpu_p99: None,
        }
    }
}

/// Per-query samples of an in-process query: wall and thread CPU (µs),
/// and, when probed, where the rest of the wall time went.
#[derive(Default)]
pub(crate) struct Samples {
    wall: Vec<f64>,
    cpu: Vec<f64>,
    /// Per sample: the call's number (`first` + its index in the round).
    call: Vec<usize>,
    /// Per sample (probed runs only): the query thread's and the client
    /// thread's run-queue wait (µs), the query thread's minor and major
    /// page faults, and the round.
    sched: Vec<SchedSample>,
}

#[derive(Clone, Copy)]
struct SchedSample {
    query_wait: f64,
    client_wait: f64,
    minflt: u64,
    majflt: u64,
    /// The query thread's voluntary context switches (it blocked) and
    /// bytes read from storage (`io`'s `read_bytes`: page-cache misses).
    switches: u64,
    read_bytes: u64,
    round: usize,
}

/// A thread's scheduler counters: run-queue wait (ns, `schedstat`'s second
/// field), page faults (`stat`'s minflt, majflt), voluntary context
/// switches (`status`) and bytes read from storage (`io`).
#[derive(Clone, Copy, Default)]
pub(crate) struct Sched {
    run_delay_ns: u64,
    minflt: u64,
    majflt: u64,
    switches: u64,
    read_bytes: u64,
}

impl Sched {
    /// Reads `task` (`/proc/self/task/TID`, or `/proc/thread-self`).
    fn read(task: &Path) -> Option<Sched> {
        let ss = std::fs::read_to_string(task.join("schedstat")).ok()?;
        let run_delay_ns = ss.split_whitespace().nth(1)?.parse().ok()?;
        let st = std::fs::read_to_string(task.join("stat")).ok()?;
        let f: Vec<&str> = st.rsplit_once(')')?.1.split_whitespace().collect();
        let field = |file: &str, name: &str| -> Option<u64> {
            let text = std::fs::read_to_string(task.join(file)).ok()?;
            let line = text.lines().find(|l| l.starts_with(name))?;
            line[name.len()..].trim().parse().ok()
        };
        Some(Sched {
            run_delay_ns,
            minflt: f.get(7)?.parse().ok()?,
            majflt: f.get(9)?.parse().ok()?,
            switches: field("status", "voluntary_ctxt_switches:").unwrap_or(0),
            read_bytes: field("io", "read_bytes:").unwrap_or(0),
        })
    }
}

/// Reads the query thread's and the calling thread's counters; read
/// outside the timed span.
pub(crate) struct Probe {
    query_task: PathBuf,
}

impl Probe {
    fn read(&self) -> Option<(Sched, Sched)> {
        Some((
            Sched::read(&self.query_task)?,
            Sched::read(Path::new("/proc/thread-self"))?,
        ))
    }
}

impl Samples {
    /// Runs `f` `warm` times unmeasured, then `iters` times measured;
    /// `first` numbers the calls so rounds continue one sequence. `f`
    /// returns the CPU time (ns) the call took on the thread that ran it;
    /// the wall time is taken around `f`.
    pub(crate) fn run(
        &mut self,
        first: usize,
        warm: usize,
        iters: usize,
        f: impl FnMut(usize) -> Result<u64>,
    ) -> Result<()> {
        self.run_probed(first, warm, iters, None, 0, f)
    }

    /// [`Samples::run`], with `probe` read before and after each measured
    /// call (outside its timed span), `round` recorded with it.
    fn run_probed(
        &mut self,
        first: usize,
        warm: usize,
        iters: usize,
        probe: Option<&Probe>,
        round: usize,
        mut f: impl FnMut(usize) -> Result<u64>,
    ) -> Result<()> {
        for i in 0..warm {
            f(first + i)?;
        }
        for i in 0..iters {
            let before = probe.and_then(Probe::read);
            let t = Instant::now();
            let cpu = f(first + i)?;
            self.wall.push(t.elapsed().as_secs_f64() * 1e6);
            self.cpu.push(cpu as f64 / 1e3);
            self.call.push(first + i);
            if let (Some((q0, c0)), Some((q1, c1))) = (before, probe.and_then(Probe::read)) {
                self.sched.push(SchedSample {
                    query_wait: q1.run_delay_ns.saturating_sub(q0.run_delay_ns) as f64 / 1e3,
                    client_wait: c1.run_delay_ns.saturating_sub(c0.run_delay_ns) as f64 / 1e3,
                    minflt: q1.minflt.saturating_sub(q0.minflt),
                    majflt: q1.majflt.saturating_sub(q0.majflt),
                    switches: q1.switches.saturating_sub(q0.switches),
                    read_bytes: q1.read_bytes.saturating_sub(q0.read_bytes),
                    round,
                });
            }
        }
        Ok(())
    }

    /// Where the slowest 1% of the calls (wall at or above p99) spent
    /// their time: means of wall, CPU, run-queue waits (query thread,
    /// client thread), the rest (off CPU and not runnable: blocked), the
    /// faults, and how many fell in each round.
    fn slowest(&self) -> Option<String> {
        if self.sched.len() != self.wall.len() || self.wall.is_empty() {
            return None;
        }
        let mut idx: Vec<usize> = (0..self.wall.len()).collect();
        idx.sort_by(|a, b| self.wall[*b].total_cmp(&self.wall[*a]));
        idx.truncate((self.wall.len() / 100).max(1));
        let n = idx.len() as f64;
        let mean = |f: &dyn Fn(usize) -> f64| idx.iter().map(|&i| f(i)).sum::<f64>() / n;
        let wall = mean(&|i| self.wall[i]);
        let cpu = mean(&|i| self.cpu[i]);
        let qw = mean(&|i| self.sched[i].query_wait);
        let cw = mean(&|i| self.sched[i].client_wait);
        let minf = mean(&|i| self.sched[i].minflt as f64);
        let majf = mean(&|i| self.sched[i].majflt as f64);
        let mut rounds = [0usize; ROUNDS];
        for &i in &idx {
            rounds[self.sched[i].round.min(ROUNDS - 1)] += 1;
        }
        let all_minf =
            self.sched.iter().map(|s| s.minflt as f64).sum::<f64>() / self.sched.len() as f64;
        let all = |f: &dyn Fn(&SchedSample) -> f64| {
            self.sched.iter().map(f).sum::<f64>() / self.sched.len() as f64
        };
        let sw = mean(&|i| self.sched[i].switches as f64);
        let all_sw = all(&|s| s.switches as f64);
        let rd = mean(&|i| self.sched[i].read_bytes as f64) / 1024.0;
        let all_rd = all(&|s| s.read_bytes as f64) / 1024.0;
        Some(format!(
            "{} calls: wall {wall:.0} µs = CPU {cpu:.0} + run-queue wait {qw:.0} (query thread) + {cw:.0} (client thread) + blocked {:.0}; faults {minf:.1} minor, {majf:.2} major (all calls: {all_minf:.1} minor); query thread's voluntary switches {sw:.1} (all calls {all_sw:.1}; the wait for the next request counts 1) and storage reads {rd:.1} KiB (all calls {all_rd:.2}); per round {rounds:?}",
            idx.len(),
            (wall - cpu - qw - cw).max(0.0),
        ))
    }

    /// The `n` calls that took the most CPU: (call number, CPU µs),
    /// most first.
    fn most_cpu(&self, n: usize) -> Vec<(usize, f64)> {
        let mut idx: Vec<usize> = (0..self.cpu.len().min(self.call.len())).collect();
        idx.sort_by(|a, b| self.cpu[*b].total_cmp(&self.cpu[*a]));
        idx.truncate(n);
        idx.into_iter()
            .map(|i| (self.call[i], self.cpu[i]))
            .collect()
    }

    pub(crate) fn latency(mut self) -> Latency {
        self.cpu.sort_by(|a, b| a.total_cmp(b));
        let total: f64 = self.cpu.iter().sum();
        let mut l = Latency::of(self.wall, None);
        if !self.cpu.is_empty() {
            l.cpu_mean = Some(total / self.cpu.len() as f64);
            l.cpu_p50 = Some(pct(&self.cpu, 0.5));
            l.cpu_p99 = Some(pct(&self.cpu, 0.99));
        }
        l
    }
}

/// CPU time of the calling thread, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    (t.tv_sec as u64).saturating_mul(1_000_000_000) + t.tv_nsec as u64
}

/// Calls `f` on this thread, returning the CPU time it took (ns).
fn on_cpu(f: impl FnOnce() -> Result<()>) -> Result<u64> {
    let c = thread_cpu_ns();
    f()?;
    Ok(thread_cpu_ns().saturating_sub(c))
}

pub(crate) fn measure(iters: usize, mut f: impl FnMut(usize) -> Result<()>) -> Result<Latency> {
    let mut s = Samples::default();
    s.run(0, iters.min(50), iters, |i| on_cpu(|| f(i)))?;
    Ok(s.latency())
}

/// The workspace this binary sits in (`ROOT/target/<profile>/xtask`),
/// whatever the current directory, so that a target directory copied to
/// another checkout builds and measures that checkout; a binary elsewhere
/// (a copy kept for a comparison) falls back to the workspace it was
/// compiled in.
pub(crate) fn workspace_root() -> PathBuf {
    let here = std::env::current_exe().ok().and_then(|exe| {
        exe.ancestors()
            .nth(3)
            .filter(|r| r.join("Cargo.toml").is_file() && r.join("xtask").is_dir())
            .map(Path::to_path_buf)
    });
    here.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

pub(crate) fn scry_bin() -> Result<PathBuf> {
    // `SCRY_BIN` names a binary to measure as it is (no build): a base
    // binary kept for a comparison, say.
    if let Some(bin) = std::env::var_os("SCRY_BIN") {
        let bin = PathBuf::from(bin);
        if !bin.is_file() {
            bail!("SCRY_BIN={} is not a file", bin.display());
        }
        return Ok(bin);
    }
    let root = workspace_root();
    let status = Command::new("cargo")
        .args(["build", "--release", "-p", "scry", "--quiet"])
        .current_dir(&root)
        .status()
        .context("cargo build")?;
    if !status.success() {
        bail!("building scry failed");
    }
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

/// Rounds the measured queries are split into, alternating Scry and
/// PostgreSQL; unmeasured warm-up calls at the start of each round.
const ROUNDS: usize = 4;
const WARM: usize = 20;
const QUERY_NAMES: [&str; 3] = ["pivot", "profile_small", "profile_big"];

/// The three queries' samples: Scry's (through the hand-off, and called
/// directly on the measuring thread), and PostgreSQL's with its CPU.
struct Measured {
    scry: [Samples; 3],
    direct: [Samples; 3],
    pg: [(Vec<f64>, Option<f64>); 3],
}

impl Default for Measured {
    fn default() -> Self {
        Measured {
            scry: Default::default(),
            direct: Default::default(),
            pg: std::array::from_fn(|_| (Vec::new(), Some(0.0))),
        }
    }
}

struct PgFigures {
    load_s: Option<f64>,
    disk: u64,
    pivot: Latency,
    profile_small: Latency,
    profile_big: Latency,
}

pub(crate) fn run(args: &[&str]) -> Result<()> {
    let mut domains = 1_000_000u64;
    let mut work = std::env::temp_dir().join("scry-bench-store");
    let mut skip_pg = false;
    let mut queries_only = false;
    let mut iters = 2000usize;
    let mut probe_calls = false;
    let mut out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--domains" => domains = it.next().context("--domains N")?.parse()?,
            "--work" => work = PathBuf::from(it.next().context("--work DIR")?),
            "--skip-pg" => skip_pg = true,
            "--out" => out = PathBuf::from(it.next().context("--out DIR")?),
            // Re-measure the queries on the store (and the PostgreSQL
            // cluster, unless --skip-pg) a previous run left in --work.
            "--queries-only" => queries_only = true,
            // Measured calls per query and side (default 2,000).
            "--iters" => iters = it.next().context("--iters N")?.parse()?,
            // Read each thread's scheduler counters around every measured
            // call through the hand-off (a diagnosis of the slowest calls).
            // Off by default: the reads are client work between calls that
            // pgbench does not do (16 `/proc` reads a call, a fifth of the
            // run's samples), and they leave the query thread's vCPU idle
            // between calls.
            "--probe" => probe_calls = true,
            other => {
                bail!(
                    "unknown option {other} (--domains N, --work DIR, --out DIR, --skip-pg, --queries-only, --iters N, --probe)"
                )
            }
        }
    }
    let commit = git_head();
    let nd = work.join("facts.ndjson");
    let data = work.join("scry-data");
    let (facts, ingest_s, ingest_rss) = if queries_only {
        (0, f64::NAN, 0)
    } else {
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work)?;
        let (need, [ingest, copy, index]) = disk_needed(domains, !skip_pg);
        let free = free_bytes(&work)?;
        eprintln!(
            "disk: this run needs about {} at its peak (Scry's ingest {}, PostgreSQL's COPY {}, its index builds {}; a tenth and 1 GiB to spare), {} free under {}",
            gib(need),
            gib(ingest),
            gib(copy),
            gib(index),
            gib(free),
            work.display()
        );
        if need > free {
            bail!(
                "not enough disk for {domains} domains under {}: the run needs about {} at its peak ({}), {} free; free some space or pass --work on a larger disk",
                work.display(),
                gib(need),
                if skip_pg {
                    "Scry's NDJSON input and store"
                } else {
                    "Scry's store, PostgreSQL's cluster with its index-build temporary files, and the NDJSON or the COPY input, one at a time"
                },
                gib(free)
            );
        }
        let scry = scry_bin()?;
        eprintln!("generating {domains} domains ...");
        let facts = generate(domains, Form::Ndjson, File::create(&nd)?)?;
        eprintln!("{facts} facts; ingesting with scry ...");
        let (s, rss) = timed(
            Command::new(&scry)
                .arg("--data-dir")
                .arg(&data)
                .args(["ingest", "facts", "--progress", "none", "--batch", "100000"])
                .arg(&nd),
        )?;
        // Scry has what it needs: the input goes before PostgreSQL's is
        // written (at 10 M domains the two are 12 and 8.3 GB).
        std::fs::remove_file(&nd)?;
        (facts, s, rss)
    };
    eprintln!(
        "ingest {ingest_s:.1}s, rss {ingest_rss} KiB, disk {} B; queries ...",
        du(&data)
    );

    // As `scry serve` does: no transparent huge pages for the query
    // process's heap (a query that first touched a fresh 2 MiB page of
    // mimalloc's arena waited for the kernel to zero all of it: the small
    // profile's costliest calls took 6-9 ms of CPU).
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        eprintln!("transparent huge pages left on: {e}");
    }
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
    let pivot_q = PivotQuery {
        predicate: Predicate::NAMESERVER_HOST,
        object: ns,
        scope: Scope::Current,
        after: None,
        limit: 1000,
    };
    let opts = ProfileOptions::default();
    let small: Vec<String> = (0..2000u64).map(|i| domain(i * 7919 % domains)).collect();
    let huge = store.value_counts(&[(Predicate::STATUS, Entity::Text(STATUSES[0].into()))])?[0];

    // PostgreSQL is loaded (or, with --queries-only, the cluster a previous
    // run left is started again) before any query is measured; then both
    // sides are measured in alternating rounds, so load from the rest of
    // the machine falls on both alike.
    let pg = if skip_pg {
        None
    } else {
        Some(crate::pg::load(&work, queries_only, |tsv: &Path| {
            eprintln!("writing PostgreSQL's COPY input ...");
            generate(domains, Form::Tsv, File::create(tsv)?)
        })?)
    };
    // Neither side's queries run while the kernel writes back the other's
    // load: PostgreSQL checkpoints, then every dirty page is written
    // (`sync`). Before this, the first round (Scry's side first) ran with
    // ~750 MiB being written back and took all of Scry's slowest calls.
    let settle_io = Instant::now();
    if let Some(pg) = &pg {
        pg.server.psql("CHECKPOINT")?;
    }
    let synced = Command::new("sync").status().context("sync")?;
    if !synced.success() {
        bail!("sync failed: {synced}");
    }
    eprintln!(
        "writeback settled in {:.1}s",
        settle_io.elapsed().as_secs_f64()
    );
    // Both sides' files are read once into the page cache, alike. Without
    // this Scry's side ran from disk: its tables are written once by the
    // load and never read again, so the kernel evicts them first when
    // memory runs short (`fincore` after a run on this shared machine: 3 of
    // 67 MiB of a `dom` table cached), while PostgreSQL's index builds and
    // VACUUM read its files back, which keeps them (486 of 564 MiB cached);
    // the small profile read 8 KiB from storage per call and blocked in
    // `pread` (perf `sched:sched_switch`: 1,782 waits in `filemap_read`).
    let warm = Instant::now();
    let scry_bytes = read_tree(&data)?;
    let pg_bytes = if pg.is_some() {
        read_tree(&work.join("pg"))?
    } else {
        0
    };
    eprintln!(
        "page cache warmed in {:.1}s: scry {} MiB, PostgreSQL {} MiB",
        warm.elapsed().as_secs_f64(),
        scry_bytes >> 20,
        pg_bytes >> 20
    );
    eprintln!(
        "queries start: page cache dirty + writeback {} MiB; fjall tables {:?}",
        dirty_mib(),
        store.table_counts()
    );
    // Query `q` (pivot, small profile, big profile), call `i`.
    let query = |q: usize, i: usize| -> Result<()> {
        match q {
            0 => {
                let p = store.pivot(&pivot_q)?;
                if p.domains.len() < 1000 {
                    bail!("pivot returned {} domains", p.domains.len());
                }
            }
            1 => {
                scry_intel::profile::profile(&store, &small[i % small.len()], &opts)?;
            }
            _ => {
                let p = scry_intel::profile::profile(&store, PROFILE_DOMAIN, &opts)?;
                if !p.found {
                    bail!("profile target missing");
                }
            }
        }
        Ok(())
    };
    // Scry's queries run on a query thread that waits for each request, as
    // a PostgreSQL backend waits for pgbench's: this thread sends the
    // request, blocks until the answer and times the round trip, so both
    // sides are measured from a client, and neither query loop is a thread
    // that never sleeps (which the scheduler treats as a batch job behind
    // the machine's other work). The hand-offs wake the other side through
    // a unix socket, as pgbench wakes PostgreSQL's backend (see `Handoff`):
    // std's rendezvous channel spins with `sched_yield` first, which on a
    // busy machine queued each side behind other processes once per call
    // (perf: one `sched_yield` switch per call on each thread).
    let requests: Handoff<Option<(usize, usize)>> = Handoff::new()?;
    let answers: Handoff<Result<u64>> = Handoff::new()?;
    let measured = std::thread::scope(|sc| -> Result<Measured> {
        let (requests, answers) = (&requests, &answers);
        let query = &query;
        let (task_tx, task_rx) = std::sync::mpsc::sync_channel::<Option<PathBuf>>(1);
        let server = sc.spawn(move || {
            // "PID/task/TID", relative to /proc: the probe reads this
            // thread's scheduler counters from the client thread.
            let task = std::fs::read_link("/proc/thread-self")
                .ok()
                .map(|t| Path::new("/proc").join(t));
            let _ = task_tx.send(task);
            while let Ok(Some(Some((q, i)))) = requests.take(None) {
                if answers.put(on_cpu(|| query(q, i))).is_err() {
                    return;
                }
            }
        });
        let call = |q: usize, i: usize| -> Result<u64> {
            requests.put(Some((q, i)))?;
            answers
                .take(Some(std::time::Duration::from_secs(120)))?
                .ok_or_else(|| anyhow::anyhow!("the query thread did not answer in 120 s"))?
        };
        let query_task = task_rx.recv().ok().flatten();
        let probe = query_task
            .filter(|_| probe_calls)
            .map(|query_task| Probe { query_task });
        let mut m = Measured::default();
        let per_round = iters.div_ceil(ROUNDS);
        let pg_scripts = [
            crate::pg::pivot_script(),
            crate::pg::profile_small_script(domains),
            crate::pg::profile_big_script(),
        ];
        for r in 0..ROUNDS {
            let first = r * (per_round + WARM);
            // Sides take turns going first: odd rounds start with
            // PostgreSQL, even ones with Scry.
            let scry_round = |m: &mut Measured| -> Result<()> {
                for (q, samples) in m.scry.iter_mut().enumerate() {
                    samples
                        .run_probed(first, WARM, per_round, probe.as_ref(), r, |i| call(q, i))?;
                    // The same queries made in-process on this thread, as
                    // the CLI makes them (no hand-off, no wake-up of
                    // another thread): what the hand-off adds. Their small
                    // profiles are of other domains (half the list on), not
                    // the ones the hand-off's calls just brought into the
                    // block cache.
                    m.direct[q].run(first + small.len() / 2, WARM, per_round, |i| {
                        on_cpu(|| query(q, i))
                    })?;
                }
                Ok(())
            };
            if r % 2 == 0 {
                scry_round(&mut m)?;
            }
            if let Some(pg) = &pg {
                for (q, script) in pg_scripts.iter().enumerate() {
                    let run = pg.server.pgbench_run(
                        &format!("{}-{r}", QUERY_NAMES[q]),
                        script,
                        per_round + WARM,
                        WARM,
                    )?;
                    m.pg[q].0.extend(run.samples);
                    m.pg[q].1 = match (m.pg[q].1, run.cpu_s) {
                        (Some(a), Some(b)) => Some(a + b),
                        _ => None,
                    };
                }
            }
            if r % 2 == 1 {
                scry_round(&mut m)?;
            }
        }
        // `None` ends the query thread.
        requests.put(None)?;
        server
            .join()
            .map_err(|_| anyhow::anyhow!("the query thread panicked"))?;
        Ok(m)
    });
    let pg_load = pg.as_ref().map(|p| (p.load_s, p.disk));
    if let Some(pg) = pg {
        pg.server.stop();
    }
    eprintln!(
        "queries end: page cache dirty + writeback {} MiB",
        dirty_mib()
    );
    let Measured {
        scry,
        direct,
        pg: pg_runs,
    } = measured?;
    let direct = direct.map(Samples::latency);
    let slowest: Vec<Option<String>> = scry.iter().map(Samples::slowest).collect();
    // The small profile's costliest domains (a profile's CPU depends on
    // the domain: which of its blocks are cached, how many hosts...).
    let costliest: Vec<String> = scry[1]
        .most_cpu(10)
        .into_iter()
        .map(|(call, cpu)| format!("{} ({cpu:.0} µs)", small[call % small.len()]))
        .collect();
    let [pivot, profile_small, profile_big] = scry.map(Samples::latency);
    let pgl = pg_load.map(|(load_s, disk)| {
        let [pivot, profile_small, profile_big] =
            pg_runs.map(|(samples, cpu)| Latency::of(samples, cpu));
        PgFigures {
            load_s,
            disk,
            pivot,
            profile_small,
            profile_big,
        }
    });
    let pg = pgl;
    drop(store);
    drop(dd);

    let mut md = String::new();
    writeln!(md, "# Store benchmark: embedded (fjall) vs PostgreSQL\n")?;
    writeln!(
        md,
        "Machine: {} cores; commit {}; {domains} domains, {facts} facts (10 per domain, + a 1,000-domain pivot value, + a 20-attribute profile domain whose `status` value is held by {} domains).\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        commit,
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
        pg.as_ref().and_then(|p| {
            p.load_s
                .map(|l| (format!("{l:.1} s ({:.0} facts/s)", facts as f64 / l), l))
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
    writeln!(
        md,
        "\n| query | scry p50 / p99 | scry CPU per query (mean; p50 / p99) | PostgreSQL p50 / p99 | PG CPU per query (mean) | PG/scry p50 | PG/scry p99 | PG/scry CPU |"
    )?;
    writeln!(md, "|---|---|---|---|---|---|---|---|")?;
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0} µs"));
    let ropt = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => ratio(a, b),
        _ => "-".into(),
    };
    for (name, ours, theirs) in [
        (
            "pivot, 1,000 domains",
            &pivot,
            pg.as_ref().map(|p| &p.pivot),
        ),
        (
            "profile with counts, ~10 values (random domains)",
            &profile_small,
            pg.as_ref().map(|p| &p.profile_small),
        ),
        (
            &*format!(
                "profile with counts, 20 values, one held by {} domains",
                huge.current
            ),
            &profile_big,
            pg.as_ref().map(|p| &p.profile_big),
        ),
    ] {
        let (t, tc, r50, r99, rc) = match theirs {
            Some(t) => (
                format!("{:.0} / {:.0} µs", t.p50, t.p99),
                opt(t.cpu_mean),
                ratio(ours.p50, t.p50),
                ratio(ours.p99, t.p99),
                ropt(ours.cpu_mean, t.cpu_mean),
            ),
            None => (
                "not run".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ),
        };
        writeln!(
            md,
            "| {name} | {:.0} / {:.0} µs | {} ({} / {}) | {t} | {tc} | {r50} | {r99} | {rc} |",
            ours.p50,
            ours.p99,
            opt(ours.cpu_mean),
            opt(ours.cpu_p50),
            opt(ours.cpu_p99),
        )?;
    }
    writeln!(
        md,
        "\nRatios are PostgreSQL's figure divided by Scry's (above 1: Scry is faster or smaller). Latencies are round trips seen by a client that sends one request and waits for its answer: Scry's queries (`Store::pivot`, `scry_intel::profile`: the whole profile, output structure included) run in-process on a query thread fed through a hand-off each way woken over a unix socket pair (as pgbench wakes its backend); PostgreSQL's come from pgbench's per-transaction log (prepared statements over a unix socket, one connection). {iters} measured calls per query and side in {ROUNDS} rounds alternating Scry and PostgreSQL (Scry first in even rounds, PostgreSQL in odd ones; measured after PostgreSQL's `CHECKPOINT` and a `sync`, so no load's writeback runs under the queries), {WARM} unmeasured warm-up calls at the start of each round. CPU: Scry's query thread (`CLOCK_THREAD_CPUTIME_ID` around each query); PostgreSQL's backend (the postmaster's reaped-children CPU over each pgbench run, 10 ms ticks, connection start included; pgbench's own CPU not counted)."
    )?;
    writeln!(
        md,
        "\nThe same Scry calls made directly on the measuring thread in the same rounds (in-process, as the CLI makes them: no hand-off, no other thread woken), p50 / p99 (CPU mean): what the hand-off's two wake-ups add to the round trips above.\n"
    )?;
    for (q, d) in QUERY_NAMES.iter().zip(&direct) {
        writeln!(
            md,
            "- {q}: {:.0} / {:.0} µs ({})",
            d.p50,
            d.p99,
            opt(d.cpu_mean)
        )?;
    }
    writeln!(
        md,
        "\nScry's slowest 1% of calls per query, where their wall time went (the query thread's and the client thread's `schedstat` run-queue wait and the query thread's page faults, read before and after each call outside its timed span; blocked = the rest: off CPU and not runnable):\n"
    )?;
    for (q, s) in QUERY_NAMES.iter().zip(&slowest) {
        writeln!(
            md,
            "- {q}: {}",
            s.as_deref()
                .unwrap_or("not probed (run with --probe to read the counters)")
        )?;
    }
    writeln!(
        md,
        "\nThe small profile's 10 costliest calls by the query thread's CPU: {}",
        costliest.join(", ")
    )?;
    std::fs::create_dir_all(&out)?;
    let name = if queries_only {
        format!("store-{domains}-queries")
    } else {
        format!("store-{domains}")
    };
    std::fs::write(out.join(format!("{name}.md")), &md)?;
    let json = serde_json::json!({
        "domains": domains, "facts": facts, "commit": commit,
        "scry": {"ingest_s": ingest_s, "compaction_settle_s": settle_s, "ingest_rss_kib": ingest_rss, "disk_bytes": disk,
                  "pivot_p50_us": pivot.p50, "pivot_p99_us": pivot.p99,
                  "profile_small_p50_us": profile_small.p50, "profile_small_p99_us": profile_small.p99,
                  "profile_big_p50_us": profile_big.p50, "profile_big_p99_us": profile_big.p99,
                  "pivot_cpu_us": pivot.cpu_mean, "pivot_cpu_p99_us": pivot.cpu_p99,
                  "profile_small_cpu_us": profile_small.cpu_mean, "profile_small_cpu_p99_us": profile_small.cpu_p99,
                  "profile_big_cpu_us": profile_big.cpu_mean, "profile_big_cpu_p99_us": profile_big.cpu_p99,
                  "iters": iters, "rounds": ROUNDS, "probed": probe_calls,
                  "direct": QUERY_NAMES.iter().zip(&direct).map(|(q, d)| (q.to_string(), serde_json::json!({"p50_us": d.p50, "p99_us": d.p99, "cpu_us": d.cpu_mean}))).collect::<serde_json::Map<_, _>>()},
        "postgres": pg.as_ref().map(|p| serde_json::json!({
            "load_s": p.load_s, "disk_bytes": p.disk,
            "pivot_p50_us": p.pivot.p50, "pivot_p99_us": p.pivot.p99,
            "profile_small_p50_us": p.profile_small.p50, "profile_small_p99_us": p.profile_small.p99,
            "profile_big_p50_us": p.profile_big.p50, "profile_big_p99_us": p.profile_big.p99,
            "pivot_cpu_us": p.pivot.cpu_mean, "profile_small_cpu_us": p.profile_small.cpu_mean,
            "profile_big_cpu_us": p.profile_big.cpu_mean})),
    });
    std::fs::write(
        out.join(format!("{name}.json")),
        serde_json::to_string_pretty(&json)?,
    )?;
    println!("{md}");
    eprintln!("report: {}", out.join(format!("{name}.md")).display());
    Ok(())
}

/// Dirty and under-writeback page cache (MiB, `/proc/meminfo`).
/// A one-slot hand-off between two threads woken through a unix socket
/// pair, the transport pgbench and its PostgreSQL backend use: the value
/// goes in a slot, one byte on the socket wakes the reader (blocked in
/// `read`, no spinning). A socket write wakes its reader as a synchronous
/// wake-up (the kernel may run it on the waker's core as the waker goes to
/// sleep), where a futex wake (the mutex and condition variable this was)
/// sent each request and answer to the other, idle core: about 100 µs per
/// round trip on this VM that neither side's CPU figure showed.
struct Handoff<T> {
    slot: std::sync::Mutex<Option<T>>,
    tx: std::os::unix::net::UnixStream,
    rx: std::os::unix::net::UnixStream,
}

impl<T> Handoff<T> {
    fn new() -> Result<Handoff<T>> {
        let (tx, rx) = std::os::unix::net::UnixStream::pair()?;
        Ok(Handoff {
            slot: std::sync::Mutex::new(None),
            tx,
            rx,
        })
    }

    fn put(&self, v: T) -> Result<()> {
        use std::io::Write as _;
        *self.slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(v);
        (&self.tx).write_all(&[1])?;
        Ok(())
    }

    /// Waits for a value (at most `limit`, when given).
    fn take(&self, limit: Option<std::time::Duration>) -> Result<Option<T>> {
        use std::io::Read as _;
        self.rx.set_read_timeout(limit)?;
        let mut b = [0u8; 1];
        match (&self.rx).read(&mut b) {
            Ok(1) => Ok(self.slot.lock().unwrap_or_else(|p| p.into_inner()).take()),
            Ok(_) => Ok(None),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Reads every file under `dir` once (into the page cache); returns the
/// bytes read.
fn read_tree(dir: &Path) -> Result<u64> {
    let mut total = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("{}", d.display()))? {
            let e = e?;
            let t = e.file_type()?;
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                // A file may vanish (PostgreSQL's server is running).
                let Ok(mut f) = std::fs::File::open(e.path()) else {
                    continue;
                };
                loop {
                    match std::io::Read::read(&mut f, &mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => total += n as u64,
                    }
                }
            }
        }
    }
    Ok(total)
}

fn dirty_mib() -> u64 {
    let m = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    m.lines()
        .filter(|l| l.starts_with("Dirty:") || l.starts_with("Writeback:"))
        .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum::<u64>()
        / 1024
}

/// The workspace's commit (`+dirty` when tracked files differ from it),
/// read when the run starts (the queries are this binary's code and
/// `scry_bin` builds the ingest's `scry` from the same tree before it
/// runs), whatever is committed while the run goes on.
pub(crate) fn git_head() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(&root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
    };
    let Some(head) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".into();
    };
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.trim().is_empty());
    format!("{}{}", head.trim(), if dirty { "+dirty" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The NDJSON Scry ingests and the COPY input PostgreSQL loads are
    /// generated apart: they must hold the same facts, line for line.
    #[test]
    fn both_forms_hold_the_same_facts_in_the_same_order() -> Result<()> {
        let (mut nd, mut tsv) = (Vec::new(), Vec::new());
        let n = generate(2_000, Form::Ndjson, &mut nd)?;
        assert_eq!(generate(2_000, Form::Tsv, &mut tsv)?, n);
        let (nd, tsv) = (String::from_utf8(nd)?, String::from_utf8(tsv)?);
        assert_eq!(nd.lines().count() as u64, n);
        assert_eq!(tsv.lines().count() as u64, n);
        for (j, t) in nd.lines().zip(tsv.lines()) {
            let v: serde_json::Value = serde_json::from_str(j)?;
            let f: Vec<&str> = t.split('\t').collect();
            assert_eq!(f.len(), 8, "{t}");
            assert_eq!(v["subject"].as_str(), Some(f[0]), "{j} / {t}");
            assert_eq!(
                v["object"].as_str().map(str::to_lowercase).as_deref(),
                Some(f[3]),
                "{j} / {t}"
            );
            assert_eq!(v["time"].to_string(), f[4], "{j} / {t}");
        }
        // A second pass writes the same bytes (the fixed seed).
        let mut again = Vec::new();
        generate(2_000, Form::Ndjson, &mut again)?;
        assert_eq!(String::from_utf8(again)?, nd);
        Ok(())
    }

    /// The estimate covers what the 1 M-domain runs measured at their
    /// peaks: Scry's ingest (NDJSON 1.21 GB + the store's 3.52 GB) and
    /// the index builds (the store's 0.90 GB + PostgreSQL's 4.96 GB).
    #[test]
    fn the_disk_estimate_covers_the_measured_peaks() {
        let (need, [ingest, copy, index]) = disk_needed(1_000_000, true);
        assert!(ingest >= 4_730_000_000, "{ingest}");
        assert!(index >= 5_860_000_000, "{index}");
        assert!(need >= ingest.max(copy).max(index));
        let (alone, [_, c, i]) = disk_needed(1_000_000, false);
        assert_eq!((c, i), (0, 0));
        assert!(alone < need);
    }
}
