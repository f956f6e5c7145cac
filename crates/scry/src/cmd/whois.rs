use std::process::ExitCode;

use anyhow::{Context, Result};
use scry_ingest::registration::{MAX_FILE, RegKind, parse as parse_reg};

use crate::cli::{Cli, ParseCmd, ReverseScope, ReverseWhoisArgs, WhoisArgs};
use crate::{open, out};

pub(crate) fn parse(c: &ParseCmd) -> Result<ExitCode> {
    let (kind, file) = match c {
        ParseCmd::Whois(a) => (RegKind::Whois, &a.file),
        ParseCmd::Rdap(a) => (RegKind::Rdap, &a.file),
    };
    let meta = std::fs::metadata(file).with_context(|| file.display().to_string())?;
    if meta.len() > MAX_FILE {
        anyhow::bail!("{}: larger than {MAX_FILE} bytes", file.display());
    }
    let body = std::fs::read(file).with_context(|| file.display().to_string())?;
    let record = parse_reg(kind, &body).map_err(|e| e.with_source(file.display().to_string()))?;
    out::json(&record)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn whois(cli: &Cli, a: &WhoisArgs) -> Result<ExitCode> {
    let opened = open::open(cli, false)?;
    let mut h = scry_intel::whois::history(opened.store.as_ref(), &a.domain)?;
    if h.versions.is_empty() {
        if a.json {
            out::json(&h)?;
        } else {
            println!("{}: no WHOIS or RDAP record stored", h.domain);
        }
        return Ok(ExitCode::from(3));
    }
    if let Some(dates) = &a.diff {
        let bounds: Vec<i64> = dates
            .iter()
            .map(|d| scry_model::parse_time(d))
            .collect::<Result<_, _>>()?;
        if bounds.len() == 2 {
            let (lo, hi) = (bounds[0].min(bounds[1]), bounds[0].max(bounds[1]));
            h.diffs.retain(|d| {
                let f = scry_model::parse_time(&d.from).unwrap_or(i64::MIN);
                let t = scry_model::parse_time(&d.to).unwrap_or(i64::MAX);
                f >= lo && t <= hi + 86_399
            });
        }
        if a.json {
            out::json(&h.diffs)?;
        } else {
            for d in &h.diffs {
                println!("{} {} -> {}", d.kind, d.from, d.to);
                for c in &d.changes {
                    println!(
                        "  {:24} {} -> {}",
                        c.field,
                        c.old.as_deref().unwrap_or("-"),
                        c.new.as_deref().unwrap_or("-")
                    );
                }
            }
            if h.diffs.is_empty() {
                println!("no changes");
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !a.history {
        // The current view: the newest record of the more complete kind.
        let kind = h.current_from.clone().unwrap_or_default();
        h.versions = h
            .versions
            .into_iter()
            .rev()
            .filter(|v| v.kind == kind)
            .take(1)
            .collect();
        h.diffs.clear();
    }
    if a.json {
        out::json(&h)?;
    } else {
        for v in &h.versions {
            let r = &v.record;
            println!("{} {} ({})", v.time, v.kind, v.source);
            println!(
                "  registrar     {}",
                r.registrar.name.as_deref().unwrap_or("-")
            );
            println!(
                "  created       {}  expires {}",
                r.created.as_deref().unwrap_or("-"),
                r.expires.as_deref().unwrap_or("-")
            );
            println!("  name servers  {}", r.name_servers.join(", "));
            println!("  statuses      {}", r.statuses.join(", "));
            let c = &r.contacts.registrant;
            println!(
                "  registrant    {} / {} / {} / {}",
                c.name.as_deref().unwrap_or("-"),
                c.org.as_deref().unwrap_or("-"),
                c.email.as_deref().unwrap_or("-"),
                c.country.as_deref().unwrap_or("-")
            );
            if let Some(p) = &r.privacy_service {
                println!("  privacy       {p}");
            }
            if r.redacted.any {
                println!("  redacted      {}", r.redacted.fields.join(", "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn reverse(cli: &Cli, a: &ReverseWhoisArgs) -> Result<ExitCode> {
    let opened = open::open(cli, false)?;
    let fields = a
        .field
        .iter()
        .map(|f| scry_intel::field::resolve_field(f))
        .collect::<Result<Vec<_>, _>>()?;
    let r = scry_intel::whois::reverse_whois(
        opened.store.as_ref(),
        &a.terms,
        &a.exclude,
        &fields,
        a.scope == ReverseScope::Historic,
        a.limit,
    )?;
    if a.json {
        out::json(&r)?;
    } else {
        println!(
            "{}: {} current, {} historic",
            r.terms.join(" AND "),
            r.domain_count.current,
            r.domain_count.historic
        );
        for d in &r.domains {
            println!("{d}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
