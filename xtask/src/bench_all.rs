//! `cargo xtask bench all [--scale small|medium|large] [--only a,b] [--out DIR]`:
//! every benchmark of the project, each beside its peer in the same run,
//! into one report (`report-<scale>.md` and `.json` in DIR, default
//! `target/bench`).
//!
//! Each step builds what it needs (release), installs its peers (Debian,
//! PyPI into `target/bench/venv`), runs the crate's own benchmark example
//! as a subprocess (bounded in time, output logged under `DIR/logs`) and
//! reads the one JSON line the example prints with `--json` (or the
//! `/usr/bin/time -v` report). A step that fails is reported with its error
//! tail and makes the command exit non-zero.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use crate::figures::{self, Read};
use crate::peers::{self, Peers};
use crate::report::{Machine, Report, Status, Step, load_average, utc_timestamp};
use crate::run::Runner;

/// What a scale means for each step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Scale {
    pub(crate) name: &'static str,
    pub(crate) store_domains: u64,
    pub(crate) zone_delegations: u64,
    pub(crate) whois_peer_repeat: u32,
    pub(crate) whois_scry_repeat: u32,
    pub(crate) lookalike_brands: u32,
    pub(crate) lookalike_domains: u64,
    pub(crate) gen_domains: u64,
    pub(crate) gen_days: u32,
    pub(crate) pdns_lines: u64,
    pub(crate) engine_facts: u64,
    pub(crate) notify_alerts: u64,
    pub(crate) risk_rounds: u32,
    /// Upper bound of any one command's run time.
    pub(crate) timeout: Duration,
}

pub(crate) const SCALES: [Scale; 3] = [
    Scale {
        name: "small",
        store_domains: 100_000,
        zone_delegations: 500_000,
        whois_peer_repeat: 3,
        whois_scry_repeat: 20,
        lookalike_brands: 200,
        lookalike_domains: 1_000_000,
        gen_domains: 100_000,
        gen_days: 7,
        pdns_lines: 500_000,
        engine_facts: 600_000,
        notify_alerts: 2_000,
        risk_rounds: 3,
        timeout: Duration::from_secs(20 * 60),
    },
    Scale {
        name: "medium",
        store_domains: 1_000_000,
        zone_delegations: 2_000_000,
        whois_peer_repeat: 5,
        whois_scry_repeat: 50,
        lookalike_brands: 1000,
        lookalike_domains: 1_000_000,
        gen_domains: 1_000_000,
        gen_days: 7,
        pdns_lines: 2_000_000,
        engine_facts: 6_000_000,
        notify_alerts: 5_000,
        risk_rounds: 5,
        timeout: Duration::from_secs(90 * 60),
    },
    Scale {
        name: "large",
        store_domains: 10_000_000,
        zone_delegations: 10_000_000,
        whois_peer_repeat: 10,
        whois_scry_repeat: 100,
        lookalike_brands: 1000,
        lookalike_domains: 1_000_000,
        gen_domains: 10_000_000,
        gen_days: 7,
        pdns_lines: 5_000_000,
        engine_facts: 60_000_000,
        notify_alerts: 20_000,
        risk_rounds: 10,
        timeout: Duration::from_secs(4 * 3600),
    },
];

impl Scale {
    pub(crate) fn by_name(name: &str) -> Result<Scale> {
        SCALES
            .iter()
            .find(|s| s.name == name)
            .copied()
            .with_context(|| format!("unknown scale {name:?} (small, medium, large)"))
    }

    /// The scale in words, for the report.
    pub(crate) fn describe(&self) -> Vec<String> {
        vec![
            format!("store {} domains (10 facts each)", self.store_domains),
            format!("zone {} delegations", self.zone_delegations),
            format!(
                "WHOIS corpus x{} (peers), x{} (scry)",
                self.whois_peer_repeat, self.whois_scry_repeat
            ),
            format!(
                "look-alike {} brands, {} domains matched",
                self.lookalike_brands, self.lookalike_domains
            ),
            format!(
                "generator {} domains x {} days",
                self.gen_domains, self.gen_days
            ),
            format!("pDNS {} COF lines", self.pdns_lines),
            format!("engines {} facts", self.engine_facts),
            format!("alert delivery {} alerts", self.notify_alerts),
            format!("risk scoring {} rounds", self.risk_rounds),
        ]
    }
}

