//! PostgreSQL as the bench peer: Debian's server on 127.0.0.1 in a
//! temporary directory, run as the `postgres` user, stopped by PID.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::pct;
use crate::store_bench::{Latency, PIVOT_NS, PROFILE_DOMAIN};

pub(crate) struct PgFigures {
    pub(crate) load_s: f64,
    pub(crate) disk: u64,
    pub(crate) pivot: Latency,
    pub(crate) profile_small: Latency,
    pub(crate) profile_big: Latency,
}

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

fn pgbench_on(
    bin: &Path,
    sock: &Path,
    port: &str,
    dir: &Path,
    name: &str,
    script: &str,
) -> Result<Latency> {
    let f = dir.join(format!("{name}.sql"));
    std::fs::write(&f, script)?;
    let prefix = dir.join(format!("log-{name}"));
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
            "2050",
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
    let mut lat = Vec::new();
    for e in std::fs::read_dir(dir)?.flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        if n.starts_with(&format!("log-{name}")) {
            for line in std::fs::read_to_string(e.path())?.lines() {
                if let Some(us) = line
                    .split_whitespace()
                    .nth(2)
                    .and_then(|x| x.parse::<f64>().ok())
                {
                    lat.push(us);
                }
            }
        }
    }
    // Drop the first 50 as warm-up, like the Scry side.
    let mut lat: Vec<f64> = lat.into_iter().skip(50).collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    Ok(Latency {
        p50: pct(&lat, 0.5),
        p99: pct(&lat, 0.99),
    })
}

pub(crate) fn bench(work: &Path, tsv: &Path, domains: u64) -> Result<PgFigures> {
    let pg = Server::start(&work.join("pg"), PORT)?;
    let result = (|| -> Result<PgFigures> {
        let t = Instant::now();
        pg.psql(
            "CREATE TABLE facts(subject text, holder text, pred smallint, obj text, first_seen bigint, last_seen bigint, cnt bigint, source text)",
        )?;
        pg.psql(&format!("\\copy facts FROM '{}'", tsv.display()))?;
        pg.psql("CREATE INDEX facts_fwd ON facts(holder, pred, obj)")?;
        pg.psql("CREATE INDEX facts_rev ON facts(pred, obj, holder)")?;
        pg.psql(
            "CREATE TABLE counts AS SELECT pred, obj, count(DISTINCT holder) AS n FROM facts GROUP BY pred, obj",
        )?;
        pg.psql("CREATE UNIQUE INDEX counts_pk ON counts(pred, obj)")?;
        pg.psql("VACUUM ANALYZE")?;
        let load_s = t.elapsed().as_secs_f64();
        let disk: u64 = pg
            .psql("SELECT pg_total_relation_size('facts') + pg_total_relation_size('counts')")?
            .parse()
            .unwrap_or(0);
        let pivot = pg.pgbench(
            "pivot",
            &format!(
                "SELECT DISTINCT holder FROM facts WHERE pred = 2 AND obj = '{PIVOT_NS}' ORDER BY holder LIMIT 1000;\n"
            ),
        )?;
        let profile_q = "SELECT f.pred, f.obj, f.first_seen, f.last_seen, f.cnt, c.n FROM facts f JOIN counts c ON c.pred = f.pred AND c.obj = f.obj WHERE f.holder = ";
        let profile_small = pg.pgbench(
            "profile_small",
            &format!(
                "\\set i random(0, 1999)\n{profile_q}'d' || ((:i * 7919) % {domains}) || '-bench.' || (ARRAY['com','net','org','info','xyz'])[((:i * 7919) % {domains}) % 5 + 1];\n"
            ),
        )?;
        let profile_big =
            pg.pgbench("profile_big", &format!("{profile_q}'{PROFILE_DOMAIN}';\n"))?;
        Ok(PgFigures {
            load_s,
            disk,
            pivot,
            profile_small,
            profile_big,
        })
    })();
    pg.stop();
    result
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
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_wal_size=4GB",
            sock.display()
        );
        as_pg(
            &bin,
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
        )?;
        Ok(Server {
            bin,
            dir: dir.to_path_buf(),
            data,
            sock,
            port: port.to_string(),
        })
    }

    pub(crate) fn psql(&self, sql: &str) -> Result<String> {
        psql_on(&self.bin, &self.sock, &self.port, sql)
    }

    pub(crate) fn pgbench(&self, name: &str, script: &str) -> Result<Latency> {
        pgbench_on(&self.bin, &self.sock, &self.port, &self.dir, name, script)
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
