use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Cli, StoreCmd};
use crate::{open, out};

pub(crate) fn run(cli: &Cli, c: &StoreCmd) -> Result<ExitCode> {
    let opened = open::open(cli, false)?;
    match c {
        StoreCmd::Check(a) => {
            let r = opened.store.check()?;
            if a.json {
                out::json(&serde_json::json!({
                    "ok": r.problems.is_empty(),
                    "facts": r.facts, "holdings": r.holdings, "values": r.values,
                    "events": r.events, "problems": r.problems,
                }))?;
            } else {
                println!(
                    "{}: {} facts, {} holdings, {} values, {} events",
                    if r.problems.is_empty() {
                        "ok"
                    } else {
                        "INCONSISTENT"
                    },
                    r.facts,
                    r.holdings,
                    r.values,
                    r.events
                );
                for p in &r.problems {
                    println!("  {p}");
                }
            }
            Ok(if r.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        StoreCmd::Stats(a) => {
            let s = opened.store.stats()?;
            if a.json {
                out::json(&serde_json::json!({
                    "engine": s.engine, "facts": s.facts, "holdings": s.holdings,
                    "disk_bytes": s.disk_bytes, "last_event_seq": s.last_event_seq,
                }))?;
            } else {
                println!(
                    "engine {}\nfacts ~{}\nholdings ~{}\ndisk {} bytes\nlast event {}",
                    s.engine, s.facts, s.holdings, s.disk_bytes, s.last_event_seq
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
