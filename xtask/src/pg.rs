//! PostgreSQL as the bench peer: Debian's server on 127.0.0.1 in a
//! temporary directory, run as the `postgres` user, stopped by PID.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::store_bench::{Latency, PIVOT_NS, PROFILE_DOMAIN};

const PORT: &str = "55432";

fn bin_dir() -> Result<PathBuf> {
    for v in ["17", "16", "15"] {
        let p = PathBuf::from(format!("/usr/lib/postgresql/{v}/bin"));
        if p.join("postgres").is_file() {
            return Ok(p);
        }
    }
    eprintln!("installing postgresql from Debian ...");
    let ok = Command::new("sh")
        .args(["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null"])
        .status()?
        .success();
    if !ok {
        bail!("could not install postgresql");
    }
    bin_dir_installed()
}

fn bin_dir_installed() -> Result<PathBuf> {
    for v in ["17", "16", "15"] {
        let p = PathBuf::from(format!("/usr/lib/postgresql/{v}/bin"));
        if p.join("postgres").is_file() {
            return Ok(p);
        }
    }
    bail!("postgresql binaries not found after install")
}

fn as_pg(bin: &Path, tool: &str, args: &[&str]) -> Result<()> {
    let status = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(bin.join(tool))
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .with_context(|| format!("running {tool}"))?;
    if !status.success() {
        bail!("{tool} {args:?} failed: {status}");
    }
    Ok(())
}

fn psql_on(bin: &Path, sock: &Path, port: &str, sql: &str) -> Result<String> {
    let out = Command::new(bin.join("psql"))
        .args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h"])
        .arg(sock)
        .args(["-p", port, "-U", "postgres", "-d", "postgres", "-c", sql])
        .output()?;
    if !out.status.success() {
        bail!("psql failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs `script` `tx` times over one connection (prepared statements, unix
/// socket) and returns the per-transaction latencies (µs) from pgbench's
/// log, the first `warm` dropped, with the server-side CPU the run cost.
///
/// CPU: the growth of the postmaster's `cutime + cstime` (children reaped),
/// which is the CPU of the pgbench connection's backend once it exits
/// (clock ticks, 10 ms; an autovacuum worker exiting meanwhile would add
/// its own). pgbench's client CPU is not counted, as Scry's side has no
/// client.
#[allow(clippy::too_many_arguments)]
fn pgbench_on(
    bin: &Path,
    sock: &Path,
    port: &str,
    dir: &Path,
    postmaster: Option<u32>,
    name: &str,
    script: &str,
    tx: usize,
    warm: usize,
) -> Result<PgRun> {
    let f = dir.join(format!("{name}.sql"));
    std::fs::write(&f, script)?;
    let prefix = dir.join(format!("log-{name}"));
    // Old logs of the same name would be read as this run's.
    for e in std::fs::read_dir(dir)?.flatten() {
        if e.file_name()
            .to_string_lossy()
            .starts_with(&format!("log-{name}."))
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let cpu0 = postmaster.and_then(children_cpu_ticks);
    let status = Command::new(bin.join("pgbench"))
        .args(["-n", "-h"])
        .arg(sock)
        .args([
            "-p",
            port,
            "-U",
            "postgres",
            "-M",
            "prepared",
            "-t",
            &tx.to_string(),
            "-l",
            "--log-prefix",
        ])
        .arg(&prefix)
        .arg("-f")
        .arg(&f)
        .arg("postgres")
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        bail!("pgbench {name} failed");
    }
    // The backend has exited when pgbench returns, but the postmaster may
    // not have reaped it yet.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let cpu1 = postmaster.and_then(children_cpu_ticks);
    let mut lat = Vec::new();
    for e in std::fs::read_dir(dir)?.flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        if n.starts_with(&format!("log-{name}.")) {
            lat.extend(log_latencies(&std::fs::read_to_string(e.path())?));
        }
    }
    let samples: Vec<f64> = lat.into_iter().skip(warm).collect();
    let cpu_s = match (cpu0, cpu1) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a) as f64 / 100.0),
        _ => None,
    };
    Ok(PgRun { samples, cpu_s })
}

