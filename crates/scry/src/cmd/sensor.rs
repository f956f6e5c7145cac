//! `scry sensor dnstap`: the live passive-DNS sensor (see
//! `scry_ingest::sensor`); this module binds the socket, turns SIGINT and
//! SIGTERM into a clean stop and prints the summary.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use scry_ingest::sensor::{SensorOptions, bind, run_dnstap_sensor};

use crate::cli::{Cli, SensorCmd, SensorDnstapArgs};
use crate::{open, out};

pub(crate) fn run(cli: &Cli, c: &SensorCmd) -> Result<ExitCode> {
    match c {
        SensorCmd::Dnstap(a) => dnstap(cli, a),
    }
}

/// Sets `stop` on the first SIGINT or SIGTERM (a one-thread tokio runtime
/// on its own thread; tokio is already in the binary through the server).
fn stop_on_signals(stop: Arc<AtomicBool>) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("signal handler runtime")?;
    let mut term = {
        let _g = rt.enter();
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("SIGTERM handler")?
    };
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            rt.block_on(async {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            });
            stop.store(true, Ordering::SeqCst);
        })
        .context("signal thread")?;
    Ok(())
}

fn dnstap(cli: &Cli, a: &SensorDnstapArgs) -> Result<ExitCode> {
    let opened = open::open(cli, true)?;
    let stop = Arc::new(AtomicBool::new(false));
    stop_on_signals(stop.clone())?;
    let listener = bind(&a.socket)?;
    let opts = SensorOptions {
        batch_size: a.batch,
        flush_interval: Duration::from_millis(a.flush_ms.max(1)),
        queue: a.queue,
        max_connections: a.max_connections.max(1),
        default_sensor: a.sensor.clone(),
    };
    tracing::info!(socket = %a.socket.display(), "dnstap sensor listening");
    if !a.json {
        eprintln!(
            "listening for dnstap on {} (SIGINT or SIGTERM stops)",
            a.socket.display()
        );
    }
    let show = a.progress;
    let summary = run_dnstap_sensor(
        opened.store.as_ref(),
        listener,
        &a.socket,
        &opts,
        &stop,
        &mut |p| {
            if show {
                eprintln!(
                    "committed: {} records read, {} rejected",
                    p.read, p.rejected
                );
            }
        },
    )?;
    if a.json {
        out::json(&summary)?;
    } else {
        let s = &summary.ingest;
        eprintln!(
            "{}: {} connections, {} frames, {} records, stored {} (new facts {}, merged {}), rejected {}, {} batches in {:.1}s",
            s.input,
            summary.connections,
            summary.frames,
            s.read,
            s.stored,
            s.facts_new,
            s.facts_merged,
            s.rejected,
            s.batches,
            s.elapsed_ms as f64 / 1000.0
        );
        for (reason, n) in &s.rejected_by_reason {
            eprintln!("  rejected {reason}: {n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
