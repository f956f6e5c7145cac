use std::process::ExitCode;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use scry_gen::{GenConfig, GenSummary, Phase};

use crate::cli::GenerateArgs;

/// Generates a world with a progress bar on stderr.
pub(crate) fn world(cfg: &GenConfig, out: &std::path::Path, quiet: bool) -> Result<GenSummary> {
    let pb = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let summary = scry_gen::generate(cfg, out, &|p| {
        pb.set_message(match p.phase {
            Phase::Names => "checking names",
            Phase::Domains => "writing domains",
            _ => "generating",
        });
        pb.set_length(p.total);
        pb.set_position(p.done);
    })?;
    pb.finish_and_clear();
    Ok(summary)
}

pub(crate) fn run(a: &GenerateArgs) -> Result<ExitCode> {
    let mut cfg = GenConfig::new(a.domains, a.days, a.seed);
    cfg.whois_actor = a.whois_actor.clamp(0.0, 1.0);
    let s = world(&cfg, &a.out, false)?;
    if a.json {
        crate::out::json(&serde_json::json!({
            "out": a.out, "domains": s.domains, "infrastructure": s.infrastructure,
            "labels": s.labels, "listed": s.listed, "zone_records": s.zone_records,
            "pdns_records": s.pdns_records, "ct_entries": s.ct_entries,
            "whois_records": s.whois_records, "files": s.files, "bytes": s.bytes,
        }))?;
    } else {
        println!(
            "{}: {} domains (+{} infrastructure), {} listed; {} zone records, {} pDNS, {} CT, {} WHOIS/RDAP; {} files, {} MB",
            a.out.display(),
            s.domains,
            s.infrastructure,
            s.listed,
            s.zone_records,
            s.pdns_records,
            s.ct_entries,
            s.whois_records,
            s.files,
            s.bytes >> 20
        );
    }
    Ok(ExitCode::SUCCESS)
}
