//! The benchmark report of `cargo xtask bench all`: every figure beside its
//! peer's figure from the same run and the ratio, the machine, the commit,
//! the scale, the date and the exact commands, as Markdown and as JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

/// Which direction is better for a figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Better {
    /// Times, sizes, memory, error rates.
    Lower,
    /// Rates, throughputs, recall.
    Higher,
}

/// One measured figure, with the peer's figure for the same measure when a
/// peer ran in the same run.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Figure {
    pub(crate) measure: String,
    pub(crate) unit: String,
    pub(crate) scry: f64,
    pub(crate) better: Better,
    /// (peer name with version, peer's figure in the same unit).
    pub(crate) peer: Option<(String, f64)>,
    /// What the issue asks for, in words.
    pub(crate) target: Option<String>,
}

impl Figure {
    pub(crate) fn new(measure: impl Into<String>, unit: &str, scry: f64, better: Better) -> Self {
        Figure {
            measure: measure.into(),
            unit: unit.to_owned(),
            scry,
            better,
            peer: None,
            target: None,
        }
    }

    pub(crate) fn peer(mut self, name: impl Into<String>, value: f64) -> Self {
        self.peer = Some((name.into(), value));
        self
    }

    pub(crate) fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// How many times better Scry does than the peer (above 1: Scry is
    /// faster, smaller or more accurate): peer / scry for lower-is-better
    /// figures, scry / peer for higher-is-better ones.
    pub(crate) fn ratio(&self) -> Option<f64> {
        let (_, peer) = self.peer.as_ref()?;
        let (num, den) = match self.better {
            Better::Lower => (*peer, self.scry),
            Better::Higher => (self.scry, *peer),
        };
        let r = num / den;
        (r.is_finite() && den != 0.0).then_some(r)
    }
}

/// How a step ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Status {
    Ok,
    /// The error and the tail of the failing command's output.
    Failed(String),
    /// Why it did not run (e.g. the benchmark does not exist in this tree).
    Skipped(String),
}

/// One benchmark step: what it runs and what it measured.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Step {
    pub(crate) name: String,
    pub(crate) what: String,
    pub(crate) commands: Vec<String>,
    pub(crate) seconds: f64,
    pub(crate) status: Status,
    pub(crate) figures: Vec<Figure>,
    pub(crate) notes: Vec<String>,
}

impl Step {
    pub(crate) fn new(name: &str, what: &str) -> Self {
        Step {
            name: name.to_owned(),
            what: what.to_owned(),
            commands: Vec::new(),
            seconds: 0.0,
            status: Status::Ok,
            figures: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// The machine the run measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Machine {
    pub(crate) cpu: String,
    pub(crate) cores: usize,
    pub(crate) ram_kib: u64,
    pub(crate) kernel: String,
    pub(crate) load_start: String,
    pub(crate) load_end: String,
}

impl Machine {
    /// Reads the CPU model, core count, RAM, kernel and load from /proc.
    pub(crate) fn probe() -> Self {
        let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
        let (cpu, cores) = parse_cpuinfo(&read("/proc/cpuinfo"));
        Machine {
            cpu,
            cores: if cores > 0 {
                cores
            } else {
                std::thread::available_parallelism().map_or(0, |n| n.get())
            },
            ram_kib: parse_meminfo_total(&read("/proc/meminfo")),
            kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
            load_start: load_average(),
            load_end: String::new(),
        }
    }
}

/// The 1, 5 and 15 minute load averages, from /proc/loadavg.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// (model name, number of logical processors) from /proc/cpuinfo text.
pub(crate) fn parse_cpuinfo(text: &str) -> (String, usize) {
    let mut model = String::new();
    let mut cores = 0;
    for line in text.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        match k.trim() {
            "processor" => cores += 1,
            "model name" if model.is_empty() => model = v.trim().to_owned(),
            _ => {}
        }
    }
    if model.is_empty() {
        model = "unknown CPU".to_owned();
    }
    (model, cores)
}

/// MemTotal in KiB from /proc/meminfo text (0 when absent).
pub(crate) fn parse_meminfo_total(text: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The whole run.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Report {
    pub(crate) scale: String,
    /// What the scale means, e.g. `store 100,000 domains`.
    pub(crate) scale_detail: Vec<String>,
    /// Each peer with its version, as installed for the run.
    pub(crate) peers: Vec<String>,
    pub(crate) date: String,
    pub(crate) commit: String,
    pub(crate) dirty: bool,
    pub(crate) command: String,
    pub(crate) machine: Machine,
    pub(crate) steps: Vec<Step>,
}

impl Report {
    /// How many steps failed.
    pub(crate) fn failed(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s.status, Status::Failed(_)))
            .count()
    }

    pub(crate) fn to_json(&self) -> Value {
        let m = &self.machine;
        json!({
            "scale": self.scale,
            "scale_detail": self.scale_detail,
            "peers": self.peers,
            "date": self.date,
            "commit": self.commit,
            "dirty": self.dirty,
            "command": self.command,
            "machine": {
                "cpu": m.cpu, "cores": m.cores, "ram_kib": m.ram_kib, "kernel": m.kernel,
                "load_average_start": m.load_start, "load_average_end": m.load_end,
            },
            "failed_steps": self.failed(),
            "steps": self.steps.iter().map(step_json).collect::<Vec<_>>(),
        })
    }

