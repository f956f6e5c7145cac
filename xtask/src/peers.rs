//! The peers the benchmarks run beside: Debian packages (apt-get) and PyPI
//! packages in a venv under `target/bench/venv`. Installing is idempotent
//! (a present tool or a venv with the pinned versions is left alone) and
//! bounded in time (`timeout` around apt-get and pip).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Result, bail};

use crate::report::Step;
use crate::run::Runner;

/// A Debian package and how to tell it is installed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DebPkg {
    pub(crate) name: &'static str,
    /// Files any of which shows the package is there.
    pub(crate) probes: &'static [&'static str],
}

pub(crate) const BIND9_UTILS: DebPkg = DebPkg {
    name: "bind9-utils",
    probes: &["/usr/bin/named-compilezone", "/usr/sbin/named-compilezone"],
};
pub(crate) const LDNSUTILS: DebPkg = DebPkg {
    name: "ldnsutils",
    probes: &["/usr/bin/ldns-read-zone"],
};
pub(crate) const POSTGRESQL: DebPkg = DebPkg {
    name: "postgresql",
    probes: &[
        "/usr/lib/postgresql/17/bin/postgres",
        "/usr/lib/postgresql/16/bin/postgres",
        "/usr/lib/postgresql/15/bin/postgres",
    ],
};
pub(crate) const PYTHON3_VENV: DebPkg = DebPkg {
    name: "python3-venv",
    // Probed by importing `ensurepip` and `venv` (see `deb_present`).
    probes: &[],
};
pub(crate) const TIME: DebPkg = DebPkg {
    name: "time",
    probes: &["/usr/bin/time"],
};

/// The PyPI packages, pinned: the versions the issues name.
pub(crate) const PY_ASYNCWHOIS: (&str, &str) = ("asyncwhois", "1.1.15");
pub(crate) const PY_PYTHON_WHOIS: (&str, &str) = ("python-whois", "0.9.6");
pub(crate) const PY_DNSTWIST: (&str, &str) = ("dnstwist", "20250130");

/// Installs peers on demand, once per run.
pub(crate) struct Peers {
    apt_updated: bool,
    venv: PathBuf,
    timeout: Duration,
}

impl Peers {
    pub(crate) fn new(venv: PathBuf, timeout: Duration) -> Self {
        Peers {
            apt_updated: false,
            venv,
            timeout,
        }
    }

    /// The venv's Python.
    pub(crate) fn python(&self) -> PathBuf {
        self.venv.join("bin/python")
    }

    /// Installs the Debian packages that are missing (apt-get update first,
    /// once per run).
    pub(crate) fn debian(
        &mut self,
        runner: &Runner,
        step: &mut Step,
        pkgs: &[DebPkg],
    ) -> Result<()> {
        let missing: Vec<&str> = pkgs
            .iter()
            .filter(|p| !deb_present(p))
            .map(|p| p.name)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        if !self.apt_updated {
            let mut c = Command::new("apt-get");
            c.args(["update", "-q"]);
            runner.run(step, "apt-update", &mut c, self.timeout)?;
            self.apt_updated = true;
        }
        let mut c = Command::new("apt-get");
        c.args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive");
        runner.run(step, "apt-install", &mut c, self.timeout)?;
        for p in pkgs {
            if !deb_present(p) {
                bail!("{} is still missing after apt-get install", p.name);
            }
        }
        Ok(())
    }

    /// Makes the venv (Debian's python3 -m venv) and installs the pinned
    /// PyPI packages it lacks.
    pub(crate) fn pypi(
        &mut self,
        runner: &Runner,
        step: &mut Step,
        pkgs: &[(&str, &str)],
    ) -> Result<()> {
        if !self.python().is_file() {
            self.debian(runner, step, &[PYTHON3_VENV])?;
            let mut c = Command::new(system_python());
            c.args(["-m", "venv"]).arg(&self.venv);
            runner.run(step, "venv", &mut c, self.timeout)?;
        }
        let missing: Vec<String> = pkgs
            .iter()
            .filter(|(name, version)| {
                installed_version(&self.python(), name).as_deref() != Some(*version)
            })
            .map(|(name, version)| format!("{name}=={version}"))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut c = Command::new(self.python());
        c.args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .args(&missing);
        runner.run(step, "pip-install", &mut c, self.timeout)?;
        for (name, version) in pkgs {
            let got = installed_version(&self.python(), name);
            if got.as_deref() != Some(*version) {
                bail!("{name} {version} not installed in the venv (found {got:?})");
            }
        }
        Ok(())
    }
}

fn deb_present(p: &DebPkg) -> bool {
    if p.name == PYTHON3_VENV.name {
        // The probe is the venv module itself.
        return Command::new(system_python())
            .args(["-c", "import ensurepip, venv"])
            .output()
            .is_ok_and(|o| o.status.success());
    }
    p.probes.iter().any(|f| Path::new(f).is_file())
}

/// Debian's python3 when present, else the one on PATH.
fn system_python() -> &'static str {
    if Path::new("/usr/bin/python3").is_file() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// The version of a distribution installed for `python`, if any.
fn installed_version(python: &Path, dist: &str) -> Option<String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import sys, importlib.metadata as m; print(m.version(sys.argv[1]))",
            dist,
        ])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// One line naming each peer's version, for the report (best effort).
pub(crate) fn versions(python: &Path) -> Vec<String> {
    let first_line = |prog: &str, args: &[&str]| -> Option<String> {
        let o = Command::new(prog).args(args).output().ok()?;
        let text = if o.stdout.is_empty() {
            o.stderr
        } else {
            o.stdout
        };
        String::from_utf8_lossy(&text)
            .lines()
            .next()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
    };
    let mut out = Vec::new();
    if let Some(v) = first_line("named-compilezone", &["-v"]) {
        out.push(format!("named-compilezone {v}"));
    }
    if let Some(v) = first_line("ldns-read-zone", &["-v"]) {
        out.push(format!("ldns-read-zone {v}"));
    }
    // ClickHouse 18 has no --version: ask dpkg.
    if let Some(v) = first_line(
        "dpkg-query",
        &["-W", "-f", "${Version}", "clickhouse-server"],
    ) && !v.contains("no packages found")
    {
        out.push(format!("clickhouse-server {v}"));
    }
    for probe in POSTGRESQL.probes {
        if Path::new(probe).is_file()
            && let Some(v) = first_line(probe, &["--version"])
        {
            out.push(v);
            break;
        }
    }
    if python.is_file() {
        if let Some(v) = first_line(&python.display().to_string(), &["--version"]) {
            out.push(format!("{v} (venv {})", python.display()));
        }
        for (name, _) in [PY_ASYNCWHOIS, PY_PYTHON_WHOIS, PY_DNSTWIST] {
            if let Some(v) = installed_version(python, name) {
                out.push(format!("{name} {v}"));
            }
        }
    }
    out
}