/// The steps, in the order they run: (name, what it measures).
pub(crate) const STEPS: [(&str, &str); 9] = [
    (
        "store",
        "Store ingest, size and query latency (pivot, profile) of the embedded engine vs PostgreSQL (COPY + B-tree indexes, pgbench) on the same facts (`cargo xtask bench store`).",
    ),
    (
        "zone",
        "Zone parse (`zone_bench`) and full ingest (`scry ingest zone`) of a generated `.com`-style zone vs `named-compilezone` (bind9-utils) and `ldns-read-zone` (ldnsutils) on the same file.",
    ),
    (
        "whois",
        "WHOIS parse throughput per core over the shared corpus vs PyPI asyncwhois and python-whois on the same records (`bench/whois_peers.py` + `whois_bench`).",
    ),
    (
        "lookalike",
        "Look-alike generation per brand vs dnstwist's Fuzzer (PyPI), recall of dnstwist's permutations, false positives, match throughput (`scry-lookalike` example `bench`).",
    ),
    (
        "generator",
        "Synthetic world generator: wall time and peak RSS (`scry-gen` example `generate` under /usr/bin/time -v).",
    ),
    (
        "pdns",
        "Passive DNS parse throughput: COF NDJSON line parser and reader, multi-threaded, and pcap (`scry-parse` example `pdns_bench`).",
    ),
    (
        "risk",
        "Lexical risk scoring throughput, fast path and with evidence, 1 and 2 threads (`scry-risk` example `bench`), when it exists in the tree.",
    ),
    (
        "notify",
        "Alert delivery throughput to receivers on 127.0.0.1: webhook, Splunk HEC, syslog over TCP (`scry-notify` example `deliver_bench`).",
    ),
    (
        "clickhouse",
        "The embedded engine beside the ClickHouse engine on the same facts: ingest, profile, pivot, reverse latency, disk (`scry-store` example `engine_bench`; ClickHouse from Debian, started on 127.0.0.1 by `scripts/clickhouse-test-server`).",
    ),
];

struct Options {
    scale: Scale,
    only: Option<Vec<String>>,
    out: PathBuf,
}

fn parse_args(args: &[&str], root: &Path) -> Result<Options> {
    let mut scale = Scale::by_name("small")?;
    let mut only = None;
    let mut out = root.join("target/bench");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "--scale" => scale = Scale::by_name(it.next().context("--scale small|medium|large")?)?,
            "--only" => {
                let list: Vec<String> = it
                    .next()
                    .context("--only a,b,...")?
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                for name in &list {
                    if !STEPS.iter().any(|(n, _)| n == name) {
                        bail!(
                            "unknown step {name:?} (steps: {})",
                            STEPS.map(|(n, _)| n).join(", ")
                        );
                    }
                }
                only = Some(list);
            }
            "--out" => out = PathBuf::from(it.next().context("--out DIR")?),
            other => bail!(
                "unknown option {other} (usage: cargo xtask bench all [--scale small|medium|large] [--only {}] [--out DIR])",
                STEPS.map(|(n, _)| n).join(",")
            ),
        }
    }
    if out.is_relative() {
        out = std::env::current_dir()?.join(out);
    }
    Ok(Options { scale, only, out })
}

/// Everything a step needs.
struct Ctx {
    runner: Runner,
    peers: Peers,
    scale: Scale,
    out: PathBuf,
    work: PathBuf,
}

impl Ctx {
    fn root(&self) -> &Path {
        &self.runner.root
    }

    fn release(&self, rel: &str) -> PathBuf {
        self.root().join("target/release").join(rel)
    }

    /// `cargo build --release -p PKG --example E...` (`--bin B` for `bin:B`,
    /// `--features F` for `features:F`).
    fn build(&self, step: &mut Step, pkg: &str, targets: &[&str]) -> Result<()> {
        let mut c = Command::new("cargo");
        c.args(["build", "--release", "--quiet", "-p", pkg]);
        for t in targets {
            if let Some(b) = t.strip_prefix("bin:") {
                c.args(["--bin", b]);
            } else if let Some(f) = t.strip_prefix("features:") {
                c.args(["--features", f]);
            } else {
                c.args(["--example", t]);
            }
        }
        self.runner
            .run(step, "build", &mut c, Duration::from_secs(3600))?;
        Ok(())
    }