/// The per-transaction latencies (µs) of a pgbench log (one client:
/// `client tx latency script epoch_s epoch_us`). pgbench 15 logged a
/// latency of 0 for over half of one run's sub-100 µs transactions; such a
/// line's latency is taken as the interval since the previous
/// transaction's logged completion (the transactions run back to back).
fn log_latencies(log: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut prev_done: Option<f64> = None;
    for line in log.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let Some(us) = f.get(2).and_then(|x| x.parse::<f64>().ok()) else {
            continue;
        };
        let done = match (
            f.get(4).and_then(|x| x.parse::<f64>().ok()),
            f.get(5).and_then(|x| x.parse::<f64>().ok()),
        ) {
            (Some(s), Some(u)) => Some(s * 1e6 + u),
            _ => None,
        };
        let us = match (us, done, prev_done) {
            (0.0, Some(d), Some(p)) if d > p => d - p,
            _ => us,
        };
        out.push(us);
        prev_done = done;
    }
    out
}

/// One pgbench run: latencies (µs) and the server CPU it cost (seconds).
pub(crate) struct PgRun {
    pub(crate) samples: Vec<f64>,
    pub(crate) cpu_s: Option<f64>,
}

/// `cutime + cstime` of a process, in clock ticks (USER_HZ, 100 on Linux).
fn children_cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name: state is field 3;
    // cutime and cstime are fields 16 and 17.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let cutime: u64 = f.get(13)?.parse().ok()?;
    let cstime: u64 = f.get(14)?.parse().ok()?;
    Some(cutime + cstime)
}

/// The store bench's PostgreSQL side, loaded and ready for queries.
pub(crate) struct PgStore {
    pub(crate) server: Server,
    /// Wall time of COPY, both indexes, the counts table and VACUUM
    /// ANALYZE; `None` when an existing cluster was reopened.
    pub(crate) load_s: Option<f64>,
    pub(crate) disk: u64,
}

