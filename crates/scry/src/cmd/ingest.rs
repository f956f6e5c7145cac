use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use scry_ingest::IngestSummary;
use scry_ingest::facts::{FactsOptions, ingest_file};
use scry_ingest::registration::{RegKind, RegOptions, ingest_paths};

use crate::cli::{
    Cli, IngestAsnArgs, IngestCmd, IngestFactsArgs, IngestFactsLikeArgs, IngestFeedArgs,
    IngestPdnsArgs, IngestRegArgs, IngestZoneArgs, PdnsFormatArg, ProgressMode, ZoneCmd,
};
use crate::{open, out};
use scry_ingest::zone::{ZoneIngestOptions, ingest_zone, zone_diff};

pub(crate) fn run(cli: &Cli, c: &IngestCmd) -> Result<ExitCode> {
    match c {
        IngestCmd::Facts(a) => facts(cli, a),
        IngestCmd::Whois(a) => registration(cli, a, RegKind::Whois),
        IngestCmd::Rdap(a) => registration(cli, a, RegKind::Rdap),
        IngestCmd::Zone(a) => {
            // 4 KiB pages: the zone load's buffers are filled front to
            // back, and with 2 MiB pages most of its system time was the
            // kernel zeroing whole huge pages on first touch (perf:
            // `clear_page_erms` under `do_huge_pmd_anonymous_page`, 12 %
            // of a 2 M-delegation load's samples). Measured on the 2 M
            // file, three alternating triples on a quiet machine: system
            // time 1.5-2.7 s -> 0.9 s, wall 8.96-10.24 s -> 8.53-8.77 s,
            // user time level, peak RSS 217-254 -> 201-216 MiB.
            crate::alloc::no_transparent_huge_pages();
            zone(cli, a)
        }
        IngestCmd::Pdns(a) => {
            // A one-shot load whose sorter buffers are freed and taken again
            // phase after phase: reused, not faulted in again (measured on
            // the pDNS load only; the zone load gained nothing from it and
            // peaked 108 MiB higher).
            crate::alloc::retain_freed_memory();
            // 4 KiB pages, as the zone load: with 2 MiB pages the kernel
            // zeroing whole huge pages on first touch was 20% of a 1 M COF
            // load's samples (2% without). Quiet 1 M pairs: wall -30 to
            // -37 %, sys 2.5-3.0 -> 0.5 s; under load 7-9 wall and CPU
            // level (sys down, user up to 2 s more); peak RSS -30 to -50
            // MiB in every run (ARCHITECTURE, fourteenth and fifteenth
            // sessions' pDNS figures). The store is synced when the load
            // returns: no writeback is left for the queries after it.
            crate::alloc::no_transparent_huge_pages();
            pdns(cli, a)
        }
        IngestCmd::Ct(a) => ct(cli, a),
        IngestCmd::Asn(a) => asn(cli, a),
        IngestCmd::Feed(a) => feed(cli, a),
    }
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn bar(mode: ProgressMode, len: u64, name: &str) -> ProgressBar {
    if mode != ProgressMode::Bar {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(name.to_string());
    pb
}

fn facts(cli: &Cli, a: &IngestFactsArgs) -> Result<ExitCode> {
    let opened = open::open(cli, true)?;
    let opts = FactsOptions {
        default_source: a.source.clone(),
        strict: a.strict,
        batch_size: a.batch,
        now: now(),
        bulk_min_bytes: (!a.no_bulk).then_some(a.bulk_min_mib << 20),
    };
    let mut summaries: Vec<IngestSummary> = Vec::new();
    for f in &a.files {
        let len = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        let pb = bar(a.progress, len, &f.display().to_string());
        let mut stdout = std::io::stdout();
        let s = ingest_file(opened.store.as_ref(), f, &opts, &mut |p| match a.progress {
            ProgressMode::Ndjson => {
                let _ = writeln!(
                    stdout,
                    "{{\"committed_through_line\": {}}}",
                    p.committed_through_line
                );
                let _ = stdout.flush();
            }
            ProgressMode::Bar => pb.set_position(p.bytes.min(len)),
            ProgressMode::None => {}
        })?;
        pb.finish_and_clear();
        summaries.push(s);
    }
    print_summaries(&summaries, a.json)?;
    Ok(ExitCode::SUCCESS)
}

fn registration(cli: &Cli, a: &IngestRegArgs, kind: RegKind) -> Result<ExitCode> {
    let observed_at = match &a.date {
        Some(d) => Some(scry_model::parse_time(d)?),
        None => None,
    };
    let opened = open::open(cli, true)?;
    let s = ingest_paths(
        opened.store.as_ref(),
        &a.paths,
        &RegOptions {
            kind,
            observed_at,
            strict: a.strict,
            now: now(),
        },
        &mut |_| {},
    )?;
    print_summaries(&[s], a.json)?;
    Ok(ExitCode::SUCCESS)
}

fn print_summaries(summaries: &[IngestSummary], json: bool) -> Result<()> {
    for s in summaries {
        if json {
            out::json(s)?;
        } else if s.already_complete {
            eprintln!(
                "{}: already ingested ({} lines); nothing to do",
                s.input, s.skipped
            );
        } else {
            eprintln!(
                "{}: read {} stored {} rejected {} (new facts {}, merged {}){} in {:.1}s",
                s.input,
                s.read,
                s.stored,
                s.rejected,
                s.facts_new,
                s.facts_merged,
                if s.skipped > 0 {
                    format!(", resumed after line {}", s.skipped)
                } else {
                    String::new()
                },
                s.elapsed_ms as f64 / 1000.0
            );
            for (reason, n) in &s.rejected_by_reason {
                eprintln!("  rejected {reason}: {n}");
            }
            for e in &s.rejected_examples {
                eprintln!("  {e}");
            }
        }
    }
    Ok(())
}

fn zone(cli: &Cli, a: &IngestZoneArgs) -> Result<ExitCode> {
    let date = match &a.date {
        Some(d) => Some(scry_model::parse_time(d)?),
        None => None,
    };
    let opened = open::open(cli, true)?;
    let opts = ZoneIngestOptions {
        zone_form: !a.fact_path,
        origin: a.origin.clone(),
        date,
        strict: a.strict,
        runs_dir: cli.data_dir.join("zones"),
        now: now(),
    };
    let mut summaries = Vec::new();
    for f in &a.files {
        let pb = bar(a.progress, 0, &f.display().to_string());
        let mut stdout = std::io::stdout();
        let s = ingest_zone(opened.store.as_ref(), f, &opts, &mut |p| match a.progress {
            ProgressMode::Ndjson => {
                let _ = writeln!(
                    stdout,
                    "{{\"committed_through_change\": {}}}",
                    p.committed_through_line
                );
                let _ = stdout.flush();
            }
            ProgressMode::Bar => pb.set_message(format!(
                "{}: {} changes stored",
                f.display(),
                p.committed_through_line
            )),
            ProgressMode::None => {}
        })?;
        pb.finish_and_clear();
        summaries.push(s);
    }
    print_summaries(&summaries, a.json)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn zone_cmd(cli: &Cli, c: &ZoneCmd) -> Result<ExitCode> {
    let ZoneCmd::Diff(a) = c;
    let t = |s: &Option<String>| -> Result<Option<i64>> {
        Ok(match s {
            Some(d) => Some(scry_model::parse_time(d)?),
            None => None,
        })
    };
    // Reading snapshot runs needs the data dir, not the fact store's lock.
    let runs = cli.data_dir.join("zones");
    let mut rows = Vec::new();
    // Block-buffered: a diff of two big snapshots prints millions of lines,
    // and the standard output's line buffering would write each one alone.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    zone_diff(&runs, &a.origin, t(&a.from)?, t(&a.to)?, &mut |date, ch| {
        let d = scry_model::format_time(date);
        let d = d.get(..10).unwrap_or(&d).to_string();
        if a.json {
            let v = serde_json::json!({
                "date": d, "domain": ch.domain, "kind": ch.kind,
                "ns_old": ch.ns_old, "ns_new": ch.ns_new,
            });
            writeln!(stdout, "{v}")
                .map_err(|e| scry_ingest::IngestError::Internal(e.to_string()))?;
        } else {
            rows.push(vec![
                d,
                ch.kind.to_string(),
                ch.domain,
                ch.ns_old.join(","),
                ch.ns_new.join(","),
            ]);
        }
        Ok(())
    })?;
    stdout.flush()?;
    drop(stdout);
    if !a.json {
        out::table(&["date", "kind", "domain", "ns_old", "ns_new"], &rows)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn pdns(cli: &Cli, a: &IngestPdnsArgs) -> Result<ExitCode> {
    use scry_parse::pdns::PdnsFormat;
    let format = a.format.map(|f| match f {
        PdnsFormatArg::Cof => PdnsFormat::Cof,
        PdnsFormatArg::Dnsdb => PdnsFormat::Dnsdb,
        PdnsFormatArg::Zeek => PdnsFormat::ZeekTsv,
        PdnsFormatArg::ZeekJson => PdnsFormat::ZeekJson,
        PdnsFormatArg::Passivedns => PdnsFormat::PassiveDns,
        PdnsFormatArg::Dnstap => PdnsFormat::Dnstap,
        PdnsFormatArg::Pcap => PdnsFormat::Pcap,
    });
    let opened = open::open(cli, true)?;
    let opts = scry_ingest::pdns::PdnsOptions {
        format,
        strict: a.strict,
        batch_size: a.batch,
        dns_ports: if a.dns_ports.is_empty() {
            vec![53]
        } else {
            a.dns_ports.clone()
        },
        now: now(),
        bulk_min_bytes: (!a.no_bulk).then_some(a.bulk_min_mib << 20),
        fact_path: a.fact_path,
    };
    let mut summaries = Vec::new();
    for f in &a.files {
        summaries.push(scry_ingest::pdns::ingest_pdns(
            opened.store.as_ref(),
            f,
            &opts,
            &mut |_| {},
        )?);
    }
    print_summaries(&summaries, a.json)?;
    Ok(ExitCode::SUCCESS)
}

fn ct(cli: &Cli, a: &IngestFactsLikeArgs) -> Result<ExitCode> {
    let opened = open::open(cli, true)?;
    let opts = scry_ingest::ct::CtOptions {
        strict: a.strict,
        batch_size: 50_000,
        now: now(),
    };
    let mut summaries = Vec::new();
    for f in &a.files {
        summaries.push(scry_ingest::ct::ingest_ct(
            opened.store.as_ref(),
            f,
            &opts,
            &mut |_| {},
        )?);
    }
    print_summaries(&summaries, a.json)?;
    Ok(ExitCode::SUCCESS)
}

fn asn(cli: &Cli, a: &IngestAsnArgs) -> Result<ExitCode> {
    let observed_at = match &a.date {
        Some(d) => Some(scry_model::parse_time(d)?),
        None => None,
    };
    let opened = open::open(cli, true)?;
    let apply = if scry_ingest::asn::is_mmdb(&a.file)? {
        scry_ingest::asn::ingest_mmdb
    } else {
        scry_ingest::asn::ingest_asn
    };
    let s = apply(
        opened.store.as_ref(),
        &a.file,
        &scry_ingest::asn::AsnOptions {
            observed_at,
            strict: a.strict,
            now: now(),
            page: scry_ingest::asn::DEFAULT_PAGE,
        },
        &mut |_| {},
    )?;
    print_summaries(&[s], a.json)?;
    Ok(ExitCode::SUCCESS)
}

fn feed(cli: &Cli, a: &IngestFeedArgs) -> Result<ExitCode> {
    let kind = scry_store::feeds::FeedKind::parse(&a.kind).ok_or_else(|| {
        anyhow::anyhow!(
            "--kind {:?}: expected phishing, malware, spam or c2",
            a.kind
        )
    })?;
    let format = match &a.format {
        Some(f) => Some(
            scry_parse::feed::FeedFormat::parse(f)
                .ok_or_else(|| anyhow::anyhow!("--format {f:?}: expected list, csv or json"))?,
        ),
        None => None,
    };
    let as_of = match &a.as_of {
        Some(d) => Some(scry_model::parse_time(d)?),
        None => None,
    };
    let opened = open::open(cli, true)?;
    let s = scry_ingest::feed::ingest_feed(
        opened.store.as_ref(),
        &opened.state,
        &a.file,
        &scry_ingest::feed::FeedOptions {
            name: a.name.clone(),
            kind,
            format,
            as_of,
            strict: a.strict,
            now: now(),
        },
        &mut |_| {},
    )?;
    if a.json {
        out::json(&s)?;
    } else {
        print_summaries(std::slice::from_ref(&s.ingest), false)?;
        if !s.ingest.already_complete {
            eprintln!(
                "feed {}: version {} lists {} (+{} -{})",
                s.feed,
                scry_model::format_time(s.version),
                s.entries,
                s.added,
                s.removed
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