    fn fresh_work(&self, name: &str) -> Result<PathBuf> {
        let dir = self.work.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(dir)
    }
}

/// Adds the figures and notes read to the step; returns its problems.
fn take(step: &mut Step, read: Read) -> Vec<String> {
    step.figures.extend(read.figures);
    step.notes.extend(read.notes);
    read.problems
}

/// Adds what was read to the step; its problems fail the step.
fn absorb(step: &mut Step, read: Read) -> Result<()> {
    let problems = take(step, read);
    if problems.is_empty() {
        Ok(())
    } else {
        bail!("{}", problems.join("; "))
    }
}

/// Fails early, before filling a shared disk, when `dir` has less than
/// `need` bytes free (`df`).
fn ensure_free(dir: &Path, need: u64) -> Result<()> {
    let out = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(dir)
        .output()
        .context("running df")?;
    let free: u64 = String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .context("cannot read df's output")?;
    if free < need {
        bail!(
            "needs about {:.1} GiB free in {}, has {:.1} GiB",
            need as f64 / (1u64 << 30) as f64,
            dir.display(),
            free as f64 / (1u64 << 30) as f64
        );
    }
    Ok(())
}

fn time_v(exe: &Path) -> Command {
    let mut c = Command::new("/usr/bin/time");
    c.arg("-v").arg(exe);
    c
}

fn step_store(ctx: &mut Ctx, step: &mut Step) -> Result<()> {
    ctx.peers
        .debian(&ctx.runner, step, &[peers::POSTGRESQL, peers::TIME])?;
    let work = ctx.fresh_work("store")?;
    // Measured: about 7 KB per domain (facts files, the store, PostgreSQL).
    ensure_free(&work, ctx.scale.store_domains * 7_000)?;
    let exe = std::env::current_exe().context("locating the xtask binary")?;
    let n = ctx.scale.store_domains;
    let mut c = Command::new(exe);
    c.args(["bench", "store", "--domains", &n.to_string(), "--work"])
        .arg(&work)
        .arg("--out")
        .arg(&ctx.out);
    ctx.runner.run(step, "store", &mut c, ctx.scale.timeout)?;
    let path = ctx.out.join(format!("store-{n}.json"));
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let v = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let _ = std::fs::remove_dir_all(&work);
    absorb(step, figures::store(&v))
}