    pub(crate) fn to_markdown(&self) -> String {
        let m = &self.machine;
        let mut md = String::new();
        let _ = writeln!(md, "# Scry benchmarks, scale `{}`\n", self.scale);
        let _ = writeln!(md, "- command: `{}`", self.command);
        let _ = writeln!(md, "- date: {}", self.date);
        let _ = writeln!(
            md,
            "- commit: `{}`{}",
            self.commit,
            if self.dirty {
                " (dirty: uncommitted changes)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            md,
            "- machine: {}, {} cores, {:.1} GiB RAM, Linux {}; load average {} at the start, {} at the end",
            m.cpu,
            m.cores,
            m.ram_kib as f64 / (1u64 << 20) as f64,
            m.kernel,
            m.load_start,
            m.load_end
        );
        let _ = writeln!(md, "- scale: {}", self.scale_detail.join("; "));
        if !self.peers.is_empty() {
            let _ = writeln!(md, "- peers: {}", self.peers.join(", "));
        }
        let failed = self.failed();
        let _ = writeln!(
            md,
            "- steps: {} run, {} failed, {} skipped\n",
            self.steps
                .iter()
                .filter(|s| !matches!(s.status, Status::Skipped(_)))
                .count(),
            failed,
            self.steps
                .iter()
                .filter(|s| matches!(s.status, Status::Skipped(_)))
                .count()
        );
        let _ = writeln!(
            md,
            "Ratio: how many times better Scry does than the peer measured in the same run \
             (the peer's figure over Scry's for times and sizes, Scry's over the peer's for \
             rates); above 1 means Scry is ahead.\n"
        );
        md.push_str(&figures_table(&self.steps));
        let _ = writeln!(md, "\n## Steps\n");
        for s in &self.steps {
            let status = match &s.status {
                Status::Ok => "ok".to_owned(),
                Status::Failed(_) => "**FAILED**".to_owned(),
                Status::Skipped(why) => format!("skipped: {why}"),
            };
            let _ = writeln!(
                md,
                "### {} ({status}, {:.0} s)\n\n{}\n",
                s.name, s.seconds, s.what
            );
            if !s.commands.is_empty() {
                let _ = writeln!(md, "```sh\n{}\n```\n", s.commands.join("\n"));
            }
            for n in &s.notes {
                let _ = writeln!(md, "- {n}");
            }
            if !s.notes.is_empty() {
                md.push('\n');
            }
            if let Status::Failed(err) = &s.status {
                let _ = writeln!(md, "Error:\n\n```text\n{}\n```\n", err.trim_end());
            }
        }
        md
    }
}

/// The Markdown table of every figure of every step.
pub(crate) fn figures_table(steps: &[Step]) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "| step | measure | scry | peer | peer's figure | ratio | target |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for s in steps {
        if s.figures.is_empty() {
            let what = match &s.status {
                Status::Ok => "no figures".to_owned(),
                Status::Failed(e) => {
                    format!("**failed**: {}", cell(e.lines().next().unwrap_or_default()))
                }
                Status::Skipped(why) => format!("skipped: {}", cell(why)),
            };
            let _ = writeln!(md, "| {} | {what} | | | | | |", s.name);
            continue;
        }
        let name = match s.status {
            Status::Failed(_) => format!("{} (**failed**)", s.name),
            _ => s.name.clone(),
        };
        for f in &s.figures {
            let (peer, peer_v) = match &f.peer {
                Some((p, v)) => (cell(p), fmt_value(*v, &f.unit)),
                None => ("–".to_owned(), "–".to_owned()),
            };
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {peer} | {peer_v} | {} | {} |",
                cell(&f.measure),
                fmt_value(f.scry, &f.unit),
                f.ratio().map_or_else(|| "–".to_owned(), fmt_ratio),
                f.target.as_deref().map_or_else(String::new, cell)
            );
        }
    }
    md
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn step_json(s: &Step) -> Value {
    let (status, error, reason) = match &s.status {
        Status::Ok => ("ok", None, None),
        Status::Failed(e) => ("failed", Some(e.as_str()), None),
        Status::Skipped(r) => ("skipped", None, Some(r.as_str())),
    };
    json!({
        "name": s.name,
        "what": s.what,
        "status": status,
        "error": error,
        "skipped_because": reason,
        "seconds": finite(s.seconds),
        "commands": s.commands,
        "notes": s.notes,
        "figures": s.figures.iter().map(|f| json!({
            "measure": f.measure,
            "unit": f.unit,
            "scry": finite(f.scry),
            "better": match f.better { Better::Lower => "lower", Better::Higher => "higher" },
            "peer": f.peer.as_ref().map(|(p, _)| p.as_str()),
            "peer_value": f.peer.as_ref().and_then(|(_, v)| finite(*v)),
            "ratio": f.ratio(),
            "target": f.target,
        })).collect::<Vec<_>>(),
    })
}

/// JSON has no NaN or infinity: those become null.
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// A figure with its unit, rounded for people: thousands grouped, about
/// three significant digits.
pub(crate) fn fmt_value(v: f64, unit: &str) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
    let a = v.abs();
    let num = if a >= 100.0 {
        group_thousands(v.round() as i64)
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 || a == 0.0 {
        format!("{v:.2}")
    } else {
        // 0.0123 -> 3 significant digits, at most 6 decimals.
        let dp = ((-a.log10()).floor() as usize + 3).min(6);
        format!("{v:.dp$}")
    };
    if unit.is_empty() {
        num
    } else if unit == "%" {
        format!("{num}%")
    } else {
        format!("{num} {unit}")
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A ratio like `32x`, `2.5x`, `0.40x`.
pub(crate) fn fmt_ratio(r: f64) -> String {
    if r >= 100.0 {
        format!("{r:.0}x")
    } else if r >= 10.0 {
        format!("{r:.1}x")
    } else {
        format!("{r:.2}x")
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch (UTC).
pub(crate) fn utc_timestamp(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Days to civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests;
