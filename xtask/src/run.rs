//! Running one benchmark command: bounded in time, output kept in a log
//! file, the exact command line recorded in its step.

use std::cell::Cell;
use std::fs::File;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::report::Step;

/// What a finished command printed.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs commands from the workspace root, logging each one's output under
/// `logs`.
pub(crate) struct Runner {
    pub(crate) root: PathBuf,
    logs: PathBuf,
    seq: Cell<usize>,
}

impl Runner {
    pub(crate) fn new(root: PathBuf, logs: PathBuf) -> Result<Self> {
        std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
        Ok(Runner {
            root,
            logs,
            seq: Cell::new(0),
        })
    }

    /// Runs `cmd` from the workspace root and records its command line in
    /// `step`. Fails, with the tail of its output, when it exits non-zero
    /// or runs longer than `timeout` (then its whole process group is
    /// killed).
    pub(crate) fn run(
        &self,
        step: &mut Step,
        label: &str,
        cmd: &mut Command,
        timeout: Duration,
    ) -> Result<Output> {
        cmd.current_dir(&self.root);
        let shown = self.shown(cmd);
        step.commands.push(shown.clone());
        let n = self.seq.get() + 1;
        self.seq.set(n);
        let base = self.logs.join(format!("{n:02}-{}-{label}", step.name));
        let out_path = base.with_extension("stdout");
        let err_path = base.with_extension("stderr");
        cmd.stdin(Stdio::null())
            .stdout(File::create(&out_path)?)
            .stderr(File::create(&err_path)?)
            // Its own process group, so that a timeout ends its children too.
            .process_group(0);
        eprintln!("[{}] {shown}", step.name);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {shown}"))?;
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break Some(status);
            }
            if start.elapsed() > timeout {
                // Only the group this harness started, by its id.
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .status();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let read = |p: &Path| {
            std::fs::read(p)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        };
        let out = Output {
            stdout: read(&out_path),
            stderr: read(&err_path),
        };
        match status {
            Some(s) if s.success() => Ok(out),
            Some(s) => bail!(
                "`{shown}` failed ({s}); log {}\n{}",
                base.display(),
                tail(&out, 20)
            ),
            None => bail!(
                "`{shown}` timed out after {} s and was killed; log {}\n{}",
                timeout.as_secs(),
                base.display(),
                tail(&out, 20)
            ),
        }
    }
}

impl Runner {
    /// The command line as run from the workspace root (the root's own
    /// prefix left out of paths).
    fn shown(&self, cmd: &Command) -> String {
        let prefix = format!("{}/", self.root.display());
        display_cmd(cmd).replace(&prefix, "")
    }
}

/// The last `n` lines of stderr (and of stdout when stderr is short).
pub(crate) fn tail(out: &Output, n: usize) -> String {
    let last = |s: &str, n: usize| {
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    };
    let err = last(&out.stderr, n);
    if out.stderr.lines().count() >= n / 2 {
        err
    } else {
        let o = last(&out.stdout, n / 2);
        [o, err]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A command as a shell line: environment set on it, program, arguments,
/// quoted where needed.
pub(crate) fn display_cmd(cmd: &Command) -> String {
    let mut parts = Vec::new();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            parts.push(format!(
                "{}={}",
                k.to_string_lossy(),
                shell_quote(&v.to_string_lossy())
            ));
        }
    }
    parts.push(shell_quote(&cmd.get_program().to_string_lossy()));
    parts.extend(cmd.get_args().map(|a| shell_quote(&a.to_string_lossy())));
    parts.join(" ")
}

/// `s` quoted for a POSIX shell when it has anything but safe characters.
pub(crate) fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests;