fn step_zone(ctx: &mut Ctx, step: &mut Step) -> Result<()> {
    ctx.peers.debian(
        &ctx.runner,
        step,
        &[peers::BIND9_UTILS, peers::LDNSUTILS, peers::TIME],
    )?;
    ctx.build(step, "scry-parse", &["gen_com_zone", "zone_bench"])?;
    ctx.build(step, "scry", &["bin:scry"])?;
    let work = ctx.fresh_work("zone")?;
    // Measured: the zone file is about 80 B and the store about 1 KB per
    // delegation.
    ensure_free(&work, ctx.scale.zone_delegations * 1_200)?;
    let zone = work.join("com.zone");
    let mut c = Command::new(ctx.release("examples/gen_com_zone"));
    c.args(["--domains", &ctx.scale.zone_delegations.to_string()])
        .arg(&zone);
    ctx.runner
        .run(step, "generate", &mut c, ctx.scale.timeout)?;
    let mut c = Command::new(ctx.release("examples/zone_bench"));
    c.arg(&zone)
        .args(["--origin", "com.", "--compare", "--json"]);
    let parse = ctx
        .runner
        .run(step, "parse", &mut c, ctx.scale.timeout)
        .and_then(|o| figures::last_json_line(&o.stdout));
    // The ingest runs even when the parse failed: every figure that can be
    // had is reported, and the step fails either way.
    let mut c = time_v(&ctx.release("scry"));
    c.arg("--data-dir")
        .arg(work.join("data"))
        .args(["ingest", "zone", "--origin", "com.", "--date", "2026-01-01"])
        .args(["--progress", "none"])
        .arg(&zone);
    let ingest = ctx
        .runner
        .run(step, "ingest", &mut c, ctx.scale.timeout)
        .and_then(|o| figures::parse_time_v(&o.stderr));
    // The next day's file (1 % deleted, 1 % moved, 1 % new: `--day 1`),
    // ingested into the same store (only what changed is written), then
    // the diff of the two stored snapshots.
    let next_day = ingest.as_ref().ok().map(|_| {
        let zone1 = work.join("com-day1.zone");
        let mut c = Command::new(ctx.release("examples/gen_com_zone"));
        c.args(["--domains", &ctx.scale.zone_delegations.to_string()])
            .args(["--day", "1"])
            .arg(&zone1);
        ctx.runner
            .run(step, "generate day 1", &mut c, ctx.scale.timeout)?;
        let mut c = time_v(&ctx.release("scry"));
        c.arg("--data-dir")
            .arg(work.join("data"))
            .args(["ingest", "zone", "--origin", "com.", "--date", "2026-01-02"])
            .args(["--progress", "none"])
            .arg(&zone1);
        let day1 = ctx
            .runner
            .run(step, "ingest day 1", &mut c, ctx.scale.timeout)
            .and_then(|o| figures::parse_time_v(&o.stderr))?;
        let mut c = time_v(&ctx.release("scry"));
        c.arg("--data-dir")
            .arg(work.join("data"))
            .args(["zone", "diff", "--origin", "com.", "--json"])
            .args(["--from", "2026-01-01", "--to", "2026-01-02"]);
        let o = ctx.runner.run(step, "diff", &mut c, ctx.scale.timeout)?;
        let changes = o.stdout.lines().filter(|l| l.starts_with('{')).count() as u64;
        Ok::<_, anyhow::Error>((day1, figures::parse_time_v(&o.stderr)?, changes))
    });
    let _ = std::fs::remove_dir_all(&work);
    let mut problems = Vec::new();
    let parse = match parse {
        Ok(v) => {
            problems.extend(take(step, figures::zone_parse(&v)));
            Some(v)
        }
        Err(e) => {
            problems.push(format!("{e:#}"));
            None
        }
    };
    match ingest {
        Ok(t) => problems.extend(take(step, figures::zone_ingest(&t, parse.as_ref()))),
        Err(e) => problems.push(format!("{e:#}")),
    }
    match next_day {
        Some(Ok((day1, diff, changes))) => {
            problems.extend(take(step, figures::zone_next_day(&day1, &diff, changes)));
        }
        Some(Err(e)) => problems.push(format!("{e:#}")),
        None => {}
    }
    if problems.is_empty() {
        Ok(())
    } else {
        bail!("{}", problems.join("\n"))
    }
}

fn step_whois(ctx: &mut Ctx, step: &mut Step) -> Result<()> {
    ctx.peers.pypi(
        &ctx.runner,
        step,
        &[peers::PY_ASYNCWHOIS, peers::PY_PYTHON_WHOIS],
    )?;
    ctx.build(step, "scry-parse", &["whois_bench"])?;
    let mut c = Command::new(ctx.peers.python());
    c.arg(ctx.root().join("bench/whois_peers.py"))
        .args(["--json", "--repeat"])
        .arg(ctx.scale.whois_peer_repeat.to_string())
        .arg("--scry-repeat")
        .arg(ctx.scale.whois_scry_repeat.to_string())
        .arg("--scry")
        .arg(ctx.release("examples/whois_bench"));
    let o = ctx.runner.run(step, "whois", &mut c, ctx.scale.timeout)?;
    absorb(step, figures::whois(&figures::last_json_line(&o.stdout)?))
}

fn step_lookalike(ctx: &mut Ctx, step: &mut Step) -> Result<()> {
    ctx.peers.pypi(&ctx.runner, step, &[peers::PY_DNSTWIST])?;
    ctx.build(step, "scry-lookalike", &["bench"])?;
    // Run at once: scry-risk's example has the same name and output path.
    let mut c = Command::new(ctx.release("examples/bench"));
    c.env("DNSTWIST_PYTHON", ctx.peers.python())
        .args(["--json", "--brands"])
        .arg(ctx.scale.lookalike_brands.to_string())
        .arg("--domains")
        .arg(ctx.scale.lookalike_domains.to_string());
    let o = ctx
        .runner
        .run(step, "lookalike", &mut c, ctx.scale.timeout)?;
    absorb(
        step,
        figures::lookalike(&figures::last_json_line(&o.stdout)?),
    )
}

