//! `scry alerts destination|deliver|show`: alert delivery and one alert's
//! full record.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use scry_notify::{DeliverOptions, Policy, Target, Transport};

use crate::cli::{AlertsCmd, DestCommon, DestinationAddCmd, DestinationCmd};
use crate::cmd::ingest::now;
use crate::open::Opened;
use crate::out;

pub(crate) fn run(opened: &Opened, c: &AlertsCmd) -> Result<ExitCode> {
    let state = &opened.state;
    match c {
        AlertsCmd::Destination(DestinationCmd::Add(a)) => add(opened, a)?,
        AlertsCmd::Destination(DestinationCmd::List(a)) => {
            let mut rows = Vec::new();
            let mut all = Vec::new();
            for d in scry_notify::destinations(state)? {
                let st = scry_notify::status(state, d.id)?;
                rows.push(vec![
                    d.id.to_string(),
                    d.target.kind().to_string(),
                    d.name.clone(),
                    d.target.endpoint(),
                    st.queued.to_string(),
                    st.rejected.to_string(),
                    st.cursor.to_string(),
                ]);
                all.push(serde_json::json!({"destination": d.redacted(), "status": st}));
            }
            if a.json {
                out::json(&all)?;
            } else {
                out::table(
                    &[
                        "id", "kind", "name", "endpoint", "queued", "rejected", "cursor",
                    ],
                    &rows,
                )?;
            }
        }
        AlertsCmd::Destination(DestinationCmd::Remove(a)) => {
            scry_notify::remove_destination(state, a.id)?;
            println!("destination {} removed", a.id);
        }
        AlertsCmd::Destination(DestinationCmd::Requeue(a)) => {
            let n = scry_notify::requeue_rejected(state, a.id)?;
            println!("{n} refused alerts queued again for destination {}", a.id);
        }
        AlertsCmd::Deliver(a) => {
            let s = scry_notify::deliver(
                state,
                DeliverOptions {
                    once: a.once,
                    max_time: Duration::from_secs(a.max_time),
                },
            )?;
            let queued: u64 = s.destinations.iter().map(|d| d.queued).sum();
            if a.json {
                out::json(&s)?;
            } else {
                println!(
                    "{} alerts queued; {} delivered, {} failed attempts, {} rejected, {} still queued ({} ms)",
                    s.enqueued,
                    s.destinations.iter().map(|d| d.delivered).sum::<u64>(),
                    s.destinations.iter().map(|d| d.retried).sum::<u64>(),
                    s.destinations.iter().map(|d| d.rejected).sum::<u64>(),
                    queued,
                    s.elapsed_ms
                );
                for d in &s.destinations {
                    if let Some(e) = &d.last_error {
                        println!("  destination {}: last error: {e}", d.id);
                    }
                }
            }
            // Exit 1 when alerts are left undelivered, so cron and CI notice.
            if queued > 0 {
                return Ok(ExitCode::from(1));
            }
        }
        AlertsCmd::Show(a) => {
            let Some(alert) = scry_intel::monitor::alert(state, a.id)? else {
                bail!("no alert {}", a.id);
            };
            let deliveries = scry_notify::attempts(state, a.id)?;
            if a.json {
                out::json(&serde_json::json!({"alert": alert, "deliveries": deliveries}))?;
            } else {
                println!("alert {}: {}", alert.id, alert.domain);
                println!("  monitor:  {}", alert.monitor);
                println!("  reason:   {}", alert.reason);
                if let Some(s) = alert.similarity {
                    println!("  similarity: {s}");
                }
                println!("  event:    #{} at {}", alert.event_seq, alert.event_time);
                println!("  state:    {}", alert.state);
                println!("history:");
                for h in &alert.history {
                    println!(
                        "  {} {:20} by {}{}",
                        h.when,
                        h.state,
                        h.who,
                        h.note
                            .as_deref()
                            .map(|n| format!(" ({n})"))
                            .unwrap_or_default()
                    );
                }
                println!("deliveries:");
                for d in &deliveries {
                    println!(
                        "  {} {} {:?} attempt {}: {} ({})",
                        d.time, d.channel, d.destination_name, d.attempt, d.status, d.detail
                    );
                }
            }
        }
        AlertsCmd::List(_) | AlertsCmd::SetState(_) | AlertsCmd::Digest(_) => {
            bail!("not a delivery command")
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn policy(c: &DestCommon, t: &Target) -> Policy {
    let mut p = Policy::for_target(t);
    if let Some(v) = c.max_queue {
        p.max_queue = v;
    }
    if let Some(v) = c.backoff_ms {
        p.backoff_ms = v;
    }
    if let Some(v) = c.batch {
        p.batch = v;
    }
    p
}

fn add(opened: &Opened, a: &DestinationAddCmd) -> Result<()> {
    let (common, target) = match a {
        DestinationAddCmd::Webhook(w) => (
            &w.common,
            Target::Webhook {
                url: w.url.clone(),
                secret: w.secret.clone(),
            },
        ),
        DestinationAddCmd::Syslog(s) => (
            &s.common,
            Target::Syslog {
                address: s.address.clone(),
                transport: match s.transport.as_str() {
                    "udp" => Transport::Udp,
                    "tcp" => Transport::Tcp,
                    t => bail!("--transport {t:?}: expected udp or tcp"),
                },
                facility: s.facility,
                hostname: s.hostname.clone(),
            },
        ),
        DestinationAddCmd::Hec(h) => (
            &h.common,
            Target::Hec {
                url: h.url.clone(),
                token: h.token.clone(),
                sourcetype: h.sourcetype.clone(),
                index: h.index.clone(),
            },
        ),
        DestinationAddCmd::Smtp(m) => (
            &m.common,
            Target::Smtp {
                server: m.server.clone(),
                from: m.from.clone(),
                to: m.to.clone(),
            },
        ),
    };
    let p = policy(common, &target);
    let d = scry_notify::add_destination(
        &opened.state,
        &common.name,
        target,
        Some(p),
        common.backfill,
        now(),
    )?;
    if common.json {
        out::json(&d.redacted())?;
    } else {
        println!("destination {} added ({})", d.id, d.target.endpoint());
    }
    Ok(())
}
