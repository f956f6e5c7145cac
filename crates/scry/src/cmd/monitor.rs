use std::process::ExitCode;

use anyhow::Result;
use scry_intel::monitor::{self, MonitorKind};

use crate::cli::{AlertsCmd, Cli, MonitorCmd};
use crate::cmd::ingest::now;
use crate::{open, out};

pub(crate) fn monitor(cli: &Cli, c: &MonitorCmd) -> Result<ExitCode> {
    let opened = open::open(cli, true)?;
    let state = &opened.state;
    match c {
        MonitorCmd::Add(a) => {
            let m = monitor::add_monitor(
                state,
                MonitorKind::parse(&a.kind)?,
                &a.name,
                &a.term,
                &a.exclude,
                a.match_substring_variations,
                now(),
            )?;
            if a.json {
                out::json(&m)?;
            } else {
                println!("monitor {} added", m.id);
            }
        }
        MonitorCmd::List(a) => {
            let ms = monitor::monitors(state)?;
            if a.json {
                out::json(&ms)?;
            } else {
                let rows: Vec<Vec<String>> = ms
                    .iter()
                    .map(|m| {
                        vec![
                            m.id.to_string(),
                            serde_json::to_value(m.kind)
                                .map(|v| v.as_str().unwrap_or("").to_string())
                                .unwrap_or_default(),
                            m.name.clone(),
                            m.terms.join(","),
                            m.created.clone(),
                        ]
                    })
                    .collect();
                out::table(&["id", "kind", "name", "terms", "created"], &rows)?;
            }
        }
        MonitorCmd::Remove(a) => {
            if !monitor::remove_monitor(state, a.id)? {
                anyhow::bail!("no monitor {}", a.id);
            }
            println!("monitor {} removed", a.id);
        }
        MonitorCmd::Run(a) => {
            let s = monitor::run_monitors(opened.store.as_ref(), state, now())?;
            if a.json {
                out::json(&s)?;
            } else {
                println!(
                    "{} monitors examined {} events: {} new alerts",
                    s.monitors, s.events, s.alerts
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn alerts(cli: &Cli, c: &AlertsCmd) -> Result<ExitCode> {
    // Destinations can be set up before anything is ingested.
    let opened = open::open(cli, matches!(c, AlertsCmd::Destination(_)))?;
    let state = &opened.state;
    match c {
        AlertsCmd::List(a) => {
            let all = monitor::alerts(state, a.state.as_deref())?;
            if a.json {
                out::json(&all)?;
            } else {
                let rows: Vec<Vec<String>> = all
                    .iter()
                    .map(|x| {
                        vec![
                            x.id.to_string(),
                            x.state.clone(),
                            x.monitor.to_string(),
                            x.domain.clone(),
                            x.risk
                                .as_ref()
                                .map(|r| r.score.to_string())
                                .unwrap_or_default(),
                            x.reason.clone(),
                            x.event_time.clone(),
                        ]
                    })
                    .collect();
                out::table(
                    &["id", "state", "monitor", "domain", "risk", "reason", "seen"],
                    &rows,
                )?;
            }
        }
        AlertsCmd::SetState(a) => {
            let who = a
                .who
                .clone()
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "unknown".into());
            let x = monitor::set_state(state, a.id, &a.state, &who, a.note.as_deref(), now())?;
            println!("alert {} is now {} (by {who})", x.id, x.state);
        }
        AlertsCmd::Digest(a) => {
            let day = match &a.date {
                Some(d) => scry_model::parse_time(d)?,
                None => now() - now().rem_euclid(86_400),
            };
            let d = monitor::digest(state, day)?;
            if a.json {
                out::json(&d)?;
            } else {
                println!(
                    "{}: {} new alerts, {} still untriaged overall",
                    d.date, d.raised, d.open_total
                );
                for m in &d.monitors {
                    println!("\n{} (monitor {}): {} raised", m.name, m.id, m.alerts.len());
                    for x in &m.alerts {
                        let risk = x
                            .risk
                            .as_ref()
                            .map(|r| format!("risk {:3}", r.score))
                            .unwrap_or_default();
                        println!(
                            "  [{}] {:40} {:10} {risk:8} {}",
                            x.id, x.domain, x.state, x.reason
                        );
                    }
                }
            }
        }
        AlertsCmd::Destination(_) | AlertsCmd::Deliver(_) | AlertsCmd::Show(_) => {
            return crate::cmd::notify::run(&opened, c);
        }
    }
    Ok(ExitCode::SUCCESS)
}