fn step_generator(ctx: &mut Ctx, step: &mut Step) -> Result<()> {
    ctx.peers.debian(&ctx.runner, step, &[peers::TIME])?;
    ctx.build(step, "scry-gen", &["generate"])?;
    let work = ctx.fresh_work("generator")?;
    // Measured: about 1.7 KB per domain over 7 days.
    ensure_free(
        &work,
        ctx.scale.gen_domains * u64::from(ctx.scale.gen_days) * 300,
    )?;
    let world = work.join("world");
    let s = ctx.scale;
    let mut c = time_v(&ctx.release("examples/generate"));
    c.arg(&world)
        .arg(s.gen_domains.to_string())
        .arg(s.gen_days.to_string())
        .arg("1");
    let o = ctx.runner.run(step, "generate", &mut c, s.timeout)?;
    let t = figures::parse_time_v(&o.stderr)?;
    let mut read = figures::generator(&t, s.gen_domains, s.gen_days);
    read.notes.push(format!(
        "output {:.0} MiB",
        crate::du(&world) as f64 / (1u64 << 20) as f64
    ));
    let _ = std::fs::remove_dir_all(&work);
    absorb(step, read)
}

fn step_pdns(ctx: &mut Ctx, step: &mut Step) -> Result<()> {
    ctx.build(step, "scry-parse", &["pdns_bench"])?;
    let mut c = Command::new(ctx.release("examples/pdns_bench"));
    c.arg(ctx.scale.pdns_lines.to_string())
        .arg("2")
        .arg("--json");
    let o = ctx.runner.run(step, "pdns", &mut c, ctx.scale.timeout)?;
    absorb(step, figures::pdns(&figures::last_json_line(&o.stdout)?))
}

fn step_clickhouse(ctx: &mut Ctx, step: &mut Step) -> Result<()> {
    ctx.build(step, "scry-store", &["engine_bench", "features:clickhouse"])?;
    // The script installs Debian's clickhouse-server if missing, starts one
    // server on 127.0.0.1 in a fresh directory and stops it when this
    // process exits (watchdog), or at `stop`.
    let mut c = Command::new(ctx.root().join("scripts/clickhouse-test-server"));
    c.args(["start", "1", "--owner-pid"])
        .arg(std::process::id().to_string());
    let started = ctx
        .runner
        .run(step, "start", &mut c, Duration::from_secs(20 * 60))?;
    let var = |name: &str| {
        started.stdout.lines().find_map(|l| {
            l.strip_prefix(&format!("{name}="))
                .map(|v| v.trim_matches('\'').to_owned())
        })
    };
    let dir = var("CH_DIR").context("clickhouse-test-server printed no CH_DIR")?;
    let result = (|| -> Result<()> {
        let url = var("CH_URL").context("clickhouse-test-server printed no CH_URL")?;
        // Its own database: engine_bench drops and re-creates it.
        let url = match url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/scry_bench"),
            None => bail!("unexpected CH_URL {url}"),
        };
        let mut c = Command::new(ctx.release("examples/engine_bench"));
        c.args(["--facts", &ctx.scale.engine_facts.to_string()])
            .args(["--clickhouse", &url, "--json"]);
        let o = ctx.runner.run(step, "engine", &mut c, ctx.scale.timeout)?;
        absorb(step, figures::engine(&figures::last_json_line(&o.stdout)?))
    })();
    let mut c = Command::new(ctx.root().join("scripts/clickhouse-test-server"));
    c.arg("stop").arg(&dir);
    let stopped = ctx
        .runner
        .run(step, "stop", &mut c, Duration::from_secs(120));
    result.and(stopped.map(|_| ()))
}

fn step_risk(ctx: &mut Ctx, step: &mut Step) -> Result<()> {
    let source = ctx.root().join("crates/scry-risk/examples/risk_bench.rs");
    let Ok(text) = std::fs::read_to_string(&source) else {
        step.status = Status::Skipped(
            "crates/scry-risk/examples/risk_bench.rs is not in this tree".to_owned(),
        );
        return Ok(());
    };
    ctx.build(step, "scry-risk", &["risk_bench"])?;
    let mut c = Command::new(ctx.release("examples/risk_bench"));
    // Its figures are read from its last JSON line: ask for one when the
    // example knows the flag.
    c.arg(ctx.scale.risk_rounds.to_string());
    if text.contains("\"--json\"") {
        c.arg("--json");
    }
    let o = ctx.runner.run(step, "risk", &mut c, ctx.scale.timeout)?;
    let v = figures::last_json_line(&o.stdout)?;
    if v.get("bench").and_then(serde_json::Value::as_str) == Some("risk_lexical") {
        absorb(step, figures::risk(&v))
    } else {
        absorb(step, figures::generic(&v))
    }
}