/// A fresh cluster in `work/pg` loaded with the COPY input `write_tsv`
/// writes to the path it is given, or, with `reuse`, the cluster a
/// previous run left there (started again, not reloaded). The input is
/// written and synced before the load is timed, and deleted after COPY
/// (before the index builds, PostgreSQL's peak of disk; the deletion is
/// not timed).
pub(crate) fn load(
    work: &Path,
    reuse: bool,
    write_tsv: impl FnOnce(&Path) -> Result<u64>,
) -> Result<PgStore> {
    let dir = work.join("pg");
    if reuse && dir.join("data/PG_VERSION").is_file() {
        let server = Server::start_existing(&dir, PORT)?;
        let disk = table_size(&server)?;
        return Ok(PgStore {
            server,
            load_s: None,
            disk,
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
    let server = Server::start(&dir, PORT)?;
    let tsv = work.join("facts.tsv");
    let loaded = (|| -> Result<(f64, u64)> {
        write_tsv(&tsv)?;
        // Written back before the load starts, as the input of earlier
        // runs was (it was written before Scry's ingest).
        let synced = Command::new("sync").status().context("sync")?;
        if !synced.success() {
            bail!("sync failed: {synced}");
        }
        let t = Instant::now();
        server.psql(
            "CREATE TABLE facts(subject text, holder text, pred smallint, obj text, first_seen bigint, last_seen bigint, cnt bigint, source text)",
        )?;
        server.psql(&format!("\\copy facts FROM '{}'", tsv.display()))?;
        let copied = t.elapsed();
        std::fs::remove_file(&tsv)?;
        let t = Instant::now();
        server.psql("CREATE INDEX facts_fwd ON facts(holder, pred, obj)")?;
        server.psql("CREATE INDEX facts_rev ON facts(pred, obj, holder)")?;
        server.psql(
            "CREATE TABLE counts AS SELECT pred, obj, count(DISTINCT holder) AS n FROM facts GROUP BY pred, obj",
        )?;
        server.psql("CREATE UNIQUE INDEX counts_pk ON counts(pred, obj)")?;
        server.psql("VACUUM ANALYZE")?;
        Ok(((copied + t.elapsed()).as_secs_f64(), table_size(&server)?))
    })();
    match loaded {
        Ok((load_s, disk)) => Ok(PgStore {
            server,
            load_s: Some(load_s),
            disk,
        }),
        Err(e) => {
            server.stop();
            Err(e)
        }
    }
}

fn table_size(server: &Server) -> Result<u64> {
    Ok(server
        .psql("SELECT pg_total_relation_size('facts') + pg_total_relation_size('counts')")?
        .parse()
        .unwrap_or(0))
}

/// The store bench's queries, as pgbench scripts (the same values as the
/// Scry side).
pub(crate) fn pivot_script() -> String {
    format!(
        "SELECT DISTINCT holder FROM facts WHERE pred = 2 AND obj = '{PIVOT_NS}' ORDER BY holder LIMIT 1000;\n"
    )
}

const PROFILE_Q: &str = "SELECT f.pred, f.obj, f.first_seen, f.last_seen, f.cnt, c.n FROM facts f JOIN counts c ON c.pred = f.pred AND c.obj = f.obj WHERE f.holder = ";

pub(crate) fn profile_small_script(domains: u64) -> String {
    format!(
        "\\set i random(0, 1999)\n{PROFILE_Q}'d' || ((:i * 7919) % {domains}) || '-bench.' || (ARRAY['com','net','org','info','xyz'])[((:i * 7919) % {domains}) % 5 + 1];\n"
    )
}

pub(crate) fn profile_big_script() -> String {
    format!("{PROFILE_Q}'{PROFILE_DOMAIN}';\n")
}

fn pg_ctl_start(bin: &Path, dir: &Path, data: &Path, sock: &Path, port: &str) -> Result<()> {
    let opts = format!(
        "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_wal_size=4GB",
        sock.display()
    );
    as_pg(
        bin,
        "pg_ctl",
        &[
            "-D",
            data.to_str().context("path")?,
            "-o",
            &opts,
            "-w",
            "-l",
            dir.join("log").to_str().context("path")?,
            "start",
        ],
    )
}

/// A PostgreSQL server on 127.0.0.1 in `dir` (a fresh cluster), for other
/// benchmarks: `psql`, `pgbench`, `stop` (by PID).
pub(crate) struct Server {
    bin: PathBuf,
    dir: PathBuf,
    data: PathBuf,
    sock: PathBuf,
    port: String,
}

impl Server {
    pub(crate) fn start(dir: &Path, port: &str) -> Result<Server> {
        let bin = bin_dir()?;
        let data = dir.join("data");
        let sock = dir.join("sock");
        std::fs::create_dir_all(&sock)?;
        Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir)
            .status()?;
        if let Some(parent) = dir.parent() {
            Command::new("chmod").args(["a+rx"]).arg(parent).status()?;
        }
        as_pg(
            &bin,
            "initdb",
            &[
                "-D",
                data.to_str().context("path")?,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ],
        )?;
        pg_ctl_start(&bin, dir, &data, &sock, port)?;
        Ok(Server {
            bin,
            dir: dir.to_path_buf(),
            data,
            sock,
            port: port.to_string(),
        })
    }

    /// Starts the cluster a previous [`Server::start`] left in `dir`.
    pub(crate) fn start_existing(dir: &Path, port: &str) -> Result<Server> {
        let bin = bin_dir()?;
        let data = dir.join("data");
        let sock = dir.join("sock");
        pg_ctl_start(&bin, dir, &data, &sock, port)?;
        Ok(Server {
            bin,
            dir: dir.to_path_buf(),
            data,
            sock,
            port: port.to_string(),
        })
    }

    /// The postmaster's PID, from its pid file.
    fn postmaster(&self) -> Option<u32> {
        std::fs::read_to_string(self.data.join("postmaster.pid"))
            .ok()?
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }

    pub(crate) fn psql(&self, sql: &str) -> Result<String> {
        psql_on(&self.bin, &self.sock, &self.port, sql)
    }

    /// 2,050 transactions, the first 50 dropped as warm-up.
    pub(crate) fn pgbench(&self, name: &str, script: &str) -> Result<Latency> {
        let run = self.pgbench_run(name, script, 2050, 50)?;
        Ok(Latency::of(run.samples, run.cpu_s))
    }

    /// `tx` transactions over one connection, the first `warm` dropped.
    pub(crate) fn pgbench_run(
        &self,
        name: &str,
        script: &str,
        tx: usize,
        warm: usize,
    ) -> Result<PgRun> {
        pgbench_on(
            &self.bin,
            &self.sock,
            &self.port,
            &self.dir,
            self.postmaster(),
            name,
            script,
            tx,
            warm,
        )
    }

    /// Stops the server by its PID (fast shutdown) and waits up to 10 s.
    pub(crate) fn stop(self) {
        if let Ok(pidfile) = std::fs::read_to_string(self.data.join("postmaster.pid"))
            && let Some(pid) = pidfile.lines().next()
        {
            let _ = Command::new("kill").args(["-INT", pid.trim()]).status();
            for _ in 0..100 {
                if std::fs::metadata(self.data.join("postmaster.pid")).is_err() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn zero_latencies_are_taken_from_completion_times() {
        let log =
            "0 1 150 0 1796572979 862000\n0 2 0 0 1796572979 862119\n0 3 95 0 1796572979 862300\n";
        assert_eq!(super::log_latencies(log), vec![150.0, 119.0, 95.0]);
    }
}
