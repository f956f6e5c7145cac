use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Cli, StoreCmd};
use crate::{open, out};

pub(crate) fn run(cli: &Cli, c: &StoreCmd) -> Result<ExitCode> {
    if let StoreCmd::Migrate = c {
        return migrate(cli);
    }
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
        StoreCmd::Migrate => migrate(cli),
    }
}

fn migrate(cli: &Cli) -> Result<ExitCode> {
    let Some(url) = &cli.store else {
        println!("the embedded store needs no migration (its format version is checked on open)");
        return Ok(ExitCode::SUCCESS);
    };
    #[cfg(feature = "clickhouse")]
    {
        for line in scry_store::clickhouse::migrate(url)? {
            println!("{line}");
        }
        Ok(ExitCode::SUCCESS)
    }
    #[cfg(not(feature = "clickhouse"))]
    {
        let _ = url;
        anyhow::bail!("this scry was built without the clickhouse feature")
    }
}