fn step_notify(ctx: &mut Ctx, step: &mut Step) -> Result<()> {
    ctx.build(step, "scry-notify", &["deliver_bench"])?;
    let mut c = Command::new(ctx.release("examples/deliver_bench"));
    c.arg(ctx.scale.notify_alerts.to_string()).arg("--json");
    let o = ctx.runner.run(step, "deliver", &mut c, ctx.scale.timeout)?;
    absorb(step, figures::deliver(&figures::last_json_line(&o.stdout)?))
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let o = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_owned())
}

pub(crate) fn run(args: &[&str]) -> Result<()> {
    let root = std::fs::canonicalize(crate::store_bench::workspace_root())?;
    let opts = parse_args(args, &root)?;
    std::fs::create_dir_all(&opts.out)?;
    let mut machine = Machine::probe();
    let date = utc_timestamp(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    );
    let commit = git(&root, &["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    let dirty = git(&root, &["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.is_empty());
    let mut command = String::from("cargo xtask bench all");
    for a in args {
        command.push(' ');
        command.push_str(&crate::run::shell_quote(a));
    }
    let runner = Runner::new(root.clone(), opts.out.join("logs"))?;
    let mut ctx = Ctx {
        peers: Peers::new(root.join("target/bench/venv"), Duration::from_secs(15 * 60)),
        runner,
        scale: opts.scale,
        work: opts.out.join("work"),
        out: opts.out.clone(),
    };
    let mut steps = Vec::new();
    for (name, what) in STEPS {
        if let Some(only) = &opts.only
            && !only.iter().any(|o| o == name)
        {
            continue;
        }
        let mut step = Step::new(name, what);
        eprintln!("== {name}");
        let start = Instant::now();
        let result = match name {
            "store" => step_store(&mut ctx, &mut step),
            "zone" => step_zone(&mut ctx, &mut step),
            "whois" => step_whois(&mut ctx, &mut step),
            "lookalike" => step_lookalike(&mut ctx, &mut step),
            "generator" => step_generator(&mut ctx, &mut step),
            "pdns" => step_pdns(&mut ctx, &mut step),
            "clickhouse" => step_clickhouse(&mut ctx, &mut step),
            "risk" => step_risk(&mut ctx, &mut step),
            "notify" => step_notify(&mut ctx, &mut step),
            other => Err(anyhow::anyhow!("no step named {other}")),
        };
        step.seconds = start.elapsed().as_secs_f64();
        if let Err(e) = result {
            let msg = format!("{e:#}");
            step.status = match step.status {
                Status::Failed(earlier) => Status::Failed(format!("{earlier}\n{msg}")),
                _ => Status::Failed(msg),
            };
        }
        eprintln!(
            "== {name}: {}",
            match &step.status {
                Status::Ok => "ok".to_owned(),
                Status::Failed(e) => format!("FAILED: {}", e.lines().next().unwrap_or_default()),
                Status::Skipped(why) => format!("skipped: {why}"),
            }
        );
        steps.push(step);
    }
    let _ = std::fs::remove_dir_all(&ctx.work);
    machine.load_end = load_average();
    let report = Report {
        scale: opts.scale.name.to_owned(),
        scale_detail: opts.scale.describe(),
        peers: peers::versions(&ctx.peers.python()),
        date,
        commit,
        dirty,
        command,
        machine,
        steps,
    };
    let md_path = opts.out.join(format!("report-{}.md", opts.scale.name));
    let json_path = opts.out.join(format!("report-{}.json", opts.scale.name));
    let md = report.to_markdown();
    std::fs::write(&md_path, &md)?;
    std::fs::write(
        &json_path,
        serde_json::to_string_pretty(&report.to_json())? + "\n",
    )?;
    println!("{md}");
    eprintln!("report: {} and {}", md_path.display(), json_path.display());
    match report.failed() {
        0 => Ok(()),
        n => bail!("{n} benchmark step(s) failed; see {}", md_path.display()),
    }
}
